"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Write to a temporary file in the same folder, flush it to disk, then rename it
over the target. A rename within one file system is atomic, so a crash or an
exception part-way leaves the previous file untouched (and the temporary file
is removed). A process killed outright (kill -9) cannot clean up, so the
temporaries carry a recognisable name and the writer's process id, and every
write sweeps the stale temporaries of its target before making its own.

Read next: tinygrad_edu/io/checkpoint.py.
"""
import io
import os
import re
import stat
import tempfile
import time
from contextlib import contextmanager

# Temporaries are named ".<target>.tinygrad-tmp-<pid>-<random>" so that a later
# write can recognise what a killed one left behind, and whether its writer still runs.
TEMP_MARK = ".tinygrad-tmp-"
WRITER_PID = re.compile(r"(\d+)-")
# Anything of ours older than this process cannot belong to a write still running in it.
PROCESS_START = time.time()


def temporary_prefix(path):
    return "." + os.path.basename(path) + TEMP_MARK


def resolve_target(path):
    """The file a write to ``path`` should replace: through a symlink, its target (as PyTorch's open() does)."""
    path = os.fspath(path)
    return os.path.realpath(path) if os.path.islink(path) else path


def sweep_stale_temporaries(path, older_than=None):
    """Remove temporaries of ``path`` left by killed writes. Returns their names.

    Stale means: its writer's process is gone, or (no process id in the name, or
    our own) it is older than this process, so no write still running made it.
    """
    older_than = PROCESS_START if older_than is None else older_than
    folder = os.path.dirname(os.path.abspath(path))
    prefix = temporary_prefix(path)
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(prefix):
            continue
        full = os.path.join(folder, name)
        try:
            if _is_stale(name[len(prefix):], full, older_than):
                os.unlink(full)
                removed.append(name)
        except OSError:
            pass  # another process removed it first, or it is not ours to remove
    return removed


def _is_stale(suffix, full, older_than):
    writer = WRITER_PID.match(suffix)
    pid = int(writer.group(1)) if writer else None
    if pid is not None and pid != os.getpid():
        return not _process_alive(pid)
    return os.lstat(full).st_mtime < older_than


def _process_alive(pid):
    if os.name != "posix":
        return True   # no cheap way to ask: keep the file, as a live writer would want
    try:
        os.kill(pid, 0)   # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True   # it exists but belongs to someone else
    return True


@contextmanager
def atomic_write(path, mode="wb", verify=None):
    """Context manager yielding a file object; on success it replaces ``path``.

    ``verify(temporary_path)`` (optional) runs on the finished temporary file
    before the rename; if it raises, the old file stays. A symlink is written
    through to its target; an existing target keeps its permission bits.
    """
    user_path = os.fspath(path)
    path = resolve_target(user_path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot write '{user_path}': it is a folder, expected a file path")
    sweep_stale_temporaries(path)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f"{temporary_prefix(path)}{os.getpid()}-")
    except FileNotFoundError:
        raise FileNotFoundError(f"cannot write '{user_path}': the folder '{folder}' does not exist") from None
    except PermissionError:
        raise PermissionError(f"cannot write '{user_path}': no permission to create files in '{folder}'") from None
    try:
        os.chmod(temporary, _mode_for(path))
        with os.fdopen(descriptor, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if verify is not None:
            verify(temporary)
        os.replace(temporary, path)
        _fsync_folder(folder)  # make the rename itself durable
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _mode_for(path):
    """Keep the permission bits of the file being replaced; a new file gets the usual 0666 & ~umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_current_umask()


def atomic_write_bytes(path, data):
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path, text, encoding="utf-8"):
    atomic_write_bytes(path, text.encode(encoding))


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder):
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some systems cannot open folders; the rename is still atomic
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def save_figure(figure, path, dpi=120):
    """Save a figure as PNG atomically: a reader never sees half a file."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    atomic_write_bytes(path, buffer.getvalue())
