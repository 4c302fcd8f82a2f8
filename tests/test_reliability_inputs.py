"""Issue 12, sections 4 and 5: silent wrong answers become errors or right answers; errors at the door."""
import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, concatenate, gradcheck, where
from tinygrad_edu import nn, optim


@pytest.mark.parametrize("condition", [np.array([1, 0, 1]), np.array([1.0, 0.0, 1.0])])
def test_where_with_a_0_1_int_or_float_condition_picks_and_routes_gradients_like_a_boolean(condition):
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([4.0, 5.0, 6.0]), requires_grad=True)
    out = where(condition, a, b)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, np.where(condition.astype(bool), a.data, b.data))
    np.testing.assert_array_equal(a.grad, condition.astype(float))
    np.testing.assert_array_equal(b.grad, 1 - condition.astype(float))


def test_where_refuses_a_condition_that_is_not_0_1():
    with pytest.raises(ValueError, match="expected a boolean condition.*got dtype int64"):
        where(np.array([2, 0]), Tensor(np.ones(2)), Tensor(np.zeros(2)))


def test_where_gradients_match_central_differences():
    condition = np.array([[1, 0, 0], [0, 1, 1]])
    rng = np.random.default_rng(0)
    a, b = (Tensor(rng.standard_normal((2, 3)), requires_grad=True) for _ in range(2))
    assert gradcheck(lambda a, b: (where(condition, a, b) * where(condition, a, b)).sum(), a, b)


def test_no_gradient_flows_through_a_cast_to_integers():
    x = Tensor(np.array([1.5, 2.5]), requires_grad=True)
    assert not x.astype(np.int64).requires_grad
    assert x.astype(np.float32).requires_grad  # float to float keeps its gradient


def test_value_nan_stays_nan_through_relu_and_exp():
    assert math.isnan(Value(math.nan).relu().data)
    assert math.isnan(Value(math.nan).exp().data)
    assert Value(1000.0).exp().data == math.inf
    assert Value(-3.0).relu().data == 0.0


def test_value_refuses_text():
    with pytest.raises(TypeError, match="expected a real number.*got str '3'"):
        Value("3")


def test_value_division_by_zero_names_the_dividend():
    with pytest.raises(ZeroDivisionError, match="dividing 1 by zero"):
        Value(1) / Value(0)


def test_value_negative_base_to_a_fractional_power():
    with pytest.raises(ValueError, match=r"negative base \(-2\) to a fractional power \(0.5\)"):
        Value(-2.0) ** 0.5
    assert (Value(-2.0) ** 2).data == 4.0  # an integer power of a negative base is fine


def test_adam_refuses_eps_zero():
    with pytest.raises(ValueError, match="eps must be > 0.*got eps=0"):
        optim.Adam(nn.Linear(2, 1).parameters(), eps=0)


def test_optimizer_refuses_a_set_of_parameters():
    with pytest.raises(TypeError, match="got a set"):
        optim.SGD(set(nn.Linear(2, 1).parameters()), lr=0.1)


def test_mean_of_an_empty_tensor():
    with pytest.raises(ValueError, match=r"mean\(\) of an empty tensor \(shape \(0, 3\).*got 0"):
        Tensor(np.zeros((0, 3))).mean()


def test_concatenate_of_nothing():
    with pytest.raises(ValueError, match="expected a non-empty sequence of tensors, got an empty one"):
        concatenate([])


def test_len_of_a_0d_tensor():
    with pytest.raises(TypeError, match=r"0-d tensor.*got shape \(\)"):
        len(Tensor(3.0))
