"""A picture of a computation graph: every node with its data and its grad.

``draw_graph`` lays the graph of a ``Value`` out by depth: leaves (inputs and
weights) on the left, the output on the right, each node showing its data and
its grad, each operation as a small circle between its inputs and its result.
Drawn after ``backward()``, it shows the chain rule at work: every grad is the
sum, over the arrows leaving the node, of upstream grad times local derivative.
It uses matplotlib only (no graphviz binary).

Read next: tinygrad_edu/engine/tensor.py (the same idea over whole arrays).
"""
from ..io.atomic import save_figure
from .autograd import topological_order


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
        axes.text(x, y, label, ha="center", va="center", fontsize=8, family="monospace", parse_math=False,
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
