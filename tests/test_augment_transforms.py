"""Transforms: the geometry a student can verify by hand, per-sample randomness,
layouts, range edges, and the errors bad input gets."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from augment import (Compose, ElasticDistortion, GaussianNoise, OneOf, Policy, RandomBrightness, RandomContrast,
                     RandomCrop, RandomErasing, RandomHorizontalFlip, RandomRotation, RandomScale,
                     RandomShear, RandomTranslate, RandomVerticalFlip)


def images(n=4, channels=1, height=10, width=12, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).random((n, channels, height, width)).astype(dtype)


# --- geometry you can check by hand -----------------------------------------------------


@pytest.mark.parametrize("flip", [RandomHorizontalFlip, RandomVerticalFlip])
def test_flipping_twice_is_the_identity(flip):
    x = images()
    twice = Compose([flip(p=1.0), flip(p=1.0)])
    np.testing.assert_array_equal(twice(x, 0), x)


def test_one_flip_mirrors_exactly_one_axis():
    x = images()
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1.0)(x, 0), x[..., ::-1])
    np.testing.assert_array_equal(RandomVerticalFlip(p=1.0)(x, 0), x[..., ::-1, :])


@settings(max_examples=10, deadline=None)
@given(theta=st.floats(-60, 60))
def test_rotating_by_theta_then_minus_theta_is_the_identity_in_the_interior(theta):
    # A smooth image: bilinear interpolation is then nearly exact, so what is left is
    # only the corners that went outside the image and came back as fill.
    rows, cols = np.mgrid[0:32, 0:32] / 31.0
    x = (0.5 + 0.25 * np.sin(3 * rows) * np.cos(2 * cols))[None, None]
    there_and_back = Compose([RandomRotation(degrees=(theta, theta)), RandomRotation(degrees=(-theta, -theta))])
    out = there_and_back(x, 0)
    distance_from_centre = np.hypot(np.mgrid[0:32, 0:32][0] - 15.5, np.mgrid[0:32, 0:32][1] - 15.5)
    interior = distance_from_centre < 13  # inside the inscribed circle, nothing left the image
    np.testing.assert_allclose(out[0, 0][interior], x[0, 0][interior], atol=1e-12)


def test_a_90_degree_rotation_equals_np_rot90():
    x = images(n=3, height=11, width=11, dtype=np.float64)
    out = RandomRotation(degrees=(90, 90))(x, 0)
    np.testing.assert_allclose(out, np.rot90(x, axes=(2, 3)), atol=1e-12)


def test_a_translation_moves_a_single_bright_pixel_where_expected():
    x = np.zeros((1, 1, 9, 9), np.float32)
    x[0, 0, 4, 4] = 1.0
    result = RandomTranslate(translate_px=3).augment(x, 5)
    dx, dy = result.params["dx_px"][0], result.params["dy_px"][0]
    moved = Compose([RandomTranslate(translate_px=3)]).replay(
        x, {"children": [{"dx_px": np.array([2.0]), "dy_px": np.array([-1.0])}]}).images
    assert moved[0, 0, 3, 6] == 1.0 and moved.sum() == 1.0  # row 4 - 1, column 4 + 2
    # the sub-pixel shift drawn by the seed spreads the pixel, but its centre of mass moves exactly
    rows, cols = np.mgrid[0:9, 0:9]
    weights = result.images[0, 0]
    assert np.isclose((weights * cols).sum() / weights.sum(), 4 + dx)
    assert np.isclose((weights * rows).sum() / weights.sum(), 4 + dy)


def test_random_crop_with_padding_is_an_integer_shift_with_fill():
    x = images(n=16, height=8, width=8, dtype=np.float64)
    result = RandomCrop(padding_px=2).augment(x, 1)
    for n in range(16):
        dx, dy = int(result.params["dx_px"][n]), int(result.params["dy_px"][n])
        expected = np.zeros((8, 8))
        expected[max(dy, 0):8 + min(dy, 0), max(dx, 0):8 + min(dx, 0)] = \
            x[n, 0, max(-dy, 0):8 - max(dy, 0), max(-dx, 0):8 - max(dx, 0)]
        np.testing.assert_array_equal(result.images[n, 0], expected)


def test_scale_zooms_about_the_centre():
    x = np.zeros((1, 1, 11, 11))
    x[0, 0, 5, 7] = 1.0  # two columns right of the centre
    out = RandomScale(scale_range=(2.0, 2.0))(x, 0)
    assert out[0, 0, 5, 9] == 1.0  # now four columns right of the centre


def test_shear_moves_rows_sideways_in_proportion_to_their_distance_from_the_centre():
    x = np.zeros((1, 1, 11, 11))
    x[0, 0, 9, 5] = 1.0  # four rows below the centre
    out = RandomShear(degrees=(45, 45))(x, 0)  # tan(45) = 1: shift by 4 columns
    assert np.isclose(out[0, 0, 9, 9], 1.0)


# --- randomness --------------------------------------------------------------------------


def test_each_sample_in_a_batch_draws_its_own_parameters():
    x = np.repeat(images(n=1), 64, axis=0)  # 64 copies of one image
    result = Compose([RandomHorizontalFlip(), RandomRotation(degrees=15)]).augment(x, 0)
    flips = result.params["children"][0]["flip"]
    assert 0 < flips.sum() < 64
    assert len(np.unique(result.params["children"][1]["degrees"])) == 64
    assert len({out.tobytes() for out in result.images}) == 64


def test_the_same_seed_gives_identical_output_and_a_different_seed_does_not():
    x = images()
    pipeline = Compose([RandomRotation(15), RandomBrightness(0.1, clip=True), GaussianNoise(0.05, clip=True)])
    np.testing.assert_array_equal(pipeline(x, 7), pipeline(x, 7))
    np.testing.assert_array_equal(pipeline(x, np.random.default_rng(7)), pipeline(x, 7))
    assert not np.array_equal(pipeline(x, 7), pipeline(x, 8))


def test_the_global_numpy_rng_is_neither_used_nor_disturbed():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    RandomRotation(15)(images(), 3)
    assert np.random.random() == before
    with pytest.raises(TypeError, match="explicit randomness: pass a numpy.random.Generator"):
        RandomRotation(15)(images(), None)
    with pytest.raises(TypeError, match="legacy numpy.random.RandomState"):
        RandomRotation(15)(images(), np.random.RandomState(0))


# --- photometric transforms and the edges of the value range -----------------------------


def test_photometric_results_outside_the_declared_range_raise_unless_clip_is_asked_for():
    x = np.full((2, 1, 4, 4), 0.95, np.float32)
    bright = Compose([RandomBrightness(delta=0.5)])
    with pytest.raises(ValueError, match=r"RandomBrightness\(delta=0.5, clip=False\) produced values in "
                                         r"\[.*\], outside the declared value_range \[0, 1\]; pass clip=True"):
        bright.replay(x, {"children": [{"offset": np.array([0.3, 0.3])}]})
    clipped = Compose([RandomBrightness(delta=0.5, clip=True)]).replay(
        x, {"children": [{"offset": np.array([0.3, -0.3])}]}).images
    np.testing.assert_allclose(clipped[0], 1.0)
    np.testing.assert_allclose(clipped[1], 0.65, rtol=1e-6)


def test_contrast_keeps_the_image_mean_and_scales_deviations():
    x = images(n=3, dtype=np.float64) * 0.5 + 0.25
    out = RandomContrast(factor_range=(0.5, 0.5)).augment(x, 0).images
    means = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, means + 0.5 * (x - means), atol=1e-12)


def test_noise_is_recorded_so_replay_reproduces_it():
    x = images() * 0.5 + 0.25
    noise = GaussianNoise(std=0.02)
    result = noise.augment(x, 0)
    np.testing.assert_allclose(result.images, x + result.params["noise"], atol=1e-6)
    np.testing.assert_array_equal(noise.replay(x, result.params).images, result.images)


def test_erasing_sets_one_rectangle_per_sample_and_never_exceeds_its_area_fraction():
    x = np.ones((50, 1, 16, 16), np.float32)
    erasing = RandomErasing(area_fraction=(0.05, 0.2), value=0.0)
    result = erasing.augment(x, 0)
    erased_area = (result.images == 0).sum(axis=(1, 2, 3)) / 256
    assert np.all(erased_area > 0) and np.all(erased_area <= 0.2)
    np.testing.assert_array_equal(erased_area * 256, result.params["height"] * result.params["width"])


def test_elastic_displacement_never_exceeds_its_limit_and_zero_displacement_is_the_identity():
    x = images(n=5, height=16, width=16)
    elastic = ElasticDistortion(max_displacement_px=1.5, smoothness_px=2.0)
    params = elastic.sample_for(x, 0)
    assert np.allclose(np.hypot(params["d_rows"], params["d_cols"]).max(axis=(1, 2)), 1.5)
    still = {"d_rows": np.zeros_like(params["d_rows"]), "d_cols": np.zeros_like(params["d_cols"])}
    np.testing.assert_array_equal(elastic.replay(x, still).images, x)


# --- layouts and masks ---------------------------------------------------------------------


@pytest.mark.parametrize("layout, to_layout", [
    ("NHWC", lambda b: b.transpose(0, 2, 3, 1)),
    ("NHW", lambda b: b[:, 0]),
])
def test_every_batch_layout_gives_the_same_result_as_nchw(layout, to_layout):
    x = images(n=3, channels=1)
    pipeline = Compose([RandomRotation(20), RandomTranslate(translate_px=2)])
    expected = to_layout(pipeline(x, 4))
    out = pipeline(to_layout(x), 4, layout=layout)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("layout, from_chw", [
    ("CHW", lambda image: image),
    ("HWC", lambda image: image.transpose(1, 2, 0)),
    ("HW", lambda image: image[0]),
])
def test_single_images_in_a_declared_layout(layout, from_chw):
    image = images(n=1, channels=1)[0]
    pipeline = Compose([RandomRotation(20)])
    expected = from_chw(pipeline(image[None], 4)[0])
    np.testing.assert_array_equal(pipeline(from_chw(image), 4, layout=layout), expected)


def test_masks_are_warped_with_nearest_and_stay_aligned_with_their_images():
    x = np.zeros((8, 1, 12, 12), np.float32)
    x[:, :, 3:9, 4:10] = 1.0
    masks = (x[:, 0] > 0).astype(np.int64) * 7  # class 7 where the square is
    pipeline = Compose([RandomHorizontalFlip(), RandomRotation(30), RandomTranslate(translate_px=2),
                        ElasticDistortion(max_displacement_px=1.0)])
    result = pipeline.augment(x, 0, masks=masks)
    assert result.masks.dtype == np.int64 and set(np.unique(result.masks)) <= {0, 7}
    inside_square = result.images[:, 0] > 0.99
    assert np.all(result.masks[inside_square] == 7)
    assert np.all(result.masks[result.images[:, 0] < 0.01] == 0)


# --- bad input ---------------------------------------------------------------------------------


def test_integer_images_are_refused_not_rescaled():
    with pytest.raises(TypeError, match=r"float32 or float64, got uint8; convert explicitly, "
                                        r"e.g. x.astype\(np.float32\) / 255"):
        RandomRotation(10)(np.zeros((2, 1, 4, 4), np.uint8), 0)


def test_values_outside_the_declared_range_are_refused_not_clipped():
    x = images()
    x[0, 0, 0, 0] = 1.5
    with pytest.raises(ValueError, match=r"declared value_range \[0, 1\], got values in \[.*, 1.5\]"):
        RandomRotation(10)(x, 0)
    standardised = x - 0.5
    assert RandomRotation(10)(standardised, 0, value_range=None).shape == x.shape
    with pytest.raises(ValueError, match="finite images, got NaN"):
        RandomRotation(10)(np.full((1, 1, 4, 4), np.nan), 0)


def test_a_wrong_layout_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"layout 'NCHW' expects a 4-d array \(N, C, H, W\), got shape \(28, 28\)"):
        RandomRotation(10)(np.zeros((28, 28)), 0)
    with pytest.raises(ValueError, match="unknown layout 'WHC'"):
        RandomRotation(10)(np.zeros((28, 28, 1)), 0, layout="WHC")
    with pytest.raises(ValueError, match=r"masks must have shape \(2, 4, 4\)"):
        RandomRotation(10).augment(np.zeros((2, 1, 4, 4)), 0, masks=np.zeros((4, 4)))


def test_bad_transform_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip expected a probability p in \[0, 1\], got 1.5"):
        RandomHorizontalFlip(p=1.5)
    with pytest.raises(ValueError, match="exactly one of translate_px or translate_fraction"):
        RandomTranslate()
    with pytest.raises(ValueError, match=r"RandomRotation expected degrees with low <= high"):
        RandomRotation(degrees=(10, -10))
    with pytest.raises(ValueError, match=r"RandomShear expected \|degrees\| < 90"):
        RandomShear(degrees=90)
    with pytest.raises(ValueError, match="RandomCrop expected an integer padding_px >= 0, got 2.5"):
        RandomCrop(padding_px=2.5)
    with pytest.raises(ValueError, match=r"fill=2 lies outside the declared value_range \[0, 1\]"):
        Compose([RandomRotation(10)], fill=2.0)
    with pytest.raises(ValueError, match=r"RandomErasing.* erases with value=5, outside the declared value_range"):
        RandomErasing(value=5.0)(images(), 0)


def test_output_keeps_shape_and_dtype_for_the_training_loop_contract():
    for dtype in (np.float32, np.float64):
        x = images(n=5, channels=3, dtype=dtype)
        pipeline = Compose([RandomHorizontalFlip(), RandomCrop(padding_px=2), RandomScale(),
                            RandomContrast(clip=True), RandomErasing()])
        out = pipeline(x, np.random.default_rng(0))
        assert out.shape == x.shape and out.dtype == dtype


@pytest.mark.parametrize("build, words", [
    (lambda: RandomScale(scale_range=(0.9, float("inf"))), "RandomScale expected finite numbers in scale_range"),
    (lambda: RandomContrast(factor_range=(0.8, float("inf"))),
     "RandomContrast expected finite numbers in factor_range"),
    (lambda: RandomErasing(aspect_ratio=(0.3, float("inf"))),
     "RandomErasing expected finite numbers in aspect_ratio"),
    (lambda: OneOf([RandomRotation(5), RandomScale()], weights=[1.0, float("nan")]),
     r"OneOf expected 2 non-negative weights with a positive sum, got \[1.0, nan\]"),
    (lambda: Policy("MINE", max_rotation_degrees=float("nan")),
     "Policy expected max_rotation_degrees to be a number >= 0, got nan"),
])
def test_infinite_and_nan_parameters_are_refused_when_built(build, words):
    with pytest.raises(ValueError, match=words):
        build()


TRANSFORMS = [RandomHorizontalFlip(p=0.3), RandomVerticalFlip(), RandomRotation((-5, 20.5)), RandomShear(12),
              RandomTranslate(translate_px=(2, 1)), RandomTranslate(translate_fraction=0.1), RandomCrop(2),
              RandomScale((0.8, 1.25)), ElasticDistortion(1.5, 2.0), RandomBrightness(0.1, clip=True),
              RandomContrast(clip=True), GaussianNoise(0.02, clip=True), RandomErasing(value=0.5)]


@pytest.mark.parametrize("transform", TRANSFORMS, ids=repr)
def test_a_repr_is_the_call_that_builds_the_same_transform_again(transform):
    namespace = {type(transform).__name__: type(transform)}
    rebuilt = eval(repr(transform), namespace)
    assert type(rebuilt) is type(transform) and repr(rebuilt) == repr(transform)
    x = images(n=6, channels=3, dtype=np.float64) * 0.5 + 0.25
    np.testing.assert_array_equal(rebuilt(x, 3), transform(x, 3))


def test_a_subclass_prints_its_own_name_and_leaves_out_unset_arguments():
    class TiltedDigits(RandomRotation):
        pass

    assert repr(TiltedDigits(degrees=7)) == "TiltedDigits(degrees=7)"
    assert repr(RandomTranslate(translate_fraction=0.1)) == "RandomTranslate(translate_fraction=0.1)"
