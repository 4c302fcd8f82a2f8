"""Synthetic photographs for "wolves vs huskies": an animal in front of snow or grass.

Each scene is an animal (scikit-image's horse silhouette, deformed by a random
affine map: scale, mirror, shift, shear) pasted on a background:

    snow     bright, bluish, low-contrast smooth noise
    grass    scikit-image's grass texture, tinted green, cropped at random
    forest   scikit-image's gravel texture, tinted brown-green, cropped at random

A wolf is grey-brown with a uniform fur; a husky is grey with a paler face and
belly. The animal cue is real but SUBTLE (about +-0.12 in brightness), while
snow against grass is obvious: the recipe for a model that learns the
background. Whether an animal stands in snow is the knob:

    P(snow | wolf) = p_snow_given_wolf,   P(snow | husky) = p_snow_given_husky (default 1 - p_snow_given_wolf)

so p_snow_given_wolf=1.0 is the paper's training set (every wolf in snow,
every husky off it) and 0.05 the swapped test set.

Read next: model.py (the convnet), then __main__.py (the story).
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import skimage.data
from skimage.transform import AffineTransform, downscale_local_mean, warp

WOLF, HUSKY = 0, 1
CLASS_NAMES = ("wolf", "husky")
BACKGROUNDS = ("snow", "grass", "forest")

WOLF_FUR = np.array([0.50, 0.45, 0.39])   # grey-brown
HUSKY_FUR = np.array([0.45, 0.45, 0.47])  # grey; its face and belly are PALE_BY brighter
PALE_BY = 0.12
FUR_NOISE = 0.05


@dataclass
class Scenes:
    """What make_scenes returns: arrays with one row per scene."""
    images: np.ndarray        # (n, 3, size, size) float32 in [0, 1]
    labels: np.ndarray        # (n,) int64, 0 = wolf, 1 = husky
    animal_masks: np.ndarray  # (n, size, size) bool, True on the animal
    snow: np.ndarray          # (n,) bool, True where the background is snow
    backgrounds: np.ndarray   # (n,) str, "snow", "grass" or "forest"

    def __len__(self):
        return len(self.labels)


@lru_cache(maxsize=1)
def _horse():
    """The silhouette (True on the horse) and its pale parts (face and belly), as float maps."""
    body = ~skimage.data.horse()
    rows, cols = np.mgrid[0:body.shape[0], 0:body.shape[1]]
    face = (cols > 300) & (rows < 130)
    belly = (rows > 145) & (rows < 195) & (cols > 110) & (cols < 265)
    pale = body & (face | belly)
    return np.stack([body, pale], axis=-1).astype(np.float32)


@lru_cache(maxsize=4)
def _textures(size):
    """Grey textures at a scale where a size x size crop still shows their structure."""
    textures = {}
    for name, image in (("grass", skimage.data.grass()), ("forest", skimage.data.gravel())):
        grey = downscale_local_mean(image.astype(np.float32) / 255.0, (2, 2))
        textures[name] = (grey - grey.mean()) / grey.std()
    rng = np.random.default_rng(12345)  # fixed: the snow texture is part of the data, not of the seed
    coarse = rng.standard_normal((64, 64)).astype(np.float32)
    snow = np.kron(coarse, np.ones((4, 4), np.float32))  # blocky noise, smoothed below
    snow = (snow + np.roll(snow, 2, 0) + np.roll(snow, 2, 1) + np.roll(snow, (2, 2), (0, 1))) / 4
    textures["snow"] = snow / snow.std()
    return textures


def _crop(texture, size, rng):
    top, left = rng.integers(0, texture.shape[0] - size + 1), rng.integers(0, texture.shape[1] - size + 1)
    crop = texture[top:top + size, left:left + size]
    return crop[:, ::-1] if rng.random() < 0.5 else crop


def background(kind, size, rng):
    """One (size, size, 3) background of the given kind, in [0, 1]."""
    texture = _crop(_textures(size)[kind], size, rng)[..., None]
    if kind == "snow":
        tint = np.array([0.88, 0.91, 0.97]) + rng.uniform(-0.03, 0.03)
        return tint - 0.03 * np.abs(texture)   # bright and low-contrast, shadows only
    if kind == "grass":
        tint = np.array([0.30, 0.50, 0.20]) + rng.uniform(-0.05, 0.05, 3)
        return tint + 0.10 * texture
    tint = np.array([0.35, 0.33, 0.22]) + rng.uniform(-0.05, 0.05, 3)  # forest floor
    return tint + 0.10 * texture


BANK_KINDS = ("snow", "grass", "forest", "noise")


def background_bank(n, size=64, seed=0):
    """(n, 3, size, size) backgrounds, a quarter each of snow, grass, forest and coloured noise.

    The bank for augment.RandomBackground: pasted behind every training animal,
    it makes the background useless for telling wolves from huskies.
    """
    rng = np.random.default_rng(seed)
    bank = np.empty((n, 3, size, size), np.float32)
    for i in range(n):
        kind = BANK_KINDS[i % len(BANK_KINDS)]
        if kind == "noise":
            image = rng.uniform(0.0, 1.0, (size, size, 3))
        else:
            image = background(kind, size, rng)
        bank[i] = np.clip(image, 0.0, 1.0).transpose(2, 0, 1)
    return bank


def animal_pose(size, rng):
    """The inverse affine map (output pixel -> silhouette pixel) of a random pose."""
    horse_rows, horse_cols = _horse().shape[:2]
    scale = rng.uniform(0.55, 0.8) * size / horse_cols
    mirror = -1.0 if rng.random() < 0.5 else 1.0
    shear = rng.uniform(-0.25, 0.25)
    shift = rng.uniform(-0.12, 0.12, 2) * size
    centre_to_origin = AffineTransform(translation=(-horse_cols / 2, -horse_rows / 2))
    pose = AffineTransform(matrix=np.array([[mirror * scale, shear * scale, 0.0],
                                            [0.0, scale, 0.0], [0.0, 0.0, 1.0]]))
    place = AffineTransform(translation=(size / 2 + shift[0], size / 2 + shift[1]))
    forward = place.params @ pose.params @ centre_to_origin.params
    return AffineTransform(matrix=np.linalg.inv(forward))


def animal(label, size, rng):
    """The animal's colours (size, size, 3) and its mask (size, size) bool, in a random pose."""
    maps = warp(_horse(), animal_pose(size, rng), output_shape=(size, size), order=1, preserve_range=True)
    mask, pale = maps[..., 0] > 0.5, maps[..., 1]
    fur = (WOLF_FUR if label == WOLF else HUSKY_FUR) + rng.uniform(-0.04, 0.04)  # lighting
    colours = fur + FUR_NOISE * rng.standard_normal((size, size, 1))
    if label == HUSKY:
        colours = colours + PALE_BY * pale[..., None]
    return colours, mask


