"""The Numba max-pool kernels agree with the loop reference, including ties and overlapping windows."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.pooling import fast as pool, reference as pool_reference


@st.composite
def pool_cases(draw):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    h = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 11))
    w = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 11))
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rounded = draw(st.booleans())  # small integers make many ties
    seed = draw(st.integers(0, 2**32 - 1))
    return (n, c, h, w), kernel, stride, padding, rounded, seed


@settings(max_examples=80, deadline=None)
@given(pool_cases())
def test_max_pool2d_fast_matches_reference(case):
    shape, kernel, stride, padding, rounded, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if rounded:
        x = np.round(x)
    out, argmax = pool.max_pool2d_forward(x, kernel, stride, padding)
    expected, expected_argmax = pool_reference.max_pool2d_forward(x, kernel, stride, padding)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(argmax, expected_argmax)
    grad_out = rng.standard_normal(out.shape)
    np.testing.assert_allclose(pool.max_pool2d_backward(grad_out, argmax, x.shape),
                               pool_reference.max_pool2d_backward(grad_out, expected_argmax, x.shape),
                               rtol=1e-14)


def test_tie_sends_the_gradient_to_the_first_maximum_only():
    x = np.ones((1, 1, 2, 2), dtype=np.float32)
    out, argmax = pool.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    grad = pool.max_pool2d_backward(np.full(out.shape, 5.0, np.float32), argmax, x.shape)
    np.testing.assert_array_equal(grad, [[[[5.0, 0.0], [0.0, 0.0]]]])


def test_overlapping_windows_add_their_gradients():
    x = np.array([[[[0.0, 1.0, 9.0, 2.0, 3.0]]]])
    out, argmax = pool.max_pool2d_forward(x, (1, 3), (1, 1), (0, 0))
    np.testing.assert_array_equal(out, [[[[9.0, 9.0, 9.0]]]])
    grad = pool.max_pool2d_backward(np.array([[[[1.0, 2.0, 4.0]]]]), argmax, x.shape)
    np.testing.assert_array_equal(grad, [[[[0.0, 0.0, 7.0, 0.0, 0.0]]]])


def test_max_pool1d_fast_matches_reference():
    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal((2, 3, 15)))
    for kernel, stride, padding in [(2, 2, 0), (3, 1, 1), (4, 3, 2)]:
        out, argmax = pool.max_pool1d_forward(x, kernel, stride, padding)
        expected, expected_argmax = pool_reference.max_pool1d_forward(x, kernel, stride, padding)
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(argmax, expected_argmax)
        grad_out = rng.standard_normal(out.shape)
        np.testing.assert_allclose(pool.max_pool1d_backward(grad_out, argmax, x.shape),
                                   pool_reference.max_pool1d_backward(grad_out, expected_argmax, x.shape))


def test_nan_propagates_like_torch():
    x = np.array([[[[1.0, np.nan], [3.0, 2.0]]]], dtype=np.float32)
    out, _ = pool.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert np.isnan(out).all()


def test_unrolled_2x2_path_matches_reference_for_every_stride():
    """MaxPool2d(2) without padding takes a hand-unrolled loop; it must agree with the general one."""
    rng = np.random.default_rng(4)
    x = np.round(rng.standard_normal((3, 2, 9, 10)))  # ties in most windows
    for stride in [(2, 2), (1, 1), (3, 1), (1, 2)]:
        out, argmax = pool.max_pool2d_forward(x, (2, 2), stride, (0, 0))
        general_out, general_argmax = pool._max_pool2d_forward(x, 2, 2, *stride, 0, 0, *out.shape[2:])
        expected, expected_argmax = pool_reference.max_pool2d_forward(x, (2, 2), stride, (0, 0))
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(argmax, expected_argmax)
        np.testing.assert_array_equal(general_argmax, expected_argmax)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vectorised_2x2_kernel_matches_reference_with_ties_and_nans(dtype):
    """MaxPool2d(2)'s own kernel: odd sizes (the last row and column are dropped), ties, a NaN in each tap."""
    rng = np.random.default_rng(8)
    x = np.round(rng.standard_normal((2, 3, 11, 9))).astype(dtype)
    for tap, (row, column) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        x[0, tap % 3, 2 * tap + row, 2 * tap + column] = np.nan
    out, argmax = pool.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    expected, expected_argmax = pool_reference.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert out.dtype == dtype and out.shape == (2, 3, 5, 4)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(argmax, expected_argmax)
    np.testing.assert_array_equal(pool._max_pool2x2_forward.py_func(x, 5, 4)[1], argmax)  # NUMBA_DISABLE_JIT's code
