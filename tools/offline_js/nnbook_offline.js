// Loaded on every page before the widgets' HTML manager (see tools/sphinx_offline_assets.py).
// Only the built book loads it: nothing here runs in Jupyter.
(function () {
  // The HTML manager's icon fonts sit beside it in _static/html-manager/; without this it
  // would look for them at the site root.
  var here = document.currentScript && document.currentScript.src;
  if (here) {
    var manager = new URL("html-manager", here).href;
    window.__jupyter_widgets_assets_path__ = manager + "/";
    // The manager's AMD modules derive their asset path from their module URLs
    // ("@jupyter-widgets/...", resolved against the page); map them onto _static/html-manager.
    // A `require` object defined before require.js loads is its configuration.
    if (typeof window.require === "undefined") {
      window.require = {paths: {"@jupyter-widgets/html-manager/dist": manager, "@jupyter-widgets": manager}};
    }
  }
  // Above every ipywidgets control panel, a note that its controls need a kernel: the book is
  // a static copy, where the HTML manager draws the widgets' saved state but nothing runs when
  // a control moves. The note comes from this page script only, so it never shows in Jupyter,
  // and only above rendered widgets that have controls (not above the in-page playground,
  // <div class="nnbook-playground">, which trains in the browser and needs no kernel).
  var CONTROLS = "input, select, button, textarea, .widget-slider, .widget-play";

  function kernelNote() {
    // The link to the book's section on running the notebooks, relative to this page, is in
    // a <meta> that tools/sphinx_offline_assets.py adds (none if the book has no such section).
    var meta = document.querySelector('meta[name="nnbook-how-to-run"]');
    var howToRun = meta ? meta.getAttribute("content") : null;
    var note = document.createElement("p");
    note.className = "nnbook-kernel-note";
    note.setAttribute("role", "note");
    var lead = document.createElement("strong");
    lead.textContent = "Static copy: ";
    note.appendChild(lead);
    note.appendChild(document.createTextNode(
      "these controls need a running Python kernel and do nothing here. To use them, open " +
      "this notebook in Jupyter"));
    if (howToRun) {
      note.appendChild(document.createTextNode(" (see "));
      var link = document.createElement("a");
      link.href = howToRun;
      link.textContent = "how to run the notebooks";
      note.appendChild(link);
      note.appendChild(document.createTextNode(")"));
    }
    note.appendChild(document.createTextNode("."));
    return note;
  }

  // The manager puts each view into a <div class="widget-subarea"> that it inserts before the
  // view's <script>, and fills it asynchronously: watch the page and add a note once a panel
  // has its controls.
  function noteControlPanels() {
    var areas = document.querySelectorAll(".widget-subarea:not([data-nnbook-noted])");
    Array.prototype.forEach.call(areas, function (area) {
      if (!area.querySelector(CONTROLS) || area.closest(".nnbook-playground")) { return; }
      area.setAttribute("data-nnbook-noted", "");
      area.parentNode.insertBefore(kernelNote(), area);
    });
  }
  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.setTimeout(function () { pending = false; noteControlPanels(); }, 0);
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector('script[type="application/vnd.jupyter.widget-view+json"]')) { return; }
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
    schedule();
  });

  // ipywidgets typesets labels with the MathJax 2 call MathJax.Hub.Queue; the book uses
  // MathJax 3, which has no Hub. This load handler runs before the manager's (it is added
  // first) and maps the call onto MathJax 3's typesetPromise.
  window.addEventListener("load", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub) { return; }
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (!Array.isArray(job) || job[0] !== "Typeset") { return; }
          var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
          ready.then(function () {
            return mj.typesetPromise ? mj.typesetPromise(job[2] ? [job[2]] : undefined) : null;
          }).catch(function (err) { console.warn("MathJax typeset of a widget failed:", err); });
        });
      }
    };
  });
})();
