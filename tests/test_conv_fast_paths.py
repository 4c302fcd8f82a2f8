"""The fast convolution paths against their reference, in float32 and float64; empty batches.

Every case is drawn by hypothesis with odd sizes, strides, asymmetric padding and
dilation, and with enough input channels that both fast paths are exercised:
the direct loops (stride 1, C*KH*KW <= 32) and im2col + BLAS (everything else).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, nn
from tinygrad_edu.engine.gradcheck import gradcheck
from tinygrad_edu.conv import fast as conv, reference as conv_reference
from tinygrad_edu.pooling import fast as pool, reference as pool_reference

TOLERANCE = {np.float32: dict(rtol=2e-4, atol=2e-4), np.float64: dict(rtol=1e-11, atol=1e-11)}


@st.composite
def problems(draw, max_channels=12):
    """A 2-D convolution problem: (x, weight, bias, grad_out seed) and the hyperparameters."""
    n, c_in, c_out = draw(st.integers(1, 3)), draw(st.integers(1, max_channels)), draw(st.integers(1, 5))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(2))
    min_h = max(1, dilation[0] * (kh - 1) + 1 - sum(padding[0]))
    min_w = max(1, dilation[1] * (kw - 1) + 1 - sum(padding[1]))
    h, w = draw(st.integers(min_h, min_h + 7)), draw(st.integers(min_w, min_w + 7))
    return (n, c_in, c_out, h, w, kh, kw), stride, padding, dilation, draw(st.integers(0, 2**32 - 1))


def arrays(shapes, seed, dtype):
    n, c_in, c_out, h, w, kh, kw = shapes
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, h, w)).astype(dtype)
    weight = rng.standard_normal((c_out, c_in, kh, kw)).astype(dtype)
    return rng, x, weight, rng.standard_normal(c_out).astype(dtype)


@settings(max_examples=60, deadline=None)
@given(problems(), st.sampled_from([np.float32, np.float64]), st.booleans())
def test_fast_matches_reference_in_both_dtypes(problem, dtype, need_input_grad):
    shapes, stride, padding, dilation, seed = problem
    rng, x, weight, bias = arrays(shapes, seed, dtype)
    out, saved = conv.conv2d_forward(x, weight, bias, stride, padding, dilation)
    expected, saved_ref = conv_reference.conv2d_forward(x, weight, bias, stride, padding, dilation)
    assert out.dtype == dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **TOLERANCE[dtype])
    grad_out = rng.standard_normal(out.shape).astype(dtype)
    args = (weight, x.shape, stride, padding, dilation, need_input_grad)
    grads = conv.conv2d_backward(grad_out, saved, *args)
    expected_grads = conv_reference.conv2d_backward(grad_out, saved_ref, *args)
    for name, got, want in zip(("grad_input", "grad_weight", "grad_bias"), grads, expected_grads):
        if want is None:
            assert got is None, name
            continue
        assert got.dtype == dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, **TOLERANCE[dtype], err_msg=name)


@settings(max_examples=12, deadline=None)
@given(problems(max_channels=5))
def test_gradcheck_float64_on_drawn_problems(problem):
    """Every element of every gradient against central differences, on whichever path the problem takes."""
    shapes, stride, padding, dilation, seed = problem
    _, x, weight, bias = arrays(shapes, seed, np.float64)
    inputs = [Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    padding = tuple(max(pair) for pair in padding)  # the Tensor op pads symmetrically (never less)
    assert gradcheck(lambda a, w, b: F.conv2d(a, w, b, stride, padding, dilation), *inputs)


@pytest.mark.parametrize("channels", [3, 8])  # the direct path, the im2col path
def test_training_pass_is_bit_identical_run_to_run(channels):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, channels, 13, 12)).astype(np.float32)
    weight = rng.standard_normal((7, channels, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(7).astype(np.float32)

    def run():
        inputs = [Tensor(a, requires_grad=True) for a in (x, weight, bias)]
        out = F.max_pool2d(F.conv2d(*inputs, padding=1).relu(), 2)
        out.backward(np.linspace(-1, 1, out.data.size, dtype=np.float32).reshape(out.shape))
        return [out.data] + [t.grad for t in inputs]

    for first, second in zip(run(), run()):
        np.testing.assert_array_equal(first, second)


# --------------------------------------------------------------------------- empty batches

EMPTY_CONV_LAYERS = [
    (nn.Conv2d, dict(in_channels=3, out_channels=4, kernel_size=3), (0, 3, 8, 7)),  # direct path
    (nn.Conv2d, dict(in_channels=6, out_channels=4, kernel_size=3, stride=2, padding=1), (0, 6, 8, 7)),  # im2col
    (nn.Conv1d, dict(in_channels=2, out_channels=5, kernel_size=3, padding=1), (0, 2, 9)),
    (nn.Conv1d, dict(in_channels=12, out_channels=5, kernel_size=3, dilation=2), (0, 12, 9)),
]


@pytest.mark.parametrize("layer_class, kwargs, shape", EMPTY_CONV_LAYERS)
def test_empty_batch_through_conv_layers(layer_class, kwargs, shape):
    """(0, C, ...) in, (0, O, ...) out; grad_input of the input's shape, zero weight and bias gradients."""
    layer = layer_class(**kwargs)
    x = Tensor(np.zeros(shape, dtype=np.float32), requires_grad=True)
    out = layer(x)
    full = layer(Tensor(np.zeros((1,) + shape[1:], dtype=np.float32)))
    assert out.shape == (0,) + full.shape[1:] and out.dtype == np.float32
    out.sum().backward()
    assert x.grad.shape == shape
    for parameter in (layer.weight, layer.bias):
        assert parameter.grad.shape == parameter.shape and parameter.grad.dtype == np.float32
        np.testing.assert_array_equal(parameter.grad, 0)


