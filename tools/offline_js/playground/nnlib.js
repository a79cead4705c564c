// nnlib.js: the part of nnlib (the Python library of this book) that the Playground trains,
// in dependency-free JavaScript, so the Playground runs in the online book without a kernel.
//
// It mirrors nnlib's structure and names so the two can be read side by side:
//   nnlib/datasets.py  -> makeMoons, makeCircles, makeSpirals, makeXor, makeBlobs
//   nnlib/data.py      -> StandardScaler, trainTestSplit, minibatches
//   nnlib/layers.py    -> Dense, ReLU, LeakyReLU, Tanh, Sigmoid, Identity, Sequential
//   nnlib/losses.py    -> CrossEntropyLoss
//   nnlib/optim.py     -> SGD (with momentum), Adam (PyTorch's definitions)
//   nnlib/viz/_training.py -> buildMlp, buildOptimizer, Trainer
// Numbers are float64 (Float64Array), like nnlib's float64; a matrix is
// {rows, cols, data} with data in row-major order, so x[i, j] is data[i * cols + j].
// tests/test_playground_js.py runs this file under node and checks it against nnlib.
//
// The random numbers are numpy's too: `Generator` reimplements np.random.default_rng (PCG64,
// its seeding, its normal and shuffle algorithms), so for the same seed the page draws the
// same data, split, initial weights and mini-batch orders as nnlib does in Python.
(function (root, factory) {
  if (typeof module === "object" && module.exports) { module.exports = factory(); }
  else { root.nnlib = factory(); }
}(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // ---- matrices --------------------------------------------------------------------------
  function Matrix(rows, cols, data) {
    this.rows = rows;
    this.cols = cols;
    this.data = data || new Float64Array(rows * cols);
  }
  function matrix(rows2d) {
    // A Matrix from nested arrays [[...], ...] (rows, cols).
    var r = rows2d.length, c = r ? rows2d[0].length : 0, m = new Matrix(r, c);
    for (var i = 0; i < r; i++) { for (var j = 0; j < c; j++) { m.data[i * c + j] = rows2d[i][j]; } }
    return m;
  }
  function toArray(m) {
    var out = [];
    for (var i = 0; i < m.rows; i++) { out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols))); }
    return out;
  }
  function takeRows(m, idx) {
    var out = new Matrix(idx.length, m.cols);
    for (var i = 0; i < idx.length; i++) {
      out.data.set(m.data.subarray(idx[i] * m.cols, (idx[i] + 1) * m.cols), i * m.cols);
    }
    return out;
  }
  function takeLabels(y, idx) {
    var out = new Int32Array(idx.length);
    for (var i = 0; i < idx.length; i++) { out[i] = y[idx[i]]; }
    return out;
  }

  // ---- random numbers: numpy's default_rng, reimplemented ------------------------------------
  // nnlib draws everything random from np.random.default_rng(seed): SeedSequence seeding, the
  // PCG64 generator (XSL-RR output), the ziggurat method for normals (Marsaglia and Tsang, 256
  // layers) and rejection-sampled bounded integers for shuffles. Generator below follows the
  // same algorithms in the same order, so for the same seed it yields the same stream: the same
  // integers and uniforms, and normals equal to about 1e-14 (the ziggurat tables are computed
  // here in float64, not copied). tests/test_playground_js.py checks this against numpy.
  function seedSequence(seed, nWords) {
    // numpy.random.SeedSequence(seed).generate_state(nWords) (uint32 words).
    var mul = function (a, b) { return Math.imul(a, b) >>> 0; }, words = [], x = BigInt(seed), i, j;
    if (x === 0n) { words.push(0); }
    while (x > 0n) { words.push(Number(x & 0xffffffffn)); x >>= 32n; }
    var hashConst = 0x43b0d7e5, pool = [0, 0, 0, 0];
    function hashmix(v) {
      v = (v ^ hashConst) >>> 0; hashConst = mul(hashConst, 0x931e8875); v = mul(v, hashConst);
      return (v ^ (v >>> 16)) >>> 0;
    }
    function mix(a, b) { var r = (mul(0xca01f9dd, a) - mul(0x4973f715, b)) >>> 0; return (r ^ (r >>> 16)) >>> 0; }
    for (i = 0; i < 4; i++) { pool[i] = hashmix(i < words.length ? words[i] : 0); }
    for (i = 0; i < 4; i++) { for (j = 0; j < 4; j++) { if (i !== j) { pool[j] = mix(pool[j], hashmix(pool[i])); } } }
    for (i = 4; i < words.length; i++) { for (j = 0; j < 4; j++) { pool[j] = mix(pool[j], hashmix(words[i])); } }
    var out = [], h = 0x8b51f9dd;
    for (i = 0; i < nWords; i++) {
      var v = (pool[i % 4] ^ h) >>> 0; h = mul(h, 0x58f38ded); v = mul(v, h); out.push((v ^ (v >>> 16)) >>> 0);
    }
    return out;
  }

  var MASK64 = (1n << 64n) - 1n, MASK128 = (1n << 128n) - 1n;
  var PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645n;
  // Ziggurat for the standard normal: layer edges x_i, computed from the tail start R and the
  // layer area V; KI holds the integer acceptance bounds, WI the scales, FI exp(-x_i^2 / 2).
  var ZIG_R = 3.6541528853610088, ZIG_V = 0.004928673233974655, TWO52 = 4503599627370496;
  var KI = new Float64Array(256), WI = new Float64Array(256), FI = new Float64Array(256);
  (function () {
    function f(x) { return Math.exp(-0.5 * x * x); }
    var dn = ZIG_R, tn = dn, q = ZIG_V / f(dn);
    KI[0] = Math.floor((dn / q) * TWO52); KI[1] = 0;
    WI[0] = q / TWO52; WI[255] = dn / TWO52;
    FI[0] = 1; FI[255] = f(dn);
    for (var i = 254; i >= 1; i--) {
      dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + f(dn)));
      KI[i + 1] = Math.floor((dn / tn) * TWO52);
      tn = dn; FI[i] = f(dn); WI[i] = dn / TWO52;
    }
  })();

  function Generator(seed) {
    // np.random.default_rng(seed): PCG64 seeded through SeedSequence.
    if (!(Number.isInteger(seed) && seed >= 0)) { throw new Error("Generator: seed must be an integer >= 0, got " + seed); }
    var w = seedSequence(seed, 8).map(BigInt);
    function u64(k) { return w[2 * k] | (w[2 * k + 1] << 32n); }
    this.inc = ((((u64(2) << 64n) | u64(3)) << 1n) | 1n) & MASK128;
    this.state = 0n; this._advance();
    this.state = (this.state + ((u64(0) << 64n) | u64(1))) & MASK128; this._advance();
    this._hasHalf = false; this._half = 0;  // numpy keeps the other half of a 64-bit draw
  }
  Generator.prototype._advance = function () { this.state = (this.state * PCG_MULT + this.inc) & MASK128; };
  Generator.prototype.nextUint64 = function () {
    // A BigInt in [0, 2^64): the XSL-RR output of the next state.
    this._advance();
    var s = this.state, x = ((s >> 64n) ^ s) & MASK64, rot = s >> 122n;
    return ((x >> rot) | (x << ((64n - rot) & 63n))) & MASK64;
  };
  Generator.prototype.nextUint32 = function () {
    if (this._hasHalf) { this._hasHalf = false; return this._half; }
    var n = this.nextUint64();
    this._hasHalf = true; this._half = Number(n >> 32n);
    return Number(n & 0xffffffffn);
  };
  Generator.prototype.random = function () {
    // Uniform in [0, 1) from the top 53 bits, like Generator.random.
    return Number(this.nextUint64() >> 11n) / 9007199254740992;
  };
  Generator.prototype.uniform = function (low, high) { return low + (high - low) * this.random(); };
  Generator.prototype.standardNormal = function () {
    for (;;) {
      var r = this.nextUint64(), idx = Number(r & 0xffn);
      r >>= 8n;
      var negative = (r & 1n) === 1n, rabs = Number((r >> 1n) & 0xfffffffffffffn), x = rabs * WI[idx];
      if (negative) { x = -x; }
      if (rabs < KI[idx]) { return x; }
      if (idx === 0) {
        for (;;) {  // the tail beyond R
          var xx = -(1 / ZIG_R) * Math.log1p(-this.random()), yy = -Math.log1p(-this.random());
          if (yy + yy > xx * xx) { return (Math.floor(rabs / 256) & 1) ? -(ZIG_R + xx) : ZIG_R + xx; }
        }
      } else if ((FI[idx - 1] - FI[idx]) * this.random() + FI[idx] < Math.exp(-0.5 * x * x)) {
        return x;
      }
    }
  };
  Generator.prototype.normal = function (loc, scale) { return loc + scale * this.standardNormal(); };
  Generator.prototype.integerUpTo = function (max) {
    // Uniform in [0, max] (max < 2^32) by masked rejection, as numpy's shuffle draws.
    if (max === 0) { return 0; }
    var mask = max;
    mask |= mask >>> 1; mask |= mask >>> 2; mask |= mask >>> 4; mask |= mask >>> 8; mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) { var v = (this.nextUint32() & mask) >>> 0; if (v <= max) { return v; } }
  };
  Generator.prototype.permutation = function (n) {
    // rng.permutation(n): a shuffled 0..n-1 (Fisher-Yates from the end, numpy's order of draws).
    var p = new Int32Array(n);
    for (var i = 0; i < n; i++) { p[i] = i; }
    for (var k = n - 1; k >= 1; k--) { var j = this.integerUpTo(k), t = p[k]; p[k] = p[j]; p[j] = t; }
    return p;
  };
  function defaultRng(seed) { return new Generator(seed); }
  function asRng(seed) { return seed && typeof seed.permutation === "function" ? seed : new Generator(seed || 0); }

  // ---- nnlib/datasets.py ------------------------------------------------------------------
  function linspace(a, b, n, endpoint) {
    endpoint = endpoint !== false;
    var out = new Float64Array(n), div = endpoint ? n - 1 : n;
    if (n === 1) { out[0] = a; return out; }
    var step = (b - a) / div;
    for (var i = 0; i < n; i++) { out[i] = a + i * step; }
    if (endpoint) { out[n - 1] = b; }
    return out;
  }
  function splitCounts(n, k) {
    var base = Math.floor(n / k), extra = n % k, out = [];
    for (var c = 0; c < k; c++) { out.push(base + (c < extra ? 1 : 0)); }
    return out;
  }
  function finish(X, y, noise, rng) {
    // Add Gaussian noise, then shuffle: nnlib's _finish.
    if (noise > 0) { for (var i = 0; i < X.data.length; i++) { X.data[i] += rng.normal(0, noise); } }
    var order = rng.permutation(X.rows);
    return {X: takeRows(X, order), y: takeLabels(y, order)};
  }
  function checkCommon(n, noise, where) {
    if (!(Number.isInteger(n) && n > 0)) { throw new Error(where + ": n_samples must be a positive integer, got " + n); }
    if (!(noise >= 0)) { throw new Error(where + ": noise must be >= 0, got " + noise); }
  }
  function makeMoons(n, noise, seed) {
    checkCommon(n, noise, "makeMoons");
    var rng = asRng(seed), c = splitCounts(n, 2), X = new Matrix(n, 2), y = new Int32Array(n);
    var t0 = linspace(0, Math.PI, c[0]), t1 = linspace(0, Math.PI, c[1]);
    for (var i = 0; i < c[0]; i++) { X.data[2 * i] = Math.cos(t0[i]); X.data[2 * i + 1] = Math.sin(t0[i]); }
    for (var j = 0; j < c[1]; j++) {
      var r = c[0] + j;
      X.data[2 * r] = 1 - Math.cos(t1[j]); X.data[2 * r + 1] = 0.5 - Math.sin(t1[j]); y[r] = 1;
    }
    return finish(X, y, noise, rng);
  }
  function makeCircles(n, noise, seed, factor) {
    checkCommon(n, noise, "makeCircles");
    factor = factor === undefined ? 0.5 : factor;
    var rng = asRng(seed), c = splitCounts(n, 2), X = new Matrix(n, 2), y = new Int32Array(n);
    var t0 = linspace(0, 2 * Math.PI, c[0], false), t1 = linspace(0, 2 * Math.PI, c[1], false);
    for (var i = 0; i < c[0]; i++) { X.data[2 * i] = Math.cos(t0[i]); X.data[2 * i + 1] = Math.sin(t0[i]); }
    for (var j = 0; j < c[1]; j++) {
      var r = c[0] + j;
      X.data[2 * r] = factor * Math.cos(t1[j]); X.data[2 * r + 1] = factor * Math.sin(t1[j]); y[r] = 1;
    }
    return finish(X, y, noise, rng);
  }
  // Archimedean arms 1.5 apart (SPIRAL_GAP), from radius 0.75 out, points evenly spaced along
  // each arm: radii evenly spaced in r^2, since an arm's length grows about like r^2.
  var SPIRAL_GAP = 1.5;
  function makeSpirals(n, noise, seed, numClasses, turns) {
    checkCommon(n, noise, "makeSpirals");
    numClasses = numClasses || 2; turns = turns === undefined ? 1.5 : turns;
    var perTurn = numClasses * SPIRAL_GAP, rStart = SPIRAL_GAP / 2, rEnd = rStart + turns * perTurn;
    var rng = asRng(seed), counts = splitCounts(n, numClasses), X = new Matrix(n, 2), y = new Int32Array(n), row = 0;
    for (var c = 0; c < numClasses; c++) {
      var r2 = linspace(rStart * rStart, rEnd * rEnd, counts[c]);
      for (var i = 0; i < counts[c]; i++, row++) {
        var r = Math.sqrt(r2[i]), t = 2 * Math.PI * (r / perTurn + c / numClasses);
        X.data[2 * row] = r * Math.sin(t); X.data[2 * row + 1] = r * Math.cos(t); y[row] = c;
      }
    }
    return finish(X, y, noise, rng);
  }
  function makeXor(n, noise, seed) {
    checkCommon(n, noise, "makeXor");
    var rng = asRng(seed), X = new Matrix(n, 2), y = new Int32Array(n);
    for (var i = 0; i < 2 * n; i++) {
      var u = rng.uniform(-1, 1);
      X.data[i] = u + 0.1 * Math.sign(u);  // a margin around the axes, as in nnlib
    }
    for (var k = 0; k < n; k++) { y[k] = X.data[2 * k] * X.data[2 * k + 1] > 0 ? 1 : 0; }
    return finish(X, y, noise, rng);
  }
  function makeBlobs(n, noise, seed, centers) {
    checkCommon(n, noise, "makeBlobs");
    centers = centers || 3;
    var rng = asRng(seed), counts = splitCounts(n, centers), X = new Matrix(n, 2), y = new Int32Array(n), row = 0;
    for (var c = 0; c < centers; c++) {
      var a = 2 * Math.PI * c / centers, mx = 4 * Math.cos(a), my = 4 * Math.sin(a);
      for (var i = 0; i < counts[c]; i++, row++) { X.data[2 * row] = mx; X.data[2 * row + 1] = my; y[row] = c; }
    }
    return finish(X, y, noise, rng);
  }
  var DATASETS = {moons: makeMoons, circles: makeCircles, spirals: makeSpirals, xor: makeXor, blobs: makeBlobs};

  // ---- nnlib/data.py ------------------------------------------------------------------------
  function StandardScaler() { this.mean_ = null; this.scale_ = null; }
  StandardScaler.prototype.fit = function (X) {
    var d = X.cols, n = X.rows, mean = new Float64Array(d), std = new Float64Array(d);
    for (var i = 0; i < n; i++) { for (var j = 0; j < d; j++) { mean[j] += X.data[i * d + j]; } }
    for (j = 0; j < d; j++) { mean[j] /= n; }
    for (i = 0; i < n; i++) { for (j = 0; j < d; j++) { var e = X.data[i * d + j] - mean[j]; std[j] += e * e; } }
    for (j = 0; j < d; j++) {
      std[j] = Math.sqrt(std[j] / n);
      var tiny = 10 * 2.220446049250313e-16 * Math.max(Math.abs(mean[j]), 1);
      std[j] = std[j] > tiny ? std[j] : 1;
    }
    this.mean_ = mean; this.scale_ = std;
    return this;
  };
  StandardScaler.prototype.transform = function (X) {
    var d = X.cols, out = new Matrix(X.rows, d);
    for (var i = 0; i < X.data.length; i++) { out.data[i] = (X.data[i] - this.mean_[i % d]) / this.scale_[i % d]; }
    return out;
  };
  StandardScaler.prototype.transformPoint = function (x0, x1) {
    return [(x0 - this.mean_[0]) / this.scale_[0], (x1 - this.mean_[1]) / this.scale_[1]];
  };

  function roundHalfEven(x) {
    var r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }

  function trainTestSplit(X, y, testSize, seed) {
    // Stratified: each class keeps its share of the validation part (like nnlib's stratify=True).
    var rng = asRng(seed), n = X.rows, nTest = Math.ceil(testSize * n), byClass = {};
    for (var i = 0; i < n; i++) { (byClass[y[i]] = byClass[y[i]] || []).push(i); }
    var isTest = new Uint8Array(n), takes = [], groups = [];
    Object.keys(byClass).sort(function (a, b) { return a - b; }).forEach(function (c) {
      var members = byClass[c], p = rng.permutation(members.length);
      groups.push(Array.from(p, function (k) { return members[k]; }));
      takes.push(roundHalfEven(members.length * nTest / n));  // Python's round()
    });
    var total = takes.reduce(function (a, b) { return a + b; }, 0);
    if (total === 0 || total === n) {
      var largest = 0;
      groups.forEach(function (g, k) { if (g.length > groups[largest].length) { largest = k; } });
      takes[largest] += total === 0 ? 1 : -1;
    }
    groups.forEach(function (g, k) { for (var j = 0; j < takes[k]; j++) { isTest[g[j]] = 1; } });
    var train = [], test = [];
    for (i = 0; i < n; i++) { (isTest[i] ? test : train).push(i); }
    var pTrain = rng.permutation(train.length), pTest = rng.permutation(test.length);
    train = Array.from(pTrain, function (k) { return train[k]; });
    test = Array.from(pTest, function (k) { return test[k]; });
    return {XTrain: takeRows(X, train), XTest: takeRows(X, test), yTrain: takeLabels(y, train), yTest: takeLabels(y, test)};
  }

  function minibatches(X, y, batchSize, rng) {
    // [[Xb, yb], ...] covering every sample once, in the order of rng.permutation(n).
    var order = rng.permutation(X.rows), out = [];
    for (var start = 0; start < X.rows; start += batchSize) {
      var idx = order.slice(start, start + batchSize);
      out.push([takeRows(X, idx), takeLabels(y, idx)]);
    }
    return out;
  }

  // ---- nnlib/init.py -------------------------------------------------------------------------
  var INITIALIZERS = {
    he_normal: function (fanIn, fanOut, rng) { return normalMatrix(fanIn, fanOut, Math.sqrt(2 / fanIn), rng); },
    xavier_normal: function (fanIn, fanOut, rng) { return normalMatrix(fanIn, fanOut, Math.sqrt(2 / (fanIn + fanOut)), rng); }
  };
  function normalMatrix(r, c, std, rng) {
    var m = new Matrix(r, c);
    for (var i = 0; i < m.data.length; i++) { m.data[i] = rng.normal(0, std); }
    return m;
  }

  // ---- nnlib/layers.py -----------------------------------------------------------------------
  function Parameter(value, grad) { this.value = value; this.grad = grad; }

  function Dense(inFeatures, outFeatures, init, rng) {
    // y = x @ W + b, W of shape (in_features, out_features), b zero at the start.
    this.inFeatures = inFeatures; this.outFeatures = outFeatures;
    this.W = INITIALIZERS[init || "he_normal"](inFeatures, outFeatures, asRng(rng));
    this.b = new Float64Array(outFeatures);
    this.dW = new Float64Array(inFeatures * outFeatures);
    this.db = new Float64Array(outFeatures);
    this._x = null;
  }
  Dense.prototype.forward = function (x) {
    var n = x.rows, I = this.inFeatures, O = this.outFeatures, W = this.W.data, b = this.b;
    if (x.cols !== I) { throw new Error("Dense(" + I + " -> " + O + ") expected input with " + I + " features, got " + x.cols); }
    var out = new Matrix(n, O), xd = x.data, od = out.data;
    for (var i = 0; i < n; i++) {
      var o = i * O;
      for (var k = 0; k < I; k++) {
        var xik = xd[i * I + k], w = k * O;
        if (xik === 0) { continue; }
        for (var j = 0; j < O; j++) { od[o + j] += xik * W[w + j]; }
      }
      for (j = 0; j < O; j++) { od[o + j] += b[j]; }
    }
    this._x = x;
    return out;
  };
  Dense.prototype.backward = function (gradOut, inputGrad) {
    // dW = x^T @ grad_out, db = sum of grad_out over the batch; returns grad_out @ W^T.
    var x = this._x, n = x.rows, I = this.inFeatures, O = this.outFeatures, g = gradOut.data, xd = x.data;
    var dW = this.dW, db = this.db, W = this.W.data;
    dW.fill(0); db.fill(0);
    for (var i = 0; i < n; i++) {
      for (var k = 0; k < I; k++) {
        var xik = xd[i * I + k];
        if (xik === 0) { continue; }
        for (var j = 0; j < O; j++) { dW[k * O + j] += xik * g[i * O + j]; }
      }
      for (j = 0; j < O; j++) { db[j] += g[i * O + j]; }
    }
    if (inputGrad === false) { return null; }
    var dx = new Matrix(n, I), dd = dx.data;
    for (i = 0; i < n; i++) {
      for (k = 0; k < I; k++) {
        var s = 0;
        for (j = 0; j < O; j++) { s += g[i * O + j] * W[k * O + j]; }
        dd[i * I + k] = s;
      }
    }
    return dx;
  };
  Dense.prototype.parameters = function () {
    return [new Parameter(this.W.data, this.dW), new Parameter(this.b, this.db)];
  };

  function elementwise(name, f, df) {
    // An Activation layer: forward y = f(x); backward grad_out * f'(x) from x and y.
    function Act() { this._x = null; this._y = null; }
    Act.prototype.forward = function (x) {
      var y = new Matrix(x.rows, x.cols);
      for (var i = 0; i < x.data.length; i++) { y.data[i] = f(x.data[i]); }
      this._x = x; this._y = y;
      return y;
    };
    Act.prototype.backward = function (gradOut) {
      var out = new Matrix(gradOut.rows, gradOut.cols), x = this._x.data, y = this._y.data, g = gradOut.data;
      for (var i = 0; i < g.length; i++) { out.data[i] = df(g[i], x[i], y[i]); }
      return out;
    };
    Act.prototype.parameters = function () { return []; };
    Act.displayName = name;
    return Act;
  }
  var Identity = elementwise("Identity", function (x) { return x; }, function (g) { return g; });
  var ReLU = elementwise("ReLU", function (x) { return x > 0 ? x : 0; }, function (g, x) { return x > 0 ? g : 0; });
  var LeakyReLU = elementwise("LeakyReLU", function (x) { return x > 0 ? x : 0.01 * x; },
    function (g, x) { return x > 0 ? g : 0.01 * g; });
  var Tanh = elementwise("Tanh", Math.tanh, function (g, x, y) { return (1 - y * y) * g; });
  function sigmoid(x) {
    // nnlib.functional.sigmoid: exp(-|x|) never overflows.
    var e = Math.exp(-Math.abs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  var Sigmoid = elementwise("Sigmoid", sigmoid, function (g, x, y) { return g * y * (1 - y); });

  function Sequential(layers) { this.layers = layers; }
  Sequential.prototype.forward = function (x) {
    for (var i = 0; i < this.layers.length; i++) { x = this.layers[i].forward(x); }
    return x;
  };
  Sequential.prototype.backward = function (gradOut) {
    // The first layer's input gradient is never needed: skip it (nnlib's input_grad=False).
    for (var i = this.layers.length - 1; i >= 0; i--) { gradOut = this.layers[i].backward(gradOut, i > 0); }
  };
  Sequential.prototype.parameters = function () {
    return this.layers.reduce(function (ps, l) { return ps.concat(l.parameters()); }, []);
  };
  Sequential.prototype.denseLayers = function () { return this.layers.filter(function (l) { return l instanceof Dense; }); };

  // ---- nnlib/losses.py ------------------------------------------------------------------------
  function CrossEntropyLoss() { this._cache = null; }
  CrossEntropyLoss.prototype.forward = function (logits, target) {
    // Softmax cross-entropy averaged over the batch: mean(log sum exp(z) - z[target]).
    var n = logits.rows, k = logits.cols, z = logits.data, p = new Float64Array(z.length), loss = 0;
    for (var i = 0; i < n; i++) {
      var m = -Infinity, j;
      for (j = 0; j < k; j++) { if (z[i * k + j] > m) { m = z[i * k + j]; } }
      var s = 0;
      for (j = 0; j < k; j++) { var e = Math.exp(z[i * k + j] - m); p[i * k + j] = e; s += e; }
      loss += Math.log(s) - (z[i * k + target[i]] - m);
      for (j = 0; j < k; j++) { p[i * k + j] /= s; }
    }
    this._cache = {p: p, target: target, n: n, k: k};
    return loss / n;
  };
  CrossEntropyLoss.prototype.backward = function () {
    // (softmax(z) - onehot(y)) / n
    var c = this._cache, g = new Matrix(c.n, c.k), inv = 1 / c.n;
    for (var i = 0; i < c.p.length; i++) { g.data[i] = c.p[i] * inv; }
    for (var r = 0; r < c.n; r++) { g.data[r * c.k + c.target[r]] -= inv; }
    return g;
  };

  // ---- nnlib/optim.py ---------------------------------------------------------------------------
  function SGD(params, lr, momentum) {
    // w -= lr * g; with momentum v = momentum * v + g (v = g on the first step), w -= lr * v.
    this.params = params; this.lr = lr; this.momentum = momentum || 0;
    this.velocity = params.map(function () { return null; });
  }
  SGD.prototype.step = function () {
    for (var i = 0; i < this.params.length; i++) {
      var w = this.params[i].value, g = this.params[i].grad, k;
      if (this.momentum) {
        var v = this.velocity[i];
        if (v === null) { v = this.velocity[i] = Float64Array.from(g); }
        else { for (k = 0; k < v.length; k++) { v[k] = v[k] * this.momentum + g[k]; } }  // v = momentum v + g
        g = v;
      }
      for (k = 0; k < w.length; k++) { w[k] -= this.lr * g[k]; }
    }
  };

  function Adam(params, lr, betas, eps) {
    // PyTorch's Adam: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, w -= lr m_hat / (sqrt(v_hat) + eps).
    this.params = params; this.lr = lr === undefined ? 1e-3 : lr;
    this.betas = betas || [0.9, 0.999]; this.eps = eps === undefined ? 1e-8 : eps; this.t = 0;
    this.m = params.map(function (p) { return new Float64Array(p.value.length); });
    this.v = params.map(function (p) { return new Float64Array(p.value.length); });
  }
  Adam.prototype.step = function () {
    // nnlib's Adam._update for every parameter, in the same order of operations.
    this.t += 1;
    var b1 = this.betas[0], b2 = this.betas[1];
    // The zero-initialised moments are biased towards 0 early on; dividing by (1 - beta^t)
    // removes that bias.
    var c1 = 1 - Math.pow(b1, this.t), c2 = 1 - Math.pow(b2, this.t);
    for (var i = 0; i < this.params.length; i++) {
      var w = this.params[i].value, g = this.params[i].grad, m = this.m[i], v = this.v[i];
      for (var k = 0; k < w.length; k++) {
        m[k] = b1 * m[k] + (1 - b1) * g[k];
        v[k] = b2 * v[k] + (1 - b2) * (g[k] * g[k]);
        var mHat = m[k] / c1, vHat = v[k] / c2;
        w[k] -= this.lr * mHat / (Math.sqrt(vHat) + this.eps);
      }
    }
  };

  // ---- nnlib/viz/_training.py -------------------------------------------------------------------
  var ACTIVATIONS = {relu: ReLU, leaky_relu: LeakyReLU, tanh: Tanh, sigmoid: Sigmoid, identity: Identity};
  var OPTIMIZERS = ["sgd", "momentum", "adam"];

  function parseHidden(text) {
    var parts = String(text).replace(/;/g, ",").replace(/ /g, ",").split(",").filter(function (p) { return p; });
    var sizes = parts.map(function (p) { return /^\d+$/.test(p) ? parseInt(p, 10) : NaN; });
    if (sizes.some(isNaN)) { throw new Error("hidden layers: expected comma-separated unit counts such as '16, 16', got '" + text + "'"); }
    if (sizes.some(function (s) { return s < 1 || s > 256; })) { throw new Error("hidden layers: every layer needs 1 to 256 units, got [" + sizes + "]"); }
    if (sizes.length > 6) { throw new Error("hidden layers: at most 6 hidden layers, got " + sizes.length); }
    return sizes;
  }

  function buildMlp(nIn, hidden, nOut, activation, seed) {
    // Dense(n_in, h1), act, ..., Dense(h_last, n_out); He init for ReLU-like layers, else Xavier.
    if (!ACTIVATIONS[activation]) { throw new Error("buildMlp: unknown activation " + activation); }
    var init = activation === "relu" || activation === "leaky_relu" ? "he_normal" : "xavier_normal";
    var rng = asRng(seed), sizes = [nIn].concat(hidden, [nOut]), layers = [];
    for (var i = 0; i < sizes.length - 1; i++) {
      var last = i === sizes.length - 2;
      layers.push(new Dense(sizes[i], sizes[i + 1], last ? "xavier_normal" : init, rng));
      if (!last) { layers.push(new ACTIVATIONS[activation]()); }
    }
    return new Sequential(layers);
  }

  function buildOptimizer(name, model, lr) {
    if (name === "sgd") { return new SGD(model.parameters(), lr); }
    if (name === "momentum") { return new SGD(model.parameters(), lr, 0.9); }
    if (name === "adam") { return new Adam(model.parameters(), lr); }
    throw new Error("buildOptimizer: unknown optimizer " + name);
  }

  function allFinite(m) {
    for (var i = 0; i < m.data.length; i++) { if (!isFinite(m.data[i])) { return false; } }
    return true;
  }

  function Trainer(model, loss, optimizer, X, y, XVal, yVal, batchSize, rng) {
    // Epochs of (mini-)batch training that record the losses and stop on divergence, like
    // nnlib.viz._training.Trainer. An epoch can be spread over several calls of `run`
    // (a time budget per animation frame), so a big network never freezes the page.
    this.model = model; this.loss = loss; this.optimizer = optimizer;
    this.X = X; this.y = y; this.XVal = XVal || null; this.yVal = yVal || null;
    this.batchSize = batchSize || null; this.rng = asRng(rng);
    this.losses = []; this.valLosses = []; this.valAccuracies = []; this.diverged = null; this.steps = 0;
    this._batches = null; this._next = 0; this._total = 0; this._val = null; this._epochLoss = 0;
  }
  Object.defineProperty(Trainer.prototype, "epoch", {get: function () { return this.losses.length; }});
  Trainer.prototype._loss = function (Xb, yb) {
    var out = this.lastOutput = this.model.forward(Xb);
    return allFinite(out) ? this.loss.forward(out, yb) : Infinity;
  };
  Trainer.prototype._step = function (Xb, yb) {
    var value = this._loss(Xb, yb);
    if (isFinite(value)) { this.model.backward(this.loss.backward()); this.optimizer.step(); this.steps += 1; }
    return value;
  };
  Trainer.prototype.run = function (epochs, budgetMs) {
    // Train up to `epochs` whole epochs, or until `budgetMs` milliseconds have passed (then the
    // current epoch, or its validation pass, continues on the next call). Returns the number
    // of epochs completed. The results do not depend on the budget.
    var done = 0, start = budgetMs ? now() : 0, n = this.X.rows;
    function late() { return budgetMs && now() - start > budgetMs; }
    while (done < epochs && this.diverged === null) {
      if (this._batches === null && this._val === null) {
        this._batches = this.batchSize === null || this.batchSize >= n ? [[this.X, this.y]]
          : minibatches(this.X, this.y, this.batchSize, this.rng);
        this._next = 0; this._total = 0;
      }
      if (this._batches !== null) {
        var stop = false;
        while (this._next < this._batches.length) {
          var b = this._batches[this._next++], value = this._step(b[0], b[1]);
          this._total += value * b[0].rows;
          if (!isFinite(value)) { this._next = this._batches.length; break; }
          if (late() && this._next < this._batches.length) { stop = true; break; }
        }
        if (stop) { break; }
        this._epochLoss = this._total / n;
        this._batches = null;
        this._val = this.XVal !== null ? {next: 0, loss: 0, right: 0} : null;
        if (this._val !== null && late()) { break; }
      }
      if (this._val !== null && !this._validate(late)) { break; }
      this.losses.push(this._epochLoss);
      if (this.XVal !== null) {
        this.valLosses.push(this._val.loss / this.XVal.rows);
        this.valAccuracies.push(this._val.right / this.XVal.rows);
        this._val = null;
      }
      done += 1;
      if (!isFinite(this._epochLoss)) {
        this.diverged = "Training diverged at epoch " + this.epoch + ": the loss became " + this._epochLoss +
          ". The steps are too large for learning rate " + this.optimizer.lr + "; lower it and press Reset.";
      }
      if (late()) { break; }
    }
    return done;
  };
  Trainer.prototype._validate = function (late) {
    // The validation loss and accuracy, VALIDATION_CHUNK rows at a time so that a big network's
    // pass can be spread over frames; true once every row is done.
    var v = this._val, n = this.XVal.rows;
    while (v.next < n) {
      var idx = [];
      for (var i = v.next; i < Math.min(n, v.next + VALIDATION_CHUNK); i++) { idx.push(i); }
      var yb = takeLabels(this.yVal, idx), value = this._loss(takeRows(this.XVal, idx), yb);
      v.loss += value * idx.length;
      v.right += Math.round(accuracy(yb, this.lastOutput) * idx.length);
      v.next += idx.length;
      if (v.next < n && late()) { return false; }
    }
    return true;
  };
  var VALIDATION_CHUNK = 64;
  function accuracy(y, logits) {
    // Share of rows whose largest logit is at the label (nnlib.accuracy of the argmax).
    var k = logits.cols, right = 0;
    for (var i = 0; i < logits.rows; i++) {
      var best = 0;
      for (var j = 1; j < k; j++) { if (logits.data[i * k + j] > logits.data[i * k + best]) { best = j; } }
      if (best === y[i]) { right += 1; }
    }
    return right / logits.rows;
  }
  function now() { return typeof performance !== "undefined" ? performance.now() : Date.now(); }

  return {
    Matrix: Matrix, matrix: matrix, toArray: toArray, takeRows: takeRows, Generator: Generator,
    defaultRng: defaultRng, seedSequence: seedSequence,
    makeMoons: makeMoons, makeCircles: makeCircles, makeSpirals: makeSpirals, makeXor: makeXor,
    makeBlobs: makeBlobs, DATASETS: DATASETS, linspace: linspace,
    StandardScaler: StandardScaler, trainTestSplit: trainTestSplit, minibatches: minibatches,
    Parameter: Parameter, Dense: Dense, Identity: Identity, ReLU: ReLU, LeakyReLU: LeakyReLU, Tanh: Tanh,
    Sigmoid: Sigmoid, sigmoid: sigmoid, Sequential: Sequential, CrossEntropyLoss: CrossEntropyLoss,
    SGD: SGD, Adam: Adam, ACTIVATIONS: ACTIVATIONS, OPTIMIZERS: OPTIMIZERS, parseHidden: parseHidden,
    buildMlp: buildMlp, buildOptimizer: buildOptimizer, Trainer: Trainer, accuracy: accuracy
  };
}));
