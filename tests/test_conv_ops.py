"""conv1d / conv2d as Tensor ops: gradcheck in float64 (every element), 'same' padding, clear errors."""
import numpy as np
import pytest

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.engine.gradcheck import gradcheck


def tensors(rng, *shapes):
    return [Tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes]


@pytest.mark.parametrize("stride, padding, dilation", [
    (1, 0, 1), (2, 1, 1), ((2, 1), (0, 2), (1, 2)), (1, "same", 2), (1, "valid", 1),
])
def test_conv2d_gradcheck(stride, padding, dilation):
    rng = np.random.default_rng(0)
    x, weight, bias = tensors(rng, (2, 2, 6, 5), (3, 2, 3, 2), (3,))
    assert gradcheck(lambda a, w, b: F.conv2d(a, w, b, stride, padding, dilation), x, weight, bias)


def test_conv2d_gradcheck_without_bias_and_batch_one():
    rng = np.random.default_rng(1)
    x, weight = tensors(rng, (1, 3, 5, 5), (2, 3, 3, 3))
    assert gradcheck(lambda a, w: F.conv2d(a, w, stride=2, padding=1), x, weight)


def test_conv2d_gradcheck_on_non_contiguous_inputs():
    rng = np.random.default_rng(2)
    # A transposed view and a strided view: neither is C-contiguous.
    x = Tensor(rng.standard_normal((2, 6, 5, 3)).transpose(0, 3, 2, 1), requires_grad=True)
    weight = Tensor(rng.standard_normal((4, 3, 4, 4))[::2, :, ::-2, ::2], requires_grad=True)
    assert not x.data.flags.c_contiguous and not weight.data.flags.c_contiguous
    assert gradcheck(lambda a, w: F.conv2d(a, w, padding=1), x, weight)


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 2, 1), (1, "same", 3), (3, 1, 2)])
def test_conv1d_gradcheck(stride, padding, dilation):
    rng = np.random.default_rng(3)
    x, weight, bias = tensors(rng, (2, 3, 11), (2, 3, 3), (2,))
    assert gradcheck(lambda a, w, b: F.conv1d(a, w, b, stride, padding, dilation), x, weight, bias)


def test_conv1d_gradcheck_on_non_contiguous_input():
    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((9, 2, 4)).transpose(1, 2, 0), requires_grad=True)
    weight = Tensor(rng.standard_normal((3, 4, 2)), requires_grad=True)
    assert gradcheck(lambda a, w: F.conv1d(a, w, stride=2), x, weight)


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("kernel, dilation", [(3, 1), (4, 1), (2, 3), ((2, 5), (2, 1))])
def test_same_padding_keeps_the_size_and_matches_torch(kernel, dilation):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x, weight = rng.standard_normal((2, 2, 7, 8)), rng.standard_normal((3, 2, kh, kw))
    out = F.conv2d(Tensor(x), Tensor(weight), padding="same", dilation=dilation)
    expected = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(weight), padding="same", dilation=dilation)
    assert out.shape == (2, 3, 7, 8)
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-10, atol=1e-12)


def test_no_graph_is_recorded_under_no_grad():
    rng = np.random.default_rng(6)
    x, weight = tensors(rng, (1, 1, 4, 4), (1, 1, 2, 2))
    with no_grad():
        out = F.conv2d(x, weight)
    assert not out.requires_grad


def test_float32_in_float32_out():
    x = Tensor(np.zeros((1, 2, 5, 5), np.float32))
    weight = Tensor(np.ones((3, 2, 3, 3), np.float32))
    assert F.conv2d(x, weight).dtype == np.float32


# -- bad input: each error names what was expected and what came -------------------

def test_wrong_channel_count_is_named():
    x, weight = Tensor(np.zeros((8, 1, 28, 28))), Tensor(np.zeros((32, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"conv2d expected input with 3 channels \(N, 3, H, W\), got \(8, 1, 28, 28\)"):
        F.conv2d(x, weight)


def test_non_4d_input_to_conv2d():
    with pytest.raises(ValueError, match=r"conv2d expected a 4-D input \(N, C, H, W\), got shape \(1, 28, 28\)"):
        F.conv2d(Tensor(np.zeros((1, 28, 28))), Tensor(np.zeros((4, 1, 3, 3))))


def test_non_3d_input_to_conv1d():
    with pytest.raises(ValueError, match=r"conv1d expected a 3-D input \(N, C, L\), got shape \(2, 3, 4, 5\)"):
        F.conv1d(Tensor(np.zeros((2, 3, 4, 5))), Tensor(np.zeros((4, 3, 3))))


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"kernel size \(5, 5\) .* larger than the padded input \(4, 6\)"):
        F.conv2d(Tensor(np.zeros((1, 1, 2, 4))), Tensor(np.zeros((1, 1, 5, 5))), padding=1)


def test_dilated_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"kernel size \(7,\) \(after dilation\)"):
        F.conv1d(Tensor(np.zeros((1, 1, 6))), Tensor(np.zeros((1, 1, 3))), dilation=3)


def test_same_padding_with_stride_is_refused():
    with pytest.raises(ValueError, match=r"padding='same' needs stride 1"):
        F.conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((1, 1, 3, 3))), stride=2, padding="same")


@pytest.mark.parametrize("kwargs, message", [
    ({"stride": 0}, r"stride must be an int >= 1 or 2 such ints, got 0"),
    ({"padding": -1}, r"padding must be an int >= 0"),
    ({"padding": "full"}, r"padding must be an int, a tuple, 'valid' or 'same', got 'full'"),
    ({"dilation": (1, 2, 3)}, r"dilation must be an int >= 1 or 2 such ints"),
])
def test_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        F.conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((1, 1, 3, 3))), **kwargs)


def test_dtype_mismatch():
    with pytest.raises(TypeError, match=r"input float64 and weight float32"):
        F.conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((1, 1, 3, 3), np.float32)))


def test_bias_of_wrong_shape():
    with pytest.raises(ValueError, match=r"expected bias of shape \(2,\) and dtype float64, got shape \(3,\)"):
        F.conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((2, 1, 3, 3))), Tensor(np.zeros(3)))


def test_forward_and_backward_are_bit_identical_run_to_run():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 3, 12, 11)).astype(np.float32)
    weight = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)

    def run():
        inputs = Tensor(x, requires_grad=True), Tensor(weight, requires_grad=True)
        out = F.max_pool2d(F.conv2d(*inputs, padding=1), 2)
        out.backward(np.ones(out.shape, np.float32))
        return out.data, inputs[0].grad, inputs[1].grad

    for first, second in zip(run(), run()):
        np.testing.assert_array_equal(first, second)
