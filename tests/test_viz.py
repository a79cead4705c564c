"""Tests of nnlib.viz: the pure functions by value, the widgets by driving their controls."""

from __future__ import annotations

import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib as nl  # noqa: E402
from nnlib import viz  # noqa: E402
from nnlib.viz._training import Trainer, build_mlp, parse_hidden  # noqa: E402
from nnlib.viz.animate import Recording, animation, frame_schedule, record  # noqa: E402
from nnlib.viz.playground import nice_ceiling  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# ---- import hygiene ------------------------------------------------------------------------


def test_import_nnlib_does_not_import_matplotlib_or_ipywidgets():
    code = (
        "import sys, nnlib; bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules];"
        "assert not bad, bad; from nnlib import viz; assert 'matplotlib' in sys.modules"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[1]),
    )


# ---- grid ------------------------------------------------------------------------------------


def test_grid_bounds_pad_each_side_by_margin_of_span():
    X = np.array([[0.0, -1.0], [2.0, 3.0]])
    assert viz.grid_bounds(X, margin=0.25) == pytest.approx((-0.5, 2.5, -2.0, 4.0))
    # A degenerate side still gets the minimum padding.
    assert viz.grid_bounds(np.zeros((3, 2)), margin=0.5) == pytest.approx(
        (-0.1, 0.1, -0.1, 0.1)
    )
    with pytest.raises(ValueError, match=r"grid_bounds: X must have shape \(n, 2\)"):
        viz.grid_bounds(np.zeros((3, 3)))


def test_make_grid_cell_centres_row_major_from_bottom():
    pts = viz.make_grid((0.0, 4.0, 0.0, 2.0), resolution=2)
    np.testing.assert_allclose(pts, [[1.0, 0.5], [3.0, 0.5], [1.0, 1.5], [3.0, 1.5]])
    assert viz.make_grid((0, 1, 0, 1), 3, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="min < max"):
        viz.make_grid((1.0, 0.0, 0.0, 1.0))
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        viz.make_grid((0, 1, 0, 1), resolution=1)


def test_grid_proba_matches_predict_proba_point_by_point():
    model = build_mlp(2, (5,), 3, "tanh", seed=1)
    bounds = (-1.0, 1.0, -2.0, 2.0)
    proba = viz.grid_proba(model, bounds, resolution=7)
    assert proba.shape == (7, 7, 3)
    expected = nl.predict_proba(model, viz.make_grid(bounds, 7)).reshape(7, 7, 3)
    np.testing.assert_allclose(proba, expected)
    np.testing.assert_allclose(proba.sum(axis=-1), 1.0)
    # Row i is y fixed: cell (i=6, j=0) is the top-left corner of the plot.
    top_left = nl.predict_proba(model, np.array([[-1 + 1 / 7, 2 - 2 / 7]]))
    np.testing.assert_allclose(proba[6, 0], top_left[0])


def test_grid_proba_applies_transform_and_keeps_float32():
    model = build_mlp(2, (4,), 2, seed=0, dtype=np.float32)
    proba = viz.grid_proba(model, (0, 1, 0, 1), 4, transform=lambda p: p * 2 - 1)
    assert proba.dtype == np.float32
    direct = nl.predict_proba(model, viz.make_grid((0, 1, 0, 1), 4, np.float32) * 2 - 1)
    np.testing.assert_allclose(proba.reshape(16, 2), direct, rtol=1e-6)


