"""Numba settings shared by every package that compiles kernels (kernels/, augment/).

Two things must be decided before the first ``@njit`` decorator runs:

Threads. Numba's own thread pool and OpenBLAS's both spin while waiting for
work; on two cores they fight. We select Numba's ``workqueue`` threading
layer, which does not spin (override with NUMBA_THREADING_LAYER).

The cache. ``cache=True`` stores compiled code next to the source file, or
else in the user's cache folder (~/.cache/numba, or NUMBA_CACHE_DIR). Numba
raises "cannot cache function ...: no locator available" *at import* when
neither can be written, e.g. a system-wide install run by a user whose home
is read-only. Then we point Numba at a fresh temporary folder, with one
warning: the kernels compile once per process instead of once per machine,
and nothing breaks.

Read next: tinygrad_edu/kernels/conv_reference.py (convolution from its definition).
"""
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


def configure_numba(source_folder):
    """Threading layer and a cache folder that works, before `source_folder`'s kernels are decorated."""
    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "workqueue"
    # Numba's own order: NUMBA_CACHE_DIR, beside the source, the user's cache folder
    candidates = [numba.config.CACHE_DIR] if numba.config.CACHE_DIR else []
    candidates += [os.path.join(source_folder, "__pycache__"), user_cache_folder()]
    if any(_writable(folder) for folder in candidates):
        return
    numba.config.CACHE_DIR = tempfile.mkdtemp(prefix="tinygrad-edu-numba-")
    warnings.warn(
        f"tinygrad_edu: none of {', '.join(candidates)} is writable, so compiled kernels "
        f"are cached in {numba.config.CACHE_DIR} for this process only; set NUMBA_CACHE_DIR to a writable "
        "folder to keep them between runs", RuntimeWarning, stacklevel=2)
