"""Composition: one warp per pipeline, per-sample choices, exact replay, independent streams."""
import numpy as np
import pytest

import augment.base
from augment import (Compose, ElasticDistortion, GaussianNoise, OneOf, RandomApply, RandomBrightness,
                     RandomCrop, RandomErasing, RandomHorizontalFlip, RandomRotation, RandomScale,
                     RandomShear, RandomTranslate, SomeOf, affine, stream, worker_streams)
from augment.warp import warp_affine


def images(n=16, channels=1, size=12, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).random((n, channels, size, size)).astype(dtype)


def count_warps(monkeypatch):
    calls = []

    def counting_warp(batch, inverse, fill=0.0, order=1):
        calls.append(order)
        return warp_affine(batch, inverse, fill, order)

    monkeypatch.setattr(augment.base, "warp_affine", counting_warp)
    return calls


def test_all_geometric_transforms_of_a_pipeline_are_resampled_in_one_pass(monkeypatch):
    calls = count_warps(monkeypatch)
    pipeline = Compose([RandomHorizontalFlip(), RandomRotation(15), RandomTranslate(translate_px=2),
                        RandomApply(RandomScale(), p=0.5), OneOf([RandomShear(10), RandomCrop(2)]),
                        SomeOf([RandomRotation(5), RandomTranslate(translate_fraction=0.1)], k=1)])
    pipeline(images(), 0)
    assert calls == [1]  # one bilinear warp for the whole pipeline


def test_the_one_pass_uses_the_product_of_the_per_sample_matrices():
    x = images(n=6)
    pipeline = Compose([RandomHorizontalFlip(), RandomRotation(30), RandomTranslate(translate_px=3)])
    result = pipeline.augment(x, 1)
    flip, rotate, shift = result.params["children"]
    by_hand = affine.translation(shift["dx_px"], shift["dy_px"]) @ affine.rotation(rotate["degrees"], 12, 12) \
        @ affine.horizontal_flip(flip["flip"], 12)  # flip first, translate last
    np.testing.assert_allclose(result.images, warp_affine(x, np.linalg.inv(by_hand)), atol=1e-12)


def test_a_non_affine_transform_splits_the_pipeline_into_separate_passes(monkeypatch):
    calls = count_warps(monkeypatch)
    pipeline = Compose([RandomRotation(10), RandomTranslate(translate_px=1), RandomErasing(),
                        RandomRotation(10)])
    pipeline(images(), 0)
    assert calls == [1, 1]


def test_replay_gives_identical_output_for_every_kind_of_transform():
    x = images(n=12, channels=3) * 0.5 + 0.25
    masks = (x[:, 0] > 0.5).astype(np.int32)
    pipeline = Compose([
        OneOf([RandomHorizontalFlip(), RandomRotation(20)]),
        RandomApply(ElasticDistortion(max_displacement_px=1.0), p=0.5),
        SomeOf([RandomBrightness(0.05, clip=True), GaussianNoise(0.02, clip=True), RandomErasing()], k=(1, 2)),
        RandomApply(RandomTranslate(translate_px=2), p=0.7),
    ])
    first = pipeline.augment(x, 11, masks=masks)
    again = pipeline.replay(x, first.params, masks=masks)
    np.testing.assert_array_equal(again.images, first.images)
    np.testing.assert_array_equal(again.masks, first.masks)
    with pytest.raises(ValueError, match="params were drawn for 12 samples, got a batch of 4"):
        pipeline.replay(x[:4], first.params)


def test_one_of_gives_each_sample_exactly_one_choice():
    x = images(n=200)
    pipeline = OneOf([RandomRotation(degrees=(90, 90)), RandomHorizontalFlip(p=1.0)], weights=[1, 3])
    result = pipeline.augment(x, 0)
    choice = result.params["choice"]
    assert 0.6 < np.mean(choice == 1) < 0.9  # weights 1:3
    np.testing.assert_allclose(result.images[choice == 1], x[choice == 1][..., ::-1], atol=1e-12)
    np.testing.assert_allclose(result.images[choice == 0], np.rot90(x[choice == 0], axes=(2, 3)), atol=1e-12)


def test_random_apply_leaves_unchosen_samples_untouched_for_affine_and_non_affine_transforms():
    x = images(n=40) * 0.5 + 0.25
    for inner in (RandomRotation(20), GaussianNoise(0.05)):
        result = RandomApply(inner, p=0.5).augment(x, 3)
        applied = result.params["applied"]
        assert 0 < applied.sum() < 40
        np.testing.assert_array_equal(result.images[~applied], x[~applied])
        assert not np.any(np.all(result.images[applied] == x[applied], axis=(1, 2, 3)))


def test_some_of_applies_between_k_low_and_k_high_transforms_per_sample():
    pipeline = SomeOf([RandomRotation(5), RandomBrightness(0.01, clip=True), RandomErasing()], k=(1, 2))
    chosen = pipeline.augment(images(n=300), 0).params["chosen"]
    counts = chosen.sum(axis=1)
    assert counts.min() == 1 and counts.max() == 2
    assert np.all(chosen.any(axis=0))  # every transform gets picked by someone


def test_composition_arguments_are_checked():
    with pytest.raises(TypeError, match=r"item 0 is the class RandomRotation, not a transform; "
                                        r"did you forget the parentheses"):
        Compose([RandomRotation])
    with pytest.raises(TypeError, match="expected a list of transforms, got a single"):
        Compose(RandomRotation(10))
    with pytest.raises(ValueError, match=r"RandomApply expected a probability p in \[0, 1\], got -0.1"):
        RandomApply(RandomRotation(10), p=-0.1)
    with pytest.raises(ValueError, match="OneOf expected 2 non-negative weights"):
        OneOf([RandomRotation(10), RandomHorizontalFlip()], weights=[1, -1])
    with pytest.raises(ValueError, match=r"SomeOf expected 0 <= k_low <= k_high <= 2"):
        SomeOf([RandomRotation(10), RandomHorizontalFlip()], k=3)


def test_seed_sequence_streams_are_reproducible_and_independent():
    x = images(n=8)
    pipeline = Compose([RandomRotation(15), RandomTranslate(translate_px=2)])
    np.testing.assert_array_equal(pipeline(x, stream(42, epoch=3, worker=1)),
                                  pipeline(x, stream(42, epoch=3, worker=1)))
    outputs = [pipeline(x, stream(42, epoch, worker)) for epoch in range(3) for worker in range(2)]
    assert len({out.tobytes() for out in outputs}) == 6
    # stream(seed, epoch, worker) is the child of a child of SeedSequence(seed):
    tree = np.random.SeedSequence(42).spawn(4)[3].spawn(2)[1]
    assert stream(42, 3, 1).random() == np.random.default_rng(tree).random()
    assert [g.random() for g in worker_streams(42, 3, 2)] == [stream(42, 3, w).random() for w in range(2)]
    with pytest.raises(ValueError, match="non-negative integer epoch, got -1"):
        stream(42, -1)


def test_a_pipeline_never_hands_back_the_callers_array():
    x = images(n=4)
    out = Compose([RandomApply(RandomBrightness(0.1), p=0.0)])(x, 0)
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x)
