// Loaded on every page before the widgets' HTML manager (see tools/sphinx_offline_assets.py).
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
