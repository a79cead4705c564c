"""The live playground's JavaScript (tools/offline_js/playground/) is the same network as nnlib.

``nnlib.js`` is run under node and compared with nnlib:

- training: on the same data and the same initial weights (exported from Python), the loss
  after each of 50 steps and the final weights agree to float64 rounding, for every activation
  and optimizer the Playground offers, full-batch and mini-batch;
- random numbers: ``Generator`` reimplements ``np.random.default_rng`` (SeedSequence, PCG64,
  the ziggurat normals, the shuffles), so the integers and uniforms are numpy's exactly and
  the normals to about 1e-14 (the ziggurat tables are computed in float64);
- hence the data sets, the train/validation split, the initial weights and the mini-batch
  orders are nnlib's for the same seed, and a whole page run (data, split, scaler, network,
  50 epochs) reproduces ``nnlib.viz.live.train_setup`` without anything exported from Python;
- "Copy as nnlib code" gives code that runs and reproduces the page's losses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import nnlib as nl
from nnlib.viz._training import (
    ACTIVATIONS,
    OPTIMIZERS,
    Trainer,
    build_mlp,
    build_optimizer,
)

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "tools" / "offline_js" / "playground"
NODE = shutil.which("node") or "/usr/bin/node"

pytestmark = pytest.mark.skipif(
    not Path(NODE).exists(), reason="node is needed to run the playground's JavaScript"
)

#: Runs ``nnlib.js``: reads a JSON list of tasks on stdin, writes a JSON list of results.
RUNNER = r"""
const nl = require(process.argv[1] + "/nnlib.js");
const pg = require(process.argv[1] + "/playground.js");
const tasks = JSON.parse(require("fs").readFileSync(0, "utf8"));
const arr = (m) => nl.toArray(m);
const out = tasks.map((t) => {
  if (t.kind === "train") {
    const model = nl.buildMlp(2, t.hidden, t.k, t.activation, 0);
    model.denseLayers().forEach((d, i) => { d.W.data.set(t.W[i].flat()); d.b.set(t.b[i]); });
    let e = 0;
    const rng = {permutation: (n) => Int32Array.from(t.perms[e++])};  // nnlib's batch orders
    const trainer = new nl.Trainer(model, new nl.CrossEntropyLoss(), nl.buildOptimizer(t.optimizer, model, t.lr),
      nl.matrix(t.X), Int32Array.from(t.y), nl.matrix(t.Xv), Int32Array.from(t.yv), t.batch, rng);
    trainer.run(t.epochs);
    return {losses: trainer.losses.map(String), val: trainer.valLosses.map(String), diverged: trainer.diverged,
            W: model.denseLayers().map((d) => arr(d.W)), b: model.denseLayers().map((d) => Array.from(d.b))};
  }
  if (t.kind === "budget") {
    // The same run twice: in one call, and spread over calls of a tiny time budget, as the page
    // spreads an epoch over animation frames. Mini-batches from a seeded nnlib.js generator.
    const runs = [false, true].map((spread) => {
      const d = nl.makeMoons(200, 0.2, 1), m = nl.buildMlp(2, [16, 16], 2, "tanh", 2);
      const tr = new nl.Trainer(m, new nl.CrossEntropyLoss(), nl.buildOptimizer("adam", m, 0.01), d.X, d.y,
        d.X, d.y, 16, 3);
      let calls = 0;
      if (spread) { while (tr.epoch < t.epochs) { tr.run(t.epochs - tr.epoch, 1e-9); calls++; } }
      else { tr.run(t.epochs); calls = 1; }
      return {losses: tr.losses, val: tr.valLosses, acc: tr.valAccuracies, W: arr(m.denseLayers()[0].W), calls,
              steps: tr.steps};
    });
    return runs;
  }
  if (t.kind === "data") {
    const d = nl.DATASETS[t.name](t.n, t.noise, t.seed, ...(t.args || []));  // args: num_classes, turns
    return {X: arr(d.X), y: Array.from(d.y)};
  }
  if (t.kind === "split") {
    const s = nl.trainTestSplit(nl.matrix(t.X), Int32Array.from(t.y), t.test_size, t.seed);
    const sc = new nl.StandardScaler().fit(nl.matrix(t.X));
    return {yTrain: Array.from(s.yTrain), yTest: Array.from(s.yTest), mean: Array.from(sc.mean_),
            scale: Array.from(sc.scale_), Z: arr(sc.transform(nl.matrix(t.X)))};
  }
  if (t.kind === "rng") {
    // Draws in the order given by t.draws: ["normal", k], ["random", k], ["perm", n], ["uniform", k].
    const r = nl.defaultRng(t.seed);
    return t.draws.map(([what, k]) => {
      if (what === "perm") { return Array.from(r.permutation(k)); }
      const out = [];
      for (let i = 0; i < k; i++) {
        out.push(what === "normal" ? r.standardNormal() : what === "random" ? r.random() : r.uniform(-1, 1));
      }
      return out.map(String);
    });
  }
  if (t.kind === "init") {
    const m = nl.buildMlp(2, t.hidden, t.k, t.activation, t.seed);
    return {W: m.denseLayers().map((d) => arr(d.W))};
  }
  if (t.kind === "run") {
    // What the page does for a setup: prepareData, makeTrainer, then t.epochs epochs.
    const s = pg.parseSetup(t.setup), data = pg.prepareData(s), trainer = pg.makeTrainer(s, data);
    trainer.run(t.epochs);
    return {losses: trainer.losses.map(String), val: trainer.valLosses.map(String), XTrain: arr(data.XTrain),
            W: trainer.model.denseLayers().map((d) => arr(d.W)),
            code: pg.nnlibCode(s, t.added || [], t.epochs, "")};
  }
  if (t.kind === "click") {
    // Train, add points as a click does, train on; which class the network gives the points.
    const s = pg.parseSetup(t.setup), data = pg.prepareData(s), trainer = pg.makeTrainer(s, data);
    const predict = () => {
      const out = trainer.model.forward(data.scaler.transform(nl.matrix(t.added.map((p) => [p[0], p[1]]))));
      return t.added.map((_, i) => (out.data[2 * i + 1] > out.data[2 * i] ? 1 : 0));
    };
    trainer.run(t.before);
    const first = predict();
    pg.useTrainingData(trainer, data.scaler, pg.withPoints(data, t.added));
    trainer.run(t.after);
    return {before: first, after: predict(), rows: trainer.X.rows};
  }
  if (t.kind === "code") {
    return {code: pg.nnlibCode(pg.parseSetup(t.setup), t.added, t.epochs, "")};
  }
  if (t.kind === "setup") {
    const s = pg.parseSetup(t.text);
    return {settings: s, text: pg.setupText(s)};
  }
  throw new Error("unknown task " + t.kind);
});
process.stdout.write(JSON.stringify(out));
"""


def run_js(tasks: list[dict]) -> list[dict]:
    """Run ``tasks`` through nnlib.js under node, in one process."""
    proc = subprocess.run(
        [NODE, "-e", RUNNER, str(JS)],
        input=json.dumps(tasks),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"node failed:\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


# ---- training: the same numbers as nnlib ------------------------------------------------------

LR = {"sgd": 0.5, "momentum": 0.1, "adam": 0.03}


def _problem(dataset: str = "moons", n: int = 60, seed: int = 1):
    X, y = getattr(nl.datasets, f"make_{dataset}")(n, noise=0.2, seed=seed)
    X_train, X_val, y_train, y_val = nl.train_test_split(
        X, y, test_size=0.3, seed=seed, stratify=True
    )
    scaler = nl.StandardScaler().fit(X_train)
    return (
        scaler.transform(X_train),
        y_train,
        scaler.transform(X_val),
        y_val,
        int(y.max()) + 1,
    )


def _case(
    activation: str,
    optimizer: str,
    lr: float,
    batch: int | None,
    epochs: int,
    dataset: str = "moons",
    hidden: tuple[int, ...] = (16, 16),
):
    """Train with nnlib; return the nnlib Trainer and the matching task for nnlib.js."""
    Z, y, Zv, yv, k = _problem(dataset)
    model = build_mlp(2, hidden, k, activation, seed=3, dtype=np.float64)
    dense = [layer for layer in model if isinstance(layer, nl.Dense)]
    task = {
        "kind": "train",
        "hidden": list(hidden),
        "k": k,
        "activation": activation,
        "optimizer": optimizer,
        "lr": lr,
        "batch": batch,
        "epochs": epochs,
        "X": Z.tolist(),
        "y": y.tolist(),
        "Xv": Zv.tolist(),
        "yv": yv.tolist(),
        "W": [d.W.tolist() for d in dense],
        "b": [d.b.tolist() for d in dense],
    }
    # The orders nnlib's Trainer will draw (its rng is default_rng(seed), used only for these).
    rng = np.random.default_rng(0)
    task["perms"] = (
        [rng.permutation(len(Z)).tolist() for _ in range(epochs)] if batch else []
    )
    trainer = Trainer(
        model,
        nl.CrossEntropyLoss(),
        build_optimizer(optimizer, model, lr),
        Z,
        y,
        Zv,
        yv,
        batch_size=batch,
        seed=0,
    )
    trainer.run(epochs)
    return trainer, dense, task


def _compare(trainer, dense, result, where: str) -> None:
    js_losses = np.array([float(v) for v in result["losses"]])
    js_val = np.array([float(v) for v in result["val"]])
    assert len(js_losses) == trainer.epoch, (
        f"{where}: JS ran {len(js_losses)} epochs, nnlib {trainer.epoch}"
    )
    # Measured: a few units in the last place (~1e-15) after 50 steps; sums run in another order.
    np.testing.assert_allclose(
        js_losses,
        trainer.losses,
        rtol=1e-12,
        atol=1e-14,
        err_msg=f"{where}: train losses",
    )
    np.testing.assert_allclose(
        js_val,
        trainer.test_losses,
        rtol=1e-12,
        atol=1e-14,
        err_msg=f"{where}: val losses",
    )
    for i, d in enumerate(dense):
        np.testing.assert_allclose(
            result["W"][i],
            d.W,
            rtol=1e-11,
            atol=1e-13,
            err_msg=f"{where}: W of Dense {i}",
        )
        np.testing.assert_allclose(
            result["b"][i],
            d.b,
            rtol=1e-11,
            atol=1e-13,
            err_msg=f"{where}: b of Dense {i}",
        )


def test_full_batch_training_matches_nnlib_for_every_activation_and_optimizer():
    cases = [(a, o) for a in sorted(ACTIVATIONS) for o in OPTIMIZERS]
    runs = [_case(a, o, LR[o], None, 50) for a, o in cases]
    results = run_js([task for _, _, task in runs])
    for (a, o), (trainer, dense, _), result in zip(cases, runs, results):
        assert trainer.epoch == 50 and trainer.diverged is None, (a, o)
        # The runs really train: a comparison of networks that stand still would prove little.
        assert trainer.losses[-1] < 0.9 * trainer.losses[0] or a == "identity", (
            a,
            o,
            trainer.losses[::10],
        )
        _compare(trainer, dense, result, f"{a} + {o}, full batch")
        assert result["diverged"] is None


def test_mini_batch_training_matches_nnlib():
    # 42 training points in batches of 16: 3 steps an epoch, 51 steps in 17 epochs; blobs: 3 classes.
    cases = [("tanh", o, 16, "moons") for o in OPTIMIZERS] + [
        ("leaky_relu", "adam", 8, "blobs")
    ]
    runs = [_case(a, o, LR[o], b, 17, dataset=d) for a, o, b, d in cases]
    results = run_js([task for _, _, task in runs])
    for case, (trainer, dense, _), result in zip(cases, runs, results):
        _compare(trainer, dense, result, f"{case}, mini-batch")


def test_an_epoch_spread_over_frames_is_the_same_epoch():
    (result,) = run_js([{"kind": "budget", "epochs": 4}])
    whole, spread = result
    assert (
        whole["calls"] == 1 and spread["calls"] >= 4 * 13 - 4
    )  # 13 batches of 16 an epoch
    assert spread["steps"] == whole["steps"] == 4 * 13
    # The validation pass too is spread (64 rows at a time): the same numbers either way.
    assert spread["losses"] == whole["losses"] and spread["W"] == whole["W"]
    assert (
        spread["val"] == whole["val"]
        and spread["acc"] == whole["acc"]
        and len(whole["val"]) == 4
    )


def test_divergence_is_reported_at_the_same_epoch():
    trainer, dense, task = _case("identity", "sgd", 10.0, None, 50)
    (result,) = run_js([task])
    assert trainer.diverged is not None and result["diverged"] is not None
    js_losses = [float(v) for v in result["losses"]]
    assert len(js_losses) == trainer.epoch < 50
    assert not np.isfinite(js_losses[-1])
    np.testing.assert_allclose(js_losses[:-3], trainer.losses[:-3], rtol=1e-7)
    assert result["diverged"].startswith(f"Training diverged at epoch {trainer.epoch}:")


# ---- random numbers, data, split, weights: numpy's and nnlib's ---------------------------------


def _floats(values) -> np.ndarray:
    return np.array([float(v) for v in values])


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_generator_is_numpys_default_rng(seed):
    # Interleaved, as nnlib draws: normals (64-bit draws), then shuffles (32-bit halves, numpy
    # keeps the unused half for the next call), then uniforms, then more of each.
    # 20000 normals: the ziggurat's rare branches (the wedges, the tail beyond 3.65) occur too.
    draws = [
        ["normal", 20000],
        ["perm", 301],
        ["random", 100],
        ["perm", 7],
        ["uniform", 50],
        ["normal", 3],
        ["perm", 1000],
    ]
    (result,) = run_js([{"kind": "rng", "seed": seed, "draws": draws}])
    rng = np.random.default_rng(seed)
    for (what, k), got in zip(draws, result):
        if what == "perm":
            assert got == rng.permutation(k).tolist(), (what, k)
        elif what == "normal":
            np.testing.assert_allclose(
                _floats(got), rng.standard_normal(k), rtol=1e-13, atol=1e-14
            )
        elif what == "random":
            np.testing.assert_array_equal(_floats(got), rng.random(k))
        else:
            np.testing.assert_array_equal(_floats(got), rng.uniform(-1, 1, k))


@pytest.mark.parametrize("n, noise", [(20, 0.0), (301, 0.3), (1000, 1.0)])
def test_data_sets_are_nnlibs_for_the_same_seed(n, noise):
    names = ["moons", "circles", "spirals", "xor", "blobs"]
    results = run_js(
        [
            {"kind": "data", "name": name, "n": n, "noise": noise, "seed": 5}
            for name in names
        ]
    )
    for name, result in zip(names, results):
        X, y = getattr(nl.datasets, f"make_{name}")(n, noise=noise, seed=5)
        np.testing.assert_allclose(result["X"], X, rtol=0, atol=1e-12, err_msg=name)
        np.testing.assert_array_equal(result["y"], y, err_msg=name)


@pytest.mark.parametrize("num_classes, turns", [(3, 1.5), (2, 0.5), (5, 2.25)])
def test_spirals_with_more_arms_and_turns_are_nnlibs(num_classes, turns):
    (result,) = run_js(
        [
            {
                "kind": "data",
                "name": "spirals",
                "n": 257,
                "noise": 0.2,
                "seed": 1,
                "args": [num_classes, turns],
            }
        ]
    )
    X, y = nl.datasets.make_spirals(
        257, noise=0.2, seed=1, num_classes=num_classes, turns=turns
    )
    np.testing.assert_allclose(result["X"], X, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result["y"], y)


def test_seeded_and_repeatable():
    tasks = [
        {"kind": "data", "name": "moons", "n": 50, "noise": 0.2, "seed": s}
        for s in (0, 0, 1)
    ]
    a, b, c = run_js(tasks)
    assert a == b and a["X"] != c["X"]


def test_split_and_scaler_are_nnlibs():
    X, y = nl.datasets.make_blobs(301, noise=0.5, seed=4)
    # 5 + 15 points, 6 held out: the classes' shares are 1.5 and 4.5, where Python's round()
    # (half to even: 2 and 4) differs from rounding half up (2 and 5).
    X2, y2 = X[:20], np.repeat([0, 1], [5, 15])
    cases = [(X, y, 4), (X2, y2, 0)]
    results = run_js(
        [
            {
                "kind": "split",
                "X": A.tolist(),
                "y": b.tolist(),
                "test_size": 0.3,
                "seed": s,
            }
            for A, b, s in cases
        ]
    )
    for (A, b, s), result in zip(cases, results):
        _, _, y_train, y_val = nl.train_test_split(
            A, b, test_size=0.3, seed=s, stratify=True
        )
        assert (
            result["yTrain"] == y_train.tolist() and result["yTest"] == y_val.tolist()
        )
    assert results[1]["yTest"].count(1) == 4
    scaler = nl.StandardScaler().fit(X)
    np.testing.assert_allclose(results[0]["mean"], scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(results[0]["scale"], scaler.scale_, rtol=1e-12)
    np.testing.assert_allclose(results[0]["Z"], scaler.transform(X), atol=1e-12)


def test_initial_weights_are_nnlibs():
    cases = [
        ("relu", (16, 16), 2, 0),
        ("tanh", (8,), 3, 5),
        ("sigmoid", (), 2, 1),
        ("leaky_relu", (256, 4), 2, 9),
    ]
    results = run_js(
        [
            {"kind": "init", "hidden": list(h), "k": k, "activation": a, "seed": s}
            for a, h, k, s in cases
        ]
    )
    for (a, h, k, s), result in zip(cases, results):
        dense = [d for d in build_mlp(2, h, k, a, seed=s) if isinstance(d, nl.Dense)]
        assert len(result["W"]) == len(dense)
        for w, d in zip(result["W"], dense):
            np.testing.assert_allclose(
                w, d.W, rtol=1e-13, atol=1e-15, err_msg=f"{a} {h}"
            )


RUNS = [
    ({"dataset": "moons"}, 50),
    (
        {
            "dataset": "spirals",
            "noise": 0.1,
            "hidden": "8, 8",
            "activation": "tanh",
            "optimizer": "momentum",
            "lr": 0.1,
            "batch": 16,
            "seed": 3,
        },
        12,
    ),
    (
        {
            "dataset": "blobs",
            "samples": 200,
            "hidden": "6",
            "activation": "sigmoid",
            "optimizer": "sgd",
            "lr": 0.3,
            "batch": 32,
            "seed": 1,
        },
        20,
    ),
]


def test_a_page_run_is_nnlibs_run_from_the_same_seed():
    """Nothing exported: the page's data, split, weights and batches come from its own seed."""
    from nnlib.viz import live

    results = run_js(
        [{"kind": "run", "setup": live.setup_query(**s), "epochs": e} for s, e in RUNS]
    )
    for (setup, epochs), result in zip(RUNS, results):
        trainer, data = live.train_setup(epochs, **setup)
        np.testing.assert_allclose(result["XTrain"], data["X_train"], atol=1e-12)
        np.testing.assert_allclose(
            _floats(result["losses"]), trainer.losses, rtol=1e-9, err_msg=str(setup)
        )
        np.testing.assert_allclose(
            _floats(result["val"]), trainer.test_losses, rtol=1e-9, err_msg=str(setup)
        )
        dense = [d for d in trainer.model if isinstance(d, nl.Dense)]
        for w, d in zip(result["W"], dense):
            np.testing.assert_allclose(w, d.W, rtol=1e-8, atol=1e-11)


