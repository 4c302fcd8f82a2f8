"""save / load: checkpoints as .npz files, written atomically, read without pickle.

An .npz file is a zip archive holding one .npy file per array; a .npy file is
a short text header, e.g. {'descr': '<f4', 'fortran_order': False, 'shape':
(10, 784)}, then the raw bytes. So a state_dict needs nothing else: names
become file names, arrays become .npy files. Two things can go wrong:

  * a crash half-way through writing leaves a broken file where the good one
    was. So the new file is written atomically (io/atomic.py), and replaces
    the old one only after it has been read back (its index and every header).
  * a .npy of dtype=object holds pickled Python objects, and unpickling can
    run any code. So only numeric and bool arrays are written, anything else
    is refused from its .npy header before its data is read, and numpy is
    told allow_pickle=False as a second lock.

A general checkpoint ({"model": ..., "optimizer": ..., "epoch": 5}) adds a
member __manifest__.json: the nesting in JSON (data, never code), pointing at
numbered .npy members. Keys a zip member name cannot hold are refused first.
Read next: tinygrad_edu/io/datasets.py.
"""
import io
import json
import math
import os
import zipfile
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from .atomic import atomic_write
from ..engine.tensor import Tensor

# bool, signed and unsigned integers, floats, complex: plain bytes, no pickle.
_ALLOWED_KINDS = "biufc"
_ZIP_MAGIC = b"PK\x03\x04"
_NPY_MAGIC = b"\x93NUMPY"
MANIFEST = "__manifest__.json"
MAX_NAME_LENGTH = 1024  # characters in one key; zip allows 65535 bytes per member name
DEFAULT_MAX_BYTES = 4 * 2 ** 30
_FORMAT = "tinygrad_edu.checkpoint/1"


class CheckpointError(ValueError):
    """A file that is not a checkpoint tinygrad_edu can load safely."""


# -- save --------------------------------------------------------------------
def save(state, path):
    """Write a checkpoint to ``path`` as an .npz, atomically.

    ``state`` is either a state_dict ``{name: array}`` (one .npy member per
    array, readable by np.load) or a general checkpoint such as
    ``{"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 5}``:
    nested dicts (string or int keys), lists and tuples of arrays, ints,
    floats, bools, strings and None. The structure then goes into a JSON
    member, ``__manifest__.json``, beside numbered .npy members: no pickle.

    Either the whole new file appears at ``path`` or the old one is left
    untouched; the new file is read back before it replaces the old one.
    """
    user_path = os.fspath(path)
    members, manifest = _plan(state, user_path)  # check everything before touching the disk
    with atomic_write(user_path, verify=lambda temporary: _verify(temporary, members, manifest, user_path)) as file:
        _write_npz(file, members, manifest)


def _plan(state, path):
    """The members to write ({member name: array}) and the manifest (None for a flat state_dict)."""
    if not isinstance(state, Mapping):
        hint = " (did you mean model.state_dict()?)" if hasattr(state, "state_dict") else ""
        raise TypeError(f"save expected a dict of name -> array{hint}, got {type(state).__name__}")
    for name in state:
        if not isinstance(name, str) or not name:
            raise TypeError(f"save expected non-empty string keys, got key {name!r} ({type(name).__name__})")
    if all(_is_array_like(value) for value in state.values()):
        members = OrderedDict()
        for name, value in state.items():
            _check_name(name, path)
            members[name] = _checked_array(name, value)
        return members, None
    members = OrderedDict()
    manifest = {"format": _FORMAT, "root": _encode(state, "", members, path)}
    return members, manifest


def _is_array_like(value):
    return isinstance(value, (Tensor, np.ndarray, np.generic, int, float, complex))


def _check_name(name, path):
    """A key must come back from the file as it went in: no NUL, valid UTF-8, not absurdly long."""
    shown = name if len(name) <= 60 else name[:40] + "..."
    if "\x00" in name:
        raise ValueError(f"save '{path}': key {shown!r} contains a NUL character, which a zip member name cannot hold")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"save '{path}': key {shown!r} is {len(name)} characters long; "
                         f"the limit is {MAX_NAME_LENGTH}")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"save '{path}': key {shown!r} is not valid Unicode (a lone surrogate)") from None


def _checked_array(name, value):
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
    return array


def _encode(value, where, members, path):
    """One value of a general checkpoint as a JSON node; arrays go to ``members`` as 'a0', 'a1', ..."""
    if value is None or isinstance(value, (bool, str)):
        return {"type": "none"} if value is None else {"type": type(value).__name__, "value": value}
    if isinstance(value, int):
        return {"type": "int", "value": value}
    if isinstance(value, float):
        return {"type": "float", "value": repr(value)}  # repr round-trips exactly, nan and inf too
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        member = f"a{len(members)}"
        members[member] = _checked_array(where or "root", value)
        return {"type": "array", "member": member}
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: '{where}' has key {key!r} ({type(key).__name__}); "
                                "keys must be strings or ints")
            if isinstance(key, str):
                _check_name(key, path)
            items.append([key, _encode(item, f"{where}.{key}" if where else str(key), members, path)])
        return {"type": "dict", "items": items}
    if isinstance(value, (list, tuple)):
        return {"type": type(value).__name__,
                "items": [_encode(item, f"{where}[{i}]", members, path) for i, item in enumerate(value)]}
    raise TypeError(
        f"save: '{where}' is a {type(value).__name__}; a checkpoint holds dicts, lists, tuples, arrays, "
        "ints, floats, bools, strings and None (anything else would need pickle)"
    )


