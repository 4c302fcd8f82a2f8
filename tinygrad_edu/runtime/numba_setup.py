"""Numba settings shared by every chapter that compiles kernels, decided before the first ``@njit`` runs.

Threads. Numba's thread pool and OpenBLAS's both spin while waiting for work; on
two cores they fight. We select Numba's ``workqueue`` threading layer, which does
not spin (override with NUMBA_THREADING_LAYER). OpenBLAS's idle workers spin for
2**28 clock cycles (about 0.1 s) after every matrix product, so a Numba kernel run
between two products finds the second core taken. OpenBLAS reads that wait,
OPENBLAS_THREAD_TIMEOUT, when it loads; numpy has loaded it by now, so
``let_idle_blas_threads_sleep`` sets it, asks OpenBLAS to read its environment
again and stops its workers, which the next product restarts with the short wait.
A user's own OPENBLAS_THREAD_TIMEOUT or TINYGRAD_EDU_KEEP_BLAS_SPIN=1 leaves
OpenBLAS as it is. Timings (the convnet's training step): benchmarks/results/conv_*.json.

The cache. ``cache=True`` stores compiled code next to the source file, or else in
the user's cache folder (~/.cache/numba, or NUMBA_CACHE_DIR). Where neither can be
written, Numba raises "no locator available" at import; we point it at a fresh
temporary folder instead, with one warning: the kernels compile once per process.
Read next: tinygrad_edu/runtime/memory.py.
"""
import ctypes
import os
import tempfile
import warnings

import numba
from numba.misc.appdirs import AppDirs

def _writable(folder):
    """Can a file be created in `folder` (creating it if needed)? The test Numba itself makes."""
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
        return True
    except OSError:
        return False


def user_cache_folder():
    """Where Numba caches when the source folder is read-only (its own rule)."""
    return AppDirs(appname="numba", appauthor=False).user_cache_dir


# 2**4 cycles, OpenBLAS's smallest: an idle worker goes to sleep at once; waking it
# for the next product costs microseconds, against milliseconds of matrix product.
IDLE_BLAS_TIMEOUT = 4


def loaded_openblas_libraries():
    """Every OpenBLAS in this process (numpy's, and scipy's own copy if scipy is loaded) as ctypes libraries.

    Empty for another BLAS, or where there is no /proc/self/maps to find them in.
    """
    import numpy  # noqa: F401  (loads numpy's BLAS, if nothing has yet)

    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.rsplit("/", 1)[-1].lower()}
    except OSError:
        return []
    libraries = []
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)  # already loaded: the same library, not a second copy
        except OSError:
            continue
        if all(hasattr(library, name) for name in ("openblas_read_env", "openblas_thread_timeout",
                                                    "blas_thread_shutdown_")):
            libraries.append(library)
    return libraries


def let_idle_blas_threads_sleep():
    """Make every loaded OpenBLAS put idle worker threads to sleep at once; True if one now does."""
    if "OPENBLAS_THREAD_TIMEOUT" in os.environ or os.environ.get("TINYGRAD_EDU_KEEP_BLAS_SPIN"):
        return False
    libraries = loaded_openblas_libraries()
    for library in libraries:
        if library.openblas_thread_timeout() == IDLE_BLAS_TIMEOUT:
            continue  # done already (each package with kernels calls configure_numba)
        os.environ["OPENBLAS_THREAD_TIMEOUT"] = str(IDLE_BLAS_TIMEOUT)
        try:
            library.openblas_read_env()
        finally:
            del os.environ["OPENBLAS_THREAD_TIMEOUT"]  # child processes keep their own choice
        library.blas_thread_shutdown_()  # the next product restarts the workers with the new wait
    return bool(libraries) and all(library.openblas_thread_timeout() == IDLE_BLAS_TIMEOUT
                                   for library in libraries)


def configure_numba(*source_folders):
    """Threading layer and a cache folder that works, before the kernels in `source_folders` are decorated."""
    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "workqueue"
    let_idle_blas_threads_sleep()
    # Numba's own order, for each source file: NUMBA_CACHE_DIR, beside the source, the user's cache folder
    shared = ([numba.config.CACHE_DIR] if numba.config.CACHE_DIR else []) + [user_cache_folder()]
    if any(_writable(folder) for folder in shared):
        return
    beside = [os.path.join(folder, "__pycache__") for folder in source_folders]
    if all(_writable(folder) for folder in beside):
        return
    candidates = beside + shared
    numba.config.CACHE_DIR = tempfile.mkdtemp(prefix="tinygrad-edu-numba-")
    warnings.warn(
        f"tinygrad_edu: none of {', '.join(candidates)} is writable, so compiled kernels "
        f"are cached in {numba.config.CACHE_DIR} for this process only; set NUMBA_CACHE_DIR to a writable "
        "folder to keep them between runs", RuntimeWarning, stacklevel=2)
