"""Memory: keep freed blocks for reuse, so a training step does not pay for fresh pages.

A training step allocates and frees the same multi-megabyte temporaries (im2col
columns, gradients) over and over. A fresh block costs a page fault per 4 KiB
page the first time it is written, and by default glibc hands big freed blocks
back to the operating system, so every step paid those faults again (up to a
third of a convnet step). Two remedies, one per scope:

  - process-wide: ask glibc to keep up to 512 MB of freed memory for reuse
    (``mallopt``; the same as MALLOC_TRIM_THRESHOLD_=536870912
    MALLOC_MMAP_THRESHOLD_=268435456). Set TINYGRAD_EDU_KEEP_MALLOC=1, or either
    variable yourself, to leave the C allocator as it is; on other C libraries
    (macOS, musl) nothing changes;
  - inside one kernel: Scratch keeps one buffer per role and thread, grown when
    needed (conv/fast.py's matrices). Its one invariant: only arrays that never
    leave the function may live there, since the next call overwrites them.

Read next: tinygrad_edu/runtime/threads.py.
"""
import ctypes
import ctypes.util
import os
import threading

import numpy as np

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


class Scratch(threading.local):
    """Reusable memory for the matrices that live only inside one kernel call, one buffer per role (per thread).

    Only arrays that never leave the function may live here: the next call with
    the same role hands out the same memory.
    """

    def array(self, role, shape, dtype):
        buffers = self.__dict__.setdefault("buffers", {})
        size = int(np.prod(shape))
        buffer = buffers.get((role, dtype))
        if buffer is None or buffer.size < size:
            buffer = buffers[(role, dtype)] = np.empty(size, dtype=dtype)
        return buffer[:size].reshape(shape)
