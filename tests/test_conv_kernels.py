"""The fast convolution kernels (im2col + BLAS, and the direct Numba loops) agree with the loop references.

direct.py is checked against its own twin, direct_reference.py, and that twin against the definition (reference.py).
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.conv import (direct as conv_direct, direct_reference, fast as conv, im2col, im2col_reference,
                               reference as conv_reference)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


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


@st.composite
def direct_cases(draw):
    """Problems that take the direct path: stride 1 and 1 or 3 input channels (MNIST, RGB)."""
    c_in, c_out = draw(st.sampled_from([1, 3])), draw(st.integers(1, 5))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # Padding up to 3 can exceed the kernel's extent: grad_input must then crop, not pad.
    padding = tuple((draw(st.integers(0, 3)), draw(st.integers(0, 3))) for _ in range(2))
    min_h = max(1, dilation[0] * (kh - 1) + 1 - sum(padding[0]))
    min_w = max(1, dilation[1] * (kw - 1) + 1 - sum(padding[1]))
    h, w = draw(st.integers(min_h, min_h + 7)), draw(st.integers(min_w, min_w + 7))
    n, seed = draw(st.integers(1, 3)), draw(st.integers(0, 2**32 - 1))
    return (n, c_in, c_out, h, w, kh, kw), (1, 1), padding, dilation, seed


def check_fast_matches_reference(case, need_input_grad=True):
    shapes, stride, padding, dilation, seed = case
    rng, x, weight, bias = random_problem(shapes, seed)
    out, saved = conv.conv2d_forward(x, weight, bias, stride, padding, dilation)
    expected, saved_ref = conv_reference.conv2d_forward(x, weight, bias, stride, padding, dilation)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)

    grad_out = rng.standard_normal(out.shape)
    grads = conv.conv2d_backward(grad_out, saved, weight, x.shape, stride, padding, dilation, need_input_grad)
    expected_grads = conv_reference.conv2d_backward(grad_out, saved_ref, weight, x.shape, stride, padding, dilation,
                                                    need_input_grad)
    if not need_input_grad:
        assert grads[0] is None and expected_grads[0] is None
        grads, expected_grads = grads[1:], expected_grads[1:]
    for got, want in zip(grads, expected_grads):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_fast_matches_reference(case):
    check_fast_matches_reference(case)


@settings(max_examples=40, deadline=None)
@given(direct_cases(), st.booleans())
def test_direct_path_matches_reference(case, need_input_grad):
    weight_shape = (case[0][2], case[0][1]) + case[0][5:]
    assert conv.uses_direct_path(weight_shape, case[1])
    check_fast_matches_reference(case, need_input_grad)


# The direct kernel regroups the reference's sum (four taps per pass, fused multiply-adds), so the
# two agree to rounding: a few units in the last place of the largest value, far below these.
DIRECT_TOLERANCE = {np.float32: 4e-6, np.float64: 1e-14}


def assert_close_to(got, want, tolerance):
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance * max(np.abs(want).max(), 1.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding", [((0, 0), (0, 0)), ((1, 1), (1, 1)), ((2, 0), (1, 3))],
                         ids=["no-padding", "padding-1", "padding-uneven"])
@pytest.mark.parametrize("kernel_size", [(3, 3), (5, 5)])
@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("with_bias", [True, False], ids=["bias", "no-bias"])
def test_direct_kernels_equal_their_reference(dtype, padding, kernel_size, channels, with_bias):
    """direct.py against direct_reference.py, the same loop over taps, forward and all three gradients."""
    rng = np.random.default_rng(channels * 100 + kernel_size[0])
    x = rng.standard_normal((3, channels, 12, 11)).astype(dtype)
    weight = rng.standard_normal((4, channels) + kernel_size).astype(dtype)
    bias = rng.standard_normal(4).astype(dtype) if with_bias else None
    tolerance = DIRECT_TOLERANCE[dtype]
    out, saved = conv_direct.conv2d_forward(x, weight, bias, padding, (1, 1))
    want, saved_ref = direct_reference.conv2d_forward(x, weight, bias, padding, (1, 1))
    assert_close_to(out, want, tolerance)
    np.testing.assert_array_equal(saved, saved_ref)  # both save the input
    grad_out = rng.standard_normal(out.shape).astype(dtype)
    grads = conv_direct.conv2d_backward(grad_out, saved, weight, x.shape, padding, (1, 1))
    expected = direct_reference.conv2d_backward(grad_out, saved_ref, weight, x.shape, padding, (1, 1))
    for got, want in zip(grads, expected):
        assert_close_to(got, want, tolerance)


@settings(max_examples=40, deadline=None)
@given(conv_cases(), st.booleans(), st.booleans())
def test_direct_reference_is_the_definition_at_stride_1(case, with_bias, need_input_grad):
    """direct_reference.py computes reference.py's convolution (any channels, kernel, padding, dilation)."""
    shapes, _, padding, dilation, seed = case
    rng, x, weight, bias = random_problem(shapes, seed)
    bias = bias if with_bias else None
    out, saved = direct_reference.conv2d_forward(x, weight, bias, padding, dilation)
    want, windows = conv_reference.conv2d_forward(x, weight, bias, (1, 1), padding, dilation)
    assert_close_to(out, want, 1e-12)
    grad_out = rng.standard_normal(out.shape)
    grads = direct_reference.conv2d_backward(grad_out, saved, weight, x.shape, padding, dilation, need_input_grad)
    expected = conv_reference.conv2d_backward(grad_out, windows, weight, x.shape, (1, 1), padding, dilation,
                                              need_input_grad)
    assert (grads[0] is None) == (expected[0] is None) == (not need_input_grad)
    for got, want in zip(grads, expected):
        if want is not None:
            assert_close_to(got, want, 1e-12)


