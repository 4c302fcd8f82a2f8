"""Process-wide choices made by tinygrad_edu.runtime.memory: the allocator keeps freed memory for reuse."""
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

FAULTS_PER_ALLOCATION = textwrap.dedent("""
    import resource
    import numpy as np
    import tinygrad_edu.runtime
    def allocate_and_free():
        block = np.ones(12_000_000, dtype=np.float32)  # 48 MB: above glibc's largest automatic mmap threshold
        del block
    allocate_and_free()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        allocate_and_free()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 5)
""")


def faults_per_allocation(extra_env):
    env = {"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", **extra_env}
    result = subprocess.run([sys.executable, "-c", FAULTS_PER_ALLOCATION], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip())


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_freed_buffers_are_reused_without_fresh_page_faults():
    kept = faults_per_allocation({})
    # the opt-out leaves glibc's default, which returns the block to the OS each time
    released = faults_per_allocation({"TINYGRAD_EDU_KEEP_MALLOC": "1"})
    assert released >= 20, f"glibc's default should fault on a fresh 48 MB block, saw {released} faults"
    assert kept * 10 < released, f"{kept} faults per reused block vs {released} when released"