def test_proba_to_rgb_colours_confidence_and_invalid():
    colors = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    rgb = viz.proba_to_rgb(
        np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [np.nan, np.nan]]),
        colors,
        max_strength=1.0,
    )
    np.testing.assert_allclose(rgb[0], [1.0, 0.0, 0.0])  # certain: the class colour
    np.testing.assert_allclose(rgb[2], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(
        rgb[1], 1 - 0.1 * (1 - np.array([0.5, 0, 0.5]))
    )  # unsure: nearly white
    np.testing.assert_allclose(rgb[3], viz.grid.INVALID_COLOR)
    with pytest.raises(ValueError, match="2 classes but only 1 colours"):
        viz.proba_to_rgb(np.array([[0.5, 0.5]]), colors[:1])


# ---- network layout ------------------------------------------------------------------------------


def test_network_layout_positions():
    layout = viz.network_layout([2, 3, 1], width=2.0, height=1.0)
    assert [p.shape for p in layout] == [(2, 2), (3, 2), (1, 2)]
    np.testing.assert_allclose([p[0, 0] for p in layout], [0.0, 1.0, 2.0])
    np.testing.assert_allclose(
        layout[1][:, 1], [1.0, 0.5, 0.0]
    )  # unit 0 on top, spacing 1/2
    np.testing.assert_allclose(layout[0][:, 1], [0.75, 0.25])  # same spacing, centred
    np.testing.assert_allclose(layout[2][:, 1], [0.5])
    big = viz.network_layout([64, 16], spread=16)
    assert big[0][:, 1].max() == pytest.approx(1.0) and big[0][
        :, 1
    ].min() == pytest.approx(0.0)
    with pytest.raises(ValueError, match="at least 2 layers"):
        viz.network_layout([3])


def test_edge_segments_follow_weight_ravel_order_and_styles():
    layout = viz.network_layout([2, 3])
    seg = viz.edge_segments(layout)
    assert seg.shape == (6, 2, 2)
    # Edge k = i * 3 + j joins input i to output j, as W.ravel() orders W[i, j].
    np.testing.assert_allclose(seg[5], [layout[0][1], layout[1][2]])
    W = np.array([[1.0, -2.0, 0.0], [0.5, np.inf, -1.0]])
    widths, colors = viz.edge_style([W], max_width=4.0, min_width=0.0)
    np.testing.assert_allclose(widths, [2.0, 4.0, 0.0, 1.0, 0.0, 2.0])
    assert tuple(colors[0, :3]) == viz.network.POSITIVE_COLOR
    assert tuple(colors[1, :3]) == viz.network.NEGATIVE_COLOR
    assert colors[1, 3] == pytest.approx(1.0) and colors[2, 3] == pytest.approx(0.15)
    assert colors[4, 3] == pytest.approx(0.5)  # the inf weight is drawn grey


def test_layer_sizes():
    assert viz.layer_sizes(build_mlp(2, (16, 16), 2)) == [2, 16, 16, 2]
    with pytest.raises(ValueError, match="no Dense layer"):
        viz.layer_sizes(nl.Sequential(nl.ReLU()))


# ---- training helpers ------------------------------------------------------------------------------


def test_parse_hidden():
    assert parse_hidden("16, 16") == (16, 16)
    assert parse_hidden("") == ()
    assert parse_hidden([4, 2]) == (4, 2)
    with pytest.raises(ValueError, match="comma-separated unit counts"):
        parse_hidden("16, x")
    with pytest.raises(ValueError, match="1 to 256 units"):
        parse_hidden("0")


def test_trainer_is_fit_in_chunks():
    # Clicks of 3, 1 and 6 epochs train what one 10-epoch fit trains: the same batches (one
    # Generator), the same weights, and the held-out loss of every epoch.
    X, y = nl.datasets.make_moons(90, noise=0.2, seed=0)
    X_val, y_val = nl.datasets.make_moons(40, noise=0.2, seed=1)

    def parts():
        model = nl.build_mlp([2, 8, 2], "tanh", rng=2)
        return (
            model,
            nl.CrossEntropyLoss(),
            nl.Adam(model.parameters(), lr=0.02, fused=True),
        )

    model, loss, opt = parts()
    trainer = Trainer(model, loss, opt, X, y, X_val, y_val, batch_size=16, rng=4)
    assert [trainer.run(n) for n in (3, 1, 0, 6)] == [
        3,
        1,
        0,
        6,
    ] and trainer.epoch == 10
    ref_model, ref_loss, ref_opt = parts()
    ref = nl.fit(
        ref_model,
        ref_loss,
        ref_opt,
        X,
        y,
        epochs=10,
        batch_size=16,
        seed=np.random.default_rng(4),
        validation_data=(X_val, y_val),
        progress=False,
    )
    assert trainer.losses == ref.loss and trainer.test_losses == ref.val_loss
    for name, value in ref_model.params.items():
        np.testing.assert_array_equal(model.params[name], value)
    assert trainer.diverged is None and trainer.history.diverged is None


def test_trainer_reports_divergence_instead_of_raising():
    X, y = nl.datasets.make_moons(100, seed=0)
    model = build_mlp(2, (8,), 2, "identity", seed=0)
    trainer = Trainer(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), lr=10.0, momentum=0.9),
        X * 50,
        y,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow warnings stay silent
        done = trainer.run(200)
    assert 0 < done < 200 and trainer.epoch == done
    # fit's own message (one divergence message for fit and the widgets), told for a widget.
    assert trainer.diverged.startswith(
        "Training diverged: the network's output became NaN or inf at "
        f"epoch {done}, batch 1."
    )
    assert trainer.diverged.endswith(
        ". The steps are too large for learning rate 10; lower it and press Reset."
    )
    assert trainer.history.diverged.startswith(
        "fit: training diverged, the network's output became NaN or inf"
    )
    assert not np.isfinite(trainer.losses[-1]) and len(trainer.losses) == done
    assert trainer.run(5) == 0 and trainer.epoch == done  # no more steps once diverged


