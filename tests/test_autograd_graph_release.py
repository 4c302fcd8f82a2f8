"""Tensor.backward frees the graph it went through, as PyTorch does; Value keeps micrograd's repeated backward."""
import weakref

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value
from tinygrad_edu.engine import autograd

FREED = r"backward\(\) through a graph that an earlier backward\(\) already freed \(op '\w+'\).*retain_graph=True"


def _leaf(values=(1.0, 2.0, 3.0)):
    return Tensor(np.array(values), requires_grad=True)


def test_a_second_backward_through_the_same_graph_is_refused_and_changes_nothing():
    x = _leaf()
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=FREED) as caught:
        loss.backward()
    assert "\n" not in str(caught.value)
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])  # the refused call added nothing


def test_a_new_root_over_a_freed_intermediate_is_refused_before_any_grad_changes():
    x, other = _leaf(), _leaf((5.0, 5.0, 5.0))
    square = x * x
    square.sum().backward()
    with pytest.raises(RuntimeError, match=FREED):
        (other * 2.0 + square).sum().backward()  # other's gradient is ready before square is reached
    assert other.grad is None
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_retain_graph_keeps_the_graph_and_a_second_backward_accumulates():
    x = _leaf()
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward(retain_graph=True)
    loss.backward()  # the third, without retain_graph, frees it
    np.testing.assert_array_equal(x.grad, [6.0, 12.0, 18.0])
    with pytest.raises(RuntimeError, match=FREED):
        loss.backward()


def test_separate_forward_passes_accumulate_as_before():
    x = _leaf()
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 12.0, 18.0])


def test_a_detached_intermediate_starts_a_new_graph_after_its_own_was_freed():
    x = _leaf()
    hidden = x * 2.0
    hidden.sum().backward()
    weight = _leaf((1.0, 1.0, 1.0))
    (hidden.detach() * weight).sum().backward()  # truncated backprop through time does this each step
    np.testing.assert_array_equal(weight.grad, [2.0, 4.0, 6.0])


def _op_saving(array, x):
    """x * 2, whose backward closure alone holds ``array``."""
    return Tensor._make(x.data * 2.0, (x,), lambda g: (g * 2.0 + 0.0 * array.sum(),), "keeps_array")


@pytest.mark.parametrize("retain_graph, freed", [(None, True), (False, True), (True, False)])
def test_backward_releases_what_the_ops_saved_unless_retain_graph(retain_graph, freed):
    x, saved = _leaf(), np.ones(1000)
    saved_ref = weakref.ref(saved)
    out = _op_saving(saved, x)
    del saved
    out.sum().backward(retain_graph=retain_graph)
    assert (saved_ref() is None) == freed  # the output is still alive: only its backward state went
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    assert out.requires_grad and not out.is_leaf and out.grad is None  # still an intermediate, not a leaf


def test_autograd_backward_called_directly_on_a_freed_tensor_graph_is_refused():
    x = _leaf()
    loss = (x * 3.0).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=FREED):
        autograd.backward(loss, np.ones(()))


def test_the_gradient_argument_has_pytorchs_name_and_the_old_one_still_works():
    for call in (lambda y: y.backward(np.full(3, 2.0)), lambda y: y.backward(gradient=np.full(3, 2.0)),
                 lambda y: y.backward(grad=np.full(3, 2.0))):
        x = _leaf()
        call(x * 3.0)
        np.testing.assert_array_equal(x.grad, [6.0, 6.0, 6.0])


def test_value_keeps_micrographs_repeated_backward_through_one_graph():
    a, b = Value(3.0), Value(-2.0)
    c = a * b + a
    c.backward()
    c.backward()  # micrograd allows it and accumulates
    assert (a.grad, b.grad) == (2 * (-2.0 + 1.0), 2 * 3.0)


# -- complex outputs ---------------------------------------------------------------------------

def _complex_leaf(shape=()):
    return Tensor(np.full(shape, 1.0 + 2.0j), requires_grad=True)


def test_a_complex_scalar_backward_without_a_gradient_is_refused():
    z = _complex_leaf()
    with pytest.raises(RuntimeError, match=r"backward\(\) without a gradient needs a real scalar output, "
                                           r"got a complex128 scalar \(op 'mul'\).*gradient="):
        (z * z).backward()
    assert z.grad is None


def test_a_complex_scalar_with_an_explicit_gradient_and_a_real_loss_of_it_still_backpropagate():
    z = _complex_leaf()
    (z * z).backward(np.array(1.0 + 0.0j))
    assert z.grad == 2.0 + 4.0j
    w = _complex_leaf()
    (w * 2.0).abs().backward()
    assert w.grad is not None


def test_a_complex_non_scalar_without_a_gradient_keeps_the_non_scalar_message():
    with pytest.raises(RuntimeError, match=r"backward\(\) needs grad= for a non-scalar tensor of shape \(2,\)"):
        (_complex_leaf((2,)) * 2.0).backward()


def test_the_gradient_given_twice_under_both_names_is_refused():
    x = _leaf()
    with pytest.raises(TypeError, match=r"backward\(\) takes the gradient once, as gradient= or its older name "
                                        r"grad=, got both"):
        (x * 3.0).backward(np.ones(3), grad=np.ones(3))
    assert x.grad is None
