"""Pictures of learning: the computation graph of a Value, and a training History.

``draw_graph`` lays the graph out by depth: leaves (inputs and weights) on the
left, the output on the right, each node showing its data and its grad, each
operation as a small circle between its inputs and its result. It uses
matplotlib only (no graphviz binary). ``plot_history`` draws the loss and
accuracy curves that ``fit`` recorded, training and validation side by side.

Read next: tinygrad_edu/serialization.py (keeping what was learned).
"""
import io


from .autograd import topological_order
from .files import atomic_write_bytes


def _depths(order):
    """Column of each node: 0 for leaves, else one more than its deepest parent."""
    depth = {}
    for node in order:
        depth[node] = 1 + max((depth[parent] for parent in node._parents), default=-1)
    return depth


def _layout(order):
    depth = _depths(order)
    rows_used = {}
    position = {}
    for node in order:
        column = depth[node]
        row = rows_used.get(column, 0)
        rows_used[column] = row + 1
        position[node] = (column * 2.0, -row * 1.0)
    return position


def draw_graph(value, path=None, max_nodes=200):
    """Draw the graph that produced ``value``; save it as PNG if ``path`` is given.

    Returns the matplotlib Figure. Graphs with more than ``max_nodes`` nodes
    are refused, since the picture would be unreadable.
    """
    order = topological_order(value)
    if len(order) > max_nodes:
        raise ValueError(f"draw_graph: the graph has {len(order)} nodes, more than max_nodes={max_nodes} can show")
    position = _layout(order)
    columns = max(x for x, _ in position.values()) / 2 + 1
    rows = max(-y for _, y in position.values()) + 1
    import matplotlib.pyplot as plt  # here, not at the top: pyplot costs ~1 s at `import tinygrad_edu`

    figure, axes = plt.subplots(figsize=(2.6 * columns + 1, 0.9 * rows + 1))
    for node in order:
        x, y = position[node]
        for parent in node._parents:
            px, py = position[parent]
            axes.annotate("", xy=(x - 0.55, y), xytext=(px + 0.55, py),
                          arrowprops=dict(arrowstyle="->", color="0.4", lw=0.8))
        label = f"{node.label + ' | ' if getattr(node, 'label', '') else ''}data {node.data:.4g}\ngrad {node.grad:.4g}"
        axes.text(x, y, label, ha="center", va="center", fontsize=8, family="monospace",
                  bbox=dict(boxstyle="round", fc="white", ec="0.3"))
        if node._op:
            axes.text(x - 0.75, y + 0.28, node._op, ha="center", va="center", fontsize=8,
                      bbox=dict(boxstyle="circle", fc="#dde8f5", ec="0.4"))
    axes.set_xlim(-1.2, 2.0 * (columns - 1) + 1.2)
    axes.set_ylim(-rows + 0.4, 0.8)
    axes.axis("off")
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def plot_history(history, path=None, validation_label="validation", title=None):
    """Loss (and accuracy, if recorded) per epoch, for training and validation data.

    fit() records whatever it was given as ``validation_data`` under "val_*";
    pass ``validation_label="test"`` when that was the test set, so the
    figure does not call it what it is not.
    """
    curves = history.history if hasattr(history, "history") else history
    panels = [name for name in ("loss", "accuracy") if name in curves]
    import matplotlib.pyplot as plt  # imported on first use, as in draw_graph
    from matplotlib.ticker import MaxNLocator

    figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for axis, name in zip(axes[0], panels):
        epochs = range(1, len(curves[name]) + 1)
        axis.plot(epochs, curves[name], "o-", label=f"training {name}")
        if f"val_{name}" in curves:
            axis.plot(epochs, curves[f"val_{name}"], "s--", label=f"{validation_label} {name}")
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel(name)
        axis.grid(alpha=0.3)
        axis.legend()
    if title is not None:
        figure.suptitle(title)
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure


def save_figure(figure, path, dpi=120):
    """Save a figure as PNG atomically: a reader never sees half a file."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    atomic_write_bytes(path, buffer.getvalue())