def test_dispatch_sends_thin_problems_to_the_direct_path():
    assert conv.uses_direct_path((32, 1, 3, 3), (1, 1))  # MNIST's first layer
    assert conv.uses_direct_path((16, 3, 3, 3), (1, 1))  # an RGB first layer
    assert not conv.uses_direct_path((64, 32, 3, 3), (1, 1))  # 288 taps: im2col + BLAS
    assert not conv.uses_direct_path((32, 1, 3, 3), (2, 2))  # strided: im2col


@pytest.mark.parametrize("channels, kernel_size", [(3, (2, 3)), (1, (3, 3))])  # 18 taps padded to 20; 9 = 4+4+1
def test_direct_kernels_equal_their_plain_python_versions(channels, kernel_size):
    """What NUMBA_DISABLE_JIT=1 runs (the functions' Python bodies) gives the compiled results."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, channels, 4, 4))  # padded by ((1, 1), (2, 1)) to 6 x 7
    offsets = conv_direct._tap_offsets(channels, 6, 7, kernel_size, (1, 2))
    weights = rng.standard_normal((4, len(offsets)))
    bias = rng.standard_normal(4)
    oh, ow = 6 - (kernel_size[0] - 1), 7 - 2 * (kernel_size[1] - 1)
    args = (x, 1, 2, 6, 7, weights, offsets, bias, oh, ow)
    np.testing.assert_allclose(conv_direct._correlate_rows(*args), conv_direct._correlate_rows.py_func(*args),
                               rtol=1e-13, atol=1e-13)
    grad_out = rng.standard_normal((2, 4, oh, ow))
    compiled = conv_direct._grad_weight_rows(x, 1, 2, 6, 7, grad_out, offsets)
    plain = conv_direct._grad_weight_rows.py_func(x, 1, 2, 6, 7, grad_out, offsets)
    for got, want in zip(compiled, plain):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_direct_kernels_compile_lazily_and_run_without_the_jit(tmp_path):
    """In fresh interpreters: importing compiles nothing; NUMBA_DISABLE_JIT=1 gives the reference's results."""
    check = textwrap.dedent("""
        import sys
        import numpy as np
        import numba
        from tinygrad_edu.conv import direct as conv_direct, fast as conv, reference as conv_reference
        kernels = [conv_direct._correlate_rows, conv_direct._add_four_taps, conv_direct._add_one_tap,
                   conv_direct._grad_weight_rows, conv_direct._pad_into]
        if not numba.config.DISABLE_JIT:
            assert not [k for k in kernels if k.signatures], "compiled at import"
        rng = np.random.default_rng(0)
        x, weight, bias = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 3, 2)), rng.standard_normal(2)
        args = ((1, 1), ((1, 2), (0, 1)), (1, 2))
        out, saved = conv.conv2d_forward(x, weight, bias, *args)
        assert conv.uses_direct_path(weight.shape, args[0]) and saved.shape == x.shape  # saves the input
        expected, saved_ref = conv_reference.conv2d_forward(x, weight, bias, *args)
        grads = conv.conv2d_backward(out, saved, weight, x.shape, *args)
        expected_grads = conv_reference.conv2d_backward(out, saved_ref, weight, x.shape, *args)
        assert all(np.allclose(a, b, atol=1e-10) for a, b in zip((out,) + grads, (expected,) + expected_grads))
        print("DIRECT OK")
    """)
    for jit_off in ("0", "1"):
        env = {key: value for key, value in os.environ.items() if key != "NUMBA_DISABLE_JIT"}
        env.update({"PYTHONPATH": str(PROJECT_ROOT), "NUMBA_DISABLE_JIT": jit_off})
        result = subprocess.run([sys.executable, "-c", check], env=env, cwd=tmp_path, capture_output=True,
                                text=True, timeout=300)
        assert "DIRECT OK" in result.stdout, result.stderr


