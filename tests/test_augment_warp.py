"""The resampling kernel: it agrees with scikit-image, with its numpy reference, and
with the geometry students can check by hand (np.rot90, a moved pixel)."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from augment import affine
from augment.warp import remap, remap_reference, warp_affine, warp_affine_reference

skimage_transform = pytest.importorskip("skimage.transform")
ROOT = Path(__file__).resolve().parents[1]


def random_inverse_maps(rng, n, height, width):
    forward = affine.then(affine.rotation(rng.uniform(-40, 40, n), height, width),
                          affine.translation(rng.uniform(-4, 4, n), rng.uniform(-4, 4, n)))
    forward = affine.then(forward, affine.scaling(rng.uniform(0.7, 1.3, n), height, width))
    return affine.inverse(forward)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_warp_matches_skimage_warp_with_the_same_matrix(dtype):
    rng = np.random.default_rng(0)
    batch = rng.random((6, 3, 13, 17)).astype(dtype)
    inverse = random_inverse_maps(rng, 6, 13, 17)
    ours = warp_affine(batch, inverse, fill=0.0, order=1)
    for n in range(6):
        for channel in range(3):
            theirs = skimage_transform.warp(batch[n, channel], inverse[n], order=1,
                                            mode="constant", cval=0.0)
            np.testing.assert_allclose(ours[n, channel], theirs, atol=1e-5, rtol=0)
    assert ours.dtype == dtype


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 4), channels=st.integers(1, 3), height=st.integers(1, 12),
       width=st.integers(1, 12), order=st.sampled_from([0, 1]), seed=st.integers(0, 2**32 - 1),
       fill=st.floats(0, 1))
def test_numba_kernel_equals_numpy_reference(n, channels, height, width, order, seed, fill):
    rng = np.random.default_rng(seed)
    batch = rng.random((n, channels, height, width))
    inverse = random_inverse_maps(rng, n, height, width)
    np.testing.assert_allclose(warp_affine(batch, inverse, fill, order),
                               warp_affine_reference(batch, inverse, fill, order), atol=1e-12)


def test_remap_kernel_equals_numpy_reference_on_a_non_contiguous_batch():
    rng = np.random.default_rng(1)
    batch = rng.random((3, 2, 9, 20))[:, :, :, ::2]  # strided on purpose
    rows = rng.uniform(-2, 11, (3, 9, 10))
    cols = rng.uniform(-2, 12, (3, 9, 10))
    for order in (0, 1):
        np.testing.assert_allclose(remap(batch, rows, cols, 0.5, order),
                                   remap_reference(batch, rows, cols, 0.5, order), atol=1e-12)


def test_a_90_degree_rotation_of_a_square_image_equals_np_rot90():
    image = np.random.default_rng(2).random((1, 1, 9, 9))
    inverse = affine.inverse(affine.rotation([90.0], 9, 9))
    np.testing.assert_allclose(warp_affine(image, inverse)[0, 0], np.rot90(image[0, 0]), atol=1e-12)


def test_nearest_keeps_label_values_and_fill_reaches_the_corners():
    labels = np.random.default_rng(3).integers(1, 5, (1, 1, 8, 8)).astype(np.float64)
    out = warp_affine(labels, affine.inverse(affine.rotation([30.0], 8, 8)), fill=0, order=0)
    assert set(np.unique(out)) <= {0, 1, 2, 3, 4}
    assert out[0, 0, 0, 0] == 0  # a corner rotated in from outside the image


def test_warp_rejects_bad_arguments_with_clear_messages():
    batch = np.zeros((2, 1, 4, 4))
    with pytest.raises(ValueError, match=r"batch of shape \(N, C, H, W\), got \(4, 4\)"):
        warp_affine(np.zeros((4, 4)), np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match=r"one 3x3 inverse matrix per sample, shape \(2, 3, 3\), got \(3, 3\)"):
        warp_affine(batch, np.eye(3))
    with pytest.raises(ValueError, match="order 0 .nearest. or 1 .bilinear., got 3"):
        warp_affine(batch, affine.identity(2), order=3)
    with pytest.raises(ValueError, match=r"rows and cols of shape \(N, H, W\) = \(2, 4, 4\)"):
        remap(batch, np.zeros((2, 4)), np.zeros((2, 4)))


_SCRIPT = """
import numpy as np
import augment
from augment import Compose, RandomRotation, RandomTranslate, RandomHorizontalFlip
x = np.random.default_rng(0).random((2, 1, 6, 6)).astype(np.float32)
pipeline = Compose([RandomHorizontalFlip(), RandomRotation(15), RandomTranslate(translate_px=1)])
np.save("out.npy", pipeline(x, 0))
print(augment.__file__)
"""


def _run_script(tmp_path, env_changes, pythonpath):
    # The child decides about caching and JIT itself, whatever this process was started with.
    env = {key: value for key, value in os.environ.items()
           if key not in ("NUMBA_CACHE_DIR", "NUMBA_DISABLE_JIT")}
    env.update(env_changes, PYTHONPATH=str(pythonpath))
    done = subprocess.run([sys.executable, "-c", _SCRIPT], check=True, env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    return np.load(tmp_path / "out.npy"), done.stdout.strip()


def test_kernels_run_under_numba_disable_jit_and_agree_with_the_compiled_ones(tmp_path):
    interpreted, _ = _run_script(tmp_path, {"NUMBA_DISABLE_JIT": "1"}, ROOT)
    compiled, _ = _run_script(tmp_path, {}, ROOT)
    np.testing.assert_allclose(interpreted, compiled, atol=1e-6)


def test_works_when_the_package_folder_cannot_be_written(tmp_path):
    # A zip archive is read-only for every user (even root, for whom chmod is no barrier),
    # so numba cannot cache next to the source and must fall back to the user's cache folder.
    archive = tmp_path / "augment.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for source in (ROOT / "augment").glob("*.py"):
            zipped.write(source, f"augment/{source.name}")
    cache_home = tmp_path / "cache_home"
    out, imported_from = _run_script(tmp_path, {"XDG_CACHE_HOME": str(cache_home)}, archive)
    assert imported_from.startswith(str(archive))
    assert out.shape == (2, 1, 6, 6)
    assert list((cache_home / "numba").rglob("*.nbi")), "numba should have cached to the user cache"