def _write_npz(file, members, manifest):
    """What np.savez does, minus pickle: one '<name>.npy' member per array, in order (and the manifest)."""
    with zipfile.ZipFile(file, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        if manifest is not None:
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=True))
        for name, array in members.items():
            with archive.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _verify(temporary, members, manifest, path):
    """Read the temporary file's index and headers back: only a file that load() accepts replaces the old one."""
    expected = ([MANIFEST] if manifest is not None else []) + [name + ".npy" for name in members]
    with zipfile.ZipFile(temporary) as archive:
        found = archive.namelist()
        if found != expected:
            raise CheckpointError(f"save '{path}': the written file lists {found[:5]}..., expected {expected[:5]}...; "
                                  "the old checkpoint was kept")
        for name, array in members.items():
            with archive.open(name + ".npy") as member:
                shape, dtype = _read_header(member, name, path)
            if shape != array.shape or dtype != array.dtype:
                raise CheckpointError(f"save '{path}': '{name}' reads back as {dtype}{shape}, "
                                      f"expected {array.dtype}{array.shape}; the old checkpoint was kept")


# -- load --------------------------------------------------------------------
ArraySpec = namedtuple("ArraySpec", "shape dtype")


def load(path, max_bytes=DEFAULT_MAX_BYTES):
    """Read an .npz written by ``save``: the saved structure (an OrderedDict of arrays for a state_dict).

    Raises FileNotFoundError for a missing file and CheckpointError (a
    ValueError) for a file that is not an .npz, is truncated or corrupted,
    holds object arrays, or holds an array whose header promises more than
    ``max_bytes`` (default 4 GiB; raise it on purpose for bigger arrays).
    Nothing in the file is ever unpickled or executed.
    """
    return _open_checkpoint(path, lambda archive, names: _read_members(archive, names, path, max_bytes))


def load_shapes(path):
    """What ``load`` would return, with every array replaced by ArraySpec(shape, dtype).

    Only the .npy headers are read, nothing is inflated, so a file can be checked
    against a model (``model.state_dict()``'s shapes) before a huge or hostile
    member costs any memory; like building a PyTorch model on the "meta" device.
    """
    return _open_checkpoint(path, lambda archive, names: _read_specs(archive, names, path))


def _open_checkpoint(path, read_arrays):
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
        names = archive.namelist()
        if MANIFEST not in names:
            return read_arrays(archive, names)
        manifest = _read_manifest(archive, path)
        arrays = read_arrays(archive, [name for name in names if name != MANIFEST])
    return _decode_checkpoint(manifest, arrays, path)


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


def _read_members(archive, names, path, max_bytes):
    def read(member, name):
        promised = archive.getinfo(member).file_size
        if promised > max_bytes + 65536:  # the zip entry's own size field, checked before inflating
            raise CheckpointError(_too_big(path, name, promised, max_bytes))
        with archive.open(member) as stream:
            shape, dtype = _read_header(stream, name, path)
            header_bytes = stream.tell()
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > max_bytes:
            raise CheckpointError(_too_big(path, name, nbytes, max_bytes))
        if promised > header_bytes + nbytes:  # bytes past the array's end: inflating them only costs memory
            raise CheckpointError(f"load: '{path}' holds '{name}' with {promised - header_bytes - nbytes:,} bytes "
                                  f"more than its header's shape {shape} needs; the file is corrupted or hostile")
        # read() checks the member's CRC-32, so flipped bits are caught, not loaded
        return np.lib.format.read_array(io.BytesIO(archive.read(member)), allow_pickle=False)
    return _each_member(names, path, read)


def _read_specs(archive, names, path):
    def read(member, name):
        with archive.open(member) as stream:
            return ArraySpec(*_read_header(stream, name, path))
    return _each_member(names, path, read)


def _each_member(names, path, read):
    """{name: read(member, name)} for every '<name>.npy'; anything else is refused unread."""
    arrays = OrderedDict()
    for member in names:
        if not member.endswith(".npy"):
            raise CheckpointError(
                f"load: '{path}' holds '{member}', which is not a .npy array; expected an .npz written by "
                "tinygrad_edu.save (refused without reading it: nothing was executed)"
            )
        name = member[: -len(".npy")]
        if name in arrays:
            raise CheckpointError(f"load: '{path}' holds the array '{name}' twice")
        try:
            arrays[name] = read(member, name)
        except CheckpointError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            raise CheckpointError(
                f"load: '{path}' is truncated or corrupted: array '{name}' cannot be read ({error})"
            ) from None
    return arrays


