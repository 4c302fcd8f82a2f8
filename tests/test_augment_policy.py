"""Label policies: refuse what the labels do not survive, at build time and at call time."""
import numpy as np
import pytest

from augment import (DIGITS, LETTERS, NATURAL_IMAGES, Compose, ElasticDistortion, OneOf, Policy,
                     PolicyError, RandomApply, RandomCrop, RandomErasing, RandomHorizontalFlip,
                     RandomRotation, RandomScale, RandomShear, RandomTranslate, RandomVerticalFlip)


def digits_batch(n=4, size=28):
    return np.random.default_rng(0).random((n, 1, size, size)).astype(np.float32)


def test_digits_refuses_a_180_degree_rotation_naming_the_transform_and_the_limit():
    with pytest.raises(PolicyError, match=r"^RandomRotation\(degrees=180\) exceeds policy DIGITS: "
                                          r"\|rotation\| <= 15 degrees$"):
        Compose([RandomRotation(degrees=180)], policy=DIGITS)


@pytest.mark.parametrize("flip", [RandomHorizontalFlip(), RandomVerticalFlip(p=0.1)])
@pytest.mark.parametrize("policy", [DIGITS, LETTERS])
def test_digits_and_letters_refuse_any_flip(flip, policy):
    with pytest.raises(PolicyError, match=rf"exceeds policy {policy.name}: no flips allowed"):
        Compose([RandomRotation(5), flip], policy=policy)


def test_a_transform_hidden_inside_a_composite_is_still_found():
    with pytest.raises(PolicyError, match=r"RandomShear\(degrees=40\) exceeds policy DIGITS"):
        Compose([OneOf([RandomRotation(5), RandomApply(RandomShear(40), p=0.1)])], policy=DIGITS)
    with pytest.raises(PolicyError, match=r"RandomScale\(scale_range=\(0.5, 1.1\)\) exceeds policy DIGITS: "
                                          r"scale within \[0.9, 1.1\]"):
        DIGITS.check(RandomScale(scale_range=(0.5, 1.1)))


def test_a_safe_digits_pipeline_is_accepted_and_runs():
    pipeline = Compose([RandomRotation(15), RandomTranslate(translate_px=3), RandomScale((0.9, 1.1)),
                        ElasticDistortion(max_displacement_px=2.0), RandomErasing(area_fraction=(0.02, 0.1))],
                       policy=DIGITS)
    x = digits_batch()
    assert pipeline(x, 0).shape == x.shape


def test_natural_images_allow_horizontal_but_not_vertical_flips():
    Compose([RandomHorizontalFlip(), RandomRotation(30)], policy=NATURAL_IMAGES)
    with pytest.raises(PolicyError, match=r"RandomVerticalFlip\(p=0.5\) exceeds policy NATURAL_IMAGES: "
                                          r"only horizontal flips allowed"):
        Compose([RandomVerticalFlip()], policy=NATURAL_IMAGES)


def test_limits_in_pixels_are_checked_once_the_image_size_is_known():
    pipeline = Compose([RandomTranslate(translate_px=3), RandomCrop(padding_px=2)], policy=DIGITS)
    assert pipeline(digits_batch(size=40), 0).shape == (4, 1, 40, 40)  # (3 + 2)/40 < 0.15
    with pytest.raises(PolicyError, match=r"RandomTranslate\(translate_px=3\) exceeds policy DIGITS on 8x8 "
                                          r"images: \|translation\| <= 0.15 of the image size"):
        pipeline(digits_batch(size=8), 0)  # 3/8 = 0.375


def test_replayed_parameters_are_checked_against_the_policy():
    pipeline = Compose([RandomRotation(15)], policy=DIGITS)
    x = digits_batch(n=2)
    result = pipeline.augment(x, 0)
    result.params["children"][0]["degrees"][1] = 180.0
    with pytest.raises(PolicyError, match=r"parameters for RandomRotation\(degrees=15\) exceed policy DIGITS: "
                                          r"drew rotation degrees = 180, but \|rotation\| <= 15 degrees"):
        pipeline.replay(x, result.params)
    flip_free = Compose([RandomApply(RandomHorizontalFlip(p=0.0), p=1.0)], policy=DIGITS)
    forged = {"children": [{"applied": np.array([True, True]), "child": {"flip": np.array([True, False])}}]}
    with pytest.raises(PolicyError, match="drew a horizontal flip, but no flips allowed"):
        flip_free.replay(x, forged)


def test_unknown_policy_keys_and_bad_values_raise_clear_errors():
    with pytest.raises(ValueError, match=r"unknown key 'max_rotation' \(did you mean 'max_rotation_degrees'\?\)"):
        Policy("MINE", max_rotation=10)
    with pytest.raises(ValueError, match=r"flips must be among \('horizontal', 'vertical'\), got 'diagonal'"):
        Policy("MINE", flips=("diagonal",))
    with pytest.raises(ValueError, match="max_shear_degrees to be a number >= 0, got -1"):
        Policy("MINE", max_shear_degrees=-1)
    with pytest.raises(ValueError, match="flip_label_map gives a map for horizontal flips, but policy MINE "
                                         "does not allow horizontal flips"):
        Policy("MINE", flip_label_map={"horizontal": {0: 1, 1: 0}})
    with pytest.raises(ValueError, match="unknown key 'flip'"):
        DIGITS.replace(flip=("horizontal",))


def test_an_empty_policy_allows_no_geometric_change_and_replace_loosens_it():
    with pytest.raises(PolicyError, match=r"\|rotation\| <= 0 degrees"):
        Compose([RandomRotation(1)], policy=Policy("STRICT"))
    looser = DIGITS.replace(name="TILTED_DIGITS", max_rotation_degrees=30)
    Compose([RandomRotation(30)], policy=looser)
    assert DIGITS.max_rotation_degrees == 15 and "TILTED_DIGITS" in repr(looser)


def test_a_flip_that_swaps_classes_relabels_exactly_the_flipped_samples():
    LEFT, RIGHT, UP = 0, 1, 2
    arrows = Policy("ARROWS", flips=("horizontal",), flip_label_map={"horizontal": {LEFT: RIGHT, RIGHT: LEFT}})
    pipeline = Compose([RandomHorizontalFlip(p=0.5)], policy=arrows)
    x = digits_batch(n=60, size=8)
    y = np.tile([LEFT, RIGHT, UP], 20)
    result = pipeline.augment(x, 0, labels=y)
    flipped = result.params["children"][0]["flip"]
    expected = np.where(flipped & (y == LEFT), RIGHT, np.where(flipped & (y == RIGHT), LEFT, y))
    np.testing.assert_array_equal(result.labels, expected)
    assert 0 < flipped.sum() < 60
    # two horizontal flips cancel, and so do their label swaps
    twice = Compose([RandomHorizontalFlip(p=1.0), RandomHorizontalFlip(p=1.0)], policy=arrows)
    np.testing.assert_array_equal(twice.augment(x, 0, labels=y).labels, y)
    with pytest.raises(PolicyError, match=r"swaps class labels under horizontal flips.*labels=y"):
        pipeline(x, 0)


def test_presets_are_printed_in_words():
    assert "|rotation|          <= 15 degrees" in str(DIGITS)
    assert "flips allowed          horizontal" in str(NATURAL_IMAGES)
