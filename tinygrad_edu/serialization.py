"""save / load: checkpoints as .npz files, written atomically, read without pickle.

An .npz file is a zip archive holding one .npy file per array. A .npy file is
a short text header, e.g. {'descr': '<f4', 'fortran_order': False, 'shape':
(10, 784)}, followed by the raw bytes of the array. Nothing else is needed to
store a state_dict: names become file names, arrays become .npy files.

Two things can go wrong with checkpoints, and this module guards against both:

  * A crash half-way through writing leaves a broken file where the good one
    was. So we write to a temporary file in the same folder, flush it to disk
    (fsync), and only then rename it over the old one (files.atomic_write).
    os.replace is atomic: a reader sees the old file or the new one, never a mix.
  * A .npy of dtype=object holds pickled Python objects, and unpickling can
    run any code its author chose. So only numeric and bool arrays are
    written, and a file holding anything else is refused from its .npy
    header, before its data is looked at (numpy is also told
    allow_pickle=False, as a second lock).

Read nn/module.py for state_dict() and load_state_dict().
"""
import io
import os
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from .files import atomic_write
from .tensor import Tensor

# bool, signed and unsigned integers, floats, complex: plain bytes, no pickle.
_ALLOWED_KINDS = "biufc"
_ZIP_MAGIC = b"PK\x03\x04"
_NPY_MAGIC = b"\x93NUMPY"


class CheckpointError(ValueError):
    """A file that is not a checkpoint tinygrad_edu can load safely."""


# -- save --------------------------------------------------------------------
def save(state_dict, path):
    """Write ``{name: array}`` (e.g. ``model.state_dict()``) to ``path`` as an .npz, atomically.

    Either the whole new file appears at ``path`` or, if anything fails, the
    old file (if any) is left untouched and no temporary file remains. The
    path is used as given (no ".npz" is appended).
    """
    arrays = _checked_arrays(state_dict)  # check everything before touching the disk
    with atomic_write(path) as file:
        _write_npz(file, arrays)


def _checked_arrays(state_dict):
    """The state_dict as an ordered {str: numeric ndarray}, or a clear error."""
    if not isinstance(state_dict, Mapping):
        hint = " (did you mean model.state_dict()?)" if hasattr(state_dict, "state_dict") else ""
        raise TypeError(f"save expected a dict of name -> array{hint}, got {type(state_dict).__name__}")
    arrays = OrderedDict()
    for name, value in state_dict.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"save expected non-empty string keys, got key {name!r} ({type(name).__name__})")
        if isinstance(value, Tensor):
            value = value.data
        try:
            array = np.asarray(value)
        except ValueError as error:  # e.g. a ragged list
            raise TypeError(f"save: '{name}' cannot be turned into an array ({error})") from None
        if array.dtype.kind not in _ALLOWED_KINDS:
            raise TypeError(
                f"save: '{name}' has dtype {array.dtype} ({type(value).__name__}); only numeric and bool "
                "arrays are saved, because anything else would need pickle"
            )
        arrays[name] = array
    return arrays


def _write_npz(file, arrays):
    """What np.savez does, minus pickle: one '<name>.npy' member per array, in order."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


# -- load --------------------------------------------------------------------
def load(path):
    """Read an .npz written by ``save``: an OrderedDict of arrays, in the saved order.

    Raises FileNotFoundError for a missing file and CheckpointError (a
    ValueError) for a file that is not an .npz, is truncated or corrupted, or
    holds object arrays. Nothing in the file is ever unpickled or executed.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at '{path}' (expected an .npz written by tinygrad_edu.save)")
    if os.path.isdir(path):
        raise CheckpointError(f"load: '{path}' is a folder, expected an .npz file")
    _check_looks_like_npz(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise CheckpointError(
            f"load: '{path}' starts like an .npz (zip) file but cannot be opened: it is truncated or "
            f"corrupted ({error})"
        ) from None
    with archive:
        return _read_members(archive, path)


def _check_looks_like_npz(path):
    with open(path, "rb") as file:
        start = file.read(len(_NPY_MAGIC))
    if start.startswith(_ZIP_MAGIC):
        return
    if not start:
        what = "an empty file"
    elif start.startswith(_NPY_MAGIC):
        what = "a single .npy array (np.save), not an .npz of named arrays"
    else:
        what = f"a file starting with bytes {start!r}"
    raise CheckpointError(f"load: '{path}' is {what}; expected an .npz written by tinygrad_edu.save")


def _read_members(archive, path):
    arrays = OrderedDict()
    for member in archive.namelist():
        if not member.endswith(".npy"):
            raise CheckpointError(
                f"load: '{path}' holds '{member}', which is not a .npy array; expected an .npz written by "
                "tinygrad_edu.save (refused without reading it: nothing was executed)"
            )
        name = member[: -len(".npy")]
        if name in arrays:
            raise CheckpointError(f"load: '{path}' holds the array '{name}' twice")
        try:
            # read() checks the member's CRC-32, so flipped bits are caught, not loaded
            file = io.BytesIO(archive.read(member))
            _refuse_unsafe_dtype(file, member, path)
            file.seek(0)
            arrays[name] = np.lib.format.read_array(file, allow_pickle=False)
        except CheckpointError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            raise CheckpointError(
                f"load: '{path}' is truncated or corrupted: array '{name}' cannot be read ({error})"
            ) from None
    return arrays


def _refuse_unsafe_dtype(file, member, path):
    """Read only the .npy header and refuse object (pickled) arrays before touching their bytes."""
    version = np.lib.format.read_magic(file)
    if version == (1, 0):
        _, _, dtype = np.lib.format.read_array_header_1_0(file)
    else:
        _, _, dtype = np.lib.format.read_array_header_2_0(file)
    if dtype.hasobject:
        raise CheckpointError(
            f"load: '{path}' holds '{member[:-4]}' with dtype {dtype}: object arrays are refused, because "
            "loading them means unpickling, which can run arbitrary code. Nothing was executed."
        )
    if dtype.kind not in _ALLOWED_KINDS:
        raise CheckpointError(
            f"load: '{path}' holds '{member[:-4]}' with dtype {dtype}; expected numeric or bool arrays"
        )
