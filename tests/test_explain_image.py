"""LimeImageExplainer end to end: segmentation, fills, perturbation, formats, errors (explain/lime/image.py)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skimage import data
from skimage.transform import resize

from explain import LimeImageExplainer, SegmentationAlgorithm, fixed_segmentation, segment
from explain.lime.fills import make_fill, mean_fill
from explain.lime.perturb import _perturbed_images_numba, perturbed_images, perturbed_images_lookup, perturbed_images_loop, sample_on_off
from explain.lime.segmentation import relabel

ROOT = Path(__file__).resolve().parents[1]


def grid_segments(height, width, block):
    """Square blocks numbered row by row: segment ids we can point at."""
    rows = np.arange(height)[:, None] // block
    cols = np.arange(width)[None, :] // block
    return rows * ((width + block - 1) // block) + cols


def grid_fn(block):
    return lambda image: grid_segments(image.shape[0], image.shape[1], block)


def region_classifier(segments, positive, negative, strength=0.3):
    """P(label 1) rises with the brightness kept in segment `positive` and falls with `negative`."""
    in_positive = segments == positive
    in_negative = segments == negative

    def classifier_fn(batch):
        batch = batch.reshape(batch.shape[:3] + (-1,)).astype(np.float64)
        brightness = batch.mean(axis=3)
        p = 0.5 + strength * brightness[:, in_positive].mean(axis=1) - strength * brightness[:, in_negative].mean(axis=1)
        return np.stack([1 - p, p], axis=1)
    return classifier_fn


def textured_image(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.3, 1.0, size=shape)


# --------------------------------------------------------------------------- the known answer

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_segments_the_model_depends_on_rank_top_with_the_right_signs(seed):
    image = textured_image((32, 32, 3), seed)
    segments = grid_segments(32, 32, 8)
    classifier_fn = region_classifier(segments, positive=5, negative=10)
    explanation = LimeImageExplainer(random_state=seed).explain_instance(
        image, classifier_fn, top_labels=None, labels=(1,), hide_color=0, num_samples=300,
        segmentation_fn=grid_fn(8))
    (first, w1), (second, w2) = explanation.local_exp[1][:2]
    assert {first: np.sign(w1), second: np.sign(w2)} == {5: 1.0, 10: -1.0}
    others = [abs(w) for _, w in explanation.local_exp[1][2:]]
    assert max(others) < 0.1 * min(abs(w1), abs(w2))


def test_explanation_attributes_have_limes_meanings():
    image = textured_image((32, 32, 3))
    segments = grid_segments(32, 32, 8)
    explanation = LimeImageExplainer(random_state=0).explain_instance(
        image, region_classifier(segments, 5, 10), hide_color=0, num_samples=300, segmentation_fn=grid_fn(8))
    # top_labels=5 by default: every class, most probable first
    probs = explanation.predict_proba
    assert explanation.top_labels == sorted(range(2), key=lambda k: -probs[k])
    for label in (0, 1):
        weights = [abs(w) for _, w in explanation.local_exp[label]]
        assert weights == sorted(weights, reverse=True)
        assert len(weights) == 16
        # linear model, so the surrogate fits (R^2 near 1) and predicts the model at the original
        assert explanation.score[label] > 0.99
        assert explanation.local_pred[label] == pytest.approx(probs[label], abs=0.01)
        dense = explanation.weights(label)
        assert explanation.local_pred[label] == pytest.approx(dense.sum() + explanation.intercept[label])
    np.testing.assert_allclose(explanation.weights(0), -explanation.weights(1), atol=1e-9)
    assert explanation.samples.shape == (300, 16) and np.all(explanation.samples[0] == 1)
    assert explanation.fill == "constant"


def test_same_seed_gives_an_identical_explanation_and_another_seed_does_not():
    image = resize(data.astronaut(), (48, 48), anti_aliasing=True)
    segments_for = {}

    def run(seed):
        explainer = LimeImageExplainer(random_state=seed)
        explanation = explainer.explain_instance(image, brightness_classifier, num_samples=200,
                                                 segmentation_fn="quickshift")
        segments_for[seed] = explanation.segments
        return explanation

    first, again, other = run(7), run(7), run(8)
    assert first.local_exp == again.local_exp and first.intercept == again.intercept
    np.testing.assert_array_equal(first.segments, again.segments)
    assert first.segmentation_seed == again.segmentation_seed != other.segmentation_seed
    assert first.local_exp != other.local_exp


def test_random_seed_pins_the_segmentation_and_reaches_quickshift():
    image = resize(data.astronaut(), (48, 48), anti_aliasing=True)
    a = LimeImageExplainer(random_state=1).explain_instance(
        image, brightness_classifier, num_samples=50, segmentation_fn="quickshift", random_seed=3)
    b = LimeImageExplainer(random_state=2).explain_instance(
        image, brightness_classifier, num_samples=50, segmentation_fn="quickshift", random_seed=3)
    np.testing.assert_array_equal(a.segments, b.segments)
    assert a.segmentation_seed == 3
    np.testing.assert_array_equal(a.segments, segment(image, "quickshift", seed=3))


def brightness_classifier(batch):
    p = np.clip(batch.reshape(len(batch), -1).mean(axis=1), 0, 1)
    return np.stack([1 - p, p], axis=1)


# --------------------------------------------------------------------------- segmentation

@pytest.mark.parametrize("algorithm", ["slic", "quickshift", "felzenszwalb"])
@pytest.mark.parametrize("size", [64, 128])
def test_default_segmentation_gives_tens_of_superpixels_labelled_from_zero(algorithm, size):
    image = resize(data.astronaut(), (size, size), anti_aliasing=True)
    labels = segment(image, algorithm)
    assert 10 <= labels.max() + 1 <= 150
    np.testing.assert_array_equal(np.unique(labels), np.arange(labels.max() + 1))


def test_slic_on_featureless_noise_still_gives_many_superpixels():
    labels = segment(np.random.default_rng(0).random((64, 64, 3)), "slic")
    assert labels.max() + 1 >= 16


def test_labels_starting_at_one_are_relabelled_so_every_superpixel_can_be_hidden():
    image = textured_image((16, 16, 3))
    one_based = grid_fn(8)   # 4 blocks
    explanation = LimeImageExplainer(random_state=0).explain_instance(
        image, brightness_classifier, hide_color=0, num_samples=100, top_labels=None,
        segmentation_fn=lambda img: one_based(img) * 10 + 1)
    np.testing.assert_array_equal(np.unique(explanation.segments), [0, 1, 2, 3])
    # every superpixel was hidden in some sample, and each one darkens the image: all four weigh in
    assert np.all(explanation.samples.min(axis=0) == 0)
    assert all(w > 0 for _, w in explanation.local_exp[1]) and len(explanation.local_exp[1]) == 4
    np.testing.assert_array_equal(relabel(np.array([[5, 5], [2, 9]])), [[1, 1], [0, 2]])


def test_segmentation_algorithm_wrapper_is_limes_call():
    image = resize(data.astronaut(), (64, 64), anti_aliasing=True)
    labels = SegmentationAlgorithm("quickshift", kernel_size=2, max_dist=200, ratio=0.2, random_seed=1)(image)
    assert labels.shape == (64, 64) and labels.min() == 0
    with pytest.raises(ValueError, match="segmentation algorithm must be one of .* got 'watershed'"):
        SegmentationAlgorithm("watershed")


# --------------------------------------------------------------------------- perturbation

@given(height=st.integers(2, 12), width=st.integers(2, 12), channels=st.sampled_from([1, 3]),
       num_segments=st.integers(1, 6), num_samples=st.integers(1, 5), seed=st.integers(0, 10_000),
       dtype=st.sampled_from([np.uint8, np.float32, np.float64]))
@settings(max_examples=40, deadline=None)
def test_perturbed_images_fast_versions_agree_with_the_loop(height, width, channels, num_segments,
                                                            num_samples, seed, dtype):
    rng = np.random.default_rng(seed)
    image = (rng.random((height, width, channels)) * 255).astype(dtype)
    fill = (rng.random((height, width, channels)) * 255).astype(dtype)
    segments = rng.integers(0, num_segments, size=(height, width))
    samples = rng.integers(0, 2, size=(num_samples, num_segments), dtype=np.int8)
    expected = perturbed_images_loop(image, fill, segments, samples)
    for version in (perturbed_images, perturbed_images_lookup):
        result = version(image, fill, segments, samples)
        assert result.dtype == image.dtype
        np.testing.assert_array_equal(result, expected)
    # the compiled kernel's Python source is what runs under NUMBA_DISABLE_JIT=1
    python_version = getattr(_perturbed_images_numba, "py_func", _perturbed_images_numba)
    np.testing.assert_array_equal(python_version(image, fill, segments, samples), expected)


def test_sampling_keeps_the_original_first_and_hides_about_half():
    samples = sample_on_off(np.random.default_rng(0), 2000, 10)
    assert np.all(samples[0] == 1)
    assert set(np.unique(samples)) == {0, 1}
    assert abs(samples[1:].mean() - 0.5) < 0.02


# --------------------------------------------------------------------------- fills

def test_mean_fill_paints_each_superpixel_with_its_own_mean_colour():
    image = textured_image((8, 8, 3))
    segments = grid_segments(8, 8, 4)
    fill = mean_fill(image, segments)
    for s in range(4):
        np.testing.assert_allclose(fill[segments == s], np.broadcast_to(image[segments == s].mean(axis=0), (16, 3)))


@pytest.mark.parametrize("hide_color,name", [(None, "mean"), ("mean", "mean"), (0, "constant"),
                                             ((1, 0, 0), "constant"), ("blur", "blur")])
def test_explanation_records_its_fill(hide_color, name):
    image = (textured_image((16, 16, 3)) * 255).astype(np.uint8)
    explanation = LimeImageExplainer(random_state=0).explain_instance(
        image, lambda b: brightness_classifier(b / 255.0), hide_color=hide_color, num_samples=20,
        segmentation_fn=grid_fn(8))
    assert explanation.fill == name
    assert explanation.fill_image.dtype == np.uint8
    if name == "constant":
        np.testing.assert_array_equal(explanation.fill_image[0, 0], np.broadcast_to(hide_color, (3,)))


def snow_scene(seed=0):
    """Top half white snow (0.85..1), bottom half a brown animal: 16 blocks of 8x8."""
    rng = np.random.default_rng(seed)
    image = np.empty((32, 32, 3))
    image[:16] = rng.uniform(0.85, 1.0, size=(16, 32, 3))
    image[16:] = rng.uniform(0.0, 0.15, size=(16, 32, 3)) + np.array([0.45, 0.3, 0.15])
    return image


def snow_classifier(batch):
    """'Wolf' probability = share of white-ish pixels: a model that learned the snow."""
    white = np.all(batch > 0.8, axis=3).mean(axis=(1, 2))
    p = 0.1 + 0.8 * white
    return np.stack([1 - p, p], axis=1)


def test_constant_fill_finds_the_snow_shortcut_that_mean_fill_hides():
    image = snow_scene()
    snow_segments = set(range(8))      # the top two block rows
    explainer_kwargs = dict(top_labels=None, labels=(1,), num_samples=300, segmentation_fn=grid_fn(8))
    with_mean = LimeImageExplainer(random_state=0).explain_instance(image, snow_classifier, **explainer_kwargs)
    with_black = LimeImageExplainer(random_state=0).explain_instance(
        image, snow_classifier, hide_color=0, **explainer_kwargs)
    # mean fill: a hidden snow block is still white, the model never changes, no weight anywhere
    assert np.abs(with_mean.weights(1)).max() < 1e-6
    # black fill: the eight snow blocks are the top eight, all positive
    top8 = with_black.local_exp[1][:8]
    assert {f for f, _ in top8} == snow_segments and all(w > 0 for _, w in top8)


# --------------------------------------------------------------------------- formats

@pytest.mark.parametrize("shape", [(24, 24), (24, 24, 1), (24, 24, 3)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_grayscale_and_colour_images_reach_the_classifier_in_their_own_layout(shape, dtype):
    scale = 255 if dtype == np.uint8 else 1.0
    image = (textured_image(shape) * scale).astype(dtype)
    seen = []

    def classifier_fn(batch):
        seen.append((batch.shape[1:], batch.dtype))
        return brightness_classifier(batch / scale)

    explanation = LimeImageExplainer(random_state=0).explain_instance(
        image, classifier_fn, num_samples=40, batch_size=16, hide_color=0)
    assert set(seen) == {(shape, np.dtype(dtype))}
    assert len(seen) == 3                                      # 16 + 16 + 8
    assert explanation.num_features >= 2
    assert all(w > 0 for _, w in explanation.local_exp[1])     # every visible patch brightens it
    shown, mask = explanation.get_image_and_mask(1, num_features=3)
    assert shown.shape == (24, 24, 3) and mask.shape == (24, 24)


def test_get_image_and_mask_follows_lime():
    image = textured_image((32, 32, 3))
    segments = grid_segments(32, 32, 8)
    explanation = LimeImageExplainer(random_state=0).explain_instance(
        image, region_classifier(segments, 5, 10), hide_color=0, num_samples=300, segmentation_fn=grid_fn(8),
        top_labels=None)
    shown, mask = explanation.get_image_and_mask(1, positive_only=True, num_features=1, hide_rest=True)
    np.testing.assert_array_equal(mask, (segments == 5).astype(mask.dtype))
    np.testing.assert_array_equal(shown[segments == 5], image[segments == 5])
    assert np.all(shown[segments != 5] == 0)
    _, mask = explanation.get_image_and_mask(1, positive_only=False, negative_only=True, num_features=1)
    np.testing.assert_array_equal(mask, (segments == 10).astype(mask.dtype))
    shown, mask = explanation.get_image_and_mask(1, positive_only=False, num_features=2)
    assert set(np.unique(mask[segments == 5])) == {1} and set(np.unique(mask[segments == 10])) == {-1}
    assert np.all(shown[segments == 5, 1] == image.max()) and np.all(shown[segments == 10, 0] == image.max())
    with pytest.raises(ValueError, match="positive_only and negative_only cannot both be True"):
        explanation.get_image_and_mask(1, positive_only=True, negative_only=True)
    with pytest.raises(KeyError, match=r"Label 0 not in explanation; explained labels are \[1\]"):
        explanation.get_image_and_mask(0)


# --------------------------------------------------------------------------- bad input

def explain(image=None, classifier_fn=brightness_classifier, **kwargs):
    image = textured_image((16, 16, 3)) if image is None else image
    kwargs.setdefault("num_samples", 20)
    return LimeImageExplainer(random_state=0).explain_instance(image, classifier_fn, **kwargs)


@pytest.mark.parametrize("image,message", [
    (np.zeros((4, 4, 4, 3)), r"image must have shape \(H, W\), \(H, W, 1\) or \(H, W, 3\); got shape \(4, 4, 4, 3\)"),
    (np.zeros(16), r"got shape \(16,\)"),
    (np.zeros((8, 8, 4)), r"got shape \(8, 8, 4\)"),
    (np.full((8, 8), np.nan), "image contains NaN or inf"),
    (np.array([["a"] * 4] * 4), "image must hold numbers .* got dtype <U1"),
    (np.zeros((1, 5, 3)), r"image must be at least 2x2 pixels; got shape \(1, 5, 3\)"),
])
def test_bad_images_are_named(image, message):
    with pytest.raises(ValueError, match=message):
        explain(image)


@pytest.mark.parametrize("classifier_fn,message", [
    (lambda b: np.full(len(b), 0.5), r"for a batch of 10 it returned shape \(10,\)"),
    (lambda b: np.full((len(b) + 1, 2), 0.5), r"given 10 inputs but returned 11 rows"),
    (lambda b: np.full((len(b), 2), -2.0), r"probabilities in \[0, 1\]; it returned values in \[-2, -2\]"),
    (lambda b: np.full((len(b), 2), np.nan), "returned NaN or inf in 10 of 10 rows"),
])
def test_bad_classifier_outputs_are_named(classifier_fn, message):
    with pytest.raises(ValueError, match=message):
        explain(classifier_fn=classifier_fn)


def test_other_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"label 2 is out of range: classifier_fn returned 2 classes"):
        explain(top_labels=None, labels=(2,))
    with pytest.raises(ValueError, match="num_samples must be an integer >= 2, got 1"):
        explain(num_samples=1)
    with pytest.raises(ValueError, match=r"segmentation_fn must return an \(H, W\) label array matching "
                                         r"the image \(16, 16\); it returned shape \(4, 4\)"):
        explain(segmentation_fn=lambda img: np.zeros((4, 4), int))
    with pytest.raises(ValueError, match="segmentation_fn must be a callable or one of"):
        explain(segmentation_fn="watershed")
    with pytest.raises(ValueError, match=r"hide_color must be a number or 3 per-channel values .* shape \(2,\)"):
        explain(hide_color=(0, 0))
    with pytest.raises(ValueError, match="segmentation_fn must return integer labels; it returned dtype float64"):
        explain(segmentation_fn=lambda img: np.full(img.shape[:2], 0.5))
    with pytest.raises(TypeError, match="segmentation_fn must be callable, got int"):
        explain(segmentation_fn=3)
    with pytest.raises(ValueError, match=r"fixed segmentation has shape \(8, 8\), image has shape \(16, 16\)"):
        explain(segmentation_fn=fixed_segmentation(np.zeros((8, 8), int)))
    with pytest.raises(ValueError, match="hide_color must be None, 'mean', 'blur' or a colour value, got 'grey'"):
        explain(hide_color="grey")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        explain(batch_size=0)
    with pytest.raises(ValueError, match="num_features must be an integer >= 1, got 0"):
        explain(num_features=0)
    with pytest.raises(ValueError, match="distance_metric must be one of"):
        explain(distance_metric="chebyshev")
    with pytest.raises(ValueError, match="kernel_width must be > 0, got 0"):
        LimeImageExplainer(kernel_width=0)
    with pytest.raises(ValueError, match="feature_selection must be one of"):
        LimeImageExplainer(feature_selection="best")


# --------------------------------------------------------------------------- lime itself

def test_weights_agree_with_the_lime_package_on_the_same_image_classifier_and_segmentation():
    lime_image = pytest.importorskip("lime.lime_image")
    image = textured_image((32, 32, 3), seed=4)
    segments = grid_segments(32, 32, 8)
    classifier_fn = region_classifier(segments, positive=5, negative=10)
    kwargs = dict(top_labels=None, labels=(1,), hide_color=0, num_samples=1000, segmentation_fn=grid_fn(8))
    ours = LimeImageExplainer(random_state=0).explain_instance(image, classifier_fn, **kwargs)
    os.environ.setdefault("TQDM_DISABLE", "1")
    theirs = lime_image.LimeImageExplainer(random_state=0).explain_instance(image, classifier_fn, **kwargs)
    their_weights = np.zeros(16)
    for feature, weight in theirs.local_exp[1]:
        their_weights[feature] = weight
    # different random samples, same noiseless linear model: the weights agree closely
    assert [f for f, _ in ours.local_exp[1][:2]] == [int(f) for f, _ in theirs.local_exp[1][:2]]
    np.testing.assert_allclose(ours.weights(1), their_weights, atol=2e-3)
    assert ours.intercept[1] == pytest.approx(theirs.intercept[1], abs=2e-3)


# --------------------------------------------------------------------------- numba in awkward places

def test_works_from_a_read_only_copy_and_with_the_jit_disabled(tmp_path):
    package = tmp_path / "explain"
    shutil.copytree(ROOT / "explain", package, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [package, *package.iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    script = ("import numpy as np; from explain import LimeImageExplainer; "
              "img = np.random.default_rng(0).random((16, 16, 3)); "
              "clf = lambda b: np.stack([1 - b.mean(axis=(1, 2, 3)), b.mean(axis=(1, 2, 3))], 1); "
              "e = LimeImageExplainer(random_state=0).explain_instance(img, clf, num_samples=50, hide_color=0); "
              "print(len(e.local_exp[1]))")
    try:
        for extra in ({}, {"NUMBA_DISABLE_JIT": "1"}):
            env = {**os.environ, **extra, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
            result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stderr
            assert int(result.stdout.strip()) >= 2
    finally:
        for path in [package, *package.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