def test_copied_code_reproduces_the_page_run():
    from nnlib.viz import live

    results = run_js(
        [{"kind": "run", "setup": live.setup_query(**s), "epochs": e} for s, e in RUNS]
    )
    for (setup, _epochs), result in zip(RUNS, results):
        namespace: dict = {}
        exec(compile(result["code"], "<copied nnlib code>", "exec"), namespace)  # noqa: S102 - the code under test
        history = namespace["history"]
        np.testing.assert_allclose(
            history.loss, _floats(result["losses"]), rtol=1e-9, err_msg=str(setup)
        )
        np.testing.assert_allclose(
            history.val_loss, _floats(result["val"]), rtol=1e-9, err_msg=str(setup)
        )


# ---- settings and "Copy as nnlib code" -----------------------------------------------------------


def test_settings_round_trip_and_bad_values_are_ignored():
    good, bad = run_js(
        [
            {
                "kind": "setup",
                "text": "dataset=spirals&noise=0.35&samples=500&hidden=8,%208&activation=tanh"
                "&optimizer=momentum&lr=0.3&batch=16&seed=7",
            },
            {
                "kind": "setup",
                "text": "dataset=mnist&noise=5&samples=3&hidden=0&activation=gelu&lr=-1&batch=7",
            },
        ]
    )
    assert good["settings"] == {
        "dataset": "spirals",
        "noise": 0.35,
        "samples": 500,
        "hidden": "8, 8",
        "activation": "tanh",
        "optimizer": "momentum",
        "lr": 0.3,
        "batch": 16,
        "seed": 7,
    }
    (again,) = run_js([{"kind": "setup", "text": good["text"]}])
    assert again["settings"] == good["settings"]
    # Every bad value falls back to the Python Playground's default.
    assert bad["settings"] == {
        "dataset": "moons",
        "noise": 0.2,
        "samples": 300,
        "hidden": "16, 16",
        "activation": "relu",
        "optimizer": "adam",
        "lr": 0.03,
        "batch": 0,
        "seed": 0,
    }


