"""python -m explain report against hostile input (issue 22): nothing a user has is overwritten, every
mistake is one line found before any work, Ctrl-C is one line, printed names cannot drive the terminal,
and a checkpoint's shapes are compared with the model's before anything is inflated."""
import json
import os
import stat
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import explain.report.cli as cli
import tinygrad_edu as tg
from explain.report.cli import main
from tests.report_models import tiny_convnet
from tinygrad_edu.io.atomic import atomic_write
from tests.test_explain_cli import arguments, folders  # noqa: F401  (the fixture: images, masks, checkpoint)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "python -m explain report: "


def snapshot(folder):
    """Every file under folder: its bytes and modification time (a rewrite with equal bytes changes the time)."""
    found = {}
    for parent, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            status = os.lstat(path)
            if not stat.S_ISREG(status.st_mode):    # a pipe or a link: opening it could block
                found[os.path.relpath(path, folder)] = (status.st_mode, status.st_mtime_ns)
                continue
            with open(path, "rb") as file:
                found[os.path.relpath(path, folder)] = (file.read(), status.st_mtime_ns)
    return found


@pytest.fixture
def no_work(monkeypatch):
    """Fails the test if the model is built or an image is read: the mistake must be found before."""
    def work(*args, **kwargs):
        raise AssertionError("work started before the mistake was found")
    monkeypatch.setattr(cli, "build_model", work)
    monkeypatch.setattr(cli, "load_data", work)


def refused(argv, capsys, base):
    """Run, expect exit 2 with one line and no traceback, and check that no file under base changed."""
    before = snapshot(base)
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 2 and "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(PREFIX + "error: ")
    assert snapshot(base) == before          # same bytes, same times, no stray file
    return lines[0]


def with_flag(argv, flag, value):
    argv = list(argv)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    return argv


# -- 1. nothing a user has is overwritten ----------------------------------------
def test_out_or_json_naming_the_checkpoint_is_refused(folders, capsys, no_work):
    base, _, _, checkpoint = folders
    link = base / "latest.npz"
    link.symlink_to(checkpoint)
    try:
        for flag, path in [("--out", str(checkpoint)), ("--json", str(checkpoint)),
                           ("--out", str(base / "." / "tiny.npz")), ("--out", str(link))]:
            message = refused(with_flag(arguments(folders), flag, path), capsys, base)
            assert f"{flag} {path} is --model {checkpoint}: writing there would replace it" in message
    finally:
        link.unlink()


def test_out_naming_an_image_or_a_mask_is_refused(folders, capsys, no_work):
    base, images, masks, _ = folders
    argv = arguments(folders, "--masks", str(masks))
    message = refused(with_flag(argv, "--out", str(images / "scene2.png")), capsys, base)
    assert f"is --images {images / 'scene2.png'}" in message
    message = refused(with_flag(argv, "--json", str(masks / ".." / "masks" / "scene0.png")), capsys, base)
    assert f"--json {masks / '..' / 'masks' / 'scene0.png'} is --masks {masks / 'scene0.png'}" in message


def test_json_naming_the_report_is_refused_whether_or_not_it_exists(folders, capsys, no_work):
    base = folders[0]
    (base / "old.html").write_text("the report of yesterday")
    for out, json_path in [(base / "old.html", base / "old.html"), (base / "new.html", base / "." / "new.html")]:
        argv = with_flag(with_flag(arguments(folders), "--out", str(out)), "--json", str(json_path))
        message = refused(argv, capsys, base)
        assert f"--json {json_path} is the same file as --out {out}: the numbers would replace the report" in message
    (base / "old.html").unlink()


@pytest.mark.parametrize("make, flag, expected", [
    (lambda b: str(b), "--out", "is a folder; expected a file name, e.g. "),
    (lambda b: str(b / "missing" / "numbers.json"), "--json", "--json: the folder of "),
    (lambda b: (os.mkfifo(b / "pipe.html"), str(b / "pipe.html"))[1], "--out", "is not a regular file"),
])
def test_outputs_that_cannot_be_written_are_named_before_any_work(folders, capsys, no_work, make, flag, expected):
    base = folders[0]
    path = make(base)
    try:
        assert expected in refused(with_flag(arguments(folders), flag, path), capsys, base)
    finally:
        if path.endswith("pipe.html"):
            os.unlink(path)


