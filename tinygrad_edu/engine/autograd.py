"""Reverse-mode automatic differentiation: the one backprop routine.

Every value the engine computes remembers how it was made: its ``_parents``
(the inputs of the operation) and a ``_backward(grad)`` function that maps the
gradient of the output to one gradient per parent (the local chain rule).
For a loss L and a node y = f(x1, ..., xk), the chain rule says

    dL/dxi = sum over every use of xi of  (dL/dy) * (dy/dxi)

so if we visit nodes in reverse topological order (every node after all the
nodes that used it), each node's gradient is complete before it is passed on:

    1. sort the graph topologically (with a stack, so depth has no limit);
    2. walk it backwards, calling each node's ``_backward`` and summing the
       gradients that arrive at each parent.

This module knows nothing about floats or arrays: the ``Node`` protocol below
lists the five members it needs, which ``Value`` (value.py, a scalar),
``Tensor`` (tensor.py, an ndarray) and any other class can provide.
Read next: tinygrad_edu/engine/value.py (the scalar that plugs into it).
"""
import gc
import math
from contextlib import contextmanager
from typing import Any, Iterable, Optional, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Node(Protocol):
    """Everything backward() asks of a node: the autograd contract, written once.

    A node is the output of one operation y = f(x1, ..., xk):

    ``_parents``        the inputs x1..xk (nodes too); a leaf has none.
    ``requires_grad``   False: gradients stop here (a constant, a frozen weight).
    ``_op``             the operation's name, for error messages.
    ``_backward(g)``    the local chain rule: given g = dL/dy, one dL/dxi per
                        parent, g * dy/dxi, in parent order (None: no gradient).
    ``_keep_grad(g)``   receives the node's complete dL/dy once, before
                        ``_backward``: a Value adds it to ``.grad``, a Tensor
                        only if it is a leaf or was asked to ``retain_grad``.

    The sweep touches nothing else: not ``.data``, not ``.grad``, not the kind
    of number. That is why a scalar and an ndarray share one backprop, and why
    ``isinstance(x, Node)`` holds for both (it checks that the members exist).
    """

    _parents: tuple
    requires_grad: bool
    _op: str

    def _backward(self, grad: Any) -> Iterable[Optional[Any]]:
        ...

    def _keep_grad(self, grad: Any) -> None:
        ...


def topological_order(root: Node) -> list[Node]:
    """Every node reachable from ``root``, each listed after all its parents.

    A depth-first search with an explicit stack instead of recursion, so a
    chain of 100,000 operations is as easy as a chain of 10. Each stack entry
    is a node and an iterator over the parents still to visit; a node is
    emitted once that iterator is exhausted. Nodes are tracked by ``id()``,
    never by ``==`` or hash: a Tensor's ``==`` is elementwise, as in PyTorch.
    """
    order = []
    visited = {id(root)}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents_to_visit = stack[-1]
        for parent in parents_to_visit:
            if id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent._parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def backward(root: Node, grad) -> None:
    """Propagate ``grad`` (dL/droot) to every node that requires a gradient.

    Gradients arriving at a node are summed in ``pending`` until the node is
    reached; the node may then keep its total (``_keep_grad``: leaves add it
    to ``.grad``, so the gradients of separate forward passes accumulate, as
    in PyTorch) and pass it on. The graph itself is left as it was; freeing
    it after use is Tensor.backward's business (tensor.py).
    """
    with collector_paused():
        sweep(topological_order(root), grad)


def sweep(order: list[Node], grad) -> None:
    """The walk itself, given ``topological_order(root)`` (root last) and dL/droot.

    Tensor.backward sorts first so that it can refuse a graph an earlier
    backward already freed before any ``.grad`` changes (tensor.py).
    """
    pending = {id(order[-1]): grad}  # keyed by id(): the nodes stay alive in the order list
    checking = _anomaly_mode.enabled
    for node in reversed(order):
        node_grad = pending.pop(id(node), None)
        if node_grad is None:
            continue
        node._keep_grad(node_grad)
        if not node._parents:
            continue
        parent_grads = node._backward(node_grad)
        if checking:
            check_finite(node._op, "backward", parent_grads)
        for parent, parent_grad in zip(node._parents, parent_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            key = id(parent)
            if key in pending:
                pending[key] = pending[key] + parent_grad
            else:
                pending[key] = parent_grad


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector inside a with-block (nested pauses are harmless).

    Our graphs have no reference cycles (a node points to its parents, never
    back), so reference counting frees them; the cyclic collector would only
    re-walk every node alive, every 700 new objects, and find nothing.
    """
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collector_was_on:
            gc.enable()


# ---------------------------------------------------------------------------
# Gradient recording switch and anomaly detection (shared by Value and Tensor).

class _Switch:
    """A process-wide flag that a context manager flips on or off."""

    def __init__(self, enabled):
        self.enabled = enabled


_grad_mode = _Switch(True)
_anomaly_mode = _Switch(False)


@contextmanager
def _switched(switch, enabled):
    previous = switch.enabled
    switch.enabled = enabled
    try:
        yield
    finally:
        switch.enabled = previous


def no_grad():
    """Context manager: operations inside record no graph (like torch.no_grad)."""
    return _switched(_grad_mode, False)


def enable_grad():
    """Context manager: turn graph recording back on inside a ``no_grad`` block."""
    return _switched(_grad_mode, True)


def is_grad_enabled():
    return _grad_mode.enabled


def detect_anomaly():
    """Context manager: raise as soon as an op's forward or backward makes NaN or inf.

    The error names the first op at fault, which is usually far more useful
    than a NaN loss noticed a hundred steps later.
    """
    return _switched(_anomaly_mode, True)


def check_finite(op, phase, values):
    """Raise FloatingPointError naming ``op`` if any of ``values`` is NaN or inf."""
    for position, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, float):
            finite = math.isfinite(value)
        else:
            finite = bool(np.all(np.isfinite(value)))
        if not finite:
            where = "output" if phase == "forward" else f"gradient for input {position}"
            raise FloatingPointError(
                f"detect_anomaly: op '{op}' produced NaN or inf in its {phase} pass ({where})"
            )
