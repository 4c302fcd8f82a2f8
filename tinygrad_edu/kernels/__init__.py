"""Kernels: the loops behind convolution, pooling and recurrent layers, twice over.

Each kernel comes in two versions that a test proves equal:

    *_reference.py  plain numpy and Python loops, written like the lecture's
                    pseudo-code; slow, but you can read it in one go;
    the fast file   the same arithmetic as Numba ``@njit(cache=True)`` code, or
                    as numpy/BLAS calls where those are faster (measured in
                    benchmarks/).

Kernels take and return plain ndarrays; the Tensor ops that call them and wire
them into autograd live in ../functional/.

Threads. Numba's own thread pool and OpenBLAS's both spin while waiting for
work; on two cores they fight. Before Numba's first parallel call we select its
``workqueue`` threading layer, which does not spin (override with the
NUMBA_THREADING_LAYER environment variable). Compiled code is cached next to the
source when that folder is writable, and in the user's cache folder otherwise,
so the package also works read-only.
"""
import os

import numba

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"
