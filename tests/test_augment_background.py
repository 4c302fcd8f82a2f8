"""RandomBackground keeps the object's pixels, takes every other pixel from the bank, and replays."""
import numpy as np
import pytest

import tinygrad_edu as tg
from augment import NATURAL_IMAGES, Compose, RandomBackground, RandomHorizontalFlip
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim


def _data(n=6, size=8, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.uniform(0.2, 0.8, (n, 3, size, size)).astype(np.float32)
    masks = np.zeros((n, size, size), bool)
    for i in range(n):  # a different rectangle per image
        top, left = rng.integers(0, size // 2, 2)
        masks[i, top:top + 3, left:left + 2] = True
    bank = np.stack([np.full((3, size, size), value, np.float32) for value in (0.0, 0.25, 1.0)])
    return images, masks, bank


def test_object_pixels_unchanged_and_background_from_the_bank():
    images, masks, bank = _data()
    result = RandomBackground(bank).augment(images, 0, masks=masks)
    keep = masks[:, None].repeat(3, axis=1)
    assert np.array_equal(result.images[keep], images[keep])
    chosen = result.params["background"]
    assert np.array_equal(result.images[~keep], bank[chosen][~keep])
    assert np.array_equal(result.masks, masks)


def test_seeded_and_replayable():
    images, masks, bank = _data(n=40)
    transform = RandomBackground(bank)
    first = transform.augment(images, 7, masks=masks)
    assert np.array_equal(first.images, transform.augment(images, 7, masks=masks).images)
    assert not np.array_equal(first.params["background"], transform.augment(images, 8, masks=masks).params["background"])
    assert np.array_equal(transform.replay(images, first.params, masks=masks).images, first.images)
    assert set(first.params["background"]) == {0, 1, 2}  # every background of the bank gets used


def test_inside_a_pipeline_under_a_policy_with_nhwc_images():
    images, masks, bank = _data()
    pipeline = Compose([RandomBackground(bank), RandomHorizontalFlip(p=1.0)], policy=NATURAL_IMAGES, layout="NHWC")
    out = pipeline.augment(images.transpose(0, 2, 3, 1), 0, masks=masks)
    assert np.array_equal(out.masks, masks[:, :, ::-1])
    kept = out.masks[..., None].repeat(3, axis=-1)
    assert np.array_equal(out.images[kept], images.transpose(0, 2, 3, 1)[:, :, ::-1][kept])


def test_refuses_missing_or_misshapen_masks_and_bad_banks():
    images, masks, bank = _data()
    transform = RandomBackground(bank)
    with pytest.raises(ValueError, match="needs the object masks"):
        transform(images, 0)
    with pytest.raises(ValueError, match=r"masks must have shape \(6, 8, 8\).*got \(6, 8, 7\)"):
        transform.augment(images, 0, masks=masks[:, :, :7])
    with pytest.raises(ValueError, match=r"backgrounds of shape \(C, H, W\) = \(3, 4, 4\).*\(3, 8, 8\)"):
        RandomBackground(bank[:, :, :4, :4]).augment(images, 0, masks=masks)
    with pytest.raises(ValueError, match="outside the declared value_range"):
        RandomBackground(bank * 2).augment(images, 0, masks=masks)
    with pytest.raises(ValueError, match=r"\(B, C, H, W\) array, got shape \(3, 8, 8\)"):
        RandomBackground(bank[0])
    with pytest.raises(TypeError, match="float32 or float64 backgrounds, got uint8"):
        RandomBackground(bank.astype(np.uint8))


def test_fit_passes_each_batchs_masks_to_the_augmentation():
    images, masks, bank = _data(n=10)
    seen = []

    def augment(x_batch, rng, masks=None):
        seen.append((x_batch.copy(), masks.copy()))
        return RandomBackground(bank)(x_batch, rng, masks=masks)

    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 2))
    labels = np.arange(10) % 2
    tg.fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), images, labels,
           epochs=2, batch_size=4, seed=0, verbose=0, augment=augment, masks=masks)
    assert len(seen) == 6
    for x_batch, mask_batch in seen:  # the masks are the rows of the images in the batch
        rows = [int(np.flatnonzero((images == x).all(axis=(1, 2, 3)))[0]) for x in x_batch]
        assert np.array_equal(mask_batch, masks[rows])


def test_fit_refuses_masks_without_augment_or_of_the_wrong_shape():
    images, masks, bank = _data(n=4)
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 2))
    sgd = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="masks but no augment"):
        tg.fit(model, F.cross_entropy, sgd, images, np.zeros(4, int), verbose=0, masks=masks)
    with pytest.raises(ValueError, match=r"masks of shape \(N, H, W\) = \(4, 8, 8\).*got \(3, 8, 8\)"):
        tg.fit(model, F.cross_entropy, sgd, images, np.zeros(4, int), verbose=0,
               augment=RandomBackground(bank), masks=masks[:3])
