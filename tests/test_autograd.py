"""The shared backprop routine: ordering, depth, accumulation, no cycles, modes."""
import gc

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, Value
from tinygrad_edu.engine.autograd import topological_order


def test_topological_order_lists_every_parent_before_its_child():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert set(order) == {a, b, c, d, e}
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for parent in node._parents:
            assert position[parent] < position[node]


@pytest.mark.parametrize("length", [100_000])
def test_a_chain_of_100k_values_backpropagates(length):
    x = Value(1.0)
    y = x
    for _ in range(length):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_a_chain_of_100k_tensor_ops_backpropagates():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(3))


def test_value_gradients_accumulate_across_backward_calls():
    a = Value(3.0)
    (a * a).backward()
    (a * a).backward()
    assert a.grad == pytest.approx(12.0)


def test_tensor_leaf_gradients_accumulate_and_intermediates_do_not_keep_grad():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = a * 3.0
    b.sum().backward(retain_graph=True)  # the second backward goes through b's op again
    b.sum().backward()
    np.testing.assert_allclose(a.grad, [6.0, 6.0])
    assert b.grad is None


def test_retain_grad_keeps_an_intermediate_gradient():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = (a * 3.0).retain_grad()
    (b * b).sum().backward()
    np.testing.assert_allclose(b.grad, 2 * b.data)


def test_a_node_used_twice_receives_both_contributions():
    a = Value(2.0)
    b = a * a * a  # d/da a^3 = 3 a^2
    b.backward()
    assert a.grad == pytest.approx(12.0)


def _unreachable_objects_after(build):
    gc.collect()
    gc.disable()
    try:
        result = build()
        result.backward() if isinstance(result, Value) else result.sum().backward()
        del result
        return gc.collect()
    finally:
        gc.enable()


def test_value_graphs_have_no_reference_cycles():
    def build():
        x = Value(0.5)
        y = x
        for _ in range(200):
            y = (y * 1.01).tanh() + x.sigmoid() - x.exp() / 3 + x.relu()
        return y

    assert _unreachable_objects_after(build) == 0


def test_tensor_graphs_have_no_reference_cycles():
    def build():
        x = Tensor(np.random.default_rng(0).normal(size=(4, 3)), requires_grad=True)
        w = Tensor(np.ones((3, 3)), requires_grad=True)
        y = x
        for _ in range(50):
            y = (y @ w).tanh().relu() * 0.5 + x[:, :3].exp().sum(axis=0)
        return tg.functional.log_softmax(y)

    assert _unreachable_objects_after(build) == 0


def test_no_grad_records_no_graph_and_enable_grad_turns_it_back_on():
    a = Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        b = a * 2
        with tg.enable_grad():
            c = a * 2
    assert not b.requires_grad and b._parents == ()
    assert c.requires_grad
    assert tg.is_grad_enabled()


def test_detect_anomaly_names_the_op_whose_forward_made_nan():
    a = Tensor([-1.0, 1.0], requires_grad=True)
    with tg.detect_anomaly():
        with pytest.raises(FloatingPointError, match="op 'log' produced NaN or inf in its forward"):
            with np.errstate(invalid="ignore", divide="ignore"):
                a.log()


def test_detect_anomaly_names_the_op_whose_backward_made_inf():
    a = Tensor([0.0, 4.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        with tg.detect_anomaly():
            y = a.sqrt()  # forward is finite, d/da sqrt(a) = 1 / (2 sqrt(a)) is inf at 0
            with pytest.raises(FloatingPointError, match="op 'sqrt' produced NaN or inf in its backward"):
                y.sum().backward()


def test_without_detect_anomaly_nan_passes_silently():
    a = Tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        assert np.isnan(a.log().data).all()
