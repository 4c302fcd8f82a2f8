"""The fast recurrent kernels agree with their plain-numpy references, on one block of rows or several."""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from tinygrad_edu.recurrent import fast_tanh as activations, gru, gru_reference, lstm, lstm_reference, rnn, rnn_reference
from tinygrad_edu.runtime import threads as rnn_threads

# float32 runs the rational tanh; float64 the exact one, so it must agree to rounding.
TOLERANCE = {np.float32: dict(rtol=1e-4, atol=2e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


def random_weights(rng, gates, input_size, hidden_size, dtype, bias=True):
    bound = 1 / np.sqrt(hidden_size)
    shapes = [(gates * hidden_size, input_size), (gates * hidden_size, hidden_size)]
    shapes += [(gates * hidden_size,)] * 2
    weights = [rng.uniform(-bound, bound, shape).astype(dtype) for shape in shapes]
    return weights if bias else weights[:2] + [None, None]


def assert_all_close(fast, reference, dtype):
    assert len(fast) == len(reference)
    names = getattr(reference, "_fields", range(len(reference)))
    for name, a, b in zip(names, fast, reference):
        if b is None:
            assert a is None, f"{name} should be None"
            continue
        assert a.dtype == dtype, f"{name} has dtype {a.dtype}"
        assert a.shape == b.shape, f"{name} has shape {a.shape}, the reference {b.shape}"
        np.testing.assert_allclose(a, b, **TOLERANCE[dtype], err_msg=str(name))


def assert_same_saved(fast_saved, reference_saved, dtype):
    """Fast and reference keep the same things for backward, under the same names (one block)."""
    assert len(fast_saved.saved) == 1
    block = fast_saved.saved[0]
    assert type(block) is type(reference_saved)
    for name in reference_saved._fields:
        a, b = getattr(block, name), getattr(reference_saved, name)
        if isinstance(b, np.ndarray):
            np.testing.assert_allclose(a, b, **TOLERANCE[dtype], err_msg=name)
        else:
            assert a == b, name


@contextlib.contextmanager
def batch_split(blocks):
    """Run the fast kernels on ``blocks`` blocks of rows (as many threads), however small the batch."""
    saved = rnn_threads.MIN_BLOCK_STEP, rnn_threads.available_threads
    rnn_threads.MIN_BLOCK_STEP, rnn_threads.available_threads = 1, lambda: blocks
    try:
        yield
    finally:
        rnn_threads.MIN_BLOCK_STEP, rnn_threads.available_threads = saved


shapes = st.tuples(
    st.integers(1, 6),   # T
    st.integers(0, 7),   # N (0: an empty batch)
    st.integers(1, 7),   # I
    st.integers(1, 9),   # H
)
blocks = st.sampled_from([1, 2, 3])


def case(draw_shape, dtype, seed):
    T, N, I, H = draw_shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, N, I)).astype(dtype)
    h0 = rng.standard_normal((N, H)).astype(dtype)
    grad_output = rng.standard_normal((T, N, H)).astype(dtype)
    grad_h_n = rng.standard_normal((N, H)).astype(dtype)
    return rng, x, h0, grad_output, grad_h_n


@settings(max_examples=25, deadline=None)
@given(shape=shapes, dtype=st.sampled_from([np.float32, np.float64]), bias=st.booleans(), seed=st.integers(0, 99),
       block_count=blocks, need_grad_input=st.booleans())
def test_lstm_fast_matches_reference(shape, dtype, bias, seed, block_count, need_grad_input):
    rng, x, h0, grad_output, grad_h_n = case(shape, dtype, seed)
    c0 = rng.standard_normal(h0.shape).astype(dtype)
    grad_c_n = rng.standard_normal(h0.shape).astype(dtype)
    weights = random_weights(rng, 4, x.shape[2], h0.shape[1], dtype, bias)
    with batch_split(block_count):
        *fast, fast_saved = lstm.lstm_forward(x, h0, c0, *weights)
        fast_grads = lstm.lstm_backward(grad_output, grad_h_n, grad_c_n, fast_saved, need_grad_input)
    *reference, reference_saved = lstm_reference.lstm_forward(x, h0, c0, *weights)
    assert_all_close(fast, reference, dtype)
    assert type(fast_grads) is lstm_reference.LSTMGradients
    assert_all_close(fast_grads, lstm_reference.lstm_backward(grad_output, grad_h_n, grad_c_n, reference_saved,
                                                              need_grad_input), dtype)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, dtype=st.sampled_from([np.float32, np.float64]), bias=st.booleans(), seed=st.integers(0, 99),
       block_count=blocks, need_grad_input=st.booleans())
