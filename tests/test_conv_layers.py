"""Conv1d / Conv2d layers: PyTorch's names, shapes, init, repr, and outputs and gradients given the same weights."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn


@pytest.mark.parametrize("kwargs", [
    {},
    {"stride": 2, "padding": 1},
    {"stride": (2, 1), "padding": (0, 2), "dilation": (1, 2), "bias": False},
    {"padding": "same", "dilation": 2},
    {"padding": "valid"},
])
def test_conv2d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    ours = nn.Conv2d(3, 4, 3, **kwargs)
    theirs = torch.nn.Conv2d(3, 4, 3, **kwargs)
    theirs.load_state_dict({key: torch.tensor(value) for key, value in ours.state_dict().items()})
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)

    x_ours, x_theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    np.testing.assert_allclose(out_ours.data, out_theirs.detach().numpy(), rtol=1e-5, atol=1e-5)
    grad_out = rng.standard_normal(out_ours.shape).astype(np.float32)
    out_ours.backward(grad_out)
    out_theirs.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=1e-4, atol=1e-5)
    for name, parameter in ours.named_parameters():
        expected = dict(theirs.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(parameter.grad, expected, rtol=1e-4, atol=1e-4, err_msg=name)


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 2, "dilation": 2}, {"padding": "same", "bias": False}])
def test_conv1d_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    ours = nn.Conv1d(2, 5, 4, **kwargs)
    theirs = torch.nn.Conv1d(2, 5, 4, **kwargs)
    theirs.load_state_dict({key: torch.tensor(value) for key, value in ours.state_dict().items()})
    x = rng.standard_normal((3, 2, 13)).astype(np.float32)
    x_ours, x_theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    np.testing.assert_allclose(out_ours.data, out_theirs.detach().numpy(), rtol=1e-5, atol=1e-5)
    out_ours.sum().backward()
    out_theirs.sum().backward()
    np.testing.assert_allclose(x_ours.grad, x_theirs.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_parameter_names_shapes_and_repr_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (nn.Conv2d(3, 16, 5), torch.nn.Conv2d(3, 16, 5)),
        (nn.Conv2d(3, 8, (3, 2), stride=2, padding=1, dilation=2, bias=False),
         torch.nn.Conv2d(3, 8, (3, 2), stride=2, padding=1, dilation=2, bias=False)),
        (nn.Conv1d(4, 6, 3, padding="same"), torch.nn.Conv1d(4, 6, 3, padding="same")),
    ]
    for ours, theirs in cases:
        ours_shapes = {key: value.shape for key, value in ours.state_dict().items()}
        theirs_shapes = {key: tuple(value.shape) for key, value in theirs.state_dict().items()}
        assert ours_shapes == theirs_shapes
        assert list(ours_shapes) == list(theirs_shapes)
        assert repr(ours) == repr(theirs)
        assert ours.weight.dtype == np.float32


def test_default_init_is_uniform_within_one_over_sqrt_fan_in():
    manual_seed(0)
    layer = nn.Conv2d(4, 64, 3)
    bound = 1 / np.sqrt(4 * 3 * 3)
    assert np.abs(layer.bias.data).max() <= bound
    assert np.abs(layer.weight.data).max() <= bound
    # 2304 uniform draws come close to the bound and have the uniform's spread, bound / sqrt(3)
    assert np.abs(layer.weight.data).max() > 0.9 * bound
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.1)


def test_wrong_channel_count_names_the_layer_and_shapes():
    layer = nn.Conv2d(3, 8, 3)
    with pytest.raises(ValueError, match=r"Conv2d expected input with 3 channels \(N, 3, H, W\), got \(8, 1, 28, 28\)"):
        layer(Tensor(np.zeros((8, 1, 28, 28), np.float32)))


def test_conv1d_wrong_channel_count():
    with pytest.raises(ValueError, match=r"Conv1d expected input with 2 channels \(N, 2, L\), got \(4, 3, 10\)"):
        nn.Conv1d(2, 8, 3)(Tensor(np.zeros((4, 3, 10), np.float32)))


def test_non_4d_input_names_the_layer():
    with pytest.raises(ValueError, match=r"Conv2d expected a 4-D input \(N, C, H, W\), got shape \(28, 28\)"):
        nn.Conv2d(1, 8, 3)(Tensor(np.zeros((28, 28), np.float32)))


def test_kernel_larger_than_padded_input_names_the_layer():
    with pytest.raises(ValueError, match=r"Conv2d: kernel size \(5, 5\) \(after dilation\) is larger than the padded input \(4, 4\)"):
        nn.Conv2d(1, 2, 5, padding=1)(Tensor(np.zeros((1, 1, 2, 2), np.float32)))


def test_unsupported_constructor_options():
    with pytest.raises(NotImplementedError, match=r"only padding_mode='zeros' is implemented, got 'reflect'"):
        nn.Conv2d(1, 2, 3, padding_mode="reflect")
    with pytest.raises(NotImplementedError, match=r"only groups=1"):
        nn.Conv2d(2, 2, 3, groups=2)
    with pytest.raises(ValueError, match=r"padding='same' needs stride 1"):
        nn.Conv2d(1, 2, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"in_channels must be a positive int, got 0"):
        nn.Conv1d(0, 2, 3)


def test_double_layer_runs_in_float64():
    layer = nn.Conv2d(1, 2, 3).double()
    out = layer(Tensor(np.zeros((1, 1, 5, 5))))
    assert out.dtype == np.float64
