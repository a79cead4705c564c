"""Stepping through backpropagation on a small graph of scalars (chapter 5, "Try it").

A graph is a list of ``Node`` in topological order (every node after its inputs). The pure
helpers compute the forward values, the gradients of the last node (the loss) with respect to
every node, and the sequence of ``Frame`` a learner steps through: first the forward pass, one
node at a time, then the backward pass in reverse, where each step takes one node whose
gradient is complete and passes ``gradient * local derivative`` to each of its inputs. Where a
value feeds several nodes, its gradient is the sum of what they pass back, and the frames show
the partial sums growing. ``BackpropStepper`` draws one frame with a slider to step through
them; ``draw_frame`` and ``filmstrip`` draw frames into matplotlib axes for the static book.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from matplotlib.transforms import Bbox

from ._render import figure_png, new_figure, png_css_width, sharp_layout

#: Operations a node can apply: name -> (forward(values) -> value,
#: local(values, out) -> d out / d input for each input). Inputs are scalars.
OPS = {
    "input": (None, None),
    "mul": (lambda v: v[0] * v[1], lambda v, out: [v[1], v[0]]),
    "add": (lambda v: sum(v), lambda v, out: [1.0] * len(v)),
    "tanh": (lambda v: math.tanh(v[0]), lambda v, out: [1.0 - out * out]),
    "sigmoid": (
        lambda v: 1.0 / (1.0 + math.exp(-v[0])),
        lambda v, out: [out * (1.0 - out)],
    ),
    "relu": (lambda v: max(v[0], 0.0), lambda v, out: [1.0 if v[0] > 0 else 0.0]),
    "square_error": (
        lambda v: (v[0] - v[1]) ** 2,
        lambda v, out: [2.0 * (v[0] - v[1]), -2.0 * (v[0] - v[1])],
    ),
}

#: How each operation's local derivatives are written, for the frame's explanation.
LOCAL_FORMULA = {
    "mul": ["{1}", "{0}"],
    "add": ["1"] * 8,
    "tanh": ["(1 − {out}²)"],
    "sigmoid": ["{out}(1 − {out})"],
    "relu": ["[{0} > 0]"],
    "square_error": ["2({0} − {1})", "(−2)({0} − {1})"],
}

#: How each operation is written inside its node.
NODE_LABEL = {
    "mul": "{name} = {0}·{1}",
    "add": "{name} = {0} + {1}",
    "tanh": "{name} = tanh {0}",
    "sigmoid": "{name} = σ({0})",
    "relu": "{name} = relu {0}",
    "square_error": "{name} = ({0} − {1})²",
}


def node_label(node: Node) -> str:
    """The text drawn in a node's box: its name, and for a computed node its formula."""
    if node.op == "input":
        return node.name
    if node.op == "add" and len(node.inputs) != 2:
        return f"{node.name} = " + " + ".join(node.inputs)
    return NODE_LABEL[node.op].format(*node.inputs, name=node.name)


@dataclass(frozen=True)
class Node:
    """One scalar of the graph: ``name``, its ``op`` (a key of ``OPS``), the names of its
    ``inputs``, and where it is drawn, ``pos`` = (x, y)."""

    name: str
    op: str
    inputs: tuple[str, ...] = ()
    pos: tuple[float, float] = (0.0, 0.0)


@dataclass
class Frame:
    """What one step shows: the ``node`` it is about, whether it is a ``"forward"`` or a
    ``"backward"`` step, the values and (partial) gradients known after it, the edges it uses
    as (input, node, local derivative or None), and a one-line ``text``."""

    kind: str
    node: str
    values: dict[str, float]
    grads: dict[str, float]
    edges: list[tuple[str, str, float | None]] = field(default_factory=list)
    text: str = ""


