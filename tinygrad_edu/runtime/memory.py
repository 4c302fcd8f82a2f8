"""Memory: keep freed blocks for reuse, so a training step does not pay for fresh pages.

A training step allocates and frees the same multi-megabyte temporaries (im2col
columns, gradients) over and over. By default glibc hands big freed blocks back
to the operating system, and the next step pays for fresh zeroed pages
(thousands of page faults, up to a third of a convnet step). We ask glibc to
keep up to 512 MB of freed memory for reuse (``mallopt``; the same as
MALLOC_TRIM_THRESHOLD_=536870912 MALLOC_MMAP_THRESHOLD_=268435456). Set
TINYGRAD_EDU_KEEP_MALLOC=1, or either variable yourself, to leave the C
allocator as it is; on other C libraries (macOS, musl) nothing changes.

Read next: tinygrad_edu/runtime/threads.py.
"""
import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's option codes, from glibc's malloc.h


def keep_freed_memory_for_reuse():
    """Raise glibc's trim and mmap thresholds, unless the user chose otherwise; True if they were raised."""
    if os.environ.get("TINYGRAD_EDU_KEEP_MALLOC") or any(
            name in os.environ for name in ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")):
        return False
    library = ctypes.util.find_library("c")
    if library is None:
        return False
    try:
        libc = ctypes.CDLL(library)
        return bool(libc.mallopt(M_TRIM_THRESHOLD, 512 * 2**20)) and bool(libc.mallopt(M_MMAP_THRESHOLD, 256 * 2**20))
    except (OSError, AttributeError):
        return False  # not glibc: nothing to tune
