"""gradcheck itself must catch wrong gradients and say where they are."""
import numpy as np
import pytest

from tinygrad_edu import GradcheckError, Tensor, gradcheck


def _square_with_a_bug_at(bad_index):
    def square(x):
        data = x.data

        def backward(g):
            grad = 2 * data * g
            grad[bad_index] *= 1.5  # a single wrong element
            return (grad,)

        return Tensor._make(data ** 2, (x,), backward, "buggy_square")

    return square


def test_a_single_wrong_element_is_found_and_named():
    x = Tensor(np.linspace(1, 2, 12).reshape(3, 4), requires_grad=True)
    y = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(3, 4\)\) at index \(2, 1\).*relative error"):
        gradcheck(lambda a, b: _square_with_a_bug_at((2, 1))(a), x, y)


def test_returns_false_instead_of_raising_when_asked():
    x = Tensor(np.linspace(1, 2, 4), requires_grad=True)
    assert gradcheck(_square_with_a_bug_at(3), x, raise_exception=False) is False


def test_a_backward_that_swaps_output_positions_is_caught():
    """A plain sum would hide this bug; gradcheck's random projection does not."""
    def flip(x):
        return Tensor._make(x.data[::-1].copy(), (x,), lambda g: (g,), "wrong_flip")

    x = Tensor(np.arange(4.0), requires_grad=True)
    with pytest.raises(GradcheckError):
        gradcheck(flip, x)


def test_float32_inputs_are_refused_with_advice():
    with pytest.raises(TypeError, match="gradcheck needs float64 inputs.*got float32"):
        gradcheck(lambda t: t * 2, Tensor(np.ones(3, dtype=np.float32), requires_grad=True))


def test_nothing_to_check_is_an_error():
    with pytest.raises(ValueError, match="no input has requires_grad=True"):
        gradcheck(lambda t: t * 2, Tensor(np.ones(3)))


def test_non_contiguous_inputs_are_checked_in_place_without_copying():
    base = np.arange(1.0, 13.0).reshape(3, 4)
    view = base.T
    x = Tensor(view, requires_grad=True)
    assert gradcheck(lambda t: t * t, x)
    np.testing.assert_array_equal(base, np.arange(1.0, 13.0).reshape(3, 4))  # restored exactly