def _check_graph(graph: list[Node]) -> dict[str, Node]:
    if not isinstance(graph, (list, tuple)) or not graph:
        raise ValueError(
            f"backprop graph: expected a non-empty list of Node, got {graph!r}"
        )
    seen: dict[str, Node] = {}
    for node in graph:
        if not isinstance(node, Node):
            raise TypeError(
                f"backprop graph: expected Node items, got {type(node).__name__}"
            )
        if node.op not in OPS:
            raise ValueError(
                f"backprop graph: node {node.name!r} has unknown op {node.op!r}; "
                f"choose one of {sorted(OPS)}"
            )
        if node.name in seen:
            raise ValueError(f"backprop graph: two nodes are called {node.name!r}")
        for name in node.inputs:
            if name not in seen:
                raise ValueError(
                    f"backprop graph: node {node.name!r} uses {name!r} before it "
                    f"is defined (list nodes in topological order)"
                )
        if (node.op == "input") != (not node.inputs):
            raise ValueError(
                f"backprop graph: node {node.name!r}: only 'input' nodes have no inputs"
            )
        seen[node.name] = node
    return seen


def forward_values(graph: list[Node], inputs: dict[str, float]) -> dict[str, float]:
    """The value of every node (name -> float) for the given values of the input nodes."""
    nodes = _check_graph(graph)
    values: dict[str, float] = {}
    for node in nodes.values():
        if node.op == "input":
            if node.name not in inputs:
                raise ValueError(
                    f"forward_values: no value given for input {node.name!r}"
                )
            values[node.name] = float(inputs[node.name])
        else:
            values[node.name] = float(OPS[node.op][0]([values[n] for n in node.inputs]))
    return values


def local_derivatives(node: Node, values: dict[str, float]) -> list[float]:
    """d node / d input for each of ``node.inputs`` at ``values``."""
    return [
        float(d)
        for d in OPS[node.op][1]([values[n] for n in node.inputs], values[node.name])
    ]


def backward_grads(graph: list[Node], values: dict[str, float]) -> dict[str, float]:
    """dL/d(node) for every node, L being the last node: the reverse pass, summing over uses."""
    nodes = _check_graph(graph)
    grads = {name: 0.0 for name in nodes}
    grads[graph[-1].name] = 1.0
    for node in reversed(graph):
        if node.op == "input":
            continue
        for name, local in zip(node.inputs, local_derivatives(node, values)):
            grads[name] += grads[node.name] * local
    return grads


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def backprop_frames(graph: list[Node], inputs: dict[str, float]) -> list[Frame]:
    """The steps of one forward and one backward pass, as ``Frame`` objects.

    Frame 0 shows the inputs; then one frame per computed node in forward order; then one per
    computed node in reverse order, each passing its complete gradient to its inputs.
    """
    values = forward_values(graph, inputs)  # also checks the graph
    loss = graph[-1].name
    inputs_only = {n.name: values[n.name] for n in graph if n.op == "input"}
    frames = [
        Frame(
            "forward",
            graph[0].name,
            dict(inputs_only),
            {},
            text="Forward pass: the inputs are given.",
        )
    ]
    known = dict(inputs_only)
    for node in graph:
        if node.op == "input":
            continue
        known[node.name] = values[node.name]
        args = ", ".join(f"{n} = {_fmt(values[n])}" for n in node.inputs)
        frames.append(
            Frame(
                "forward",
                node.name,
                dict(known),
                {},
                [(n, node.name, None) for n in node.inputs],
                f"Forward: {node.name} = {node.op}({args}) = {_fmt(values[node.name])}",
            )
        )
    grads = {loss: 1.0}
    for node in reversed(graph):
        if node.op == "input":
            continue
        locals_ = local_derivatives(node, values)
        parts = []
        for i, (name, local) in enumerate(zip(node.inputs, locals_)):
            before = grads.get(name)
            grads[name] = (before or 0.0) + grads[node.name] * local
            formula = LOCAL_FORMULA[node.op][i].format(*node.inputs, out=node.name)
            part = (
                f"∂L/∂{name} += {_fmt(grads[node.name])}·{formula} = "
                f"{_fmt(grads[node.name] * local)}"
            )
            if before is not None:  # a second path: the gradients add
                part += (
                    f", so ∂L/∂{name} = {_fmt(before)} + {_fmt(grads[node.name] * local)}"
                    f" = {_fmt(grads[name])}"
                )
            parts.append(part)
        frames.append(
            Frame(
                "backward",
                node.name,
                dict(values),
                dict(grads),
                [(n, node.name, d) for n, d in zip(node.inputs, locals_)],
                f"Backward at {node.name} (∂L/∂{node.name} = "
                f"{_fmt(grads[node.name])}): " + ";  ".join(parts),
            )
        )
    return frames