@pytest.mark.parametrize("refusal", ["access", "create"])
def test_out_in_a_read_only_folder_is_refused_before_any_work(folders, capsys, no_work, monkeypatch, refusal):
    """Root writes into read-only folders anyway, so each of the two checks is made to answer no."""
    base = folders[0]
    if refusal == "access":
        monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    else:
        def read_only(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(cli.tempfile, "mkstemp", read_only)
    message = refused(arguments(folders), capsys, base)
    assert f"--out: cannot create files in {base} (read-only or no permission)" in message


# -- 2. flags checked up front ---------------------------------------------------
@pytest.mark.parametrize("flag, value, expected", [
    ("--seed", "-1", "--seed must be 0 or more, got -1"),
    ("--size", "100000", "--size 100000 would make each image 100000x100000x3 float32 = 112 GiB; at most 1024"),
    ("--size", "4", "--size must be at least 8 pixels, got 4"),
    ("--lime-samples", str(10 ** 9),
     "--lime-samples 1000000000 would make LIME's 1000000000x50 float64 design matrix = 373 GiB per image; "
     "at most 100000"),
    ("--lime-samples", "1", "--lime-samples must be at least 2"),
    ("--methods", "gradcam,lime,gradcam", "--methods names 'gradcam' twice; give each once"),
    ("--classes", "wolf,husky,wolf", "--classes names 'wolf' twice; give each once"),
    ("--lime-fill", "pink", "--lime-fill: lime_fill must be one of"),
])
def test_flags_are_checked_before_any_work(folders, capsys, no_work, flag, value, expected):
    assert PREFIX + "error: " + expected in refused(with_flag(arguments(folders), flag, value), capsys, folders[0])


# -- 3. interrupts ---------------------------------------------------------------
def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("stage", ["build_model", "load_data", "explanation_report"])
def test_ctrl_c_anywhere_is_one_line_exit_130_and_nothing_written(folders, capsys, monkeypatch, stage):
    base = folders[0]
    monkeypatch.setattr(cli, stage, interrupt)
    before = snapshot(base)
    assert main(arguments(folders, "--json", str(base / "n.json"))) == 130
    captured = capsys.readouterr()
    assert captured.err == PREFIX + "interrupted; nothing written\n" and captured.out == ""
    assert snapshot(base) == before


def test_ctrl_c_between_the_two_writes_says_what_was_kept(folders, capsys, monkeypatch):
    base = folders[0]

    def write_then_interrupt(path, text):   # Ctrl-C half-way through writing the JSON's temporary
        with atomic_write(path, "w") as handle:
            handle.write(text[:100])
            handle.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(cli, "atomic_write_text", write_then_interrupt)
    out, numbers = base / "kept.html", base / "kept.json"
    argv = with_flag(arguments(folders, "--json", str(numbers), methods="gradcam"), "--out", str(out))
    assert main(argv) == 130
    assert capsys.readouterr().err == PREFIX + f"interrupted; {out} written, nothing else\n"
    assert out.exists() and not numbers.exists()
    assert not [n for n in os.listdir(base) if "tinygrad-tmp" in n]
    out.unlink()


# -- 4. terminal-unsafe characters -----------------------------------------------
EVIL = "\x1b]0;PWNED\x07\x1b[2Jevil"


def test_control_characters_in_printed_names_are_escaped(folders, capsys, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    (images / f"{EVIL}.png").write_text("not a picture")
    status = main(with_flag(arguments(folders), "--images", str(images)))
    err = capsys.readouterr().err
    assert status == 2 and "\x1b" not in err and "\x07" not in err
    assert "\\x1b]0;PWNED\\x07\\x1b[2Jevil.png" in err
    out = tmp_path / f"{EVIL}.html"
    assert main(with_flag(arguments(folders, methods="gradcam"), "--out", str(out))) == 0
    printed = capsys.readouterr().out
    assert out.exists() and "\x1b" not in printed and f"wrote {tmp_path}/\\x1b]0;PWNED\\x07\\x1b[2Jevil.html" in printed


def test_argparse_errors_are_escaped_too(folders):
    result = subprocess.run([sys.executable, "-m", "explain", *arguments(folders), f"{EVIL}"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "\x1b" not in result.stderr
    assert "unrecognized arguments: \\x1b]0;PWNED\\x07\\x1b[2Jevil" in result.stderr


# -- 5. messages that send the user the right way ---------------------------------
def test_a_size_that_does_not_fit_the_model_names_the_size_it_needs(folders, capsys, monkeypatch):
    monkeypatch.setattr(cli, "load_data", lambda args: pytest.fail("images were read before --size was checked"))
    message = refused(with_flag(arguments(folders), "--size", "32"), capsys, folders[0])
    assert message == (PREFIX + "error: --size 32 does not fit the model: it expects 16x16 inputs "
                                "(its first Linear needs 4 features)")


@pytest.mark.parametrize("key, value, word", [("0.weight", np.nan, "NaN"), ("7.bias", np.inf, "inf")])
def test_nan_or_inf_weights_are_named_by_key(folders, capsys, tmp_path, key, value, word):
    state = tiny_convnet().state_dict()
    state[key].flat[1] = value
    tg.save(state, tmp_path / "diverged.npz")
    message = refused(with_flag(arguments(folders), "--model", str(tmp_path / "diverged.npz")), capsys, folders[0])
    assert f"--model: the checkpoint holds {word} in '{key}'" in message


# -- 6. checkpoints: wrong JSON types, general checkpoints, deflate bombs ----------
def test_a_manifest_whose_root_is_a_list_is_one_line(folders, capsys, tmp_path):
    path = tmp_path / "list.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__manifest__.json", json.dumps({"format": "tinygrad_edu.checkpoint/1", "root": [1]}))
    message = refused(with_flag(arguments(folders), "--model", str(path)), capsys, folders[0])
    assert f"--model: cannot read {path}: load: '{path}': the manifest's root is a list, expected an object" in message


def test_a_general_checkpoint_is_named_as_one(folders, capsys, tmp_path):
    path = tmp_path / "general.npz"
    tg.save({"model": tiny_convnet().state_dict(), "epoch": 3}, path)
    message = refused(with_flag(arguments(folders), "--model", str(path)), capsys, folders[0])
    assert "holds a general checkpoint (keys model, epoch); expected a state_dict" in message


# Peak memory as the kernel's VmHWM of this process: ru_maxrss would not do, since a child
# started from a big parent (pytest late in the suite) inherits the parent's high-water mark.
PEAK_MEMORY = """
import re, sys
from explain.report.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status") as process_status:
    print(int(re.search(r"VmHWM:\\s+(\\d+) kB", process_status.read()).group(1)) * 1024, flush=True)
sys.exit(status)
"""
INFLATED = 2 ** 30


def write_bomb(path, shape):
    """A zip member of 1 GiB of zeros, a few MiB on disk, behind a .npy header claiming `shape`."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("0.weight.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False, "shape": shape})
            zeros = bytes(2 ** 24)
            for _ in range(INFLATED // len(zeros)):
                member.write(zeros)
    assert os.path.getsize(path) < 8 * 2 ** 20


@pytest.mark.parametrize("shape, expected", [
    ((INFLATED // 4,), "'0.weight' is (268435456,) in the checkpoint, the model expects (4, 3, 3, 3)"),
    ((4, 3, 3, 3), "'0.weight' with 1,073,741,392 bytes more than its header's shape (4, 3, 3, 3) needs"),
])
def test_a_deflate_bomb_is_refused_before_it_is_inflated(folders, tmp_path, shape, expected):
    bomb = tmp_path / "bomb.npz"
    write_bomb(bomb, shape)
    if len(shape) == 4:   # the header claims the model's shape: the bomb hides behind the array's end
        state = tiny_convnet().state_dict()
        with zipfile.ZipFile(bomb, "a") as archive:
            for name, array in list(state.items())[1:]:
                with archive.open(name + ".npy", "w") as member:
                    np.lib.format.write_array(member, array)
    argv = with_flag(arguments(folders), "--model", str(bomb))
    result = subprocess.run([sys.executable, "-c", PEAK_MEMORY, *argv], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 2 and expected in result.stderr and "Traceback" not in result.stderr
    peak = int(result.stdout.split()[-1])
    assert peak < INFLATED // 2, f"peak memory {peak / 2 ** 20:.0f} MiB: the bomb was inflated"