CODE_CASES = [
    ("dataset=moons", [], 40),
    ("dataset=xor&hidden=&optimizer=sgd&lr=0.3&seed=2", [], 30),
    (
        "dataset=blobs&hidden=8&activation=leaky_relu&optimizer=momentum&lr=0.01&batch=16",
        [[0.5, 0.25, 2]],
        20,
    ),
    (
        "dataset=circles&noise=0.1&samples=200&hidden=12,6&activation=tanh&batch=32",
        [[0.0, 0.0, 1], [1.2, -1, 0]],
        25,
    ),
]


def test_copied_nnlib_code_runs_and_builds_the_setup():
    results = run_js(
        [
            {"kind": "code", "setup": s, "added": added, "epochs": e}
            for s, added, e in CODE_CASES
        ]
    )
    for (setup, added, epochs), result in zip(CODE_CASES, results):
        code = result["code"]
        assert all(len(line) <= 88 for line in code.splitlines()), code
        namespace: dict = {}
        exec(compile(code, f"<nnlib code for {setup}>", "exec"), namespace)  # noqa: S102 - the code under test
        history, model = namespace["history"], namespace["model"]
        settings = dict(p.split("=") for p in setup.split("&"))
        hidden = [int(h) for h in settings.get("hidden", "16,16").split(",") if h]
        k = 3 if settings["dataset"] == "blobs" else 2
        assert [
            (d.in_features, d.out_features) for d in model if isinstance(d, nl.Dense)
        ] == list(zip([2, *hidden], [*hidden, k]))
        act = {"relu": nl.ReLU, "tanh": nl.Tanh, "leaky_relu": nl.LeakyReLU}[
            settings.get("activation", "relu")
        ]
        assert all(isinstance(layer, act) for layer in model.layers[1::2])
        assert len(namespace["Z_train"]) + len(namespace["Z_val"]) == int(
            settings.get("samples", 300)
        ) + len(added)
        assert history.epochs == epochs and history.loss[-1] < history.loss[0]
        assert len(history.val_loss) == epochs


