"""A policy holds for the whole pipeline: limits add up over the transforms a sample goes through."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from augment import (DIGITS, NATURAL_IMAGES, Compose, ElasticDistortion, OneOf, PolicyError, RandomApply,
                     RandomCrop, RandomErasing, RandomHorizontalFlip, RandomRotation, RandomScale, RandomShear,
                     RandomTranslate, SomeOf)

ROOT = Path(__file__).resolve().parents[1]


def digits_batch(n=4, size=28):
    return np.random.default_rng(0).random((n, 1, size, size)).astype(np.float32)


def refused(message):
    """pytest.raises for exactly this PolicyError message."""
    return pytest.raises(PolicyError, match="^" + re.escape(message) + "$")


# --- the composed worst case, when the pipeline is built (or called, for limits in pixels) ---------


def test_two_rotations_each_within_the_limit_are_refused_together():
    with refused("RandomRotation(degrees=15) then RandomRotation(degrees=15) exceed policy DIGITS together: "
                 "their composed worst case is |rotation| up to 30 degrees, "
                 "but the policy allows |rotation| <= 15 degrees"):
        Compose([RandomRotation(15), RandomRotation(15)], policy=DIGITS)


def test_translations_add_in_fractions_of_the_image():
    with refused("RandomTranslate(translate_fraction=0.15) then RandomTranslate(translate_fraction=0.15) "
                 "exceed policy DIGITS together: their composed worst case is |translation| up to 0.3 of the "
                 "image size, but the policy allows |translation| <= 0.15 of the image size"):
        Compose([RandomTranslate(translate_fraction=0.15), RandomTranslate(translate_fraction=0.15)],
                policy=DIGITS)


def test_shifts_in_pixels_add_up_once_the_image_size_is_known():
    pipeline = Compose([RandomTranslate(translate_px=3), RandomCrop(padding_px=2)], policy=DIGITS)
    with refused("RandomTranslate(translate_px=3) then RandomCrop(padding_px=2) exceed policy DIGITS together "
                 "on 28x28 images: their composed worst case is |translation| up to 0.1786 of the image size, "
                 "but the policy allows |translation| <= 0.15 of the image size"):
        pipeline(digits_batch(size=28), 0)  # 5 pixels of 28; each alone (3/28, 2/28) is fine


def test_scales_multiply():
    with refused("RandomScale(scale_range=(0.9, 1.1)) then RandomScale(scale_range=(0.9, 1.1)) exceed policy "
                 "DIGITS together: their composed worst case is scale within [0.81, 1.21], "
                 "but the policy allows scale within [0.9, 1.1]"):
        Compose([RandomScale((0.9, 1.1)), RandomScale((0.9, 1.1))], policy=DIGITS)


def test_shears_add():
    with refused("RandomShear(degrees=10) then RandomShear(degrees=10) exceed policy DIGITS together: "
                 "their composed worst case is |shear| up to 20 degrees, "
                 "but the policy allows |shear| <= 15 degrees"):
        Compose([RandomShear(10), RandomShear(10)], policy=DIGITS)


def test_elastic_displacements_add():
    pipeline = Compose([ElasticDistortion(max_displacement_px=2), ElasticDistortion(max_displacement_px=2)],
                       policy=DIGITS)
    with refused("ElasticDistortion(max_displacement_px=2, smoothness_px=3) then "
                 "ElasticDistortion(max_displacement_px=2, smoothness_px=3) exceed policy DIGITS together on "
                 "28x28 images: their composed worst case is elastic displacement up to 0.1429 of the image "
                 "size, but the policy allows elastic displacement <= 0.1 of the image size"):
        pipeline(digits_batch(size=28), 0)


def test_erased_areas_add():
    with pytest.raises(PolicyError, match=re.escape(
            "exceed policy DIGITS together: their composed worst case is erased area up to 0.12 of the image, "
            "but the policy allows erased area <= 0.1 of the image")):
        Compose([RandomErasing(area_fraction=(0.02, 0.06)), RandomErasing(area_fraction=(0.02, 0.06))],
                policy=DIGITS)


def test_one_of_counts_only_its_worst_child():
    Compose([OneOf([RandomRotation(15), RandomRotation(15)])], policy=DIGITS)(digits_batch(), 0)
    with refused("RandomRotation(degrees=10) then RandomRotation(degrees=8) exceed policy DIGITS together: "
                 "their composed worst case is |rotation| up to 18 degrees, "
                 "but the policy allows |rotation| <= 15 degrees"):
        Compose([RandomRotation(10), OneOf([RandomRotation(5), RandomRotation(8)])], policy=DIGITS)


def test_random_apply_counts_however_rarely_it_applies():
    with pytest.raises(PolicyError, match=re.escape("their composed worst case is |rotation| up to 20 degrees")):
        Compose([RandomRotation(10), RandomApply(RandomRotation(10), p=0.01)], policy=DIGITS)


def test_some_of_counts_its_k_high_worst_children():
    three = [RandomRotation(8), RandomRotation(8), RandomRotation(8)]
    Compose([SomeOf(three, k=1)], policy=DIGITS)(digits_batch(), 0)
    with refused("RandomRotation(degrees=8) then RandomRotation(degrees=8) exceed policy DIGITS together: "
                 "their composed worst case is |rotation| up to 16 degrees, "
                 "but the policy allows |rotation| <= 15 degrees"):
        Compose([SomeOf(three, k=(1, 2))], policy=DIGITS)


def test_two_flips_that_cancel_are_still_refused_by_a_policy_without_flips():
    twice = [RandomHorizontalFlip(p=1.0), RandomHorizontalFlip(p=1.0)]
    with refused("RandomHorizontalFlip(p=1) exceeds policy DIGITS: no flips allowed"):
        Compose(twice, policy=DIGITS)
    x = digits_batch()
    np.testing.assert_array_equal(Compose(twice, policy=NATURAL_IMAGES)(x, 0), x)



_WORST_CASE_KEYS = """
from augment import (ElasticDistortion, OneOf, RandomErasing, RandomHorizontalFlip, RandomRotation,
                     RandomScale, RandomShear, RandomTranslate, SomeOf)
