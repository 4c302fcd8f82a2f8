"""Every atomic write sweeps the temporaries that killed writes to the same target left (issue 22)."""
import os
import signal
import subprocess
import sys
import time

from tinygrad_edu.io.atomic import TEMP_MARK, atomic_write_text, sweep_stale_temporaries

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Writes half a report into the temporary, says so, then waits to be killed before the rename.
KILLED_WRITER = """
import sys, time
from tinygrad_edu.io.atomic import atomic_write
with atomic_write(sys.argv[1], "w") as handle:
    handle.write("<html>half a report")
    handle.flush()
    print("written", flush=True)
    time.sleep(60)
"""


def kill_mid_write(path):
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == b"written"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()


def test_a_write_killed_before_the_rename_leaves_a_temporary_that_the_next_write_sweeps(tmp_path):
    path = tmp_path / "r.html"
    atomic_write_text(path, "old report")
    kill_mid_write(path)
    left = [name for name in os.listdir(tmp_path) if name != "r.html"]
    assert len(left) == 1 and left[0].startswith(f".r.html{TEMP_MARK}")
    assert path.read_text() == "old report"            # the kill lost nothing
    atomic_write_text(path, "new report")              # the next write, in this (older) process
    assert os.listdir(tmp_path) == ["r.html"] and path.read_text() == "new report"


def test_only_the_stale_temporaries_of_the_same_target_are_swept(tmp_path):
    path = tmp_path / "r.html"
    kill_mid_write(path)
    kill_mid_write(tmp_path / "other.html")
    ours = tmp_path / f".r.html{TEMP_MARK}{os.getpid()}-running"    # a write of this process, still going
    live = tmp_path / f".r.html{TEMP_MARK}{os.getppid()}-running"   # a live process's write
    ours.write_text("x")
    live.write_text("x")
    removed = sweep_stale_temporaries(path)
    assert len(removed) == 1 and removed[0].startswith(f".r.html{TEMP_MARK}")
    left = sorted(os.listdir(tmp_path))
    assert ours.name in left and live.name in left and any(n.startswith(f".other.html{TEMP_MARK}") for n in left)
    assert len(left) == 3
    old = time.time() - 3600                          # of this pid but older than this process: a dead one's
    os.utime(ours, (old, old))
    assert sweep_stale_temporaries(path) == [ours.name]
