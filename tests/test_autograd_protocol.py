"""The autograd contract: Value and Tensor satisfy autograd.Node, and the sweep needs nothing else."""
import gc
import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value
from tinygrad_edu.engine import autograd
from tinygrad_edu.engine.autograd import Node, collector_paused
from tinygrad_edu.engine.value import MLP


def protocol_members():
    """The names Node declares: its annotated attributes and its methods."""
    methods = {name for name, member in vars(Node).items() if callable(member) and not name.startswith("__")}
    return set(Node.__annotations__) | methods


def test_the_protocol_names_exactly_the_five_members():
    assert protocol_members() == {"_parents", "requires_grad", "_op", "_backward", "_keep_grad"}


@pytest.mark.parametrize("node", [
    Value(2.0), Value(2.0) * Value(3.0),
    Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 2.0], requires_grad=True) * 3.0, Tensor([1, 2]),
], ids=["value leaf", "value op", "tensor leaf", "tensor op", "tensor constant"])
def test_value_and_tensor_satisfy_the_node_protocol(node):
    assert isinstance(node, Node)


def test_an_object_missing_a_member_is_not_a_node():
    class NoKeepGrad:
        _parents, requires_grad, _op = (), True, "x"

        def _backward(self, grad):
            return []

    assert not isinstance(NoKeepGrad(), Node) and not isinstance(3.0, Node)


class Dual:
    """A third kind of node: the protocol's members, its local derivatives, and a log of what it received.

    No ``data``, no ``grad``: ``__slots__`` forbids everything else, so an
    attribute the sweep reached for beyond the protocol would raise AttributeError.
    """
    __slots__ = ("_parents", "requires_grad", "_op", "_local_grads", "_received")

    def __init__(self, parents=(), local_grads=(), op="leaf", requires_grad=True):
        self._parents, self._local_grads, self._op, self.requires_grad = parents, local_grads, op, requires_grad
        self._received = []

    def _backward(self, grad):
        return [grad * local for local in self._local_grads]

    def _keep_grad(self, grad):
        self._received.append(grad)


def test_a_minimal_third_class_backpropagates_through_autograd_backward():
    # f(x, y) = (x * y) * x + y with x = 3, y = 5:  df/dx = 2xy = 30, df/dy = x^2 + 1 = 10
    x_value, y_value = 3.0, 5.0
    x, y = Dual(), Dual()
    product = Dual((x, y), (y_value, x_value), "*")
    square_term = Dual((product, x), (x_value, x_value * y_value), "*")
    frozen = Dual(requires_grad=False)
    f = Dual((square_term, y, frozen), (1.0, 1.0, 1.0), "+")
    autograd.backward(f, 1.0)
    assert x._received == [2 * x_value * y_value]  # both paths summed before x is reached, once
    assert y._received == [x_value ** 2 + 1]
    assert frozen._received == []  # requires_grad=False: gradients stop there


class Spy:
    """Wraps a node; answers every attribute from it, recording which names were asked for."""

    def __init__(self, node, asked, wrapped):
        object.__setattr__(self, "_node", node)
        object.__setattr__(self, "_asked", asked)
        object.__setattr__(self, "_wrapped", wrapped)

    def __getattr__(self, name):
        self._asked.add(name)
        if name == "_parents":
            return tuple(spy_on(parent, self._asked, self._wrapped) for parent in self._node._parents)
        return getattr(self._node, name)


def spy_on(node, asked, wrapped):
    if id(node) not in wrapped:  # one spy per node, so the sweep sees a DAG, not a tree
        wrapped[id(node)] = Spy(node, asked, wrapped)
    return wrapped[id(node)]


def value_graph():
    a, b = Value(0.7), Value(-1.3)
    return (a * b + a.tanh() * b.exp() - (a ** 2).relu() / b).sigmoid(), (a, b)