def small_network_graph() -> list[Node]:
    """A 1-2-1 tanh network with a squared error, as a graph of 14 scalars.

    ``z_j = w_j x``, ``a_j = tanh(z_j)``, ``yhat = v_1 a_1 + v_2 a_2``, ``L = (yhat - y)^2`` for a target ``y``.
    The input ``x`` feeds both hidden units, so its gradient is the sum of two paths.
    """
    return [
        Node("x", "input", pos=(0.0, 2.0)),
        Node("w1", "input", pos=(0.0, 3.4)),
        Node("w2", "input", pos=(0.0, 0.6)),
        Node("z1", "mul", ("w1", "x"), (2.0, 3.0)),
        Node("z2", "mul", ("w2", "x"), (2.0, 1.0)),
        Node("a1", "tanh", ("z1",), (4.0, 3.0)),
        Node("a2", "tanh", ("z2",), (4.0, 1.0)),
        Node("v1", "input", pos=(4.0, 4.3)),
        Node("v2", "input", pos=(4.0, -0.3)),
        Node("p1", "mul", ("v1", "a1"), (6.0, 3.0)),
        Node("p2", "mul", ("v2", "a2"), (6.0, 1.0)),
        Node("yhat", "add", ("p1", "p2"), (8.2, 2.0)),
        Node("y", "input", pos=(8.2, 3.5)),
        Node("L", "square_error", ("yhat", "y"), (10.4, 2.0)),
    ]


#: Default values of the inputs of ``small_network_graph``.
SMALL_NETWORK_INPUTS = {
    "x": 0.8,
    "w1": 1.2,
    "w2": -0.7,
    "v1": 0.9,
    "v2": -1.1,
    "y": 0.5,
}


#: Space, in points, that an edge's "×derivative" label keeps from every box (``BOX_GAP``) and
#: from every number and other label (``LABEL_GAP``, wider: two numbers side by side would read
#: as one).
BOX_GAP = 2.0
LABEL_GAP = 4.0


def _renderer(fig):
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def _extent(text, renderer) -> Bbox:
    """Where ``text`` is drawn, in pixels, including its box (``bbox=``) if it has one."""
    extent = text.get_window_extent(renderer)
    if text.get_bbox_patch() is not None:
        text.update_bbox_position_size(renderer)
        extent = Bbox.union([extent, text.get_bbox_patch().get_window_extent(renderer)])
    return extent


def _clash(
    extent: Bbox,
    others: list[tuple[Bbox, float]],
    points: np.ndarray,
    area: Bbox,
    point_gap: float,
) -> float:
    """How much ``extent`` overlaps the boxes of ``others``, each grown by its gap in pixels,
    and the ``points`` (k, 2) of other arrows, or leaves ``area`` (square pixels; 0 is clear)."""
    cost = 0.0
    for box, gap in others:
        grown = Bbox.from_extents(
            box.x0 - gap, box.y0 - gap, box.x1 + gap, box.y1 + gap
        )
        overlap = Bbox.intersection(extent, grown)
        cost += overlap.width * overlap.height if overlap else 0.0
    # A label on another arrow would hide part of it and seem to belong to it.
    x0, y0 = extent.x0 - point_gap, extent.y0 - point_gap
    x1, y1 = extent.x1 + point_gap, extent.y1 + point_gap
    px, py = points[:, 0], points[:, 1]
    on_arrows = int(np.sum((px > x0) & (px < x1) & (py > y0) & (py < y1)))
    inside = Bbox.intersection(extent, area)
    outside = extent.width * extent.height - (
        inside.width * inside.height if inside else 0.0
    )
    return cost + outside + point_gap**2 * on_arrows


