"""Lecture: "Example: Wolves vs Huskies", a classifier that learned snow.

We build the story with synthetic 32x32 photos: a wolf (brown-grey body) or a
husky (grey body, paler face) in front of snow or grass. In the training
set every wolf stands in snow and every husky on grass, as in the original
study's photos, so "snow" is a shortcut exactly as good as looking at the
animal, and far easier to see.

1. A small convnet learns the training set.
2. On a test set where the background disagrees with the usual pairing, its
   accuracy collapses: it answers "snow" rather than "wolf".
3. LIME on a husky in the snow shows why: the superpixels that push the
   prediction towards "wolf" are background. With lime's default fill (each
   hidden superpixel painted its own mean colour) snow stays white when
   hidden, so the shortcut is invisible; a constant black fill reveals it.

    python -m demos.wolves_vs_huskies           (writes out/wolves_vs_huskies.png)
"""
import os

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from explain import LimeImageExplainer, plot_image_explanation
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.plotting import save_figure

WOLF, HUSKY = 0, 1
CLASS_NAMES = ("wolf", "husky")
SIZE = 32


def _background(rng, snow):
    if snow:
        base = np.array([0.93, 0.95, 1.0]) - rng.uniform(0, 0.08, size=(SIZE, SIZE, 1))
    else:
        base = np.array([0.25, 0.55, 0.2]) + rng.normal(0, 0.07, size=(SIZE, SIZE, 3))
    return base


def make_scene(rng, animal, snow):
    """One (32, 32, 3) image in [0, 1] (an animal-shaped ellipse on a background) and the animal's mask."""
    image = _background(rng, snow) * np.ones((SIZE, SIZE, 3))
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    centre_r, centre_c = rng.uniform(13, 19, size=2)
    body = ((rows - centre_r) / 7) ** 2 + ((cols - centre_c) / 10) ** 2 <= 1
    colour = np.array((0.46, 0.42, 0.38) if animal == WOLF else (0.40, 0.40, 0.43))
    image[body] = colour + rng.normal(0, 0.08, size=(body.sum(), 1))  # fur: grey noise
    head = ((rows - centre_r + 5) / 2.5) ** 2 + ((cols - centre_c - 7) / 2.5) ** 2 <= 1
    face = colour + (0.12 if animal == HUSKY else 0.0)  # a husky's paler face: the real, subtle cue
    image[head] = face + rng.normal(0, 0.08, size=(head.sum(), 1))
    return np.clip(image, 0, 1).astype(np.float32), body | head


def make_dataset(rng, n, shortcut=1.0):
    """Wolves stand in snow with probability ``shortcut``, huskies on grass likewise."""
    animals = rng.integers(0, 2, size=n)
    usual = rng.random(n) < shortcut
    snow = np.where(animals == WOLF, usual, ~usual)
    images = np.stack([make_scene(rng, a, s)[0] for a, s in zip(animals, snow)])
    return images, animals, snow


def convnet():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 8 * 8, 2),
    )


def probabilities(model, images_hwc):
    """The classifier LIME sees: (N, H, W, 3) images in, class probabilities out."""
    logits = tg.predict(model, np.ascontiguousarray(images_hwc.transpose(0, 3, 1, 2), dtype=np.float32))
    return F.softmax(tg.Tensor(logits), axis=1).data


def background_share(explanation, label, animal_mask, num_features=5):
    """Fraction of the area of the top positive superpixels that lies off the animal."""
    _, mask = explanation.get_image_and_mask(label, positive_only=True, num_features=num_features)
    chosen = mask > 0
    return float((chosen & ~animal_mask).sum() / max(chosen.sum(), 1))


def main(out="out", seed=0, epochs=6, verbose=1):
    """Run the story; returns the accuracies, P(wolf) and, per fill, the background share."""
    rng = np.random.default_rng(seed)
    x_train, y_train, _ = make_dataset(rng, 800)
    x_usual, y_usual, _ = make_dataset(rng, 200)
    x_swapped, y_swapped, _ = make_dataset(rng, 200, shortcut=0.0)

    tg.manual_seed(seed)
    model = convnet()
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), x_train.transpose(0, 3, 1, 2), y_train,
           epochs=epochs, batch_size=32, seed=seed, verbose=verbose)
    results = {}
    for key, name, x, y in (("usual", "usual pairs (wolf+snow, husky+grass)", x_usual, y_usual),
                            ("swapped", "swapped pairs (wolf+grass, husky+snow)", x_swapped, y_swapped)):
        results[key] = float(np.mean(probabilities(model, x).argmax(axis=1) == y))
        print(f"test accuracy on {name}: {results[key]:.1%}")

    husky_in_snow, animal_mask = make_scene(np.random.default_rng(seed + 1), HUSKY, snow=True)
    p_wolf = probabilities(model, husky_in_snow[None])[0, WOLF]
    print(f"a husky in the snow: P(wolf) = {p_wolf:.2f}")
    results["p_wolf"] = float(p_wolf)

    explainer = LimeImageExplainer(random_state=seed)
    explanations = {}
    for fill_name, hide_color in (("mean fill (lime's default)", None), ("constant black fill", 0.0)):
        explanations[fill_name] = explainer.explain_instance(
            husky_in_snow, lambda batch: probabilities(model, batch), labels=(WOLF,), top_labels=None,
            hide_color=hide_color, num_samples=1000, random_seed=seed)
        weights = [abs(weight) for _, weight in explanations[fill_name].local_exp[WOLF]]
        share = background_share(explanations[fill_name], WOLF, animal_mask)
        results[fill_name] = share
        print(f"{fill_name}: largest |weight| for 'wolf' {max(weights):.3f}; "
              f"{share:.0%} of the top-5 'wolf' superpixels' area is background")

    figure, axes = plt.subplots(1, 3, figsize=(10, 3.6))
    axes[0].imshow(husky_in_snow)
    axes[0].set_title(f"husky in snow\nP(wolf) = {p_wolf:.2f}")
    for axis, (fill_name, explanation) in zip(axes[1:], explanations.items()):
        plot_image_explanation(explanation, WOLF, num_features=5, ax=axis)
        axis.set_title(f"why 'wolf'? {fill_name}", fontsize=9)
    for axis in axes:
        axis.axis("off")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "wolves_vs_huskies.png")
    save_figure(figure, path)
    print(f"saved {path}")
    return results


if __name__ == "__main__":
    main()