def tensor_graph():
    a = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    b = Tensor(np.ones((3, 2)) * 0.5, requires_grad=True)
    return ((a @ b).tanh() * 2 + a.sum()).sum(), (a, b)


@pytest.mark.parametrize("build", [value_graph, tensor_graph], ids=["Value", "Tensor"])
def test_the_sweep_touches_only_protocol_members_and_gets_the_same_gradients(build):
    root, leaves = build()
    seed = 1.0 if isinstance(root, Value) else np.ones_like(root.data)
    autograd.backward(root, seed)
    expected = [np.copy(leaf.grad) for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0 if isinstance(leaf, Value) else None
    asked = set()
    autograd.backward(spy_on(root, asked, {}), seed)
    assert asked <= protocol_members(), asked - protocol_members()
    assert {"_parents", "_backward", "_keep_grad"} <= asked
    for leaf, grad in zip(leaves, expected):
        np.testing.assert_array_equal(leaf.grad, grad)


def reference_gradients(root, seed):
    """dL/dnode for every Value, summed in the old sweep's order: a plain reverse-mode reference."""
    order = autograd.topological_order(root)
    grads = {id(root): seed}
    for node in reversed(order):
        node_grad = grads.get(id(node), 0.0)
        for parent, local in zip(node._parents, node._local_grads):
            grads[id(parent)] = grads.get(id(parent), 0.0) + node_grad * local
    return grads


def test_mlp_training_gradients_equal_a_plain_reference_sweep_bit_for_bit():
    model = MLP(2, [6, 6, 1], seed=4, fused=False)
    points = np.random.default_rng(2).normal(size=(10, 2))
    loss = sum((1 + -(1.0 if a * b > 0 else -1.0) * model([Value(a), Value(b)])).relu() for a, b in points)
    loss = loss * 0.1 + 1e-4 * sum(p * p for p in model.parameters())
    expected = reference_gradients(loss, 1.0)
    loss.backward()
    assert [p.grad for p in model.parameters()] == [expected.get(id(p), 0.0) for p in model.parameters()]


def test_micrograd_package_gets_the_same_gradients_on_the_same_graph():
    micrograd = pytest.importorskip("micrograd.nn")
    from micrograd.engine import Value as MicroValue

    ours, theirs = MLP(2, [8, 8, 1], seed=7, fused=False), micrograd.MLP(2, [8, 8, 1])
    for mine, other in zip(ours.parameters(), theirs.parameters()):
        other.data = mine.data
    for model, value in ((ours, Value), (theirs, MicroValue)):
        points = [(0.5, -1.0), (-0.3, 0.8), (1.2, 0.4)]
        loss = sum((1 + -y * model([value(a), value(b)])).relu() for (a, b), y in zip(points, (1, -1, 1)))
        (loss + 1e-4 * sum(p * p for p in model.parameters())).backward()
    # micrograd orders parents through a set, so sums of 3+ terms may differ in the last bit
    np.testing.assert_allclose([p.grad for p in ours.parameters()], [p.grad for p in theirs.parameters()],
                               rtol=1e-12, atol=1e-15)


def test_collector_paused_restores_the_previous_state_and_nests():
    was_on = gc.isenabled()
    try:
        gc.enable()
        with collector_paused():
            assert not gc.isenabled()
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner block found it off and leaves it off
        assert gc.isenabled()
        gc.disable()
        with collector_paused():
            pass
        assert not gc.isenabled()  # a user who turned it off keeps it off
        gc.enable()
        with pytest.raises(ZeroDivisionError):
            with collector_paused():
                1 / 0
        assert gc.isenabled()  # restored on an error too
    finally:
        gc.enable() if was_on else gc.disable()


def test_mlp_call_leaves_the_collector_as_it_found_it():
    model = MLP(2, [3, 1], seed=0)
    assert gc.isenabled()
    out = model([Value(1.0), Value(-1.0)])
    assert gc.isenabled() and math.isfinite(out.data)