def test_frame_schedule():
    np.testing.assert_array_equal(frame_schedule(10, 3), [0, 5, 10])
    np.testing.assert_array_equal(frame_schedule(3, 30), [0, 1, 2, 3])
    with pytest.raises(ValueError):
        frame_schedule(10, 1)


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0.7, 1.0, 1.3, 3, 7, 200, 201)] == [
        1.0,
        1.0,
        2.0,
        5.0,
        10.0,
        200.0,
        500.0,
    ]


# ---- explorers' pure parts ---------------------------------------------------------------------------


def test_activation_curve_values_and_derivatives():
    x = np.array([-2.0, 0.5, 3.0])
    f, df = viz.activation_curve("relu", x)
    np.testing.assert_allclose(f, [0, 0.5, 3])
    np.testing.assert_allclose(df, [0, 1, 1])
    f, df = viz.activation_curve("tanh", x)
    np.testing.assert_allclose(df, 1 - np.tanh(x) ** 2)
    f, df = viz.activation_curve("sigmoid", np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(f, [0, 0.5, 1])
    np.testing.assert_allclose(df, [0, 0.25, 0])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        viz.activation_curve("swish", x)


@pytest.mark.parametrize("name", list(viz.SURFACES))
def test_surface_gradients_match_finite_differences(name):
    s = viz.SURFACES[name]
    rng = np.random.default_rng(0)
    for w in rng.uniform(-1.5, 1.5, size=(5, 2)):
        num = nl.numerical_grad(lambda: float(s.f(w)), w, 1e-6)  # noqa: B023 (called now)
        np.testing.assert_allclose(s.grad(w), num, rtol=1e-5, atol=1e-5)
    for m in s.minima:
        np.testing.assert_allclose(s.grad(np.array(m)), 0, atol=1e-3)


def test_descent_path_sgd_on_bowl_is_the_closed_form():
    # On f = (x^2 + 10 y^2) / 2 plain SGD multiplies x by (1 - lr) and y by (1 - 10 lr) per step.
    path, values = viz.descent_path(
        "narrow bowl", "sgd", lr=0.05, steps=20, start=(2.0, 1.0)
    )
    k = np.arange(21)
    np.testing.assert_allclose(path[:, 0], 2.0 * 0.95**k)
    np.testing.assert_allclose(path[:, 1], 1.0 * 0.5**k)
    np.testing.assert_allclose(values, viz.SURFACES["narrow bowl"].f(path))


def test_descent_path_momentum_and_adam_converge_and_divergence_stops_early():
    for opt, lr, mom in (("sgd", 0.02, 0.9), ("adam", 0.05, 0.0)):
        path, values = viz.descent_path(
            "narrow bowl", opt, lr=lr, momentum=mom, steps=400
        )
        assert values[-1] < 1e-4 * values[0]
    path, values = viz.descent_path("narrow bowl", "sgd", lr=0.5, steps=1000)
    assert len(path) < 1001 and np.abs(path[-1]).max() > 1e6
    with pytest.raises(ValueError, match="optimizer must be 'sgd' or 'adam'"):
        viz.descent_path("narrow bowl", "rmsprop")


# ---- widgets, driven programmatically -----------------------------------------------------------------


@pytest.fixture
def playground():
    return viz.Playground(n_samples=120, resolution=24, epochs=40, redraws_per_train=2)


def test_playground_train_step_reset_change_model_curve_and_view(playground):
    pg = playground
    assert viz.layer_sizes(pg.model) == [2, 16, 16, 2]
    W0 = pg.model[0].W.copy()
    view0 = pg.png()
    assert png_size(view0) == pg.figure.canvas.get_width_height()
    pg.train_button.click()
    assert pg.trainer.epoch == 40
    assert not np.array_equal(pg.model[0].W, W0)
    x, y = pg.train_line.get_data()
    assert len(x) == 40 and np.isfinite(y).all() and y[-1] < y[0]
    assert pg.png() != view0
    assert "epoch 40" in pg.map_title.get_text() and "epoch 40" in pg.status.value
    pg.step_button.click()
    assert pg.trainer.epoch == 41
    pg.reset_button.click()
    assert pg.trainer.epoch == 0 and len(pg.train_line.get_data()[0]) == 0
    np.testing.assert_array_equal(pg.model[0].W, W0)  # same seed, same weights


def test_playground_controls_rebuild_data_and_model(playground):
    pg = playground
    image = pg.map_image.get_array().copy()
    pg.controls["dataset"].value = "blobs"
    assert pg.n_classes == 3 and viz.layer_sizes(pg.model)[-1] == 3
    pg.controls["hidden"].value = "4"
    pg.controls["activation"].value = "tanh"
    assert viz.layer_sizes(pg.model) == [2, 4, 3] and isinstance(pg.model[1], nl.Tanh)
    pg.controls["optimizer"].value = "sgd"
    pg.controls["lr"].value = 0.1
    assert isinstance(
        pg.trainer.optimizer, nl.SGD
    ) and pg.trainer.optimizer.lr == pytest.approx(0.1)
    pg.controls["batch_size"].value = 16
    pg.train(5)
    assert pg.trainer.batch_size == 16 and pg.trainer.epoch == 5
    assert not np.array_equal(pg.map_image.get_array(), image)
    offsets = pg.train_points.get_offsets()
    np.testing.assert_allclose(offsets, pg.X_train)


def test_playground_bad_hidden_text_shows_message(playground):
    playground.controls["hidden"].value = "16, lots"
    assert playground.message.get_visible()
    assert "comma-separated" in playground.status.value


def test_playground_callback_errors_become_messages(playground):
    def broken():
        raise RuntimeError("boom")

    playground._safely(broken)({"new": 1})
    assert (
        "RuntimeError: boom" in playground.message.get_text()
        and "boom" in playground.status.value
    )


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_playground_extreme_values_never_raise(optimizer):
    pg = viz.Playground(
        n_samples=100,
        resolution=16,
        epochs=60,
        noise=1.0,
        hidden="1",
        lr=10.0,
        optimizer=optimizer,
    )
    pg.train_button.click()
    pg.step_button.click()
    assert pg.png()[:8] == PNG_MAGIC
    if pg.trainer.diverged:
        assert pg.message.get_visible() and "diverged" in pg.status.value


def test_playground_divergence_shows_message_and_diverged_loss():
    pg = viz.Playground(
        n_samples=100,
        resolution=16,
        hidden="32, 32, 32",
        activation="identity",
        optimizer="momentum",
        lr=10.0,
        epochs=100,
    )
    pg.train_button.click()
    assert pg.trainer.diverged and pg.trainer.epoch < 100
    assert pg.message.get_visible() and "Training diverged" in pg.message.get_text()
    assert "learning rate 10; lower it and press Reset" in pg.status.value
    assert not np.isfinite(pg.trainer.losses[-1])
    assert np.isnan(
        pg.train_line.get_data()[1][-1]
    )  # drawn as a gap, the axes stay finite
    pg.controls["lr"].value = 0.01
    pg.reset_button.click()
    pg.train(10)
    assert not pg.trainer.diverged and not pg.message.get_visible()


def test_playground_and_animation_call_the_held_out_data_validation(
    playground, monkeypatch
):
    # The held-out part is validation data (choices are made on it); "test" is reserved for
    # the set used once at the end of chapter 8.
    pg = playground
    pg.train(2)
    legend = [t.get_text() for t in pg.ax_loss.get_legend().get_texts()]
    assert legend == ["train loss", "validation loss"]
    assert pg.test_points.get_label() == "validation"
    assert (
        "val acc" in pg.map_title.get_text() and "test" not in pg.map_title.get_text()
    )
    import nnlib.viz.animate as animate_module

    figures = []
    real_new_figure = animate_module.new_figure
    monkeypatch.setattr(
        animate_module,
        "new_figure",
        lambda *a, **k: figures.append(real_new_figure(*a, **k)) or figures[-1],
    )
    rec = record(
        pg.trainer,
        pg.bounds,
        epochs=2,
        frames=2,
        resolution=8,
        transform=pg.scaler.transform,
        X_plot=pg.X_train,
        X_test_plot=pg.X_test,
    )
    animate_module.render_frames(rec)
    ax_loss = figures[0].axes[1]
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == [
        "train loss",
        "validation loss",
    ]


def test_playground_animation_is_jshtml():
    pg = viz.Playground(n_samples=80, resolution=16)
    html = pg.animate(epochs=20, frames=4)
    assert "<script" in html.data and html.data.count("data:image/png;base64") >= 4
    assert pg.trainer.epoch == 20


def test_animate_training_and_recording_of_diverged_run():
    X, y = nl.datasets.make_xor(80, seed=1)
    model = build_mlp(2, (8,), 2, seed=0)
    html = viz.animate_training(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), 0.05),
        X,
        y,
        epochs=10,
        frames=3,
        resolution=12,
    )
    assert html.data.count("data:image/png;base64") == 3
    model = build_mlp(2, (8,), 2, "identity", seed=0)
    trainer = Trainer(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), 10.0, momentum=0.9),
        X * 50,
        y,
    )
    rec = record(trainer, viz.grid_bounds(X * 50), epochs=300, frames=10, resolution=8)
    assert isinstance(rec, Recording) and rec.message and rec.frame_epochs[-1] < 300
    assert len(rec.maps) == len(rec.frame_epochs)
    anim = animation(rec)
    assert "<script" in anim.to_jshtml()
    with pytest.raises(ValueError, match="2 features"):
        viz.animate_training(
            model,
            nl.CrossEntropyLoss(),
            nl.SGD(model.parameters(), 0.1),
            np.zeros((4, 3)),
            np.zeros(4, dtype=np.int64),
            1,
        )


