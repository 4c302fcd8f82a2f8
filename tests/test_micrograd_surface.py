"""micrograd's notebook, run here with only the import lines changed."""
import random

import numpy as np
import pytest
from sklearn.datasets import make_moons

from tinygrad_edu.micrograd.engine import Value
from tinygrad_edu.micrograd.nn import MLP, Layer, Module, Neuron
from tinygrad_edu import nn
from tinygrad_edu.engine import value as value_module


def test_demo_notebook_training_loop():
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=40, noise=0.1, random_state=1337)
    y = y * 2 - 1
    model = MLP(2, [16, 16, 1])
    assert str(model).startswith("MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2),")
    assert str(model).endswith("Layer of [LinearNeuron(16)]]")
    assert len(model.parameters()) == 337

    def loss(batch_size=None):
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum((p * p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    first_loss, _ = loss()
    for k in range(15):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    final_loss, final_acc = loss()
    assert final_loss.data < 0.7 * first_loss.data and final_acc >= 0.8


def test_random_seed_repeats_the_weights_and_seed_keeps_its_own_stream():
    random.seed(1337)
    first = [p.data for p in MLP(3, [4, 1]).parameters()]
    random.seed(1337)
    second = [p.data for p in MLP(3, [4, 1]).parameters()]
    assert first == second
    random.seed(1337)
    expected = [random.uniform(-1, 1) for _ in range(3)]
    random.seed(1337)
    assert [w.data for w in Neuron(3).w] == expected  # the same draws micrograd makes
    state = random.getstate()
    seeded = [p.data for p in MLP(3, [4, 1], seed=5).parameters()]
    assert random.getstate() == state  # seed= does not touch the global stream
    assert seeded == [p.data for p in MLP(3, [4, 1], seed=5).parameters()] and seeded != first


def test_signatures_reprs_and_module_base():
    neuron = Neuron(3, nonlin=False)
    assert repr(neuron) == "LinearNeuron(3)" and repr(Neuron(2)) == "ReLUNeuron(2)"
    layer = Layer(2, 3, nonlin=False)
    assert repr(layer) == "Layer of [LinearNeuron(2), LinearNeuron(2), LinearNeuron(2)]"
    for module in (neuron, layer, MLP(2, [2, 1])):
        assert isinstance(module, Module)
        inputs = [Value(1.0), Value(-2.0), Value(0.5)] if module is neuron else [Value(1.0), Value(-2.0)]
        out = module(inputs)
        (out if isinstance(out, Value) else sum(out)).backward()
        assert any(p.grad != 0 for p in module.parameters())
        module.zero_grad()
        assert all(p.grad == 0 for p in module.parameters())
    assert Module().parameters() == []
    assert value_module.Neuron is Neuron and nn.Module is not Module  # the Tensor world keeps torch's Module


def test_value_prev_and_repr_as_micrograd_prints_them():
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a
    assert repr(a) == "Value(data=2.0, grad=0.0)"
    assert c._prev == frozenset(c._parents) and len((a * a)._prev) == 1
    with pytest.raises(AttributeError):
        c._prev = set()


def test_notebook_graph_walk_over_prev():
    """The trace() helper of micrograd's trace_graph notebook, minus graphviz."""
    def trace(root):
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)
        build(root)
        return nodes, edges

    x1, x2 = Value(2.0), Value(0.0)
    n = x1 * Value(-3.0) + x2 * Value(1.0) + Value(6.88)
    nodes, edges = trace(n.tanh())
    assert len(nodes) == 10 and len(edges) == 9
