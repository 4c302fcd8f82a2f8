"""Lecture: "Data augmentation: generate perturbed versions of your training data ...
for handwritten digits, rotating by 180 degrees would be bad: it confuses 6's and 9's."

1. Train a small network on the 8x8 digits, augmented with label-safe
   perturbations (small rotations and zooms, allowed by the DIGITS policy).
2. Audit it on augmented copies of the test set: the label-safe pipeline
   against a 180 degree rotation. The audit table shows 6 and 9 collapsing into each other.
3. Show that the DIGITS policy refuses the 180 degree rotation outright.
4. Save a preview grid of the safe pipeline to out/augmentation_preview.png.

    python -m demos.augmentation_six_vs_nine
"""
import os

import numpy as np

import augment
import tinygrad_edu as tg
from demos.main import load_digit_split
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.io.atomic import save_figure


def train_digit_classifier(x_train, y_train, pipeline, seed=0):
    """An MLP trained on label-safe augmented copies (a fresh perturbation every batch)."""
    tg.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=5e-3), x_train, y_train,
           epochs=40, batch_size=32, seed=seed, augment=pipeline, verbose=0)
    return model


def main(out="out"):
    x_train, y_train, x_test, y_test = load_digit_split()
    x_train, x_test = x_train.reshape(-1, 1, 8, 8), x_test.reshape(-1, 1, 8, 8)
    safe = augment.Compose([augment.RandomRotation(degrees=10), augment.RandomScale(scale_range=(0.9, 1.1))],
                           policy=augment.DIGITS)
    model = train_digit_classifier(x_train, y_train, safe)
    classify = lambda images: tg.predict(model, images)  # noqa: E731

    upside_down = augment.Compose([augment.RandomRotation(degrees=(180, 180))])
    print(augment.audit(safe, classify, x_test, y_test, rng=0))
    print(augment.audit(upside_down, classify, x_test, y_test, rng=0))

    try:
        augment.Compose([augment.RandomRotation(degrees=180)], policy=augment.DIGITS)
    except augment.PolicyError as refusal:
        print(f"The DIGITS policy refuses it: {refusal}")

    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "augmentation_preview.png")
    save_figure(augment.preview(safe, x_test[:6], n=6, rng=0), path)
    print(f"saved {path}")


if __name__ == "__main__":
    main()