def test_live_curves_callback_updates_lines_in_place():
    X, y = nl.datasets.make_moons(100, seed=0)
    model = build_mlp(2, (8,), 2, seed=0)
    curves = viz.LiveCurves(display=False)
    history = nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), 0.01),
        X,
        y,
        epochs=5,
        validation_data=(X, y),
        callbacks=[curves],
        progress=False,
    )
    x, loss = curves.lines["loss"].get_data()
    np.testing.assert_array_equal(x, [1, 2, 3, 4, 5])
    np.testing.assert_allclose(loss, history.loss)
    np.testing.assert_allclose(
        curves.lines["val_accuracy"].get_data()[1], history.val_accuracy
    )
    assert curves.axes["loss"].get_ylim()[1] >= max(history.loss)
    assert png_size(curves.png())[0] > 0
    with pytest.raises(ValueError, match="metrics must be among"):
        viz.LiveCurves(metrics=("f1",))


def test_live_curves_fit_shows_divergence_message():
    X, y = nl.datasets.make_moons(100, seed=0)
    model = build_mlp(2, (8,), 2, "identity", seed=0)
    curves = viz.LiveCurves(display=False)
    history = curves.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), 10.0, momentum=0.9),
        X * 50,
        y,
        epochs=100,
        batch_size=100,
    )
    assert history.epochs < 100
    assert curves.message.get_visible() and "diverged" in curves.message.get_text()
    # It is fit's own stop: the History says why, and the figure shows that message.
    assert (
        history.diverged is not None and history.diverged in curves.message.get_text()
    )
    # Asking fit to raise still ends with a message on the figure, not a traceback.
    model = build_mlp(2, (8,), 2, "identity", seed=0)
    curves = viz.LiveCurves(display=False)
    curves.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.SGD(model.parameters(), 10.0, momentum=0.9),
        X * 50,
        y,
        epochs=100,
        batch_size=100,
        on_divergence="raise",
    )
    assert curves.message.get_visible() and "diverged" in curves.message.get_text()