def _arrow_ends(
    boxes: dict, src: str, dst: str, renderer
) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates where the arrow ``src -> dst`` leaves its input's box and meets the
    node's: the middle of the right edge of one and of the left edge of the other."""
    a, b = _extent(boxes[src], renderer), _extent(boxes[dst], renderer)
    return np.array([a.x1, (a.y0 + a.y1) / 2]), np.array([b.x0, (b.y0 + b.y1) / 2])


def _place_edge_labels(
    ax,
    labels: list[tuple[str, str, str]],
    boxes: dict,
    obstacles: list,
    arrows: list[tuple[str, str]],
) -> None:
    """Draw each ``(input, node, text)`` label on or beside the arrow from the input's box to
    the node's.

    A label at the middle of its arrow can touch a box or a number when the boxes are close or
    the arrow is steep, so each is tried at several points along its arrow, on it and beside
    it, and put at the first point where it is clear (by ``BOX_GAP`` or ``LABEL_GAP``) of every
    box, number, label already placed and other arrow (of ``arrows``, all the (input, node) pairs drawn),
    and inside the axes. Sizes are measured in pixels, so the axes must already have their
    final position and limits.
    """
    fig = ax.figure
    renderer = _renderer(fig)
    box_gap, gap, step = (p * fig.dpi / 72 for p in (BOX_GAP, LABEL_GAP, 7.0))
    area = ax.get_window_extent(renderer)
    to_data = ax.transData.inverted()
    taken = [
        (_extent(o, renderer), box_gap if o in boxes.values() else gap)
        for o in obstacles
    ]
    ends = {edge: _arrow_ends(boxes, *edge, renderer) for edge in arrows}
    samples = np.linspace(0.0, 1.0, 25)[:, None]
    for src, dst, text in labels:
        start, end = ends[src, dst]
        along = end - start
        across = np.array([-along[1], along[0]]) / max(float(np.hypot(*along)), 1e-9)
        others = [
            a + samples * (b - a) for edge, (a, b) in ends.items() if edge != (src, dst)
        ]
        points = np.vstack(others) if others else np.empty((0, 2))
        label = ax.text(
            0.0,
            0.0,
            text,
            fontsize=8,
            color="tab:red",
            ha="center",
            va="center",
            zorder=4,
            gid=f"edge:{src}->{dst}",
            bbox=dict(facecolor="white", edgecolor="none", pad=0.5),
        )
        # On the arrow near its middle first, then further along it, then beside it.
        best = None
        for side in (0, 1, -1, 2, -2, 3, -3):
            for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
                label.set_position(
                    to_data.transform(start + t * along + side * step * across)
                )
                cost = _clash(_extent(label, renderer), taken, points, area, box_gap)
                if best is None or cost < best[0]:
                    best = (cost, label.get_position())
                if cost == 0:
                    break
            if best[0] == 0:
                break
        label.set_position(best[1])
        taken.append((_extent(label, renderer), gap))


