"""Appendix, the runtime: what makes the kernels fast on a laptop, and nothing about learning.

    numba_setup.py   Numba's threading layer and a compile cache that can be written
    memory.py        keeping freed memory for reuse between training steps
    threads.py       splitting a recurrent batch across threads
    old_paths.py     the modules' old import paths, from before the tree was the table of contents

Importing this package sets Numba and the C allocator up; every chapter with
kernels (conv/, pooling/, recurrent/, augment/warp.py, explain/lime/perturb.py)
imports it before its first kernel is compiled.
"""
import os

from . import memory
from .numba_setup import configure_numba

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
configure_numba(*(os.path.join(_PACKAGE, chapter) for chapter in ("conv", "pooling", "recurrent", "runtime")))
memory.keep_freed_memory_for_reuse()
