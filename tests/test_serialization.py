"""Tests for tinygrad_edu.io.checkpoint: round trips, atomic writes and refusing unsafe files."""
import os
import pathlib
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor
from tinygrad_edu.nn import Module, Parameter
from tinygrad_edu.io.checkpoint import CheckpointError, load, save


def example_state():
    rng = np.random.default_rng(0)
    # keys deliberately not in sorted order, and two that clash with np.savez's own arguments
    return OrderedDict([
        ("z.weight", rng.normal(size=(3, 4)).astype(np.float32)),
        ("a.bias", rng.normal(size=(4,))),
        ("file", np.arange(6, dtype=np.int64).reshape(2, 3)),
        ("allow_pickle", np.array(True)),
        ("m.mask", np.array([[True, False], [False, True]])),
        ("empty", np.zeros((0, 5), dtype=np.float16)),
        ("fortran", np.asfortranarray(rng.normal(size=(2, 5)))),
        ("strided", np.arange(20, dtype=np.uint8)[::3]),
        ("complex", np.array([1 + 2j, -3j], dtype=np.complex64)),
    ])


def test_round_trip_keeps_order_dtypes_shapes_and_values(tmp_path):
    state = example_state()
    save(state, tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert isinstance(loaded, OrderedDict)
    assert list(loaded) == list(state)
    for name, array in state.items():
        assert loaded[name].dtype == array.dtype, name
        assert loaded[name].shape == array.shape, name
        np.testing.assert_array_equal(loaded[name], array)
        assert loaded[name].flags.writeable


@given(arrays=st.lists(
    hnp.arrays(dtype=st.one_of(hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.floating_dtypes(),
                               hnp.boolean_dtypes(), hnp.complex_number_dtypes()),
               shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)),
    min_size=1, max_size=4))
@settings(max_examples=30, deadline=None)
def test_round_trip_random_arrays(arrays):
    state = OrderedDict((f"layer{len(arrays) - i}.w", array) for i, array in enumerate(arrays))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "random.npz")
        save(state, path)
        loaded = load(path)
    assert list(loaded) == list(state)
    for name, array in state.items():
        assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
        np.testing.assert_array_equal(loaded[name], array)  # NaNs compare equal here