def test_network_view_updates_edges_heatmaps_and_histograms():
    model = build_mlp(2, (4,), 2, seed=0)
    view = viz.NetworkView(model)
    widths0 = view.edges.get_linewidths().copy()
    np.testing.assert_allclose(widths0, viz.edge_style([model[0].W, model[2].W])[0])
    model[0].W[...] *= np.linspace(0.1, 3, 8).reshape(2, 4)
    model[2].W[...] = -model[2].W
    view.update()
    assert not np.allclose(view.edges.get_linewidths(), widths0)
    np.testing.assert_allclose(view.heatmaps[0].get_array(), model[0].W)
    counts = view.hists[0].get_data().values
    assert counts.sum() == model[0].W.size


def test_network_view_heatmap_ticks_are_whole_unit_numbers():
    view = viz.NetworkView(build_mlp(2, (16,), 2, seed=0))  # W1 (2, 16), W2 (16, 2)
    for im in view.heatmaps:
        ax = im.axes
        for ticks, (lo, hi) in [
            (ax.get_xticks(), sorted(ax.get_xlim())),
            (ax.get_yticks(), sorted(ax.get_ylim())),
        ]:
            shown = ticks[(ticks >= lo) & (ticks <= hi)]
            assert len(shown) >= 2 and np.all(shown == np.round(shown)), shown