def _too_big(path, name, nbytes, max_bytes):
    return (f"load: '{path}' holds '{name}', whose header promises {nbytes:,} bytes, more than "
            f"max_bytes={max_bytes:,}; pass a larger max_bytes= if you trust this file")


def _read_header(file, name, path):
    """Read only the .npy header and refuse object (pickled) arrays before touching their bytes."""
    version = np.lib.format.read_magic(file)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(file)
    else:
        shape, _, dtype = np.lib.format.read_array_header_2_0(file)
    if dtype.hasobject:
        raise CheckpointError(
            f"load: '{path}' holds '{name}' with dtype {dtype}: object arrays are refused, because "
            "loading them means unpickling, which can run arbitrary code. Nothing was executed."
        )
    if dtype.kind not in _ALLOWED_KINDS:
        raise CheckpointError(
            f"load: '{path}' holds '{name}' with dtype {dtype}; expected numeric or bool arrays"
        )
    return shape, dtype


def _read_manifest(archive, path):
    info = archive.getinfo(MANIFEST)
    if info.file_size > 64 * 2 ** 20:
        raise CheckpointError(f"load: '{path}' has a {info.file_size:,}-byte manifest; refusing more than 64 MiB")
    try:
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as error:
        raise CheckpointError(f"load: '{path}' has a manifest that is not valid JSON ({error})") from None
    except RecursionError:
        raise CheckpointError(f"load: '{path}' has a manifest nested too deeply to be a checkpoint") from None
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT or "root" not in manifest:
        raise CheckpointError(f"load: '{path}' has a manifest that is not a {_FORMAT} manifest")
    return manifest


def _decode_checkpoint(manifest, arrays, path):
    """Rebuild the saved structure; every array member must be used exactly once."""
    used = []
    try:
        root = _decode(manifest["root"], arrays, used, "root")
    except CheckpointError as error:
        raise CheckpointError(f"load: '{path}': {error}") from None
    except RecursionError:
        raise CheckpointError(f"load: '{path}' has a manifest nested too deeply to be a checkpoint") from None
    except (TypeError, ValueError) as error:   # e.g. float("five"): a value no save() wrote
        raise CheckpointError(f"load: '{path}' has a malformed manifest ({type(error).__name__}: {error})") from None
    if sorted(used) != sorted(arrays) or len(set(used)) != len(used):
        unused = sorted(set(arrays) - set(used))
        raise CheckpointError(f"load: '{path}': the manifest does not match the members "
                              f"(arrays never referenced: {unused}, references: {len(used)} for {len(arrays)} "
                              "arrays)")
    return root


def _decode(node, arrays, used, where):
    """One JSON node back into its value; every shape that is not what save() writes is named."""
    kind = _field(node, "type", str, where, "an object with a \"type\"")
    if kind == "none":
        return None
    if kind in ("int", "bool", "str"):
        value = _field(node, "value", (str, int, float, bool), where, f"a {kind} value")
        if type(value).__name__ != kind:
            raise CheckpointError(f"manifest value {value!r} is not a {kind}")
        return value
    if kind == "float":
        return float(_field(node, "value", (str, int, float), where, "a float value (its repr)"))
    if kind == "array":
        member = _field(node, "member", str, where, "an array member name")
        if member not in arrays:
            raise CheckpointError(f"the manifest refers to array '{member}', which the file does not hold "
                                  "(the manifest does not match the members)")
        used.append(member)
        return arrays[member]
    if kind in ("list", "tuple"):
        items = _field(node, "items", list, where, "a list of items")
        items = [_decode(item, arrays, used, f"{where}[{i}]") for i, item in enumerate(items)]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        decoded = {}
        for pair in _field(node, "items", list, where, "a list of [key, value] items"):
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))
                    and not isinstance(pair[0], bool)):
                raise CheckpointError(f"the manifest's {where} holds the item {_json_kind(pair)}, "
                                      "expected a [key, value] pair with a string or int key")
            decoded[pair[0]] = _decode(pair[1], arrays, used, f"{where}[{pair[0]!r}]")
        return decoded
    raise CheckpointError(f"the manifest holds a node of unknown type {kind!r}")


def _field(node, key, kind, where, expected):
    """node[key] if node is a JSON object holding a value of that kind, else a CheckpointError naming both."""
    if not isinstance(node, dict):
        raise CheckpointError(f"the manifest's {where} is {_json_kind(node)}, expected {expected} "
                              f"(a {_FORMAT} manifest)")
    value = node.get(key)
    if not isinstance(value, kind):
        raise CheckpointError(f"the manifest's {where} has {key!r} = {_json_kind(value)}, expected {expected}")
    return value


def _json_kind(value):
    names = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
             bool: "true/false", type(None): "null (or missing)"}
    return names.get(type(value), type(value).__name__)