children = [RandomHorizontalFlip(), RandomRotation(10), RandomTranslate(translate_px=2),
            RandomScale((0.9, 1.1)), RandomShear(5), ElasticDistortion(1.0), RandomErasing()]
print(list(OneOf(children).worst_case((1, 1, 28, 28))))
print(list(SomeOf(children, k=(1, 3)).worst_case((1, 1, 28, 28))))
"""


def test_worst_case_keys_come_in_the_same_order_whatever_the_hash_seed():
    # String hashes, and so a set's order, change with PYTHONHASHSEED; the keys must not.
    orders = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", _WORST_CASE_KEYS], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True, timeout=300)
        orders.append(done.stdout)
    assert orders[0] == orders[1]
    in_listed_order = ("['horizontal_flip', 'rotation_degrees', 'translate_fraction', 'scale', "
                       "'shear_degrees', 'elastic_fraction', 'erase_fraction']")
    assert orders[0].splitlines() == [in_listed_order, in_listed_order]

# --- what each sample drew, when the pipeline is called -------------------------------------


def test_drawn_rotations_of_one_sample_are_added_up():
    pipeline = Compose([RandomRotation(7), RandomRotation(7)], policy=DIGITS)  # 14: accepted
    x = digits_batch()
    params = pipeline.sample_for(x, 0)
    params["children"][0]["degrees"][3] = 10.0
    params["children"][1]["degrees"][3] = -10.0  # each within DIGITS' 15, together 20 in magnitude
    with refused("parameters for RandomRotation(degrees=7) then RandomRotation(degrees=7) exceed policy DIGITS "
                 "together: sample 3 drew rotation degrees = 20 in all, but |rotation| <= 15 degrees"):
        pipeline.replay(x, params)


def test_drawn_scales_of_one_sample_are_multiplied():
    pipeline = Compose([RandomScale((0.96, 1.04)), RandomScale((0.96, 1.04))], policy=DIGITS)
    x = digits_batch()
    params = pipeline.sample_for(x, 0)
    params["children"][0]["scale"][0] = params["children"][1]["scale"][0] = 0.9
    with refused("parameters for RandomScale(scale_range=(0.96, 1.04)) then RandomScale(scale_range=(0.96, 1.04)) "
                 "exceed policy DIGITS together: sample 0 drew scale = 0.81 in all, but scale within [0.9, 1.1]"):
        pipeline.replay(x, params)


def test_a_draw_counts_only_for_the_samples_that_went_through_it():
    pipeline = Compose([OneOf([RandomRotation(15), RandomRotation(15)])], policy=DIGITS)
    x = digits_batch()
    choice = np.array([0, 1, 0, 1])
    full_turns = {"children": [{"choice": choice, "children": [{"degrees": np.full(4, 15.0)},
                                                               {"degrees": np.full(4, 15.0)}]}]}
    pipeline.replay(x, full_turns)  # each sample went through ONE of the two rotations: 15 degrees
    beyond = {"children": [{"choice": choice, "children": [{"degrees": np.full(4, 15.0)},
                                                           {"degrees": np.array([15.0, 15.0, 40.0, 15.0])}]}]}
    pipeline.replay(x, beyond)  # sample 2 chose the first rotation, so the 40 was never applied
    beyond["children"][0]["choice"][2] = 1
    with refused("parameters for RandomRotation(degrees=15) exceed policy DIGITS: drew rotation degrees = 40, "
                 "but |rotation| <= 15 degrees (sample 2 of the batch)"):
        pipeline.replay(x, beyond)


# --- property: what an accepted pipeline draws never exceeds the policy ------------------------

LEAVES = st.one_of(
    st.builds(RandomRotation, st.floats(0, 12)),
    st.floats(0, 0.08).map(lambda s: RandomScale((1 - s, 1 + s))),
    st.floats(0, 0.12).map(lambda t: RandomTranslate(translate_fraction=t)),
    st.floats(0, 4).map(lambda px: RandomTranslate(translate_px=px)),
    st.builds(RandomCrop, st.integers(0, 3)),
)


@st.composite
def some_of(draw, children):
    transforms = draw(st.lists(children, min_size=1, max_size=3))
    k_high = draw(st.integers(0, len(transforms)))
    return SomeOf(transforms, k=(draw(st.integers(0, k_high)), k_high))


PIPELINES = st.recursive(LEAVES, lambda children: st.one_of(
    st.lists(children, min_size=1, max_size=3).map(Compose),
    st.lists(children, min_size=1, max_size=3).map(OneOf),
    st.builds(RandomApply, children, st.floats(0, 1)),
    some_of(children),
), max_leaves=6)


def path_totals(transform, params, shape):
    """A reference, per sample: summed |angle|, summed shift fraction and product of scales
    over the transforms that sample went through (composites' choices read from params)."""
    n, _, height, width = shape
    if isinstance(transform, (Compose, OneOf, SomeOf)):
        parts = [path_totals(child, child_params, shape)
                 for child, child_params in zip(transform.children, params["children"])]
        if isinstance(transform, OneOf):
            ran = [params["choice"] == k for k in range(len(parts))]
        elif isinstance(transform, SomeOf):
            ran = [params["chosen"][:, k] for k in range(len(parts))]
        else:
            ran = [np.ones(n, bool)] * len(parts)
        angle = sum(np.where(r, a, 0) for r, (a, _, _) in zip(ran, parts))
        shift = sum(np.where(r, t, 0) for r, (_, t, _) in zip(ran, parts))
        scale = np.prod([np.where(r, s, 1) for r, (_, _, s) in zip(ran, parts)], axis=0)
        return angle, shift, scale
    if isinstance(transform, RandomApply):
        angle, shift, scale = path_totals(transform.children[0], params["child"], shape)
        applied = params["applied"]
        return np.where(applied, angle, 0), np.where(applied, shift, 0), np.where(applied, scale, 1)
    nothing = np.zeros(n)
    if isinstance(transform, RandomRotation):
        return np.abs(params["degrees"]), nothing, np.ones(n)
    if isinstance(transform, RandomScale):
        return nothing, nothing, params["scale"]
    return nothing, np.maximum(np.abs(params["dx_px"]) / width, np.abs(params["dy_px"]) / height), np.ones(n)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(inner=PIPELINES, seed=st.integers(0, 2 ** 16))
def test_what_an_accepted_pipeline_draws_never_exceeds_the_policy(inner, seed):
    x = np.random.default_rng(seed).random((64, 1, 20, 28))
    try:
        pipeline = Compose([inner], policy=DIGITS)
        result = pipeline.augment(x, seed)
    except PolicyError as refusal:
        # Refusing the configured limits (at build, or in pixels for 20x28 images) is fine;
        # refusing the parameters an accepted pipeline drew itself would break the promise.
        assert not str(refusal).startswith("parameters for"), str(refusal)
        assume(False)
    angle, shift, scale = path_totals(pipeline, result.params, x.shape)
    tolerance = 1e-9
    assert np.all(angle <= DIGITS.max_rotation_degrees + tolerance)
    assert np.all(shift <= DIGITS.max_translate_fraction + tolerance)
    assert np.all((scale >= DIGITS.scale_range[0] - tolerance) & (scale <= DIGITS.scale_range[1] + tolerance))
    # The reference is the geometry: rotations and zooms about the centre commute, so the composed
    # matrix's 2x2 part is scale * R(net angle), with |net angle| <= the summed |angles|.
    linear = pipeline.matrices(result.params, x.shape)[:, :2, :2]
    np.testing.assert_allclose(np.sqrt(np.linalg.det(linear)), scale, rtol=1e-12)
    net_angle = np.degrees(np.arctan2(linear[:, 0, 1], linear[:, 0, 0]))
    assert np.all(np.abs(net_angle) <= angle + 1e-9)