def scene(label, kind, size, rng):
    """One (size, size, 3) image and its animal mask."""
    colours, mask = animal(label, size, rng)
    image = np.where(mask[..., None], colours, background(kind, size, rng))
    return np.clip(image, 0.0, 1.0), mask


def _check_probability(p, name):
    if not isinstance(p, (int, float, np.floating, np.integer)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"make_scenes expected {name} as a probability in [0, 1], got {p!r}")
    return float(p)


def make_scenes(n, p_snow_given_wolf=0.95, p_snow_given_husky=None, size=64, seed=0):
    """n scenes, half wolves and half huskies (at random), each in snow with the given probability.

    Off snow, the background is grass or forest with equal probability. The same
    seed gives the same scenes, bit for bit.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"make_scenes expected n as a positive integer, got {n!r}")
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 16:
        raise ValueError(f"make_scenes expected size as an integer >= 16, got {size!r}")
    p_wolf = _check_probability(p_snow_given_wolf, "p_snow_given_wolf")
    p_husky = 1.0 - p_wolf if p_snow_given_husky is None else _check_probability(p_snow_given_husky,
                                                                                 "p_snow_given_husky")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    snow = rng.random(n) < np.where(labels == WOLF, p_wolf, p_husky)
    kinds = np.where(snow, "snow", np.where(rng.random(n) < 0.5, "grass", "forest"))
    images = np.empty((n, 3, size, size), np.float32)
    masks = np.empty((n, size, size), bool)
    for i in range(n):
        image, masks[i] = scene(labels[i], kinds[i], size, rng)
        images[i] = image.transpose(2, 0, 1)
    return Scenes(images=images, labels=labels.astype(np.int64), animal_masks=masks, snow=snow,
                  backgrounds=kinds)
