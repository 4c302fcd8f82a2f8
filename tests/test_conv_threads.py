"""Threads in the convolution kernels: the same results on any number of cores, and OpenBLAS told to sleep.

    - im2col/col2im spread over Numba's threads (prange) give bit-identical
      results with 1 thread and with all of them;
    - importing the kernels makes numpy's OpenBLAS put idle workers to sleep at
      once (numba_setup.let_idle_blas_threads_sleep), leaves the environment as it
      was, and keeps matrix products right; a user's OPENBLAS_THREAD_TIMEOUT and
      TINYGRAD_EDU_KEEP_BLAS_SPIN=1 are respected. Each check in a fresh interpreter,
      since OpenBLAS is set up once per process.
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest

from tinygrad_edu.conv import im2col, im2col_reference
from tinygrad_edu.runtime.numba_setup import loaded_openblas_libraries

PROJECT_ROOT = Path(__file__).resolve().parents[1]

CASES = [  # x shape, (kernel, stride, padding, dilation, out size)
    ((64, 32, 13, 13), ((3, 3), (1, 1), ((0, 0), (0, 0)), (1, 1), (11, 11))),  # the convnet's second layer
    ((3, 5, 9, 8), ((3, 2), (2, 1), ((1, 2), (2, 0)), (1, 2), (5, 7))),  # odd sizes, stride, padding, dilation
]


@pytest.mark.parametrize("shape, args", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_im2col_and_col2im_are_the_same_on_one_thread_and_on_all(shape, args, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(dtype)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        cols_one = im2col.im2col(x, *args)
        grad_one = im2col.col2im(cols_one * 3 - 1, x.shape, *args)
    finally:
        numba.set_num_threads(threads)
    cols_all = im2col.im2col(x, *args)
    np.testing.assert_array_equal(cols_all, cols_one)
    np.testing.assert_array_equal(im2col.col2im(cols_all * 3 - 1, x.shape, *args), grad_one)
    if x.shape[0] < 8:  # the loop reference is slow: check the small case against it too
        np.testing.assert_array_equal(cols_one, im2col_reference.im2col(x, *args))


CHECK = textwrap.dedent("""
    import os
    import numpy as np
    import tinygrad_edu.runtime
    from tinygrad_edu.runtime.numba_setup import loaded_openblas_libraries
    a = np.arange(300 * 200, dtype=np.float64).reshape(300, 200) % 7 - 3
    b = np.arange(200 * 100, dtype=np.float64).reshape(200, 100) % 5 - 2
    expected = np.einsum("ik,kj->ij", a, b)  # no BLAS
    assert np.array_equal(a @ b, expected), "matrix product changed"
    timeouts = {library.openblas_thread_timeout() for library in loaded_openblas_libraries()}
    print("TIMEOUT", *timeouts, os.environ.get("OPENBLAS_THREAD_TIMEOUT"))
""")


def run_check(**env_changes):
    env = {key: value for key, value in os.environ.items()
           if key not in ("OPENBLAS_THREAD_TIMEOUT", "TINYGRAD_EDU_KEEP_BLAS_SPIN")}
    env.update(PYTHONPATH=str(PROJECT_ROOT), OPENBLAS_NUM_THREADS="2", **env_changes)
    result = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=300)
    line = next((line for line in result.stdout.splitlines() if line.startswith("TIMEOUT")), None)
    assert line is not None, result.stderr
    return line.split()[1:]


needs_openblas = pytest.mark.skipif(not loaded_openblas_libraries(), reason="numpy does not use OpenBLAS here")


@needs_openblas
def test_importing_the_kernels_lets_idle_blas_threads_sleep():
    assert run_check() == ["4", "None"]  # the shortest wait, and no variable left behind for child processes


@needs_openblas
def test_a_users_own_blas_settings_are_kept():
    assert run_check(OPENBLAS_THREAD_TIMEOUT="10") == ["10", "10"]
    timeout, variable = run_check(TINYGRAD_EDU_KEEP_BLAS_SPIN="1")
    assert timeout != "4" and variable == "None"
