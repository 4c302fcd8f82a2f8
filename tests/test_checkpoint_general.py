"""The tutorial's general checkpoint, and checkpoints that are never lost (issue 11 and issue 12 section 1)."""
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.io.atomic import TEMP_MARK
from tinygrad_edu.io.checkpoint import ArraySpec, CheckpointError, load, load_shapes, save


def small_model(seed=0):
    tg.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))


def batches():
    generator = np.random.default_rng(0)
    return [(Tensor(generator.normal(size=(4, 3)).astype(np.float32)), generator.integers(0, 2, 4))
            for _ in range(6)]


def train(model, opt, data):
    losses = []
    criterion = nn.CrossEntropyLoss()
    for x, y in data:
        opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_general_checkpoint_round_trips_and_resumed_training_continues_the_curve(tmp_path):
    data = batches()
    model = small_model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    train(model, opt, data[:3])
    path = tmp_path / "checkpoint.tar"
    # the tutorial's lines, unchanged but for the import
    tg.save({"epoch": 5, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(),
             "loss": 0.25, "note": "after 3 steps", "best": None, "history": [1.0, 0.5], "shape": (3, 5)}, path)
    uninterrupted = train(model, opt, data[3:])

    checkpoint = tg.load(path)
    assert checkpoint["epoch"] == 5 and isinstance(checkpoint["epoch"], int)
    assert checkpoint["loss"] == 0.25 and checkpoint["note"] == "after 3 steps" and checkpoint["best"] is None
    assert checkpoint["history"] == [1.0, 0.5] and checkpoint["shape"] == (3, 5)
    resumed_model = small_model(seed=1)
    resumed_opt = optim.Adam(resumed_model.parameters(), lr=0.5)
    resumed_model.load_state_dict(checkpoint["model_state_dict"])
    resumed_opt.load_state_dict(checkpoint["optimizer_state_dict"])
    assert resumed_opt.param_groups[0]["lr"] == 0.01
    assert train(resumed_model, resumed_opt, data[3:]) == uninterrupted  # bit-identical curve


def test_optimizer_state_dict_round_trips_exactly(tmp_path):
    model = small_model()
    opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    train(model, opt, batches()[:2])
    state = opt.state_dict()
    save({"optimizer": state}, tmp_path / "opt.npz")
    loaded = load(tmp_path / "opt.npz")["optimizer"]
    assert loaded["param_groups"] == state["param_groups"]  # betas stay a tuple, int keys stay ints
    assert sorted(loaded["state"]) == sorted(state["state"])
    for index, entry in state["state"].items():
        for name, value in entry.items():
            np.testing.assert_array_equal(loaded["state"][index][name], value)
            assert type(loaded["state"][index][name]) is type(value), name


def test_floats_round_trip_bit_for_bit_including_nan_and_inf(tmp_path):
    values = [0.1, 1e-310, -0.0, float("inf"), 1 / 3]
    save({"values": values, "nan": float("nan")}, tmp_path / "f.npz")
    loaded = load(tmp_path / "f.npz")
    assert loaded["values"] == values and np.isnan(loaded["nan"])
    assert str(loaded["values"][2]) == "-0.0"


def test_flat_state_dict_stays_a_plain_npz(tmp_path):
    save(small_model().state_dict(), tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert npz.files == ["0.weight", "0.bias", "2.weight", "2.bias"]


@pytest.mark.parametrize("state, message", [
    ({"epoch": 5, "bad": object()}, r"'bad' is a object; a checkpoint holds dicts, lists"),
    ({"model": {"layers": [np.zeros(2), {"f": len}]}}, r"'model.layers\[1\].f' is a builtin_function_or_method"),
    ({"opt": {(1, 2): 3}}, r"'opt' has key \(1, 2\) \(tuple\); keys must be strings or ints"),
    ({"names": np.array(["a"]), "epoch": 1}, r"'names' has dtype <U1"),
])
def test_disallowed_member_types_are_refused_by_name(tmp_path, state, message):
    with pytest.raises(TypeError, match=message):
        save(state, tmp_path / "bad.npz")
    assert os.listdir(tmp_path) == []


def rewrite_manifest(path, change):
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(contents["__manifest__.json"])
    change(manifest, contents)
    contents["__manifest__.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("change, message", [
    (lambda m, c: m["root"]["items"][0][1].update(member="a7"), r"refers to array 'a7', which the file does not hold"),
    (lambda m, c: c.update({"a1.npy": c["a0.npy"]}), r"the manifest does not match the members .*never referenced: \['a1'\]"),
    (lambda m, c: m["root"].update(type="pickle"), r"unknown type 'pickle'"),
    (lambda m, c: m.update(format="other"), r"is not a tinygrad_edu.checkpoint/1 manifest"),
    (lambda m, c: m["root"]["items"][1][1].update(value="five"), r"'five' is not a int"),
])
def test_manifest_that_does_not_match_the_members(tmp_path, change, message):
    path = tmp_path / "c.npz"
    save({"w": np.zeros(2), "epoch": 5, "best": None}, path)
    rewrite_manifest(path, change)
    with pytest.raises(CheckpointError, match=message):
        load(path)