# ---- the embed (nnlib.viz.live) ------------------------------------------------------------------


def test_python_setup_reaches_the_page_unchanged():
    from nnlib.viz import live

    setups = [
        {},
        {"dataset": "xor", "hidden": ""},
        {
            "dataset": "spirals",
            "noise": 0.35,
            "samples": 500,
            "hidden": "8, 8",
            "activation": "tanh",
            "optimizer": "momentum",
            "lr": 0.3,
            "batch": 16,
            "seed": 7,
        },
    ]
    results = run_js([{"kind": "setup", "text": live.setup_query(**s)} for s in setups])
    for setup, result in zip(setups, results):
        assert result["settings"] == live.check_setup(**setup)


def test_embed_is_one_markdown_cell_with_a_fallback_image():
    from nnlib.viz import live

    text = live.embed("playground-xor", "../img.png", dataset="xor", hidden="")
    lines = text.splitlines()
    assert (
        lines[0]
        == '<div class="nnbook-playground" id="playground-xor" data-setup="dataset=xor&amp;hidden=">'
    )
    assert (
        lines[-1] == "</div>"
        and "![The playground trained on xor (static picture)](../img.png)" in lines
    )
    # Blank lines around the image: markdown (MyST and Jupyter) renders it inside the HTML block.
    assert lines[1] == "" and lines[3] == ""
    with pytest.raises(ValueError, match="live.check_setup: dataset must be one of"):
        live.embed("p", "x.png", dataset="mnist")
    with pytest.raises(
        ValueError, match="live.check_setup: unknown settings \\['epochs'\\]"
    ):
        live.embed("p", "x.png", epochs=3)
    with pytest.raises(ValueError, match="live.embed: id must be"):
        live.embed("two words", "x.png")