@pytest.mark.parametrize("layer_class, kwargs, shape", [
    (nn.MaxPool2d, dict(kernel_size=2), (0, 3, 8, 7)),
    (nn.MaxPool2d, dict(kernel_size=3, stride=2, padding=1), (0, 3, 8, 7)),
    (nn.MaxPool1d, dict(kernel_size=2), (0, 3, 9)),
])
def test_empty_batch_through_pool_layers(layer_class, kwargs, shape):
    x = Tensor(np.zeros(shape, dtype=np.float32), requires_grad=True)
    out = layer_class(**kwargs)(x)
    full = layer_class(**kwargs)(Tensor(np.zeros((1,) + shape[1:], dtype=np.float32)))
    assert out.shape == (0,) + full.shape[1:]
    out.sum().backward()
    assert x.grad.shape == shape and x.grad.dtype == np.float32


@pytest.mark.parametrize("channels", [2, 9])
def test_empty_batch_kernels_agree_with_reference(channels):
    x = np.zeros((0, channels, 6, 5))
    weight = np.ones((3, channels, 3, 2))
    bias = np.ones(3)
    args = ((1, 1), ((1, 0), (1, 1)), (1, 1))
    out, saved = conv.conv2d_forward(x, weight, bias, *args)
    expected, saved_ref = conv_reference.conv2d_forward(x, weight, bias, *args)
    assert out.shape == expected.shape == (0, 3, 5, 6)  # H 6+1+0-3+1, W 5+1+1-2+1
    grads = conv.conv2d_backward(out, saved, weight, x.shape, *args)
    for got, want in zip(grads, conv_reference.conv2d_backward(expected, saved_ref, weight, x.shape, *args)):
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    pooled, argmax = pool.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert pooled.shape == pool_reference.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))[0].shape == (0, channels, 3, 2)
    assert pool.max_pool2d_backward(pooled, argmax, x.shape).shape == x.shape


def test_empty_batch_matches_torch():
    torch = pytest.importorskip("torch")
    layer = nn.Conv2d(5, 4, 3, padding=1)
    twin = torch.nn.Conv2d(5, 4, 3, padding=1)
    x = Tensor(np.zeros((0, 5, 6, 6), dtype=np.float32), requires_grad=True)
    tx = torch.zeros((0, 5, 6, 6), requires_grad=True)
    out, tout = F.max_pool2d(layer(x), 2), torch.nn.functional.max_pool2d(twin(tx), 2)
    assert out.shape == tuple(tout.shape)
    out.sum().backward()
    tout.sum().backward()
    assert x.grad.shape == tuple(tx.grad.shape)
    assert layer.weight.grad.shape == tuple(twin.weight.grad.shape)
    np.testing.assert_array_equal(layer.weight.grad, twin.weight.grad.numpy())
    np.testing.assert_array_equal(layer.bias.grad, twin.bias.grad.numpy())