def test_network_view_as_fit_callback_and_digit_filters():
    X, y = nl.datasets.load_digits()
    X = X[:200] / 16
    model = build_mlp(64, (10,), 10, seed=0)
    view = viz.NetworkView(model, image_shape=(8, 8), n_filters=4)
    assert len(view.filters) == 4 and view.filters[0].get_array().shape == (8, 8)
    nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), 0.01),
        X,
        y[:200],
        epochs=2,
        callbacks=[view],
        progress=False,
    )
    np.testing.assert_allclose(
        view.filters[3].get_array(), model[0].W[:, 3].reshape(8, 8)
    )
    assert view.title.get_text().startswith("epoch 2, loss")
    with pytest.raises(ValueError, match="image_shape"):
        viz.NetworkView(model, image_shape=(4, 4))


def test_network_explorer_buttons_and_extreme_values():
    X, y = nl.datasets.make_circles(80, seed=0)
    ex = viz.NetworkExplorer(X, y, hidden="6", epochs=3)
    image = ex.widget.children[-1]
    value0 = image.value
    W0 = ex.model[0].W.copy()
    ex.train_button.click()
    assert ex.trainer.epoch == 3 and not np.array_equal(ex.model[0].W, W0)
    assert image.value != value0 and ex.view.widget is image
    ex.controls["hidden"].value = "5, 5"
    assert viz.layer_sizes(ex.model) == [2, 5, 5, 2] and ex.widget.children[-1] is image
    ex.controls["activation"].value = "identity"
    ex.controls["optimizer"].value = "momentum"
    ex.controls["lr"].value = 10.0
    ex.controls["epochs"].value = 60
    ex.train_button.click()
    assert (
        ex.trainer.diverged
        and "diverged" in ex.status.value
        and ex.view.message.get_visible()
    )


def test_playground_and_network_explorer_share_one_builder_of_their_controls(
    monkeypatch,
):
    import nnlib.viz._training as training
    import nnlib.viz.playground as playground

    built, pressed = [], []
    network_controls, train_buttons = training.network_controls, training.train_buttons

    def spy_controls(*args, **kwargs):
        built.append(network_controls(*args, **kwargs))
        return built[-1]

    def spy_buttons():
        pressed.append(train_buttons())
        return pressed[-1]

    # The playground imports the builders at its top, the explorer from _training when built.
    for module in (training, playground):
        monkeypatch.setattr(module, "network_controls", spy_controls)
        monkeypatch.setattr(module, "train_buttons", spy_buttons)
    X, y = nl.datasets.make_circles(60, seed=0)
    pg = viz.Playground(n_samples=60, resolution=12, epochs=2)
    ex = viz.NetworkExplorer(X, y, hidden=[4, 4], epochs=1)
    assert len(built) == len(pressed) == 2
    shared = ["hidden", "activation", "optimizer", "lr", "epochs"]
    for panel, controls, buttons in zip((pg, ex), built, pressed, strict=True):
        assert all(panel.controls[k] is controls[k] for k in shared)
        assert (panel.train_button, panel.step_button, panel.reset_button) == buttons
        assert all(c.layout.width == "320px" for c in panel.controls.values())

    def seen(panel):
        c = panel.controls
        buttons = (panel.train_button, panel.step_button, panel.reset_button)
        return (
            [c[k].description for k in shared],
            c["activation"].options,
            c["optimizer"].options,
            [label for label, _ in c["lr"].options],
            (c["epochs"].min, c["epochs"].step),
            (c["hidden"].placeholder, c["hidden"].continuous_update),
            [(b.description, b.icon, b.button_style, b.tooltip) for b in buttons],
        )

    assert seen(pg) == seen(ex)
    assert seen(ex)[0] == [
        "hidden layers",
        "activation",
        "optimizer",
        "learning rate",
        "epochs / Train",
    ]
    assert list(ex.controls["optimizer"].options) == list(training.OPTIMIZERS)
    assert list(ex.controls["activation"].options) == sorted(training.ACTIVATIONS)
    # Typing "16, 1" on the way to "16, 16" must not rebuild the network at every keystroke.
    assert ex.controls["hidden"].continuous_update is False
    assert ex.controls["hidden"].placeholder == "e.g. 16, 16"
    assert ex.controls["hidden"].value == "4, 4"
    assert ex.step_button.tooltip == "one epoch"
    assert ex.reset_button.tooltip == (
        "start again from the initial weights of this seed"
    )
    # What each keeps its own: the ranges of "epochs", the description widths, the extras.
    assert (pg.controls["epochs"].max, ex.controls["epochs"].max) == (2000, 100)
    assert pg.controls["hidden"].style.description_width == "105px"
    assert ex.controls["hidden"].style.description_width == "95px"
    assert list(pg.controls) == [
        "dataset",
        "noise",
        "n_samples",
        "hidden",
        "activation",
        "optimizer",
        "lr",
        "batch_size",
        "epochs",
        "seed",
    ]
    assert list(ex.controls) == [*shared, "batch_size"]
    assert (
        ex.train_button.layout.width == "100px" and pg.train_button.layout.width is None
    )