def test_the_book_page_embeds_the_current_snippet_and_its_fallbacks_exist():
    from nnlib.viz import live

    page = (ROOT / "playground.md").read_text()
    assert (
        live.embed("playground", "tools/offline_js/playground/fallback/moons.png")
        in page
    )
    for name in live.EMBEDS:
        png = ROOT / live.FALLBACK_DIR / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_fallback_image_shows_the_setup_trained_by_nnlib(tmp_path):
    from matplotlib.image import imread

    from nnlib.viz import live

    trainer, data = live.train_setup(epochs=100, dataset="xor", hidden="8")
    assert (
        trainer.losses[-1] < 0.5 * trainer.losses[0] and len(trainer.test_losses) == 100
    )
    assert (
        len(data["X_val"]) == 90 and len(data["X_train"]) == 210
    )  # 30% validation of 300
    path = live.save_fallback(
        tmp_path / "xor.png", epochs=20, dataset="xor", hidden="8"
    )
    image = imread(path)
    assert image.shape[:2] == (259, 604)  # 8.4 x 3.6 inches at 72 dpi
    assert image[..., :3].std() > 0.05  # a picture, not a blank canvas


def test_every_embed_in_the_book_is_valid():
    """Each ``nnbook-playground`` in the book's pages has a unique id, a valid setup and an image."""
    import html
    import re
    from urllib.parse import parse_qsl

    from nnlib.viz import live

    pages = [
        p
        for pattern in ("*.md", "chapters/*.ipynb", "beyond/*.md", "beyond/*.ipynb")
        for p in ROOT.glob(pattern)
    ]
    found = 0
    for page in pages:
        text = page.read_text()
        if page.suffix == ".ipynb":
            text = "\n".join(
                "".join(c["source"])
                for c in json.loads(text)["cells"]
                if c["cell_type"] == "markdown"
            )
        ids = []
        for match in re.finditer(
            r'<div class="nnbook-playground" id="([^"]+)" data-setup="([^"]*)">\n\n'
            r"!\[[^\]]*\]\(([^)]+)\)",
            text,
        ):
            found += 1
            ident, query, image = match.groups()
            ids.append(ident)
            setup = dict(parse_qsl(html.unescape(query), keep_blank_values=True))
            for key in ("noise", "lr"):
                if key in setup:
                    setup[key] = float(setup[key])
            for key in ("samples", "batch", "seed"):
                if key in setup:
                    setup[key] = int(setup[key])
            live.check_setup(**setup)
            assert (page.parent / image).is_file(), (
                f"{page.name}: fallback image {image} is missing"
            )
        assert text.count('class="nnbook-playground"') == len(ids), (
            f"{page.name}: an embed not in embed()'s form"
        )
        assert len(ids) == len(set(ids)), (
            f"{page.name}: two playgrounds share an id: {ids}"
        )
    assert found >= 1  # playground.md at least