def test_gru_fast_matches_reference(shape, dtype, bias, seed, block_count, need_grad_input):
    rng, x, h0, grad_output, grad_h_n = case(shape, dtype, seed)
    weights = random_weights(rng, 3, x.shape[2], h0.shape[1], dtype, bias)
    with batch_split(block_count):
        *fast, fast_saved = gru.gru_forward(x, h0, *weights)
        fast_grads = gru.gru_backward(grad_output, grad_h_n, fast_saved, need_grad_input)
    *reference, reference_saved = gru_reference.gru_forward(x, h0, *weights)
    assert_all_close(fast, reference, dtype)
    assert type(fast_grads) is gru_reference.GRUGradients
    assert_all_close(fast_grads, gru_reference.gru_backward(grad_output, grad_h_n, reference_saved, need_grad_input),
                     dtype)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, dtype=st.sampled_from([np.float32, np.float64]), bias=st.booleans(),
       nonlinearity=st.sampled_from(["tanh", "relu"]), seed=st.integers(0, 99), block_count=blocks,
       need_grad_input=st.booleans())
def test_rnn_fast_matches_reference(shape, dtype, bias, nonlinearity, seed, block_count, need_grad_input):
    rng, x, h0, grad_output, grad_h_n = case(shape, dtype, seed)
    weights = random_weights(rng, 1, x.shape[2], h0.shape[1], dtype, bias)
    with batch_split(block_count):
        *fast, fast_saved = rnn.rnn_forward(x, h0, *weights, nonlinearity=nonlinearity)
        fast_grads = rnn.rnn_backward(grad_output, grad_h_n, fast_saved, need_grad_input)
    *reference, reference_saved = rnn_reference.rnn_forward(x, h0, *weights, nonlinearity=nonlinearity)
    assert_all_close(fast, reference, dtype)
    assert type(fast_grads) is rnn_reference.RNNGradients
    assert_all_close(fast_grads, rnn_reference.rnn_backward(grad_output, grad_h_n, reference_saved, need_grad_input),
                     dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_kernels_save_what_the_references_save(dtype):
    rng, x, h0, _, _ = case((4, 3, 5, 6), dtype, 3)
    c0 = rng.standard_normal(h0.shape).astype(dtype)
    with batch_split(1):
        lstm_weights = random_weights(rng, 4, 5, 6, dtype)
        assert_same_saved(lstm.lstm_forward(x, h0, c0, *lstm_weights)[-1],
                          lstm_reference.lstm_forward(x, h0, c0, *lstm_weights)[-1], dtype)
        gru_weights = random_weights(rng, 3, 5, 6, dtype)
        assert_same_saved(gru.gru_forward(x, h0, *gru_weights)[-1],
                          gru_reference.gru_forward(x, h0, *gru_weights)[-1], dtype)
        rnn_weights = random_weights(rng, 1, 5, 6, dtype)
        assert_same_saved(rnn.rnn_forward(x, h0, *rnn_weights, nonlinearity="relu")[-1],
                          rnn_reference.rnn_forward(x, h0, *rnn_weights, nonlinearity="relu")[-1], dtype)


def test_kernels_accept_missing_final_state_gradients():
    rng, x, h0, grad_output, _ = case((3, 2, 4, 5), np.float64, 0)
    c0 = np.zeros_like(h0)
    weights = random_weights(rng, 4, 4, 5, np.float64)
    *_, fast_saved = lstm.lstm_forward(x, h0, c0, *weights)
    *_, reference_saved = lstm_reference.lstm_forward(x, h0, c0, *weights)
    assert_all_close(lstm.lstm_backward(grad_output, None, None, fast_saved),
                     lstm_reference.lstm_backward(grad_output, None, None, reference_saved), np.float64)


@pytest.mark.parametrize("block_count", [1, 2])
def test_kernels_are_bit_identical_on_repeat(block_count):
    rng, x, h0, grad_output, grad_h_n = case((20, 24, 16, 32), np.float32, 1)
    c0 = rng.standard_normal(h0.shape).astype(np.float32)
    lstm_weights = random_weights(rng, 4, 16, 32, np.float32)
    gru_weights = random_weights(rng, 3, 16, 32, np.float32)
    runs = []
    with batch_split(block_count):
        for _ in range(3):
            output, h_n, c_n, saved = lstm.lstm_forward(x, h0, c0, *lstm_weights)
            results = [output.copy(), h_n.copy(), c_n.copy(), *lstm.lstm_backward(grad_output, grad_h_n, None, saved)]
            gru_output, _, gru_saved = gru.gru_forward(x, h0, *gru_weights)
            results += [gru_output.copy(), *gru.gru_backward(grad_output, grad_h_n, gru_saved)]
            runs.append(results)
    for first, other in zip(runs[0], runs[1]):
        assert np.array_equal(first, other)
    for first, other in zip(runs[0], runs[2]):
        assert np.array_equal(first, other)


@pytest.mark.parametrize("batch_size, step_per_row, threads, sizes", [
    (32, 512 * 128, 2, [16, 16]), (33, 512 * 128, 2, [16, 17]), (100, 192 * 64, 3, [33, 33, 34]), (64, 192 * 64, 3, [32, 32]),
    (32, 128 * 128, 2, [32]),  # a simple RNN's step is too small to split
    (0, 512 * 128, 2, [0]), (100, 512 * 128, 1, [100])])
def test_batch_blocks_cover_every_row_once(batch_size, step_per_row, threads, sizes):
    rows = rnn_threads.batch_blocks(batch_size, step_per_row, threads)
    assert [block.stop - block.start for block in rows] == sizes
    assert rows[0].start == 0 and rows[-1].stop == batch_size
    assert all(a.stop == b.start for a, b in zip(rows, rows[1:]))


def test_rnn_kernel_rejects_unknown_nonlinearity():
    x = np.zeros((2, 1, 3))
    with pytest.raises(ValueError, match="'tanh' or 'relu', got 'sigmoid'"):
        rnn.rnn_forward(x, np.zeros((1, 4)), np.zeros((4, 3)), np.zeros((4, 4)), nonlinearity="sigmoid")


# -- the fast activations ---------------------------------------------------------

@njit
def apply_tanh(x, out):
    for k in range(x.shape[0]):
        out[k] = activations.tanh(x[k])


@njit
def apply_sigmoid(x, out):
    for k in range(x.shape[0]):
        out[k] = activations.sigmoid(x[k])


def exact_sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


@pytest.mark.parametrize("apply, exact", [(apply_tanh, np.tanh), (apply_sigmoid, exact_sigmoid)])
def test_float32_approximation_error_is_below_4e_7(apply, exact):
    # Dense near 0, where tanh bends, and out to where it saturates.
    x = np.concatenate([np.linspace(-12, 12, 200_001), np.linspace(-1e-3, 1e-3, 1001), [-1e30, 1e30, 0.0]])
    x32 = x.astype(np.float32)
    out = np.empty_like(x32)
    apply(x32, out)
    assert out.dtype == np.float32
    assert np.abs(out.astype(np.float64) - exact(x32.astype(np.float64))).max() < 4e-7


@pytest.mark.parametrize("apply, exact", [(apply_tanh, np.tanh), (apply_sigmoid, exact_sigmoid)])
def test_float64_activations_are_exact(apply, exact):
    x = np.linspace(-40, 40, 10_001)
    out = np.empty_like(x)
    apply(x, out)
    np.testing.assert_allclose(out, exact(x), rtol=4e-16, atol=4e-16)


def test_python_fallback_matches_compiled():
    # What NUMBA_DISABLE_JIT=1 runs: the same choice by type, in plain Python.
    for value in (-3.0, -0.25, 0.0, 0.7, 9.0):
        out32 = np.empty(1, np.float32)
        apply_tanh(np.array([value], np.float32), out32)
        assert activations.tanh(np.float32(value)) == pytest.approx(float(out32[0]), abs=1e-7)
        assert isinstance(activations.tanh(np.float32(value)), np.float32)
        assert activations.tanh(value) == pytest.approx(np.tanh(value), rel=1e-15)
        assert activations.sigmoid(value) == pytest.approx(exact_sigmoid(value), rel=1e-15)


def test_nan_input_stays_nan_so_detect_anomaly_can_see_it():
    rng, x, h0, _, _ = case((3, 2, 4, 5), np.float32, 2)
    x[1, 0, 2] = np.nan
    c0 = np.zeros_like(h0)
    output, _, c_n, _ = lstm.lstm_forward(x, h0, c0, *random_weights(rng, 4, 4, 5, np.float32))
    assert np.isnan(output[1, 0]).all() and np.isnan(c_n[0]).all()
    assert not np.isnan(output[:, 1]).any()
    output, _, _ = gru.gru_forward(x, h0, *random_weights(rng, 3, 4, 5, np.float32))
    assert np.isnan(output[1, 0]).all()
    output, _, _ = rnn.rnn_forward(x, h0, *random_weights(rng, 1, 4, 5, np.float32))
    assert np.isnan(output[1, 0]).all()