def draw_frame(ax, graph: list[Node], frame: Frame, show_text: bool = True) -> None:
    """Draw ``frame`` of ``graph`` into ``ax``: values in black above the nodes, gradients in
    red below (partial sums in orange), the current node highlighted, the edges it uses in
    blue (forward) or red with their local derivative (backward).

    The local derivatives' labels are placed clear of the boxes and numbers for the axes' size
    at the time of the call: give the figure its final layout first (no ``constrained``
    layout, which moves the axes when it is drawn). Every text carries a ``gid``:
    ``node:<name>``, ``value:<name>``, ``grad:<name>``, ``edge:<input>-><name>``.
    """
    nodes = _check_graph(graph)
    ax.clear()
    # The final limits first: the edge labels are placed by measuring in pixels.
    xs = [n.pos[0] for n in graph]
    ys = [n.pos[1] for n in graph]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.7)
    ax.set_xticks([])
    ax.set_yticks([])
    complete = set()
    if frame.kind == "backward":
        # A gradient is complete once every node that uses it has passed its share back.
        users = {n: [m.name for m in graph if n in m.inputs] for n in nodes}
        done = set()
        for node in reversed(graph):
            if node.op != "input":
                done.add(node.name)
            if node.name == frame.node:
                break
        complete = {n for n in frame.grads if all(u in done for u in users[n])}
    used = {(s, d): local for s, d, local in frame.edges}
    boxes, numbers = {}, []
    for node in graph:
        x, y = node.pos
        current = node.name == frame.node
        face = "gold" if current else ("white" if node.op == "input" else "lightyellow")
        boxes[node.name] = ax.text(
            x,
            y,
            node_label(node),
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
            gid=f"node:{node.name}",
            bbox=dict(
                boxstyle="round",
                facecolor=face,
                edgecolor="black" if current else "grey",
                linewidth=2.0 if current else 0.8,
            ),
        )
        if node.name in frame.values:
            numbers.append(
                ax.text(
                    x,
                    y + 0.42,
                    _fmt(frame.values[node.name]),
                    ha="center",
                    fontsize=8,
                    gid=f"value:{node.name}",
                )
            )
        if node.name in frame.grads:
            color = "tab:red" if node.name in complete else "darkorange"
            numbers.append(
                ax.text(
                    x,
                    y - 0.5,
                    f"∂L: {_fmt(frame.grads[node.name])}",
                    ha="center",
                    fontsize=8,
                    color=color,
                    gid=f"grad:{node.name}",
                )
            )
    labels = []
    for node in graph:
        for src in node.inputs:
            active = (src, node.name) in used
            color = (
                ("tab:blue" if frame.kind == "forward" else "tab:red")
                if active
                else "0.75"
            )
            # From the right edge of the input's box to the left edge of the node's box.
            ax.annotate(
                "",
                xy=(0.0, 0.5),
                xycoords=boxes[node.name],
                xytext=(1.0, 0.5),
                textcoords=boxes[src],
                zorder=2,
                arrowprops=dict(
                    arrowstyle="->",
                    color=color,
                    shrinkA=4,
                    shrinkB=4,
                    linewidth=2.0 if active else 1.0,
                ),
            )
            local = used.get((src, node.name))
            if active and local is not None:
                labels.append((src, node.name, f"×{_fmt(local)}"))
    legend = ax.text(
        0.01,
        0.01,
        "black: value   red: ∂L/∂node   orange: still being summed",
        transform=ax.transAxes,
        fontsize=7,
        color="0.3",
        gid="legend",
    )
    arrows = [(src, node.name) for node in graph for src in node.inputs]
    _place_edge_labels(ax, labels, boxes, [*boxes.values(), *numbers, legend], arrows)
    if show_text:
        ax.set_xlabel(frame.text, fontsize=8, wrap=True)


def filmstrip(
    graph: list[Node] | None = None,
    inputs: dict[str, float] | None = None,
    frames: list[int] | None = None,
    ncols: int = 2,
):
    """A matplotlib ``Figure`` with several frames side by side: the static form of the stepper.

    By default: the finished forward pass, the first backward step (at the loss), and the
    last two steps: ``x`` first receives the share of one path (orange, partial), then the
    other, and holds their sum.
    """
    import matplotlib.pyplot as plt

    graph = small_network_graph() if graph is None else graph
    inputs = SMALL_NETWORK_INPUTS if inputs is None else inputs
    all_frames = backprop_frames(graph, inputs)
    n_forward = sum(f.kind == "forward" for f in all_frames)
    if frames is None:
        frames = [n_forward - 1, n_forward, len(all_frames) - 2, len(all_frames) - 1]
    nrows = math.ceil(len(frames) / ncols)
    # Fixed margins, not a constrained layout: draw_frame places its labels for the axes' size
    # when it is called, and a constrained layout would resize the axes afterwards.
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6.2 * ncols, 3.9 * nrows), squeeze=False
    )
    fig.subplots_adjust(
        left=0.01,
        right=0.99,
        bottom=0.02 / nrows,
        top=1 - 0.08 / nrows,
        wspace=0.03,
        hspace=0.1,
    )
    for ax, index in zip(axes.flat, frames):
        frame = all_frames[index]
        draw_frame(ax, graph, frame, show_text=False)
        ax.set_title(
            f"step {index} of {len(all_frames) - 1} ({frame.kind}, at {frame.node})",
            fontsize=10,
        )
    for ax in list(axes.flat)[len(frames) :]:
        ax.set_visible(False)
    return fig


