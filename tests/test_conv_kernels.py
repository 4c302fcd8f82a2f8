"""The fast convolution kernels (im2col + BLAS, Numba) agree with the loop references."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.kernels import conv, conv_reference, im2col, im2col_reference


@st.composite
def conv_cases(draw):
    """A random 2-D convolution problem: odd sizes, strides, asymmetric padding, dilation, batch 1."""
    n = draw(st.integers(1, 3))
    c_in, c_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(2))
    # The input must be at least as large as the dilated kernel once padded.
    min_h = max(1, dilation[0] * (kh - 1) + 1 - sum(padding[0]))
    min_w = max(1, dilation[1] * (kw - 1) + 1 - sum(padding[1]))
    h, w = draw(st.integers(min_h, min_h + 6)), draw(st.integers(min_w, min_w + 6))
    seed = draw(st.integers(0, 2**32 - 1))
    return (n, c_in, c_out, h, w, kh, kw), stride, padding, dilation, seed


def random_problem(shapes, seed, dtype=np.float64):
    n, c_in, c_out, h, w, kh, kw = shapes
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, h, w)).astype(dtype)
    weight = rng.standard_normal((c_out, c_in, kh, kw)).astype(dtype)
    bias = rng.standard_normal(c_out).astype(dtype)
    return rng, x, weight, bias


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_fast_matches_reference(case):
    shapes, stride, padding, dilation, seed = case
    rng, x, weight, bias = random_problem(shapes, seed)
    out, saved = conv.conv2d_forward(x, weight, bias, stride, padding, dilation)
    expected, saved_ref = conv_reference.conv2d_forward(x, weight, bias, stride, padding, dilation)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)

    grad_out = rng.standard_normal(out.shape)
    grads = conv.conv2d_backward(grad_out, saved, weight, x.shape, stride, padding, dilation)
    expected_grads = conv_reference.conv2d_backward(grad_out, saved_ref, weight, x.shape, stride, padding, dilation)
    for name, got, want in zip(("grad_input", "grad_weight", "grad_bias"), grads, expected_grads):
        assert got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)


@settings(max_examples=30, deadline=None)
@given(conv_cases())
def test_im2col_and_col2im_match_reference(case):
    (n, c_in, _, h, w, kh, kw), stride, padding, dilation, seed = case
    rng = np.random.default_rng(seed)
    x_padded = conv_reference.pad_image(rng.standard_normal((n, c_in, h, w)), padding)
    out_size = (conv_reference.output_size(h, kh, stride[0], padding[0], dilation[0]),
                conv_reference.output_size(w, kw, stride[1], padding[1], dilation[1]))
    args = ((kh, kw), stride, dilation, out_size)
    cols = im2col.im2col(x_padded, *args)
    np.testing.assert_array_equal(cols, im2col_reference.im2col(x_padded, *args))
    np.testing.assert_allclose(im2col.col2im(cols, x_padded.shape, *args),
                               im2col_reference.col2im(cols, x_padded.shape, *args), rtol=1e-14)


def test_col2im_is_the_adjoint_of_im2col():
    """<im2col(x), c> == <x, col2im(c)> for every x and c: the defining property of a transpose."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 9, 8))
    args = ((3, 2), (2, 1), (1, 2), (4, 6))
    cols = rng.standard_normal((3 * 3 * 2, 2 * 4 * 6))
    left = np.sum(im2col.im2col(x, *args) * cols)
    right = np.sum(x * im2col.col2im(cols, x.shape, *args))
    assert left == pytest.approx(right, rel=1e-12)


def test_conv1d_fast_matches_reference():
    rng = np.random.default_rng(1)
    x, weight, bias = rng.standard_normal((3, 2, 17)), rng.standard_normal((5, 2, 4)), rng.standard_normal(5)
    for stride, padding, dilation in [(1, (0, 0), 1), (2, (1, 2), 2), (3, (2, 2), 1)]:
        out, saved = conv.conv1d_forward(x, weight, bias, stride, padding, dilation)
        expected, saved_ref = conv_reference.conv1d_forward(x, weight, bias, stride, padding, dilation)
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
        grad_out = rng.standard_normal(out.shape)
        grads = conv.conv1d_backward(grad_out, saved, weight, x.shape, stride, padding, dilation)
        want = conv_reference.conv1d_backward(grad_out, saved_ref, weight, x.shape, stride, padding, dilation)
        for got, expected_grad in zip(grads, want):
            assert got.shape == expected_grad.shape
            np.testing.assert_allclose(got, expected_grad, rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_and_skipping_grad_input_gives_none():
    _, x, weight, bias = random_problem((2, 3, 4, 7, 7, 3, 3), 0, dtype=np.float32)
    out, saved = conv.conv2d_forward(x, weight, bias, (1, 1), ((1, 1), (1, 1)), (1, 1))
    assert out.dtype == np.float32 and out.flags.c_contiguous
    grad_input, grad_weight, grad_bias = conv.conv2d_backward(
        np.ones_like(out), saved, weight, x.shape, (1, 1), ((1, 1), (1, 1)), (1, 1), need_input_grad=False)
    assert grad_input is None
    assert grad_weight.dtype == np.float32 and grad_bias.dtype == np.float32


def test_kernels_are_deterministic():
    """The same call twice gives bit-identical results (no racy parallel sums)."""
    _, x, weight, bias = random_problem((8, 5, 6, 13, 11, 3, 3), 3, dtype=np.float32)
    args = ((1, 2), ((1, 1), (0, 2)), (1, 1))
    first, saved_first = conv.conv2d_forward(x, weight, bias, *args)
    second, saved_second = conv.conv2d_forward(x, weight, bias, *args)
    np.testing.assert_array_equal(first, second)
    grads_first = conv.conv2d_backward(first, saved_first, weight, x.shape, *args)
    grads_second = conv.conv2d_backward(second, saved_second, weight, x.shape, *args)
    for a, b in zip(grads_first, grads_second):
        np.testing.assert_array_equal(a, b)
