"""Two cores for one recurrence: split the batch, not the matrix products.

The steps of a recurrence run one after the other, and each step's product h @ W_hh^T
is small ((32, 128) x (128, 512) for a typical LSTM, about 50 microseconds): split
over two threads by BLAS, the threads spend as long meeting as computing. The rows
of a batch, though, never meet: row n's states depend only on row n's input. So
each thread takes a block of rows and runs the whole recurrence on it, with its
own one-thread BLAS; the threads wait for each other once, at the end:

    rows 0 .. N/2     thread 1:  forward (or backward) over all T steps
    rows N/2 .. N     thread 2:  the same, at the same time

The weight gradients are sums over rows, added in block order: the same result from
run to run (and, up to rounding, as one block). The compiled cells release the GIL
(nogil=True), as does BLAS, so the threads truly run at once; small steps
(MIN_BLOCK_STEP) stay one block, and without threadpoolctl, which holds BLAS at one
thread meanwhile, everything does. The fast kernels write ``*_forward_rows`` and
``*_backward_rows`` for one block; forward_by_blocks and backward_by_blocks run them
on every block. Timings: benchmarks/results/rnn_*.json.
Read next: tinygrad_edu/runtime/old_paths.py.
"""
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # then everything runs as one block, on BLAS's own threads
    ThreadpoolController = None

# A block's step must outweigh what the split costs: every step enters Python
# twice (the BLAS call, the compiled cell) and the threads take turns holding
# the GIL there. Two blocks pay for the LSTM and the GRU, whose step is 1M
# multiply-adds per block, but not for the simple RNN's, 4x smaller. Hence the
# least step worth a block, in multiply-adds of h_prev @ W_hh^T per step:
MIN_BLOCK_STEP = 300_000

_controller = None
_pool = None


def blas_controller():
    """The threadpoolctl handle on BLAS (created once: finding the libraries takes ~1 ms), or None."""
    global _controller
    if _controller is None and ThreadpoolController is not None:
        _controller = ThreadpoolController()
    return _controller


def available_threads():
    """The thread count the user gave BLAS (OMP_NUM_THREADS / OPENBLAS_NUM_THREADS), 1 if unknown."""
    controller = blas_controller()
    if controller is None:
        return 1
    return max([pool.num_threads for pool in controller.select(user_api="blas").lib_controllers], default=1)


def batch_blocks(batch_size, step_per_row, threads=None):
    """Split rows 0..batch_size into at most ``threads`` blocks, each doing >= MIN_BLOCK_STEP per step.

    step_per_row: the multiply-adds of one row's h_prev @ W_hh^T (W_hh's size).
    """
    threads = available_threads() if threads is None else threads
    count = max(1, min(threads, batch_size * step_per_row // max(MIN_BLOCK_STEP, 1), batch_size))
    edges = [batch_size * k // count for k in range(count + 1)]
    return [slice(start, stop) for start, stop in zip(edges[:-1], edges[1:])]


def run_blocks(function, blocks):
    """[function(rows) for rows in blocks], the blocks on separate threads, BLAS at one thread each."""
    if len(blocks) == 1:
        return [function(blocks[0])]
    global _pool
    if _pool is None or _pool._max_workers < len(blocks) - 1:
        _pool = ThreadPoolExecutor(max_workers=len(blocks) - 1, thread_name_prefix="tinygrad-edu-rnn")
    with blas_controller().limit(limits=1, user_api="blas"):
        others = [_pool.submit(function, rows) for rows in blocks[1:]]
        first = function(blocks[0])  # the calling thread works too
        return [first] + [future.result() for future in others]


def join_rows(blocks_of_rows, axis):
    """The blocks' arrays put back together along the batch axis (None stays None)."""
    if blocks_of_rows[0] is None:
        return None
    if len(blocks_of_rows) == 1:
        return blocks_of_rows[0]
    return np.concatenate(blocks_of_rows, axis=axis)


def add_in_order(shares):
    """The sum of the blocks' shares of a weight gradient, always in block order (None stays None)."""
    if shares[0] is None:
        return None
    total = shares[0]
    for share in shares[1:]:
        total = total + share
    return total


class SavedByBlock(NamedTuple):
    """A fast forward's cache: the rows of each block, and each block's Saved (as in the reference)."""
    blocks: list
    saved: list


def forward_by_blocks(forward_rows, input, states, weight_ih, weight_hh, *options):
    """forward_rows(input, *states, weight_ih, weight_hh, *options) -> (output, saved, *other final states).

    Runs it on every block; returns the whole output (T, N, H), the other
    final states (N, H) and a SavedByBlock.
    """
    blocks = batch_blocks(input.shape[1], weight_hh.size)
    results = run_blocks(lambda rows: forward_rows(input[:, rows], *(state[rows] for state in states), weight_ih,
                                                   weight_hh, *options), blocks)
    output = join_rows([result[0] for result in results], axis=1)
    finals = [join_rows([result[k] for result in results], axis=0) for k in range(2, len(results[0]))]
    return output, finals, SavedByBlock(blocks, [result[1] for result in results])


def backward_by_blocks(backward_rows, grad_output, grad_finals, saved, need_grad_input):
    """backward_rows(grad_output, *grad_finals, saved, need_grad_input) -> Gradients, on every block.

    The blocks' gradients are joined: grad_input along the batch axis 1, the
    initial states' along axis 0, and the weights' and biases' added up.
    """
    def backward(block):
        rows = saved.blocks[block]
        block_grad_finals = [None if grad is None else grad[rows] for grad in grad_finals]
        return backward_rows(grad_output[:, rows], *block_grad_finals, saved.saved[block], need_grad_input)

    shares = run_blocks(backward, list(range(len(saved.blocks))))
    joined = {}
    for name in shares[0]._fields:
        values = [getattr(share, name) for share in shares]
        if name == "grad_input":
            joined[name] = join_rows(values, axis=1)
        elif name.startswith(("grad_weight", "grad_bias")):
            joined[name] = add_in_order(values)
        else:
            joined[name] = join_rows(values, axis=0)  # grad_h0, grad_c0
    return type(shares[0])(**joined)