def test_what_the_book_page_says_to_try():
    """The numbers and outcomes playground.md's "Things to try" promises, run as the page runs them."""
    setups = [
        ("dataset=xor&hidden=&samples=1000", 300),
        ("dataset=xor&hidden=8&samples=1000", 300),
        ("activation=identity&optimizer=sgd&lr=10", 200),
        ("dataset=moons&noise=1", 300),
    ]
    linear, bent, diverging, noisy = run_js(
        [{"kind": "run", "setup": s, "epochs": e} for s, e in setups]
    )
    assert abs(_floats(linear["losses"])[-1] - np.log(2)) < 0.01  # "stays near log 2"
    assert _floats(bent["losses"])[-1] < 0.3  # 8 hidden units bend the boundary
    assert len(diverging["losses"]) <= 10 and not np.isfinite(
        _floats(diverging["losses"])[-1]
    )
    # Three class-1 points on top of the upper moon (class 0): training on takes in most of them.
    added = [[0.0, 1.0, 1], [0.1, 1.05, 1], [-0.1, 0.95, 1]]
    (clicked,) = run_js(
        [{"kind": "click", "setup": "", "added": added, "before": 200, "after": 300}]
    )
    assert (
        clicked["before"] == [0, 0, 0]
        and sum(clicked["after"]) >= 2
        and clicked["rows"] == 210 + 3
    )
    val, train = _floats(noisy["val"]), _floats(noisy["losses"])
    assert (
        val.argmin() + 1 == 2
        and round(val[-1], 1) == 1.2
        and round(train[-1], 2) == 0.26
    )


def test_the_live_playground_tells_chapter_7s_learning_rate_10_story():
    """Chapter 7 records what viz.Playground does at lr=10; the live page, same seed, does the same."""
    (run,) = run_js(
        [{"kind": "run", "setup": "dataset=moons&noise=0.2&lr=10", "epochs": 200}]
    )
    losses = _floats(run["losses"])
    # The chapter's assertions: past a thousand at epoch 2, tens of thousands before epoch 10, then ln 2.
    assert losses[1] > 1000 and losses.max() > 10_000 and losses.argmax() + 1 < 10
    assert abs(losses[-1] - np.log(2)) < 0.01
