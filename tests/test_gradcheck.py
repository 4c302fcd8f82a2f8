"""gradcheck itself must catch wrong gradients and say where they are."""
import numpy as np
import pytest

from tinygrad_edu import GradcheckError, Tensor, manual_seed, nn
from tinygrad_edu import gradcheck


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


# -- functions that close over a layer ---------------------------------------------------

def _input(shape=(4, 3), seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_a_float64_layer_with_trainable_parameters_checks_true_and_keeps_their_grads():
    layer = nn.Linear(3, 2).double()
    assert layer.weight.requires_grad
    assert gradcheck(lambda x: layer(x).tanh(), _input())
    assert layer.weight.grad is None and layer.bias.grad is None  # checking must not train the layer
    layer.weight.grad = np.full((2, 3), 7.0)
    assert gradcheck(lambda x: layer(x).sum(), _input())
    np.testing.assert_array_equal(layer.weight.grad, np.full((2, 3), 7.0))


def test_a_float64_conv_layer_checks_true():
    conv = nn.Conv2d(2, 3, 3, padding=1).double()
    assert gradcheck(lambda x: conv(x).tanh(), _input((1, 2, 4, 4)))


def test_a_wrong_backward_behind_a_float64_layer_is_still_caught():
    manual_seed(0)  # the first index caught depends on the weights; tests run before may leave any generator state
    layer = nn.Linear(3, 2).double()
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(4, 3\)\) at index \(2, 0\) is wrong"):
        gradcheck(lambda x: _square_with_a_bug_at((2, 1))(layer(x)), _input())


def test_a_float32_layer_is_named_with_the_fix():
    layer = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=r"gradcheck needs float64 throughout, but the function's 'layer' "
                                        r"\(Linear\) has float32 parameters: call layer\.double\(\)"):
        gradcheck(lambda x: layer(x).sum(), _input())


def test_a_float32_layer_reached_through_a_cast_is_not_reported_as_a_wrong_gradient():
    """x.float() makes the dtypes match, and float32 rounding then fails the comparison."""
    conv = nn.Conv2d(1, 2, 3)
    with pytest.raises(TypeError, match=r"op 'astype' on the path from the inputs computes in float32, whose "
                                        r"rounding alone can explain this failure \(gradcheck: gradient of input 0.*"
                                        r"the function's 'conv' \(Conv2d\) has float32 parameters: call conv\.double"):
        gradcheck(lambda x: conv(x.float()).double().tanh(), _input((1, 1, 5, 5)))


def test_a_module_passed_as_the_function_is_named_too():
    with pytest.raises(TypeError, match=r"the function, a Linear, has float32 parameters: call \.double\(\) on it"):
        gradcheck(nn.Linear(3, 2), _input())


def test_an_unrelated_type_error_inside_the_function_is_left_alone():
    layer = nn.Linear(3, 2)

    def broken(x):
        return layer(x.float()) + "oops"  # refused by Tensor, whose message mentions np.float32

    with pytest.raises(TypeError) as caught:
        gradcheck(broken, _input())
    assert "gradcheck" not in str(caught.value) and "numeric dtype" in str(caught.value)


def test_a_function_that_cuts_the_graph_gets_a_zero_analytic_gradient_and_fails():
    with pytest.raises(GradcheckError, match=r"analytic 0, numerical 2"):
        gradcheck(lambda x: Tensor(x.data * 2).sum(), _input((3,)))


def test_a_function_that_does_not_return_a_tensor_is_refused():
    with pytest.raises(TypeError, match="expected fn to return a Tensor, got float"):
        gradcheck(lambda x: 1.0, _input((3,)))


# -- a layer's Parameters passed as inputs too (the inputs are the objects the layer uses) -----

def test_a_layer_whose_parameters_are_also_the_inputs_checks_true_and_keeps_their_grads():
    layer = nn.Linear(3, 2).double()
    layer.weight.grad = np.full((2, 3), 7.0)
    assert gradcheck(lambda x, weight, bias: layer(x).tanh(), _input(), layer.weight, layer.bias)
    np.testing.assert_array_equal(layer.weight.grad, np.full((2, 3), 7.0))  # not trained by the check
    assert layer.bias.grad is None


def test_the_same_leaf_passed_twice_checks_true():
    x = _input((3,))
    assert gradcheck(lambda a, b: (a * b).sum(), x, x)


class _ScaleWithAWrongWeightGradient(nn.Module):
    """y = x * w, with a backward that doubles dL/dw: a bug only the weight's check can see."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(np.array([0.5, -1.0, 2.0]))

    def forward(self, x):
        x_data, w_data = x.data, self.w.data
        return Tensor._make(x_data * w_data, (x, self.w), lambda g: (g * w_data, 2 * g * x_data), "wrong_scale")


def test_a_wrong_parameter_gradient_behind_a_layer_whose_parameters_are_inputs_is_still_caught():
    layer = _ScaleWithAWrongWeightGradient()
    assert gradcheck(lambda x: layer(x), _input())  # x's gradient is right
    with pytest.raises(GradcheckError, match=r"gradient of input 1 \(shape \(3,\)\) at index \(0,\) is wrong: "
                                             r"analytic -?[\d.]+, numerical"):
        gradcheck(lambda x, w: layer(x), _input(), layer.w)
    assert layer.w.grad is None


def test_a_checked_input_the_function_ignores_reads_zero_not_the_grad_it_had():
    x, unused = _input((3,)), _input((2,), seed=1)
    unused.grad = np.full(2, 5.0)
    assert gradcheck(lambda a, b: a * 2.0, x, unused)
    np.testing.assert_array_equal(unused.grad, [5.0, 5.0])