# -- issue 12 section 1: a checkpoint is never lost -------------------------------
@pytest.mark.parametrize("key, message", [
    ("layer\x00.weight", r"contains a NUL character"),
    ("k" * 70_000, r"is 70000 characters long; the limit is 1024"),
    ("bad\ud800", r"not valid Unicode"),
])
def test_keys_that_would_not_round_trip_are_refused_and_the_old_file_kept(tmp_path, key, message):
    path = tmp_path / "model.npz"
    save({"w": np.arange(3.0)}, path)
    old = path.read_bytes()
    with pytest.raises(ValueError, match=message) as caught:
        save({key: np.zeros(2)}, path)
    assert str(path) in str(caught.value)
    with pytest.raises(ValueError, match=message):
        save({"model": {key: np.zeros(2)}, "epoch": 1}, path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["model.npz"]


def test_a_file_that_reads_back_wrong_does_not_replace_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save({"w": np.arange(3.0)}, path)
    old = path.read_bytes()
    real_open = zipfile.ZipFile.open

    def drop_members(self, name, mode="r", **kwargs):  # a writer that silently loses a member
        if mode == "w" and name == "b.npy":
            name = "lost.npy"
        return real_open(self, name, mode, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", drop_members)
    with pytest.raises(CheckpointError, match=r"the written file lists .*the old checkpoint was kept"):
        save({"w": np.zeros(5), "b": np.zeros(2)}, path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["model.npz"]


def test_stale_temporaries_of_the_same_target_are_swept(tmp_path):
    path = tmp_path / "model.npz"
    stale = tmp_path / f".model.npz{TEMP_MARK}abc123"
    fresh = tmp_path / f".model.npz{TEMP_MARK}running"  # a save still running in this process: kept
    other = tmp_path / f".other.npz{TEMP_MARK}abc"  # another target's: kept
    for leftover in (stale, fresh, other):
        leftover.write_bytes(b"half a checkpoint")
    old_time = time.time() - 3600
    os.utime(stale, (old_time, old_time))
    os.utime(other, (old_time, old_time))
    save({"w": np.zeros(2)}, path)
    assert sorted(os.listdir(tmp_path)) == sorted(["model.npz", fresh.name, other.name])


def test_replacing_keeps_permission_bits(tmp_path):
    path = tmp_path / "private.npz"
    save({"w": np.zeros(2)}, path)
    os.chmod(path, 0o600)
    save({"w": np.ones(2)}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_saving_through_a_symlink_replaces_its_target(tmp_path):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "epoch5.npz"
    save({"w": np.zeros(2)}, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    save({"w": np.ones(2)}, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    np.testing.assert_array_equal(load(target)["w"], np.ones(2))
    assert os.listdir(tmp_path / "runs") == ["epoch5.npz"]


def test_errors_name_the_path_the_user_gave(tmp_path):
    missing = tmp_path / "no" / "such" / "model.npz"
    with pytest.raises(FileNotFoundError, match=rf"cannot write '{missing}': the folder .* does not exist"):
        save({"w": np.zeros(2)}, missing)
    with pytest.raises(IsADirectoryError, match=rf"cannot write '{tmp_path}': it is a folder"):
        save({"w": np.zeros(2)}, tmp_path)
    if os.geteuid() != 0:  # root writes into read-only folders anyway
        locked = tmp_path / "locked"
        locked.mkdir()
        os.chmod(locked, 0o500)
        try:
            with pytest.raises(PermissionError, match=r"cannot write '.*locked/model.npz': no permission"):
                save({"w": np.zeros(2)}, locked / "model.npz")
        finally:
            os.chmod(locked, 0o700)


def test_load_refuses_members_whose_header_promises_too_much(tmp_path):
    path = tmp_path / "bomb.npz"
    big = np.zeros(2 ** 20, dtype=np.uint8)  # 1 MiB of zeros: deflates to about 1 KiB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array(member, big)
    assert os.path.getsize(path) < 20_000
    with pytest.raises(CheckpointError, match=r"'w', whose header promises 1,048,\d+ bytes, more than max_bytes=65,536"):
        load(path, max_bytes=65_536)
    assert load(path, max_bytes=2 ** 21)["w"].shape == (2 ** 20,)
    # a header that lies about a huge shape is refused before anything is allocated
    header_only = tmp_path / "liar.npz"
    with zipfile.ZipFile(header_only, "w") as archive:
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array_header_2_0(member, {"descr": "<f8", "fortran_order": False,
                                                          "shape": (2 ** 40,)})
    with pytest.raises(CheckpointError, match=r"promises 8,796,093,022,208 bytes, more than max_bytes=4,294,967,296"):
        load(header_only)


KILLED_SAVER = """
import sys, numpy as np
from tinygrad_edu import save
path, value = sys.argv[1], float(sys.argv[2])
print("ready", flush=True)
while True:
    save({"w": np.full(3_000_000, value), "b": np.full(10, value)}, path)
"""


def test_a_save_killed_at_random_moments_never_loses_the_checkpoint(tmp_path):
    path = tmp_path / "model.npz"
    save({"w": np.full(3_000_000, -1.0), "b": np.full(10, -1.0)}, path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    moments = random.Random(0)
    for kill in range(6):
        child = subprocess.Popen([sys.executable, "-c", KILLED_SAVER, str(path), str(kill)], cwd=root,
                                 stdout=subprocess.PIPE)
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(moments.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        loaded = load(path)  # the old checkpoint or a new one, whole
        assert loaded["w"][0] == loaded["w"][-1] == loaded["b"][0] and loaded["w"][0] in {-1.0, *range(kill + 1)}
    # a later process's save sweeps what the killed ones left behind
    subprocess.run([sys.executable, "-c", "import sys, numpy as np; from tinygrad_edu import save; "
                    "save({'w': np.zeros(2)}, sys.argv[1])", str(path)], cwd=root, check=True)
    assert os.listdir(tmp_path) == ["model.npz"]
    np.testing.assert_array_equal(load(path)["w"], np.zeros(2))


def test_read_only_folder_error_names_the_users_path(tmp_path, monkeypatch):
    """Root writes into read-only folders anyway, so the refusal the OS would give is simulated."""
    import tempfile

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", os.path.join(kwargs.get("dir", "."), ".model.npz.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(PermissionError, match=rf"cannot write '{tmp_path / 'model.npz'}': no permission to create "
                                              rf"files in '{tmp_path}'") as caught:
        save({"w": np.zeros(2)}, tmp_path / "model.npz")
    assert ".tmp" not in str(caught.value)


# -- issue 22: hostile manifests and members are named, not inflated -------------
def write_manifest(path, root):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__manifest__.json", json.dumps({"format": "tinygrad_edu.checkpoint/1", "root": root}))


@pytest.mark.parametrize("root, message", [
    ([1, 2], r"the manifest's root is a list, expected an object with a \"type\""),
    ("model", r"the manifest's root is a string, expected an object"),
    (None, r"the manifest's root is null \(or missing\), expected an object"),
    ({"type": "dict", "items": {"w": 1}}, r"root has 'items' = an object, expected a list of \[key, value\] items"),
    ({"type": "dict", "items": [[["w"], {"type": "none"}]]}, r"holds the item a list, expected a \[key, value\] pair"),
    ({"type": "list", "items": [5]}, r"the manifest's root\[0\] is a number, expected an object"),
    ({"type": "array", "member": 3}, r"root has 'member' = a number, expected an array member name"),
    ({"type": "float", "value": "five"}, r"malformed manifest \(ValueError"),
])
def test_a_manifest_of_the_wrong_json_types_is_named_with_the_file(tmp_path, root, message):
    path = tmp_path / "c.npz"
    write_manifest(path, root)
    for reader in (load, load_shapes):
        with pytest.raises(CheckpointError, match=message) as caught:
            reader(path)
        assert str(caught.value).startswith(f"load: '{path}'")


def test_load_shapes_reads_headers_only_in_the_structure_load_returns(tmp_path):
    path = tmp_path / "c.npz"
    save({"model": {"w": np.zeros((2, 3), np.float32)}, "epoch": 3, "steps": [np.arange(4)]}, path)
    shapes = load_shapes(path)
    assert shapes == {"model": {"w": ArraySpec((2, 3), np.dtype(np.float32))}, "epoch": 3,
                      "steps": [ArraySpec((4,), np.arange(4).dtype)]}
    # a member whose header claims 8 TiB: its shape comes back, nothing is allocated
    liar = tmp_path / "liar.npz"
    with zipfile.ZipFile(liar, "w") as archive:
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array_header_2_0(member, {"descr": "<f8", "fortran_order": False, "shape": (2 ** 40,)})
    assert load_shapes(liar) == {"w": ArraySpec((2 ** 40,), np.dtype("<f8"))}


def test_a_member_longer_than_its_header_says_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "padded.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("w.npy", "w") as member:
            np.lib.format.write_array(member, np.zeros(2, np.float32))
            member.write(bytes(2 ** 20))   # 1 MiB of zeros past the array: a bomb's padding
    with pytest.raises(CheckpointError, match=r"'w' with 1,048,576 bytes more than its header's shape \(2,\) needs"):
        load(path)
