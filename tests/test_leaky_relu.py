"""LeakyReLU: PyTorch's values and gradients, float64 gradcheck away from the kink, clear errors."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu import gradcheck
from tinygrad_edu import functional as F


def inputs_away_from_zero(seed, shape):
    values = np.random.default_rng(seed).uniform(0.1, 2.0, shape)
    signs = np.random.default_rng(seed + 1).choice([-1.0, 1.0], shape)
    return values * signs  # |x| >= 0.1, so central differences never straddle the kink


@pytest.mark.parametrize("slope", [0.01, 0.2, 1.5])
def test_leaky_relu_gradcheck_over_every_element(slope):
    x = Tensor(inputs_away_from_zero(0, (4, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.leaky_relu(t, slope), x)


def test_leaky_relu_values_and_gradient_by_hand():
    x = Tensor(np.array([-2.0, -0.5, 0.0, 3.0]), requires_grad=True)
    out = F.leaky_relu(x, 0.1)
    np.testing.assert_allclose(out.data, [-0.2, -0.05, 0.0, 3.0])
    out.sum().backward()
    np.testing.assert_allclose(x.grad, [0.1, 0.1, 0.1, 1.0])  # at 0 the slope of the left side, as torch
    assert out.dtype == np.float64


def test_leaky_relu_module_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).standard_normal((6, 7)).astype(np.float32)
    layer = nn.LeakyReLU(0.2)
    x = Tensor(data.copy(), requires_grad=True)
    layer(x).sum().backward()
    reference_input = torch.tensor(data, requires_grad=True)
    reference = torch.nn.LeakyReLU(0.2)(reference_input)
    reference.sum().backward()
    np.testing.assert_allclose(layer(Tensor(data)).data, reference.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad, reference_input.grad.numpy(), rtol=1e-6)
    assert repr(layer) == "LeakyReLU(negative_slope=0.2)"


def test_leaky_relu_default_slope_is_pytorchs():
    assert nn.LeakyReLU().negative_slope == 0.01
    np.testing.assert_allclose(F.leaky_relu(Tensor(np.array([-1.0]))).data, [-0.01])


def test_leaky_relu_rejects_a_slope_that_is_not_a_number():
    with pytest.raises(TypeError, match="negative_slope must be a number, got str"):
        F.leaky_relu(Tensor(np.ones(3)), "0.1")
