// The nnbook Playground, live in the online book: the decision-boundary playground of
// nnlib.viz.Playground, trained in the reader's browser by nnlib.js (no kernel, no network).
//
// A page embeds it as an element  <div class="nnbook-playground" data-setup="dataset=xor&hidden=8">
// whose contents (a static image) show where JavaScript is off; this script replaces them
// with the live playground. `data-setup` and the page's URL (?dataset=moons&lr=0.1...) hold the
// settings; see playground.md in the book and nnlib/viz/live.py, which writes the embed.
// Loaded only on pages with an embed (tools/sphinx_offline_assets.py).
(function (root, factory) {
  if (typeof module === "object" && module.exports) { module.exports = factory(require("./nnlib.js")); }
  else { root.nnbookPlayground = factory(root.nnlib); }
}(typeof self !== "undefined" ? self : this, function (nl) {
  "use strict";

  var DEFAULTS = {dataset: "moons", noise: 0.2, samples: 300, hidden: "16, 16", activation: "relu",
                  optimizer: "adam", lr: 0.03, batch: 0, seed: 0};
  var KEYS = Object.keys(DEFAULTS);
  var LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  var BATCH_SIZES = [0, 8, 16, 32, 64];  // 0: the full batch, one step per epoch
  var VALIDATION_FRACTION = 0.3;
  // nnlib.viz.grid.CLASS_COLORS (blue, orange, green) and proba_to_rgb's pastel strength.
  var COLORS = [[0.122, 0.467, 0.706], [1.0, 0.498, 0.055], [0.173, 0.627, 0.173]];
  var MAX_STRENGTH = 0.65;
  var EPOCHS_PER_FRAME = 5, FRAME_BUDGET_MS = 10;

  // ---- settings <-> text (data-setup and the URL) ---------------------------------------
  function parseSetup(text, base) {
    // Settings from "dataset=xor&hidden=8" over `base`; unknown or invalid values are ignored.
    var s = Object.assign({}, base || DEFAULTS), params = new URLSearchParams(text || "");
    params.forEach(function (value, key) {
      if (!(key in DEFAULTS)) { return; }
      if (key === "dataset" && !(value in nl.DATASETS)) { return; }
      if (key === "activation" && !(value in nl.ACTIVATIONS)) { return; }
      if (key === "optimizer" && nl.OPTIMIZERS.indexOf(value) < 0) { return; }
      if (key === "hidden") { try { nl.parseHidden(value); } catch (e) { return; } s.hidden = value; return; }
      if (typeof DEFAULTS[key] === "number") {
        var x = Number(value === "full" ? 0 : value);
        if (!isFinite(x)) { return; }
        if (key === "noise" && !(x >= 0 && x <= 1)) { return; }
        if (key === "samples" && !(Number.isInteger(x) && x >= 20 && x <= 1000)) { return; }
        if (key === "lr" && !(x > 0 && x <= 10)) { return; }
        if (key === "batch" && BATCH_SIZES.indexOf(x) < 0) { return; }
        if (key === "seed" && !(Number.isInteger(x) && x >= 0)) { return; }
        s[key] = x;
        return;
      }
      s[key] = value;
    });
    return s;
  }
  function setupText(s) {
    return KEYS.map(function (k) { return k + "=" + encodeURIComponent(s[k]).replace(/%2C/g, ","); }).join("&");
  }

  // ---- "Copy as nnlib code" ----------------------------------------------------------------
  var LAYER_NAMES = {relu: "ReLU", leaky_relu: "LeakyReLU", tanh: "Tanh", sigmoid: "Sigmoid", identity: "Identity"};
  var MAKERS = {moons: "make_moons", circles: "make_circles", spirals: "make_spirals", xor: "make_xor", blobs: "make_blobs"};

  function pyFloat(x) { var t = String(x); return /[.e]/.test(t) ? t : t + ".0"; }
  function nnlibCode(s, added, epochs, link) {
    // Python that builds and trains this configuration with nnlib in a notebook: the same seed
    // gives the same data, weights and batches as the page, so the same curves.
    var hidden = nl.parseHidden(s.hidden), sizes = [2].concat(hidden, [s.dataset === "blobs" ? 3 : 2]);
    var init = s.activation === "relu" || s.activation === "leaky_relu" ? "he_normal" : "xavier_normal";
    var L = [];
    L.push("import numpy as np", "import nnlib as nl", "");
    if (link) { L.push("# The live playground's setup: " + link); }
    L.push("# The page's seed: the same data, weights and batches as the page, so the same losses");
    L.push("# (points added by clicking count here from the first epoch).");
    L.push("X, y = nl.datasets." + MAKERS[s.dataset] + "(" + s.samples + ", noise=" + pyFloat(s.noise) +
           ", seed=" + s.seed + ")");
    L.push("X_train, X_val, y_train, y_val = nl.train_test_split(",
           "    X, y, test_size=" + VALIDATION_FRACTION + ", seed=" + s.seed + ", stratify=True)");
    L.push("scaler = nl.StandardScaler().fit(X_train)  # the network sees standardized inputs");
    if (added && added.length) {
      L.push("# " + added.length + " point(s) added by clicking on the map: (x1, x2) and class.");
      L.push("X_added = np.array([" + added.map(function (p) {
        return "[" + String(p[0]) + ", " + String(p[1]) + "]"; }).join(", ") + "])");
      L.push("y_added = np.array([" + added.map(function (p) { return p[2]; }).join(", ") + "])");
      L.push("X_train, y_train = np.vstack([X_train, X_added]), np.concatenate([y_train, y_added])");
    }
    L.push("Z_train, Z_val = scaler.transform(X_train), scaler.transform(X_val)", "");
    L.push("rng = np.random.default_rng(" + s.seed + ")", "model = nl.Sequential(");
    for (var i = 0; i < sizes.length - 1; i++) {
      var last = i === sizes.length - 2;
      L.push("    nl.Dense(" + sizes[i] + ", " + sizes[i + 1] + ", init=\"" + (last ? "xavier_normal" : init) +
             "\", rng=rng)," + (last ? "" : " nl." + LAYER_NAMES[s.activation] + "(),"));
    }
    L.push(")");
    var opt = s.optimizer === "adam" ? "nl.Adam(model.parameters(), lr=" + s.lr + ")"
      : "nl.SGD(model.parameters(), lr=" + s.lr + (s.optimizer === "momentum" ? ", momentum=0.9)" : ")");
    L.push("optimizer = " + opt);
    var batch = s.batch ? String(s.batch) : "len(Z_train)";
    L.push("history = nl.fit(", "    model, nl.CrossEntropyLoss(), optimizer, Z_train, y_train, epochs=" + epochs + ",");
    L.push("    batch_size=" + batch + ", validation_data=(Z_val, y_val), seed=" + s.seed + ", progress=False)");
    L.push("print(f\"after {history.epochs} epochs: train loss {history.loss[-1]:.3f}, \"");
    L.push("      f\"validation loss {history.val_loss[-1]:.3f}, \"");
    L.push("      f\"validation accuracy {history.val_accuracy[-1]:.0%}\")");
    return L.join("\n") + "\n";
  }

  // ---- the model's probabilities over the plane ------------------------------------------------
  function softmaxRows(out) {
    var k = out.cols, d = out.data;
    for (var i = 0; i < out.rows; i++) {
      var m = -Infinity, s = 0, j;
      for (j = 0; j < k; j++) { m = Math.max(m, d[i * k + j]); }
      for (j = 0; j < k; j++) { d[i * k + j] = Math.exp(d[i * k + j] - m); s += d[i * k + j]; }
      for (j = 0; j < k; j++) { d[i * k + j] /= s; }
    }
    return out;
  }
  function probaToRgb(p, k, out, o) {
    // nnlib.viz.grid.proba_to_rgb for one cell: the class colours mixed by probability,
    // faded to white as the prediction approaches uniform; grey where it is not finite.
    var r = 0, g = 0, b = 0, pmax = 0, ok = true;
    for (var c = 0; c < k; c++) {
      if (!isFinite(p[c])) { ok = false; break; }
      r += p[c] * COLORS[c][0]; g += p[c] * COLORS[c][1]; b += p[c] * COLORS[c][2]; pmax = Math.max(pmax, p[c]);
    }
    if (!ok) { out[o] = out[o + 1] = out[o + 2] = 204; out[o + 3] = 255; return; }
    var conf = Math.min(Math.max((pmax - 1 / k) / (1 - 1 / k), 0), 1), a = 0.1 + (MAX_STRENGTH - 0.1) * conf;
    out[o] = 255 * (1 - a * (1 - r)); out[o + 1] = 255 * (1 - a * (1 - g)); out[o + 2] = 255 * (1 - a * (1 - b));
    out[o + 3] = 255;
  }
  function gridBounds(X) {
    // nnlib.viz.grid.grid_bounds: the points' box padded by 15% of each side (at least 0.1).
    var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
    for (var i = 0; i < X.rows; i++) {
      for (var j = 0; j < 2; j++) { lo[j] = Math.min(lo[j], X.data[2 * i + j]); hi[j] = Math.max(hi[j], X.data[2 * i + j]); }
    }
    var px = Math.max(0.15 * (hi[0] - lo[0]), 0.1), py = Math.max(0.15 * (hi[1] - lo[1]), 0.1);
    return [lo[0] - px, hi[0] + px, lo[1] - py, hi[1] + py];
  }

  // ---- a run: what the page trains, as nnlib.viz.live.train_setup does in Python --------------
  function prepareData(s) {
    // The data set of the settings, split 70/30 into training and validation (stratified, seeded
    // like nnlib), the scaler fitted on the training part, and the plot's bounds.
    var made = nl.DATASETS[s.dataset](s.samples, s.noise, s.seed);
    var split = nl.trainTestSplit(made.X, made.y, VALIDATION_FRACTION, s.seed);
    return {XTrain: split.XTrain, yTrain: split.yTrain, XVal: split.XTest, yVal: split.yTest,
            nClasses: s.dataset === "blobs" ? 3 : 2, scaler: new nl.StandardScaler().fit(split.XTrain),
            bounds: gridBounds(made.X)};
  }
  function makeTrainer(s, data, train) {
    // A new network for the settings and its Trainer on the standardized data; `train` (X, y)
    // replaces the training points (the page adds the clicked ones).
    train = train || {X: data.XTrain, y: data.yTrain};
    var model = nl.buildMlp(2, nl.parseHidden(s.hidden), data.nClasses, s.activation, s.seed);
    return new nl.Trainer(model, new nl.CrossEntropyLoss(), nl.buildOptimizer(s.optimizer, model, s.lr),
                          data.scaler.transform(train.X), train.y, data.scaler.transform(data.XVal), data.yVal,
                          s.batch || null, s.seed);
  }

  function withPoints(data, added) {
    // The generated training points (data.XTrain, data.yTrain) plus `added` [[x1, x2, class], ...].
    var n = data.XTrain.rows, m = added.length, X = new nl.Matrix(n + m, 2), y = new Int32Array(n + m);
    X.data.set(data.XTrain.data); y.set(data.yTrain);
    for (var i = 0; i < m; i++) { X.data[2 * (n + i)] = added[i][0]; X.data[2 * (n + i) + 1] = added[i][1]; y[n + i] = added[i][2]; }
    return {X: X, y: y};
  }
  function useTrainingData(trainer, scaler, train) {
    // Train on from the current weights with new training points (the current epoch restarts).
    trainer.X = scaler.transform(train.X); trainer.y = train.y; trainer._batches = null;
  }

  // ---- the widget ---------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else if (k === "class") { e.className = attrs[k]; }
      else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }
  function select(name, label, options) {
    var s = el("select", {name: name});
    options.forEach(function (o) { s.appendChild(el("option", {value: String(o[0]), text: o[1]})); });
    return {input: s, row: el("label", {}, [el("span", {text: label}), s])};
  }
  function fmt(x) { return isFinite(x) ? x.toFixed(3) : String(x); }

  function Playground(host) {
    this.host = host;
    this.id = host.id || "playground";
    var fromPage = parseSetup(host.getAttribute("data-setup"));
    this.initial = fromPage;
    var params = new URLSearchParams(window.location.search);
    var mine = !params.has("pg") || params.get("pg") === this.id;
    this.settings = mine ? parseSetup(window.location.search, fromPage) : fromPage;
    this.added = [];      // points added by clicking: [x1, x2, class]
    this.running = false;
    this._frame = null;
    this._mapEvery = 1; this._frames = 0;
    this._build();
    this.newData();
  }

  Playground.prototype._build = function () {
    var self = this, s = this.settings;
    Array.prototype.forEach.call(this.host.children, function (c) { c.hidden = true; });
    this.host.classList.add("nnbook-playground-live");
    var c = this.controls = {
      dataset: select("dataset", "data set", Object.keys(nl.DATASETS).map(function (d) { return [d, d]; })),
      noise: {input: el("input", {type: "range", name: "noise", min: "0", max: "1", step: "0.05"})},
      samples: {input: el("input", {type: "range", name: "samples", min: "20", max: "1000", step: "20"})},
      seed: {input: el("input", {type: "number", name: "seed", min: "0", step: "1"})},
      hidden: {input: el("input", {type: "text", name: "hidden", placeholder: "e.g. 16, 16", size: "10"})},
      activation: select("activation", "activation", Object.keys(nl.ACTIVATIONS).sort().map(function (a) { return [a, a]; })),
      optimizer: select("optimizer", "optimizer", [["sgd", "SGD"], ["momentum", "SGD + momentum 0.9"], ["adam", "Adam"]]),
      lr: select("lr", "learning rate", LEARNING_RATES.map(function (x) { return [x, String(x)]; })),
      batch: select("batch", "batch size", BATCH_SIZES.map(function (b) { return [b, b ? String(b) : "full"]; }))
    };
    c.noise.value = el("output"); c.samples.value = el("output");
    c.noise.row = el("label", {}, [el("span", {text: "noise"}), c.noise.input, c.noise.value]);
    c.samples.row = el("label", {}, [el("span", {text: "samples"}), c.samples.input, c.samples.value]);
    c.seed.row = el("label", {}, [el("span", {text: "seed"}), c.seed.input]);
    c.hidden.row = el("label", {title: "units per hidden layer, comma-separated; empty: no hidden layer"},
                      [el("span", {text: "hidden layers"}), c.hidden.input]);
    if (LEARNING_RATES.indexOf(s.lr) < 0) { c.lr.input.appendChild(el("option", {value: String(s.lr), text: String(s.lr)})); }
    this.buttons = {
      train: el("button", {type: "button", name: "train", text: "Train"}),
      step: el("button", {type: "button", name: "step", text: "Step", title: "one epoch"}),
      reset: el("button", {type: "button", name: "reset", text: "Reset",
                 title: "start again from the initial weights of this seed"}),
      copy: el("button", {type: "button", name: "copy", text: "Copy as nnlib code"})
    };
    this.addClass = select("add", "click on the map adds", [["", "nothing"], [0, "class 0 (blue)"], [1, "class 1 (orange)"], [2, "class 2 (green)"]]);
    this.link = el("a", {class: "nnbook-pg-link", text: "link to this setup"});
    this.status = el("div", {class: "nnbook-pg-status", role: "status"});
    this.message = el("div", {class: "nnbook-pg-message", role: "alert"});
    this.message.hidden = true;
    this.mapCanvas = el("canvas", {class: "nnbook-pg-map", width: "300", height: "300",
                                   title: "class probabilities; circles: training points, triangles: validation points"});
    this.lossCanvas = el("canvas", {class: "nnbook-pg-loss", width: "320", height: "190"});
    this.netCanvas = el("canvas", {class: "nnbook-pg-net", width: "320", height: "150"});
    this.code = el("textarea", {class: "nnbook-pg-code", readonly: "", rows: "12", spellcheck: "false"});
    this.codeBox = el("details", {class: "nnbook-pg-codebox"}, [el("summary", {text: "nnlib code for this setup"}), this.code]);
    var data = el("fieldset", {}, [el("legend", {text: "data"}), c.dataset.row, c.noise.row, c.samples.row, c.seed.row, this.addClass.row]);
    var net = el("fieldset", {}, [el("legend", {text: "network and training"}), c.hidden.row, c.activation.row, c.optimizer.row, c.lr.row, c.batch.row]);
    var mapBox = el("div", {class: "nnbook-pg-mapbox"}, [this.mapCanvas, this.message]);
    var side = el("div", {class: "nnbook-pg-side"}, [this.lossCanvas, this.netCanvas]);
    this.root = el("div", {class: "nnbook-pg"}, [
      el("div", {class: "nnbook-pg-controls"}, [data, net]),
      el("div", {class: "nnbook-pg-buttons"}, [this.buttons.train, this.buttons.step, this.buttons.reset, this.buttons.copy, this.link]),
      this.status, el("div", {class: "nnbook-pg-view"}, [mapBox, side]), this.codeBox]);
    this.host.appendChild(this.root);
    this._showSettings();

    var onData = ["dataset", "noise", "samples", "seed"], onNet = ["hidden", "activation"], onOpt = ["optimizer", "lr", "batch"];
    KEYS.forEach(function (k) {
      var input = c[k].input, event = input.type === "range" ? "input" : "change";
      input.addEventListener(event, function () {
        if (!self._readSettings(k)) { return; }
        if (onData.indexOf(k) >= 0) { self.newData(); }
        else if (onNet.indexOf(k) >= 0) { self.reset(); }
        else if (onOpt.indexOf(k) >= 0) { self._newOptimizer(); }
        self._updateUrl(true);
      });
    });
    this.buttons.train.addEventListener("click", function () { self.running ? self.pause() : self.play(); });
    this.buttons.step.addEventListener("click", function () { self.pause(); self.step(1); });
    this.buttons.reset.addEventListener("click", function () { self.pause(); self.reset(); });
    this.buttons.copy.addEventListener("click", function () { self.copyCode(); });
    this.mapCanvas.addEventListener("click", function (ev) { self._click(ev); });
  };

  Playground.prototype._showSettings = function () {
    var s = this.settings, c = this.controls;
    KEYS.forEach(function (k) { c[k].input.value = String(s[k]); });
    c.noise.value.textContent = s.noise.toFixed(2);
    c.samples.value.textContent = String(s.samples);
  };

  Playground.prototype._readSettings = function (key) {
    // Copy one control into the settings; false if its value is not usable (e.g. bad hidden text).
    var c = this.controls[key], v = c.input.value;
    if (key === "hidden") {
      try { nl.parseHidden(v); } catch (err) { this._showMessage(err.message); return false; }
      this.settings.hidden = v;
    } else if (typeof DEFAULTS[key] === "number") {
      var x = Number(v);
      if (!isFinite(x) || (key === "seed" && !(x >= 0))) { return false; }
      this.settings[key] = key === "seed" ? Math.floor(x) : x;
    } else { this.settings[key] = v; }
    if (key === "noise") { c.value.textContent = this.settings.noise.toFixed(2); }
    if (key === "samples") { c.value.textContent = String(this.settings.samples); }
    return true;
  };

  Playground.prototype.setupLink = function () {
    var url = new URL(window.location.href);
    url.search = "?pg=" + encodeURIComponent(this.id) + "&" + setupText(this.settings);
    url.hash = this.id;
    return url.href;
  };
  Playground.prototype._updateUrl = function (changed) {
    // The link always shows the setup; the address bar follows only once the reader changes a
    // setting (opening a page must not rewrite its address or its #section).
    var href = this.setupLink();
    this.link.href = href;
    if (changed) {
      try { window.history.replaceState(null, "", href); } catch (err) { /* file:// in some browsers */ }
    }
  };

  // ---- state ---------------------------------------------------------------------------------
  Playground.prototype.newData = function () {
    // A new data set from the settings (and its split, scaler and bounds); then reset.
    var s = this.settings, d = prepareData(s);
    this.XTrain = d.XTrain; this.yTrain = d.yTrain; this.XVal = d.XVal; this.yVal = d.yVal;
    this.nClasses = d.nClasses; this.scaler = d.scaler; this.bounds = d.bounds;
    this.added = [];
    Array.prototype.forEach.call(this.addClass.input.options, function (o, i) { o.hidden = i === 3 && s.dataset !== "blobs"; });
    if (this.addClass.input.value === "2" && s.dataset !== "blobs") { this.addClass.input.value = ""; }
    this._updateUrl(false);
    this.reset();
  };

  Playground.prototype._trainingData = function () { return withPoints(this, this.added); };

  Playground.prototype.reset = function () {
    // The network of the settings, from its seed's initial weights; the loss curve starts over.
    var s = this.settings, hidden;
    try { hidden = nl.parseHidden(s.hidden); } catch (err) { this._showMessage(err.message); return; }
    this.pause();
    this.trainer = makeTrainer(s, this, this._trainingData());
    this.model = this.trainer.model;
    var nParams = this.model.parameters().reduce(function (a, p) { return a + p.value.length; }, 0);
    // The map is one forward pass over res x res cells: fewer cells for a big network.
    this.resolution = [64, 48, 32, 24, 16, 12, 8].filter(function (r) { return r * r * nParams <= 4e6; })[0] || 8;
    this._mapEvery = 1;
    this._grid = null;
    this.redraw(true);
    this.status.textContent = "New " + [2].concat(hidden, [this.nClasses]).join("-") + " network. Press Train.";
  };

  Playground.prototype._newOptimizer = function () {
    // Like the Python Playground: a new optimizer or batch size keeps the weights learned so far.
    var s = this.settings;
    this.trainer.optimizer = nl.buildOptimizer(s.optimizer, this.model, s.lr);
    this.trainer.batchSize = s.batch || null;
    this.trainer._batches = null;
  };

  Playground.prototype.step = function (epochs, budgetMs) {
    var done = this.trainer.run(epochs, budgetMs);
    this.redraw();
    return done;
  };

  Playground.prototype.play = function () {
    if (this.running) { return; }
    if (this.trainer.diverged) { this._showMessage(this.trainer.diverged); return; }
    var self = this;
    this.running = true;
    this.buttons.train.textContent = "Pause";
    function frame() {
      if (!self.running) { return; }
      self.step(EPOCHS_PER_FRAME, FRAME_BUDGET_MS);
      if (self.trainer.diverged) { self.pause(); return; }
      self._frame = window.requestAnimationFrame(frame);
    }
    this._frame = window.requestAnimationFrame(frame);
  };

  Playground.prototype.pause = function () {
    this.running = false;
    if (this._frame !== null) { window.cancelAnimationFrame(this._frame); this._frame = null; }
    this.buttons.train.textContent = "Train";
  };

  Playground.prototype._click = function (ev) {
    var cls = this.addClass.input.value;
    if (cls === "") { return; }
    var rect = this.mapCanvas.getBoundingClientRect(), b = this.bounds;
    var fx = (ev.clientX - rect.left) / rect.width, fy = (ev.clientY - rect.top) / rect.height;
    this.addPoint(b[0] + fx * (b[1] - b[0]), b[3] - fy * (b[3] - b[2]), Number(cls));
  };

  Playground.prototype.addPoint = function (x1, x2, cls) {
    // A training point of class `cls` at data coordinates (x1, x2); training goes on from the current weights.
    // Rounded to 3 decimals, so that the copied nnlib code holds exactly the page's numbers.
    this.added.push([Math.round(x1 * 1000) / 1000, Math.round(x2 * 1000) / 1000, cls]);
    useTrainingData(this.trainer, this.scaler, this._trainingData());
    this.redraw(true);
  };

  Playground.prototype.nnlibCode = function () {
    return nnlibCode(this.settings, this.added, this.trainer.epoch || 200, this.setupLink());
  };

  Playground.prototype.copyCode = function () {
    var code = this.nnlibCode(), self = this;
    this.code.value = code;
    this.codeBox.open = true;
    function done(ok) { self.status.textContent = ok ? "Copied the nnlib code to the clipboard." : "Select the code below and copy it."; }
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(code).then(function () { done(true); }, function () { done(false); }); }
    else { this.code.select(); done(false); }
  };

  // ---- drawing -------------------------------------------------------------------------------
  Playground.prototype.redraw = function (full) {
    var t = this.trainer;
    this._frames += 1;
    if (full || this._frames % this._mapEvery === 0) {
      var tm = performance.now();
      this._drawMap();
      // A map that takes longer than half a frame is drawn on fewer frames, so training and the
      // buttons stay responsive with a big network.
      this._mapEvery = Math.max(1, Math.ceil((performance.now() - tm) / 8));
    }
    this._drawPoints();
    this._drawLoss();
    this._drawNetwork();
    if (t.diverged) { this._showMessage(t.diverged); }
    else {
      this.message.hidden = true;
      if (t.epoch) {
        this.status.textContent = "epoch " + t.epoch + ": train loss " + fmt(t.losses[t.epoch - 1]) +
          ", validation loss " + fmt(t.valLosses[t.epoch - 1]) + ", validation accuracy " +
          Math.round(100 * t.valAccuracies[t.epoch - 1]) + "%";
      }
    }
  };

  Playground.prototype._drawMap = function () {
    var r = this.resolution, b = this.bounds, k = this.nClasses;
    if (!this._grid || this._grid.res !== r) {
      // Cell centres, row 0 at the top of the image; standardized like the training inputs.
      var pts = new nl.Matrix(r * r, 2), dx = (b[1] - b[0]) / r, dy = (b[3] - b[2]) / r;
      for (var i = 0; i < r; i++) {
        for (var j = 0; j < r; j++) {
          var z = this.scaler.transformPoint(b[0] + (j + 0.5) * dx, b[3] - (i + 0.5) * dy);
          pts.data[2 * (i * r + j)] = z[0]; pts.data[2 * (i * r + j) + 1] = z[1];
        }
      }
      var off = document.createElement("canvas");
      off.width = off.height = r;
      this._grid = {res: r, points: pts, canvas: off, ctx: off.getContext("2d"), image: off.getContext("2d").createImageData(r, r)};
    }
    var g = this._grid, proba = softmaxRows(this.model.forward(g.points)), px = g.image.data;
    this.proba = proba;
    for (var c = 0; c < r * r; c++) { probaToRgb(proba.data.subarray(c * k, c * k + k), k, px, 4 * c); }
    g.ctx.putImageData(g.image, 0, 0);
    this._mapImage = g.canvas;
  };

  Playground.prototype._drawPoints = function () {
    var ctx = this.mapCanvas.getContext("2d"), W = this.mapCanvas.width, H = this.mapCanvas.height, b = this.bounds;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this._mapImage, 0, 0, W, H);
    function px(x) { return (x - b[0]) / (b[1] - b[0]) * W; }
    function py(y) { return (b[3] - y) / (b[3] - b[2]) * H; }
    function color(c) { return "rgb(" + COLORS[c].map(function (v) { return Math.round(255 * v); }).join(",") + ")"; }
    // One path per class and marker (not one per point): a thousand points cost a few calls.
    var X = this.XTrain, XV = this.XVal, yT = this.yTrain, yV = this.yVal, i;
    for (var c = 0; c < this.nClasses; c++) {
      ctx.beginPath();
      for (i = 0; i < X.rows; i++) {
        if (yT[i] !== c) { continue; }
        var cx = px(X.data[2 * i]), cy = py(X.data[2 * i + 1]);
        ctx.moveTo(cx + 3.2, cy); ctx.arc(cx, cy, 3.2, 0, 2 * Math.PI);
      }
      ctx.fillStyle = color(c); ctx.fill(); ctx.lineWidth = 1; ctx.strokeStyle = "white"; ctx.stroke();
      ctx.beginPath();
      for (i = 0; i < XV.rows; i++) {
        if (yV[i] !== c) { continue; }
        var x = px(XV.data[2 * i]), y = py(XV.data[2 * i + 1]);
        ctx.moveTo(x, y - 4.2); ctx.lineTo(x + 3.8, y + 2.8); ctx.lineTo(x - 3.8, y + 2.8); ctx.closePath();
      }
      ctx.fillStyle = color(c); ctx.fill(); ctx.strokeStyle = "black"; ctx.stroke();
    }
    ctx.lineWidth = 2;
    this.added.forEach(function (p) {
      ctx.beginPath(); ctx.arc(px(p[0]), py(p[1]), 5, 0, 2 * Math.PI);
      ctx.fillStyle = color(p[2]); ctx.fill(); ctx.strokeStyle = "black"; ctx.stroke();
    });
    // Axis ticks in data coordinates, inside the edges: x1 along the top, x2 down the right side.
    ctx.font = "10px sans-serif"; ctx.fillStyle = "rgba(0,0,0,0.6)"; ctx.strokeStyle = "rgba(0,0,0,0.35)"; ctx.lineWidth = 1;
    ticks(b[0], b[1]).forEach(function (v) {
      var x = px(v); ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, 4); ctx.stroke(); ctx.fillText(String(v), x + 2, 12);
    });
    ticks(b[2], b[3]).forEach(function (v) {
      var y = py(v); ctx.beginPath(); ctx.moveTo(W, y); ctx.lineTo(W - 4, y); ctx.stroke();
      ctx.fillText(String(v), W - 6 - ctx.measureText(String(v)).width, y - 2);
    });
    // The x2 label halfway between the two right-edge ticks nearest the middle, clear of their labels.
    var ty = ticks(b[2], b[3]).map(py).sort(function (u, v) { return u - v; }), labelY = H / 2 + 14;
    for (var k = 0; k + 1 < ty.length; k++) {
      var mid = (ty[k] + ty[k + 1]) / 2;
      if (k === 0 || Math.abs(mid - H / 2) < Math.abs(labelY - 4 - H / 2)) { labelY = mid + 4; }
    }
    ctx.fillText("x\u2081 \u2192", W / 2 - 10, 24); ctx.fillText("x\u2082 \u2191", W - 30, labelY);
    ctx.fillStyle = "rgba(0,0,0,0.7)"; ctx.font = "11px sans-serif";
    ctx.fillText("\u25CF training   \u25B2 validation", 6, H - 6);
  };

  function ticks(lo, hi) {
    // Round values inside (lo, hi), about four of them, at a 1-2-5 step.
    var step = niceCeiling((hi - lo) / 5), out = [];
    for (var v = Math.ceil(lo / step) * step; v < hi; v += step) {
      var r = +v.toPrecision(6);
      if (r > lo + 0.04 * (hi - lo) && r < hi - 0.04 * (hi - lo)) { out.push(r); }
    }
    return out;
  }
  function niceCeiling(x) {
    // The smallest of 1, 2, 5 times a power of ten that is >= x (nnlib.viz._render.nice_ceiling).
    if (!(x > 0)) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    return [1, 2, 5, 10].map(function (m) { return m * p; }).filter(function (v) { return v >= x * (1 - 1e-12); })[0];
  }

  Playground.prototype._drawLoss = function () {
    var ctx = this.lossCanvas.getContext("2d"), W = this.lossCanvas.width, H = this.lossCanvas.height, t = this.trainer;
    var L = 38, R = W - 8, T = 18, B = H - 26;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, W, H);
    var top = 0;
    t.losses.concat(t.valLosses).forEach(function (v) { if (isFinite(v) && v > top) { top = v; } });
    // A diverging run would squash the curves flat: the axis stops at 5 times the first loss.
    if (isFinite(t.losses[0])) { top = Math.min(top, 5 * t.losses[0]); }
    var ymax = niceCeiling(top * 1.05), xmax = niceCeiling(Math.max(t.epoch, 10));
    ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.strokeRect(L, T, R - L, B - T);
    ctx.fillStyle = "#333"; ctx.font = "11px sans-serif";
    ctx.fillText("cross-entropy loss", L, 12);
    ctx.fillText("0", L - 10, B + 4); ctx.fillText(String(+ymax.toPrecision(3)), 2, T + 8);
    ctx.fillText("epoch", (L + R) / 2 - 14, H - 4); ctx.fillText(String(xmax), R - 20, B + 14); ctx.fillText("0", L, B + 14);
    function line(values, color, dash) {
      ctx.beginPath(); ctx.setLineDash(dash); ctx.strokeStyle = color; ctx.lineWidth = 1.6;
      var started = false, step = Math.max(1, Math.floor(values.length / (R - L)));
      for (var i = 0; i < values.length; i += step) {
        if (!isFinite(values[i])) { continue; }
        var x = L + (i + 1) / xmax * (R - L), y = B - Math.min(values[i] / ymax, 1) * (B - T);
        if (started) { ctx.lineTo(x, y); } else { ctx.moveTo(x, y); started = true; }
      }
      ctx.stroke(); ctx.setLineDash([]);
    }
    line(t.losses, "rgb(31,119,180)", []);
    line(t.valLosses, "rgb(255,127,14)", [5, 3]);
    ctx.fillStyle = "rgb(31,119,180)"; ctx.fillText("\u2014 train", R - 128, T + 14);
    ctx.fillStyle = "rgb(255,127,14)"; ctx.fillText("- - validation", R - 72, T + 14);
  };

  Playground.prototype._drawNetwork = function () {
    // Units as circles, layer by layer; edges blue for positive weights, orange for negative,
    // as wide as |w| (relative to the largest). At most 16 units a layer are drawn.
    var ctx = this.netCanvas.getContext("2d"), W = this.netCanvas.width, H = this.netCanvas.height, MAXU = 16;
    ctx.clearRect(0, 0, W, H); ctx.fillStyle = "white"; ctx.fillRect(0, 0, W, H);
    var dense = this.model.denseLayers(), sizes = [2].concat(dense.map(function (d) { return d.outFeatures; }));
    var xs = sizes.map(function (_, i) { return 20 + i * (W - 40) / Math.max(sizes.length - 1, 1); });
    function ys(n) {
      var m = Math.min(n, MAXU), out = [];
      for (var i = 0; i < m; i++) { out.push(H / 2 + 6 + (i - (m - 1) / 2) * Math.min(11, (H - 34) / Math.max(m - 1, 1))); }
      return out;
    }
    var big = 0;
    dense.forEach(function (d) { for (var i = 0; i < d.W.data.length; i++) { big = Math.max(big, Math.abs(d.W.data[i]) || 0); } });
    // Edges grouped by sign and by width (8 steps of |w| / max |w|): 16 paths, not one per edge.
    var STEPS = 8, paths = [];
    for (var p = 0; p < 2 * STEPS; p++) { paths.push([]); }
    dense.forEach(function (d, l) {
      var ya = ys(d.inFeatures), yb = ys(d.outFeatures);
      for (var i = 0; i < ya.length; i++) {
        for (var j = 0; j < yb.length; j++) {
          var w = d.W.data[i * d.outFeatures + j];
          if (!isFinite(w)) { continue; }
          var k = big > 0 ? Math.min(STEPS - 1, Math.floor(STEPS * Math.abs(w) / big)) : 0;
          paths[(w >= 0 ? 0 : STEPS) + k].push(xs[l], ya[i], xs[l + 1], yb[j]);
        }
      }
    });
    paths.forEach(function (segs, p) {
      if (!segs.length) { return; }
      ctx.strokeStyle = p < STEPS ? "rgba(31,119,180,0.75)" : "rgba(255,127,14,0.75)";
      ctx.lineWidth = 0.3 + 3 * ((p % STEPS) + 0.5) / STEPS;
      ctx.beginPath();
      for (var e = 0; e < segs.length; e += 4) { ctx.moveTo(segs[e], segs[e + 1]); ctx.lineTo(segs[e + 2], segs[e + 3]); }
      ctx.stroke();
    });
    ctx.font = "10px sans-serif";
    sizes.forEach(function (n, l) {
      ys(n).forEach(function (y) { ctx.beginPath(); ctx.arc(xs[l], y, 3.5, 0, 2 * Math.PI); ctx.fillStyle = "#444"; ctx.fill(); });
      ctx.fillStyle = "#333"; ctx.fillText(n > MAXU ? n + " (" + MAXU + " shown)" : String(n), xs[l] - 6, 10);
    });
  };

  Playground.prototype._showMessage = function (text) {
    this.message.textContent = text;
    this.message.hidden = false;
    this.status.textContent = text;
  };

  // ---- start every embed on the page -----------------------------------------------------------
  function start() {
    // A browser that cannot run the playground (no nnlib.js, no BigInt) keeps the static picture.
    if (!nl || typeof BigInt === "undefined") { return []; }
    var hosts = document.querySelectorAll(".nnbook-playground");
    return Array.prototype.map.call(hosts, function (h) {
      try { return (h.nnbookPlayground = new Playground(h)); }
      catch (err) {
        Array.prototype.forEach.call(h.children, function (c) { c.hidden = c.classList.contains("nnbook-pg"); });
        console.warn("nnbook playground: showing the static picture instead:", err);
        return null;
      }
    });
  }
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  }
  return {Playground: Playground, parseSetup: parseSetup, setupText: setupText, nnlibCode: nnlibCode,
          prepareData: prepareData, makeTrainer: makeTrainer, withPoints: withPoints, useTrainingData: useTrainingData,
          DEFAULTS: DEFAULTS, LEARNING_RATES: LEARNING_RATES, BATCH_SIZES: BATCH_SIZES, start: start};
}));