def test_activation_explorer_slider_moves_point():
    ex = viz.ActivationExplorer("sigmoid", x=0.0)
    assert ex.f_point.get_data()[1][0] == pytest.approx(0.5)
    assert ex.df_point.get_data()[1][0] == pytest.approx(0.25)
    before = ex.image.value
    ex.controls["activation"].value = "relu"
    ex.controls["x"].value = 2.0
    assert ex.f_point.get_data()[1][0] == pytest.approx(2.0)
    assert ex.df_point.get_data()[1][0] == pytest.approx(1.0)
    assert ex.image.value != before
    ex.controls["range"].value = (-20.0, 20.0)
    ex.controls["x"].value = 20.0
    assert np.isfinite(ex.f_line.get_data()[1]).all()


def test_gradient_descent_explorer_draws_path_and_reports_divergence():
    ex = viz.GradientDescentExplorer("narrow bowl", lr=0.05, steps=30)
    assert len(ex.path_line.get_data()[0]) == 31 and not ex.message.get_visible()
    ex.controls["optimizer"].value = "adam"
    assert ex.controls["momentum"].disabled
    ex.controls["optimizer"].value = "sgd"
    ex.controls["lr"].value = 10.0
    assert (
        ex.diverged and ex.message.get_visible() and "Diverged after" in ex.status.value
    )
    ex.controls["surface"].value = "himmelblau"
    assert (ex.controls["start_x"].value, ex.controls["start_y"].value) == viz.SURFACES[
        "himmelblau"
    ].start
    ex.controls["lr"].value = 0.01
    ex.controls["steps"].value = 200
    assert not ex.diverged
    end = ex.path[-1]
    assert (
        min(np.hypot(*(end - np.array(m))) for m in viz.SURFACES["himmelblau"].minima)
        < 1e-2
    )


# ---- what the reader sees: sharp images, readable controls, explained failures ------------------------


def _css_px(layout_width: str) -> int:
    assert layout_width.endswith("px"), layout_width
    return int(layout_width[:-2])


def test_widget_images_are_rendered_at_twice_their_css_width():
    # A browser then scales every widget image down (sharp), never up (blurred).
    X, y = nl.datasets.make_circles(60, seed=0)
    panels = [
        viz.Playground(n_samples=60, resolution=12, epochs=2),
        viz.ActivationExplorer(),
        viz.GradientDescentExplorer(steps=5),
    ]
    net = viz.NetworkExplorer(X, y, hidden="4", epochs=1)
    for panel in [*panels, net]:
        _ = panel.widget  # building the widget renders its first image
    images = [p.image for p in panels] + [net.view.widget]
    for image in images:
        width, _ = png_size(bytes(image.value))
        assert image.layout.max_width == "100%"
        assert (
            width == 2 * _css_px(image.layout.width)
            or width == 2 * _css_px(image.layout.width) + 1
        )


def test_live_curves_and_network_view_display_at_css_size():
    from nnlib.viz._render import png_css_width

    curves = viz.LiveCurves(display=False)
    assert png_css_width(curves.png()) * 2 == png_size(curves.png())[0]
    model = build_mlp(2, [3], 2)
    view = viz.NetworkView(model)  # plain images: 1 pixel per CSS pixel
    assert view.image().width == png_size(view.png())[0]
    sharp = viz.NetworkView(model, pixel_ratio=2)
    assert sharp.image().width * 2 == png_size(sharp.png())[0]
    with pytest.raises(ValueError, match="png_css_width: expected PNG bytes"):
        png_css_width(b"GIF89a" + bytes(30))


