"""python -m explain report: on a folder of PNGs this test writes, and each of its errors."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from skimage import io

import tinygrad_edu as tg
from explain.report.cli import main
from tests.report_models import tiny_convnet
from tests.test_explain_report import check_self_contained

ARCH = "tests.report_models:tiny_convnet"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Four 20x20 RGB PNGs (resized to 16 by --size), their masks, and a tiny_convnet checkpoint."""
    base = tmp_path_factory.mktemp("cli")
    images, masks = base / "images", base / "masks"
    images.mkdir()
    masks.mkdir()
    rng = np.random.default_rng(0)
    for i in range(4):
        picture = (rng.uniform(0, 80, (20, 20, 3))).astype(np.uint8)
        mask = np.zeros((20, 20), np.uint8)
        mask[4 + i:14 + i, 5:15] = 255
        picture[mask > 0] = [200, 150, 90]
        io.imsave(images / f"scene{i}.png", picture, check_contrast=False)
        io.imsave(masks / f"scene{i}.png", mask, check_contrast=False)
    tg.manual_seed(0)
    checkpoint = base / "tiny.npz"
    tg.save(tiny_convnet().state_dict(), checkpoint)
    return base, images, masks, checkpoint


def arguments(folders, *extra, methods="lime"):
    base, images, _, checkpoint = folders
    return ["report", "--model", str(checkpoint), "--arch", ARCH, "--images", str(images), "--classes",
            "wolf,husky", "--methods", methods, "--size", "16", "--lime-samples", "30",
            "--out", str(base / "report.html"), *extra]


def test_report_with_masks_measures_enrichment(folders, capsys):
    base, _, masks, _ = folders
    assert main(arguments(folders, "--masks", str(masks), "--object", "animal",
                          "--json", str(base / "numbers.json"), methods="lime,gradcam,ig,occlusion")) == 0
    page = (base / "report.html").read_text(encoding="utf-8")
    check_self_contained(page)
    numbers = json.loads((base / "numbers.json").read_text())
    assert numbers["files"] == [f"scene{i}.png" for i in range(4)]
    enrichment = numbers["models"]["tiny"]["quality"]["lime"]["enrichment"]   # named after tiny.npz
    assert enrichment["n"] == 4 and enrichment["mean"] > 0
    quality = numbers["models"]["tiny"]["quality"]
    assert sorted(quality) == ["gradcam", "ig", "lime", "occlusion"]
    assert all(quality[m]["enrichment"]["n"] == 4 for m in ("gradcam", "ig", "occlusion"))
    assert quality["ig"]["ig_delta"]["n"] == 4
    assert all(isinstance(quality[m]["randomization"]["passed"], bool) for m in quality)
    for name in ("Grad-CAM", "Integrated Gradients", "Occlusion", "LIME"):
        assert name in page
    assert "enrichment" in capsys.readouterr().out and "the animal" in page


def test_report_without_masks_says_enrichment_is_not_measured(folders):
    base = folders[0]
    assert main(arguments(folders)) == 0
    numbers_free_page = (base / "report.html").read_text(encoding="utf-8")
    check_self_contained(numbers_free_page)
    assert "no object masks" in numbers_free_page


def run_error(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 2
    assert "Traceback" not in captured.err
    return captured.err


def test_missing_folder(folders, capsys):
    argv = arguments(folders)
    argv[argv.index("--images") + 1] = str(folders[0] / "nowhere")
    assert "--images: no folder at" in run_error(argv, capsys)
    assert "--masks: no folder at" in run_error(arguments(folders, "--masks", str(folders[0] / "nope")), capsys)


def test_wrong_channel_count(folders, capsys, tmp_path):
    grey = tmp_path / "grey"
    grey.mkdir()
    io.imsave(grey / "flat.png", np.full((16, 16), 128, np.uint8), check_contrast=False)
    argv = arguments(folders)
    argv[argv.index("--images") + 1] = str(grey)
    message = run_error(argv, capsys)
    assert "flat.png has shape (16, 16) (greyscale); expected RGB (H, W, 3)" in message
    rgba = tmp_path / "rgba"
    rgba.mkdir()
    io.imsave(rgba / "alpha.png", np.full((16, 16, 4), 128, np.uint8), check_contrast=False)
    argv[argv.index("--images") + 1] = str(rgba)
    assert "(4 channels); expected RGB" in run_error(argv, capsys)


def test_arch_that_does_not_import_or_build_a_model(folders, capsys):
    argv = arguments(folders)
    at = argv.index("--arch") + 1
    argv[at] = "no_such_package.models:convnet"
    assert "cannot import module 'no_such_package.models'" in run_error(argv, capsys)
    argv[at] = "tests.report_models:missing"
    assert "has no function 'missing'" in run_error(argv, capsys)
    argv[at] = "tests.report_models:not_a_model"
    assert "must build a tinygrad_edu.nn.Module, it returned dict" in run_error(argv, capsys)
    argv[at] = "tests.report_models"
    assert "MODULE:FACTORY" in run_error(argv, capsys)


def test_checkpoint_whose_keys_do_not_fit_names_them(folders, capsys, tmp_path):
    argv = arguments(folders)
    argv[argv.index("--arch") + 1] = "tests.report_models:wider_convnet"
    message = run_error(argv, capsys)
    assert "does not fit tests.report_models:wider_convnet()" in message and "0.weight" in message
    state = tiny_convnet().state_dict()
    del state["7.bias"]
    state["head.extra"] = np.zeros(2, np.float32)
    tg.save(state, tmp_path / "odd.npz")
    argv = arguments(folders)
    argv[argv.index("--model") + 1] = str(tmp_path / "odd.npz")
    message = run_error(argv, capsys)
    assert "missing keys: 7.bias" in message and "unexpected keys: head.extra" in message
    argv[argv.index("--model") + 1] = str(tmp_path / "absent.npz")
    assert "no checkpoint file" in run_error(argv, capsys)


def test_unknown_methods_and_bad_classes(folders, capsys):
    message = run_error(arguments(folders, methods="lime,shap,gradcm"), capsys)
    assert "unknown method name(s) ['shap', 'gradcm']" in message and "gradcam" in message
    argv = arguments(folders)
    argv[argv.index("--classes") + 1] = "wolf,husky,fox"
    assert "the model gives 2 classes" in run_error(argv, capsys)


def test_help_explains_every_flag():
    result = subprocess.run([sys.executable, "-m", "explain", "report", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0
    for flag in ("--model", "--arch", "--images", "--classes", "--masks", "--methods", "--size", "--seed",
                 "--out", "--json", "MODULE:FACTORY", "white = object"):
        assert flag in result.stdout


def test_errors_exit_with_status_2_and_no_traceback_from_a_real_process(folders):
    argv = arguments(folders)
    argv[argv.index("--images") + 1] = str(folders[0] / "nowhere")
    result = subprocess.run([sys.executable, "-m", "explain", *argv], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert "--images: no folder at" in result.stderr and "Traceback" not in result.stderr
