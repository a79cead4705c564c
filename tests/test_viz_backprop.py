"""The backprop stepper of chapter 5: its pure helpers compute true gradients and its frames
tell the backward pass in the right order."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import nnlib as nl
from nnlib.viz import backprop_stepper as bs

GRAPH = bs.small_network_graph()
INPUT_NAMES = [n.name for n in GRAPH if n.op == "input"]


def loss_of(inputs):
    return bs.forward_values(GRAPH, inputs)["L"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_grads_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=len(INPUT_NAMES))
    inputs = dict(zip(INPUT_NAMES, theta))
    grads = bs.backward_grads(GRAPH, bs.forward_values(GRAPH, inputs))
    numeric = nl.numerical_grad(lambda: loss_of(dict(zip(INPUT_NAMES, theta))), theta)
    exact = np.array([grads[name] for name in INPUT_NAMES])
    assert nl.relative_error(exact, numeric) < 1e-8


def test_forward_values_are_the_formulas():
    v = bs.forward_values(GRAPH, bs.SMALL_NETWORK_INPUTS)
    i = bs.SMALL_NETWORK_INPUTS
    yhat = i["v1"] * math.tanh(i["w1"] * i["x"]) + i["v2"] * math.tanh(i["w2"] * i["x"])
    assert v["yhat"] == pytest.approx(yhat, rel=1e-14)
    assert v["L"] == pytest.approx((yhat - i["y"]) ** 2, rel=1e-14)


def test_gradient_of_a_shared_input_is_the_sum_of_its_paths():
    i = bs.SMALL_NETWORK_INPUTS
    v = bs.forward_values(GRAPH, i)
    g = bs.backward_grads(GRAPH, v)
    dL_dyhat = 2 * (v["yhat"] - i["y"])
    path1 = dL_dyhat * i["v1"] * (1 - v["a1"] ** 2) * i["w1"]
    path2 = dL_dyhat * i["v2"] * (1 - v["a2"] ** 2) * i["w2"]
    assert g["x"] == pytest.approx(path1 + path2, rel=1e-12)
    assert abs(path1) > 0.1 and abs(path2) > 0.1  # both paths matter at the defaults


def test_frames_run_forward_in_order_then_backward_in_reverse():
    frames = bs.backprop_frames(GRAPH, bs.SMALL_NETWORK_INPUTS)
    computed = [n.name for n in GRAPH if n.op != "input"]
    assert len(frames) == 1 + 2 * len(computed)
    forward = [f.node for f in frames[1 : 1 + len(computed)]]
    backward = [f.node for f in frames[1 + len(computed) :]]
    assert forward == computed and backward == computed[::-1]
    by_name = {n.name: n for n in GRAPH}
    for f in frames[1 : 1 + len(computed)]:
        assert f.kind == "forward" and not f.grads
        assert all(name in f.values for name in by_name[f.node].inputs)
    final = bs.backward_grads(GRAPH, bs.forward_values(GRAPH, bs.SMALL_NETWORK_INPUTS))
    for f in frames[1 + len(computed) :]:
        assert f.kind == "backward"
        # When a node passes its gradient down, that gradient is already complete.
        assert f.grads[f.node] == pytest.approx(final[f.node], rel=1e-12)
        assert [e[:2] for e in f.edges] == [(n, f.node) for n in by_name[f.node].inputs]
    assert frames[-1].grads == pytest.approx(final, rel=1e-12)


def test_shared_input_is_partial_until_its_last_use_is_processed():
    frames = bs.backprop_frames(GRAPH, bs.SMALL_NETWORK_INPUTS)
    i = bs.SMALL_NETWORK_INPUTS
    v = bs.forward_values(GRAPH, i)
    g = bs.backward_grads(GRAPH, v)
    before_last = frames[-2]  # the backward step at z2 (z1 comes last)
    assert before_last.node == "z2"
    assert before_last.grads["x"] == pytest.approx(g["z2"] * i["w2"], rel=1e-12)
    assert before_last.grads["x"] != pytest.approx(g["x"])
    assert "so ∂L/∂x =" in frames[-1].text  # the second path is added and said so


def test_node_labels():
    labels = {n.name: bs.node_label(n) for n in GRAPH}
    assert labels["x"] == "x"
    assert labels["z1"] == "z1 = w1·x"
    assert labels["a2"] == "a2 = tanh z2"
    assert labels["L"] == "L = (yhat − y)²"


def test_bad_graphs_and_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown op 'cube'"):
        bs.forward_values(
            [bs.Node("x", "input"), bs.Node("y", "cube", ("x",))], {"x": 1.0}
        )
    with pytest.raises(ValueError, match="uses 'x' before it is defined"):
        bs.forward_values(
            [bs.Node("y", "tanh", ("x",)), bs.Node("x", "input")], {"x": 1.0}
        )
    with pytest.raises(ValueError, match="no value given for input 'y'"):
        bs.forward_values(GRAPH, {k: 1.0 for k in INPUT_NAMES if k != "y"})
    with pytest.raises(ValueError, match="non-empty list"):
        bs.backprop_frames([], {})
    with pytest.raises(TypeError, match="expected Node"):
        bs.backward_grads(["x"], {})


def test_other_ops_have_true_local_derivatives():
    graph = [
        bs.Node("a", "input"),
        bs.Node("b", "input"),
        bs.Node("s", "sigmoid", ("a",)),
        bs.Node("r", "relu", ("b",)),
        bs.Node("L", "add", ("s", "r", "a")),
    ]
    theta = np.array([0.3, 0.7])

    def f():
        return bs.forward_values(graph, {"a": theta[0], "b": theta[1]})["L"]

    g = bs.backward_grads(graph, bs.forward_values(graph, {"a": 0.3, "b": 0.7}))
    numeric = nl.numerical_grad(f, theta)
    assert nl.relative_error(np.array([g["a"], g["b"]]), numeric) < 1e-8


def test_stepper_draws_each_step_and_follows_its_controls():
    pytest.importorskip("ipywidgets")
    stepper = bs.BackpropStepper(step=3)
    first = stepper.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert "a1" in stepper.text.value
    stepper.controls["step"].value = len(stepper.frames) - 1
    assert stepper.image.value != first and "so ∂L/∂x" in stepper.text.value
    stepper.controls["x"].value = -1.0
    assert stepper.frames[-1].values["x"] == -1.0
    with pytest.raises(ValueError, match="step must be in 0..16"):
        bs.BackpropStepper(step=17)


def test_filmstrip_has_one_panel_per_frame():
    fig = bs.filmstrip(frames=[0, 8, 16])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert visible[2].get_title().startswith("step 16 of 16 (backward, at z1)")
