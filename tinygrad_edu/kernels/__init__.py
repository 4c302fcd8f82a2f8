"""Kernels: the loops behind convolution, pooling and recurrent layers, twice over.

Each kernel comes in two versions that a test proves equal:

    *_reference.py  plain numpy and Python loops, written like the lecture's
                    pseudo-code; slow, but you can read it in one go;
    the fast file   the same arithmetic as Numba ``@njit(cache=True)`` code, or
                    as numpy/BLAS calls where those are faster (measured in
                    benchmarks/).

Kernels take and return plain ndarrays; the Tensor ops that call them and wire
them into autograd live in ../functional/.

Threads and the compile cache are set up in numba_setup.py before any kernel
is decorated: Numba's non-spinning ``workqueue`` threading layer, and a cache
folder that can be written (next to the source, the user's cache folder, or a
temporary folder with a warning), so the package also works read-only.

Memory. A training step allocates and frees the same multi-megabyte
temporaries (im2col columns, gradients) over and over. By default glibc hands
big freed blocks back to the operating system and the next step pays for fresh
zeroed pages (thousands of page faults, up to a third of a convnet step). We
ask glibc to keep up to 512 MB of freed memory for reuse (``mallopt``; the
same as MALLOC_TRIM_THRESHOLD_=536870912 MALLOC_MMAP_THRESHOLD_=268435456).
Set TINYGRAD_EDU_KEEP_MALLOC=1 to leave the C allocator as it is.
"""
import ctypes
import ctypes.util
import os

from .numba_setup import configure_numba

configure_numba(os.path.dirname(os.path.abspath(__file__)))


def _keep_freed_memory_for_reuse():
    """glibc only: raise the trim and mmap thresholds (mallopt codes from malloc.h)."""
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    library = ctypes.util.find_library("c")
    if library is None:
        return False
    try:
        libc = ctypes.CDLL(library)
        return bool(libc.mallopt(M_TRIM_THRESHOLD, 512 * 2**20)) and bool(libc.mallopt(M_MMAP_THRESHOLD, 256 * 2**20))
    except (OSError, AttributeError):
        return False  # not glibc (e.g. macOS, musl): nothing to tune


if not os.environ.get("TINYGRAD_EDU_KEEP_MALLOC") and not any(
        name in os.environ for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")):
    _keep_freed_memory_for_reuse()