def test_plain_numpy_can_read_our_files(tmp_path):
    state = example_state()
    save(state, tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as npz:
        assert npz.files == list(state)
        np.testing.assert_array_equal(npz["z.weight"], state["z.weight"])


class TwoLayers(Module):
    def __init__(self, seed):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.hidden = Parameter(rng.normal(size=(4, 3)).astype(np.float32))
        self.out = Parameter(rng.normal(size=(3,)).astype(np.float32))


def test_module_state_dict_round_trip(tmp_path):
    trained, fresh = TwoLayers(seed=1), TwoLayers(seed=2)
    save(trained.state_dict(), tmp_path / "two.npz")
    fresh.load_state_dict(load(tmp_path / "two.npz"))
    for (name, mine), (_, theirs) in zip(fresh.named_parameters(), trained.named_parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data, err_msg=name)


def test_tensors_and_numbers_are_saved_as_arrays(tmp_path):
    save({"tensor": Tensor([1.0, 2.0]), "number": 3.5, "flag": True}, tmp_path / "mixed.npz")
    loaded = load(tmp_path / "mixed.npz")
    np.testing.assert_array_equal(loaded["tensor"], np.array([1.0, 2.0], dtype=np.float32))
    assert loaded["number"].shape == () and loaded["number"] == 3.5
    assert loaded["flag"].dtype == np.bool_


def test_save_overwrites(tmp_path):
    path = tmp_path / "model.npz"
    save({"w": np.zeros(2), "b": np.zeros(1)}, path)
    save({"w": np.ones(3)}, path)
    assert list(load(path)) == ["w"]
    np.testing.assert_array_equal(load(path)["w"], np.ones(3))
    assert os.listdir(tmp_path) == ["model.npz"]


# -- atomic writes -------------------------------------------------------------
def fail_on_second_array(monkeypatch):
    """Make the writer raise half-way, after one array has gone into the temporary file."""
    real_write_array = np.lib.format.write_array
    calls = []

    def write_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real_write_array(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    return calls


def test_failed_save_leaves_old_file_intact_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save({"w": np.arange(3.0)}, path)
    old_bytes = path.read_bytes()
    calls = fail_on_second_array(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        save({"w": np.zeros(5), "b": np.zeros(2)}, path)
    assert len(calls) == 2  # the failure really happened mid-write
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]
    np.testing.assert_array_equal(load(path)["w"], np.arange(3.0))


def test_failed_first_save_creates_nothing(tmp_path, monkeypatch):
    fail_on_second_array(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        save({"w": np.zeros(5), "b": np.zeros(2)}, tmp_path / "model.npz")
    assert os.listdir(tmp_path) == []


def test_failed_rename_and_interrupt_leave_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save({"w": np.arange(3.0)}, path)
    old_bytes = path.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save({"w": np.zeros(5)}, path)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]


# -- bad input to save -------------------------------------------------------------
@pytest.mark.parametrize("state, error, message", [
    ({"names": np.array(["a", "b"])}, TypeError, r"'names' has dtype <U1 .*only numeric and bool arrays"),
    ({"objects": np.array([1, None], dtype=object)}, TypeError, r"'objects' has dtype object"),
    ({"ragged": np.array([[1, 2], [3]], dtype=object)}, TypeError, r"'ragged' has dtype object"),
    ({"model": {"w": np.zeros(2)}, "names": {"a", "b"}}, TypeError, r"'names' is a set; a checkpoint holds dicts"),
    ({3: np.zeros(2)}, TypeError, r"non-empty string keys, got key 3 \(int\)"),
    ({"": np.zeros(2)}, TypeError, r"non-empty string keys, got key ''"),
    ([np.zeros(2)], TypeError, r"save expected a dict of name -> array, got list"),
    (TwoLayers(seed=0), TypeError, r"did you mean model.state_dict\(\)\?"),
])
def test_save_refuses_what_would_need_pickle(tmp_path, state, error, message):
    with pytest.raises(error, match=message):
        save(state, tmp_path / "bad.npz")
    assert os.listdir(tmp_path) == []


# -- bad checkpoints -----------------------------------------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at '.*nothing\.npz' \(expected an \.npz"):
        load(tmp_path / "nothing.npz")


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(CheckpointError, match="is a folder, expected an .npz file"):
        load(tmp_path)


@pytest.mark.parametrize("content, message", [
    (b"", r"is an empty file; expected an \.npz"),
    (b"hello, I am text\n", r"is a file starting with bytes b'hello,.*expected an \.npz written by tinygrad_edu\.save"),
    (b"\x80\x04\x95\x10\x00", r"starting with bytes .*; expected an \.npz"),  # the start of a pickle
])
def test_not_an_npz(tmp_path, content, message):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load(path)


def test_single_npy_file_is_named(tmp_path):
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(CheckpointError, match=r"a single \.npy array \(np\.save\)"):
        load(tmp_path / "array.npy")


@pytest.mark.parametrize("keep_fraction", [0.1, 0.5, 0.95])
def test_truncated_file(tmp_path, keep_fraction):
    path = tmp_path / "model.npz"
    save(example_state(), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep_fraction)])
    with pytest.raises(CheckpointError, match=r"model\.npz' .*truncated or corrupted"):
        load(path)


def test_flipped_bits_in_array_data_are_caught(tmp_path):
    path = tmp_path / "model.npz"
    save({"w": np.zeros(1000)}, path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # in the middle of w's raw bytes
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"truncated or corrupted: array 'w' cannot be read \(Bad CRC-32"):
        load(path)


def test_object_array_is_refused(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, weights=np.zeros(2), extra=np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(CheckpointError, match=r"'extra' with dtype object: object arrays are refused.*Nothing was executed"):
        load(path)


class MakeMarker:
    """Unpickling this calls os.mkdir(marker): a harmless stand-in for malicious code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_pickle_payload_in_npz_is_never_executed(tmp_path):
    path = tmp_path / "evil.npz"
    marker = tmp_path / "i_ran"
    np.savez(path, weight=np.ones(3), evil=np.array([MakeMarker(marker)], dtype=object), allow_pickle=True)

    # First prove the payload is live: numpy with allow_pickle=True runs it.
    proof = tmp_path / "proof_it_runs"
    np.savez(tmp_path / "proof.npz", evil=np.array([MakeMarker(proof)], dtype=object), allow_pickle=True)
    with np.load(tmp_path / "proof.npz", allow_pickle=True) as npz:
        npz["evil"]
    assert proof.exists()

    with pytest.raises(CheckpointError, match="object arrays are refused"):
        load(path)
    assert not marker.exists()


def test_pickle_member_in_zip_is_refused_unread(tmp_path):
    """A zip holding a raw pickle (as a PyTorch .pt does) is refused, and the pickle never runs."""
    import pickle

    path = tmp_path / "model.pt"
    marker = tmp_path / "i_ran"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(MakeMarker(marker)))
    with pytest.raises(CheckpointError, match=r"holds 'archive/data\.pkl', which is not a \.npy array"):
        load(path)
    assert not marker.exists()


def test_load_accepts_str_and_pathlike(tmp_path):
    save({"w": np.ones(2)}, str(tmp_path / "a.npz"))
    assert list(load(pathlib.Path(tmp_path) / "a.npz")) == ["w"]
    assert list(load(str(tmp_path / "a.npz"))) == ["w"]