class BackpropStepper:
    """Step through the forward and backward pass of a small graph, one node at a time.

    Controls: the step (a slider and a play button), and the input ``x`` and target ``y``.
    Black numbers are forward values, red ones complete gradients dL/d(node), orange ones
    gradients that are still being summed (a value used twice waits for both uses).
    """

    def __init__(
        self, step: int = 0, x: float | None = None, y: float | None = None
    ) -> None:
        import ipywidgets as w

        self.graph = small_network_graph()
        self.inputs = dict(SMALL_NETWORK_INPUTS)
        if x is not None:
            self.inputs["x"] = float(x)
        if y is not None:
            self.inputs["y"] = float(y)
        self.frames = backprop_frames(self.graph, self.inputs)
        last = len(self.frames) - 1
        if not 0 <= int(step) <= last:
            raise ValueError(f"BackpropStepper: step must be in 0..{last}, got {step}")
        self.controls = {
            "step": w.IntSlider(value=int(step), min=0, max=last, description="step"),
            "play": w.Play(
                value=int(step), min=0, max=last, interval=900, description="play"
            ),
            "x": w.FloatSlider(
                value=self.inputs["x"],
                min=-2.0,
                max=2.0,
                step=0.1,
                description="input x",
            ),
            "y": w.FloatSlider(
                value=self.inputs["y"],
                min=-1.0,
                max=1.0,
                step=0.1,
                description="target y",
            ),
        }
        w.jslink((self.controls["play"], "value"), (self.controls["step"], "value"))
        self.figure = new_figure(7.6, 4.4)
        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.04, top=0.92)
        self.image = w.Image(format="png")
        self.text = w.HTML()
        for name, control in self.controls.items():
            if name != "play":
                control.observe(lambda _: self.update(), names="value")
        self._box = None
        self.update()

    def update(self) -> None:
        """Recompute the frames for the inputs and redraw the current step."""
        c = self.controls
        self.inputs["x"], self.inputs["y"] = c["x"].value, c["y"].value
        self.frames = backprop_frames(self.graph, self.inputs)
        frame = self.frames[c["step"].value]
        draw_frame(self.ax, self.graph, frame, show_text=False)
        self.ax.set_title(
            f"step {c['step'].value} of {len(self.frames) - 1}: {frame.kind} "
            f"pass, at {frame.node}",
            fontsize=10,
        )
        self.text.value = f"<code>{frame.text}</code>"
        self.image.value = figure_png(self.figure)

    @property
    def widget(self):
        """The controls above the graph and the explanation of the current step."""
        if self._box is None:
            import ipywidgets as w

            c = self.controls
            # At its CSS size (the PNG has PIXEL_RATIO pixels per CSS pixel), never stretched
            # to the output's width, which would upscale and blur it.
            self.image.layout = sharp_layout(png_css_width(self.image.value))
            self._box = w.VBox(
                [
                    w.HBox([c["play"], c["step"]]),
                    w.HBox([c["x"], c["y"]]),
                    self.text,
                    self.image,
                ]
            )
        return self._box

    def show(self) -> None:
        """Display the stepper."""
        from IPython.display import display

        display(self.widget)


__all__ = [
    "Node",
    "Frame",
    "OPS",
    "node_label",
    "forward_values",
    "local_derivatives",
    "backward_grads",
    "backprop_frames",
    "small_network_graph",
    "SMALL_NETWORK_INPUTS",
    "draw_frame",
    "filmstrip",
    "BackpropStepper",
]