@settings(max_examples=40, deadline=None)
@given(conv_cases(), st.sampled_from([np.float32, np.float64]))
def test_im2col_and_col2im_match_reference_bit_for_bit(case, dtype):
    """Same loops, same summation order: the fast pair equals the reference exactly, padding included."""
    (n, c_in, _, h, w, kh, kw), stride, padding, dilation, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c_in, h, w)).astype(dtype)
    out_size = (conv_reference.output_size(h, kh, stride[0], padding[0], dilation[0]),
                conv_reference.output_size(w, kw, stride[1], padding[1], dilation[1]))
    args = ((kh, kw), stride, padding, dilation, out_size)
    cols = im2col.im2col(x, *args)
    assert cols.dtype == dtype
    np.testing.assert_array_equal(cols, im2col_reference.im2col(x, *args))
    grad_cols = rng.standard_normal(cols.shape).astype(dtype)
    grad_x = im2col.col2im(grad_cols, x.shape, *args)
    assert grad_x.shape == x.shape and grad_x.dtype == dtype
    np.testing.assert_array_equal(grad_x, im2col_reference.col2im(grad_cols, x.shape, *args))


def test_col2im_is_the_adjoint_of_im2col():
    """<im2col(x), c> == <x, col2im(c)> for every x and c: the defining property of a transpose."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 9, 8))
    args = ((3, 2), (2, 1), ((1, 2), (2, 0)), (1, 2), (5, 7))
    cols = rng.standard_normal((3 * 3 * 2, 2 * 5 * 7))
    left = np.sum(im2col.im2col(x, *args) * cols)
    right = np.sum(x * im2col.col2im(cols, x.shape, *args))
    assert left == pytest.approx(right, rel=1e-12)


def test_im2col_kernels_equal_their_plain_python_versions():
    """What NUMBA_DISABLE_JIT=1 runs (the functions' Python bodies) gives the compiled results, stride 1 and 2."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 6))
    for sh, sw in [(1, 1), (2, 3)]:
        compiled = im2col._im2col(x, 3, 2, sh, sw, 1, 2, 1, 2, 3, 3)
        plain = im2col._im2col.py_func(x, 3, 2, sh, sw, 1, 2, 1, 2, 3, 3)
        np.testing.assert_array_equal(compiled, plain)
        np.testing.assert_array_equal(im2col._col2im(compiled, x.shape, sh, sw, 1, 2, 1, 2),
                                      im2col._col2im.py_func(compiled, x.shape, sh, sw, 1, 2, 1, 2))


@settings(max_examples=30, deadline=None)
@given(conv_cases())
def test_fast_and_reference_save_the_same_windows(case):
    """Issue 14: the im2col path saves for backward exactly what the reference saves."""
    shapes, stride, padding, dilation, seed = case
    _, x, weight, bias = random_problem(shapes, seed)
    if conv.uses_direct_path(weight.shape, stride):
        _, saved = conv.conv2d_forward(x, weight, bias, stride, padding, dilation)
        np.testing.assert_array_equal(saved, x)  # the direct path saves its input
        return
    _, saved = conv.conv2d_forward(x, weight, bias, stride, padding, dilation)
    _, saved_ref = conv_reference.conv2d_forward(x, weight, bias, stride, padding, dilation)
    assert saved.shape == saved_ref.shape
    np.testing.assert_array_equal(saved, saved_ref)


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


@pytest.mark.parametrize("stride", [(1, 1), (2, 2)])  # the direct path, the im2col path
def test_float32_stays_float32_and_skipping_grad_input_gives_none(stride):
    _, x, weight, bias = random_problem((2, 3, 4, 7, 7, 3, 3), 0, dtype=np.float32)
    out, saved = conv.conv2d_forward(x, weight, bias, stride, ((1, 1), (1, 1)), (1, 1))
    assert out.dtype == np.float32 and out.flags.c_contiguous
    args = (saved, weight, x.shape, stride, ((1, 1), (1, 1)), (1, 1))
    grad_input, grad_weight, grad_bias = conv.conv2d_backward(np.ones_like(out), *args, need_input_grad=False)
    assert grad_input is None
    assert grad_weight.dtype == np.float32 and grad_bias.dtype == np.float32
    grad_input = conv.conv2d_backward(np.ones_like(out), *args)[0]
    assert grad_input.dtype == np.float32 and grad_input.flags.c_contiguous


@pytest.mark.parametrize("channels, stride", [(5, (1, 2)), (3, (1, 1))])  # im2col path, direct path
def test_kernels_are_deterministic(channels, stride):
    """The same call twice gives bit-identical results (no racy parallel sums)."""
    _, x, weight, bias = random_problem((8, channels, 6, 13, 11, 3, 3), 3, dtype=np.float32)
    args = (stride, ((1, 1), (0, 2)), (1, 1))
    first, saved_first = conv.conv2d_forward(x, weight, bias, *args)
    second, saved_second = conv.conv2d_forward(x, weight, bias, *args)
    np.testing.assert_array_equal(first, second)
    grads_first = conv.conv2d_backward(first, saved_first, weight, x.shape, *args)
    grads_second = conv.conv2d_backward(second, saved_second, weight, x.shape, *args)
    for a, b in zip(grads_first, grads_second):
        np.testing.assert_array_equal(a, b)