def test_learning_rate_sliders_show_and_use_the_rate_of_the_code():
    pg = viz.Playground(n_samples=60, resolution=12, lr=0.03)
    lr = pg.controls["lr"]
    assert lr.value == 0.03 and lr.label == "0.03" and pg.trainer.optimizer.lr == 0.03
    labels = [label for label, _ in lr.options]
    assert labels[:4] == ["0.0001", "0.0002", "0.0003", "0.0005"] and labels[-1] == "10"
    gd = viz.GradientDescentExplorer()  # 0.18 is not a 1-2-3-5 value: it is added
    assert gd.controls["lr"].value == 0.18 and gd.controls["lr"].label == "0.18"
    assert "lr=0.18" in gd.ax.get_title()
    X, y = nl.datasets.make_circles(60, seed=0)
    assert viz.NetworkExplorer(X, y, lr=0.003).controls["lr"].label == "0.003"
    from nnlib.viz._training import learning_rate_slider

    with pytest.raises(ValueError, match="learning_rate_slider"):
        learning_rate_slider(0.0)


def test_control_descriptions_have_room():
    pg = viz.Playground(n_samples=60, resolution=12)
    # "epochs / Train" is 14 characters: ~95 px at the widgets' 13 px font.
    assert all(c.style.description_width == "105px" for c in pg.controls.values())
    act = viz.ActivationExplorer()
    rng = act.controls["range"]
    assert (rng.min, rng.max) == (-20.0, 20.0) and rng.readout_format == ".1f"
    # The default range spans 30 % of the slider, not 12 % as on -50...50.
    assert (rng.value[1] - rng.value[0]) / (rng.max - rng.min) == pytest.approx(0.3)


def test_network_explorer_shows_filters_first_right_below_the_buttons():
    X, y = nl.datasets.load_digits()[:2]
    X, y = X[:200] / 16, y[:200]
    ex = viz.NetworkExplorer(X, y, hidden="16", image_shape=(8, 8), epochs=1)
    controls, buttons, status, image = ex.widget.children
    assert image is ex.view.widget and ex.train_button in buttons.children
    assert len(controls.children) == 2  # two columns of three controls
    # The filters are the top row of the drawing, above the graph and the heat maps.
    filter_y = min(im.axes.get_position().y0 for im in ex.view.filters)
    others = [
        ax.get_position().y1
        for ax in ex.view.figure.axes
        if ax not in [im.axes for im in ex.view.filters]
    ]
    assert filter_y > max(others)


def test_playground_explains_a_loss_that_exploded_then_stuck_with_dead_units():
    from nnlib.viz._training import stuck_message

    pg = viz.Playground(dataset="moons", noise=0.2, lr=10.0, epochs=200)
    pg.train()
    losses = np.array(pg.trainer.losses)
    assert (
        pg.trainer.diverged is None and np.isfinite(losses).all()
    )  # finite: not "diverged"
    assert losses.max() > 1000 and abs(losses[-1] - np.log(2)) < 0.01
    text = pg.message.get_text()
    assert (
        pg.message.get_visible()
        and "exploded" in text
        and "dead" in text
        and "hidden layer 2" in text
    )
    assert "stuck at 0.693" in pg.status.value and "learning rate 10" in text
    # The message only reports: the same run without a view computes the same losses.
    model = build_mlp(2, [16, 16], 2, seed=0, dtype=np.float32)
    t = Trainer(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), lr=10.0, fused=True),
        pg.Z_train,
        pg.y_train,
        pg.Z_test,
        pg.y_test,
        seed=0,
    )
    t.run(200)
    np.testing.assert_array_equal(t.losses, losses)
    assert stuck_message(t) == text
    healthy = viz.Playground(
        dataset="moons", noise=0.2, n_samples=100, resolution=12, epochs=60
    )
    healthy.train()
    assert not healthy.message.get_visible() and stuck_message(healthy.trainer) is None


def test_stuck_message_needs_an_explosion_and_a_flat_tail():
    from types import SimpleNamespace

    from nnlib.viz._training import stuck_message

    model = build_mlp(2, [3], 2)
    X = np.zeros((4, 2))

    def trainer(losses):
        return SimpleNamespace(
            losses=losses, model=model, X=X, optimizer=SimpleNamespace(lr=1.0)
        )

    flat = [0.7] * 30
    assert stuck_message(trainer(flat)) is None  # never exploded
    assert (
        stuck_message(trainer([0.7, 900.0, *flat])) is not None
    )  # exploded, then flat
    assert (
        stuck_message(trainer([0.7, 900.0, *np.linspace(0.7, 0.1, 30)])) is None
    )  # recovering
    assert (
        stuck_message(trainer([0.7, 900.0, *flat[:-1], np.inf])) is None
    )  # that is "diverged"
