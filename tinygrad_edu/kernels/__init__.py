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
import tempfile
import warnings

import numba

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"


def _writable(folder):
    """The test Numba itself makes before caching into a folder: create it, write a temporary file."""
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
        return True
    except OSError:
        return False


def _make_sure_numba_can_cache():
    """``cache=True`` raises at import ("no locator available") when Numba finds no writable folder.

    Numba tries NUMBA_CACHE_DIR, then __pycache__ beside the source, then the
    user's cache folder. When none can be written (a read-only install and a
    read-only home) we point it at a per-user temporary folder, with one
    warning; the kernels then compile once per boot instead of once ever.
    """
    from numba.misc.appdirs import AppDirs
    candidates = [os.path.join(os.path.dirname(__file__), "__pycache__"),
                  AppDirs(appname="numba", appauthor=False).user_cache_dir]
    if numba.config.CACHE_DIR:
        candidates.insert(0, numba.config.CACHE_DIR)
    if any(_writable(folder) for folder in candidates):
        return
    fallback = os.path.join(tempfile.gettempdir(), f"tinygrad_edu-numba-cache-{getattr(os, 'getuid', lambda: 'user')()}")
    if not _writable(fallback):
        raise ImportError(f"tinygrad_edu: Numba can cache compiled kernels nowhere (tried {candidates + [fallback]}); "
                          "set NUMBA_CACHE_DIR to a writable folder")
    numba.config.CACHE_DIR = fallback
    warnings.warn(f"tinygrad_edu: no writable folder for Numba's cache (tried {candidates}); "
                  f"caching compiled kernels in {fallback} instead", RuntimeWarning, stacklevel=2)


_make_sure_numba_can_cache()


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
