"""Beyond the slides: a GAN -- the counterfeiter (generator) and the cop (discriminator).

G turns random noise z into points; D scores a point with a logit, "real" if
high. They play against each other (Goodfellow et al. 2014), each taking one
step in turn with binary cross-entropy on logits:

    D step:  minimise  BCE(D(x_real), 1) + BCE(D(G(z)), 0)     (tell real from fake)
    G step:  minimise  BCE(D(G(z)), 1)                         (fool D; the "non-saturating" loss)

The gradient that trains G flows back THROUGH D into G's weights: the cop
tells the counterfeiter how to improve. The real data is a mixture of 4
Gaussians on a square, so we can measure how close the fakes are: the mean
distance from a generated point to the nearest mixture centre (the real
points sit at about 0.1 * sqrt(pi/2) = 0.13 from theirs).

    python -m demos.gan           (writes out/gan.png: snapshots and both losses)
    python -m demos.gan --fast    (fewer steps; used by the tests)

Read tinygrad_edu/functional/losses.py next: binary_cross_entropy_with_logits.
"""
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from demos.common import demo_arguments, save

CENTRES = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
SPREAD = 0.1
NOISE_DIM = 2


def real_samples(n, rng):
    return (CENTRES[rng.integers(len(CENTRES), size=n)] + SPREAD * rng.normal(size=(n, 2))).astype(np.float32)


def distance_to_mixture(points):
    """Mean distance from each point to its nearest mixture centre."""
    return float(np.linalg.norm(points[:, None] - CENTRES[None], axis=2).min(axis=1).mean())


def mlp(inputs, outputs, width=64):
    return nn.Sequential(nn.Linear(inputs, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, outputs))


def generate(generator, n, rng):
    with tg.no_grad():
        return generator(tg.Tensor(rng.normal(size=(n, NOISE_DIM)).astype(np.float32))).data


def train(steps, rng, batch=128, snapshot_every=None):
    generator, discriminator = mlp(NOISE_DIM, 2), mlp(2, 1)
    g_optimizer = optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    d_optimizer = optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    ones, zeros = np.ones(batch, np.float32), np.zeros(batch, np.float32)
    log = {"step": [], "d_loss": [], "g_loss": [], "distance": [], "snapshots": {}}
    fixed_rng = np.random.default_rng(123)  # the same noise for every snapshot
    fixed_noise = tg.Tensor(fixed_rng.normal(size=(500, NOISE_DIM)).astype(np.float32))
    for step in range(steps + 1):
        if snapshot_every and step % snapshot_every == 0:
            with tg.no_grad():
                log["snapshots"][step] = generator(fixed_noise).data.copy()
        if step == steps:
            break
        # the cop: real -> 1, fake -> 0 (detach: this step must not change G)
        fake = generator(tg.Tensor(rng.normal(size=(batch, NOISE_DIM)).astype(np.float32)))
        d_loss = (F.binary_cross_entropy_with_logits(discriminator(tg.Tensor(real_samples(batch, rng))).reshape(-1), ones)
                  + F.binary_cross_entropy_with_logits(discriminator(fake.detach()).reshape(-1), zeros))
        d_optimizer.zero_grad()
        d_loss.backward()
        d_optimizer.step()
        # the counterfeiter: make D say 1 on fakes; gradients pass through D to G
        g_loss = F.binary_cross_entropy_with_logits(discriminator(fake).reshape(-1), ones)
        g_optimizer.zero_grad()
        g_loss.backward()
        g_optimizer.step()
        if step % 25 == 0:
            log["step"].append(step)
            log["d_loss"].append(d_loss.item())
            log["g_loss"].append(g_loss.item())
            log["distance"].append(distance_to_mixture(fake.data))
    return generator, log


def plot(log, out):
    shots = sorted(log["snapshots"])
    fig, axes = plt.subplots(2, len(shots), figsize=(3 * len(shots), 6.5),
                             gridspec_kw={"height_ratios": [1.2, 1]})
    real = real_samples(500, np.random.default_rng(7))
    for ax, step in zip(axes[0], shots):
        ax.scatter(real[:, 0], real[:, 1], s=4, color="grey", alpha=0.4, label="real")
        fake = log["snapshots"][step]
        ax.scatter(fake[:, 0], fake[:, 1], s=4, color="C3", alpha=0.6, label="generated")
        ax.set_xlim(-2.5, 2.5)
        ax.set_ylim(-2.5, 2.5)
        ax.set_aspect("equal")
        ax.set_title(f"step {step}\ndistance {distance_to_mixture(fake):.2f}", fontsize=9)
        ax.set_xlabel("x1")
    axes[0][0].set_ylabel("x2")
    axes[0][0].legend(loc="lower left", fontsize=7, markerscale=3)
    for ax in axes[1]:
        ax.remove()
    loss_ax = fig.add_subplot(2, 2, 3)
    loss_ax.plot(log["step"], log["d_loss"], label="discriminator (cop)")
    loss_ax.plot(log["step"], log["g_loss"], label="generator (counterfeiter)")
    loss_ax.axhline(2 * np.log(2), color="C0", linestyle=":", label="D at equilibrium, 2 ln 2")
    loss_ax.axhline(np.log(2), color="C1", linestyle=":", label="G at equilibrium, ln 2")
    loss_ax.set_xlabel("training step")
    loss_ax.set_ylabel("BCE loss")
    loss_ax.set_title("Both losses")
    loss_ax.legend(fontsize=7)
    distance_ax = fig.add_subplot(2, 2, 4)
    distance_ax.plot(log["step"], log["distance"], color="C3", label="generated batch")
    distance_ax.axhline(SPREAD * np.sqrt(np.pi / 2), color="grey", linestyle="--", label="real data")
    distance_ax.set_xlabel("training step")
    distance_ax.set_ylabel("mean distance to nearest centre")
    distance_ax.set_title("Fakes move onto the mixture")
    distance_ax.legend(fontsize=8)
    fig.suptitle("GAN on a mixture of 4 Gaussians: generated points (red) vs real (grey)")
    fig.subplots_adjust(hspace=0.5, top=0.86, bottom=0.08, left=0.06, right=0.98)
    return save(fig, out, "gan.png")


def main(argv=None):
    args = demo_arguments("a GAN on a 2-D mixture of Gaussians", argv)
    started = time.time()
    steps = 600 if args.fast else 2000
    tg.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    generator, log = train(steps, rng, snapshot_every=steps // 4)
    shots = log["snapshots"]
    first, last = distance_to_mixture(shots[0]), distance_to_mixture(shots[steps])
    print(f"mean distance of generated points to the nearest mixture centre: {first:.2f} at step 0 -> "
          f"{last:.2f} at step {steps} (real data: {SPREAD * np.sqrt(np.pi / 2):.2f})")
    quadrants = np.sign(shots[steps])
    covered = len({tuple(q) for q in quadrants[np.all(np.abs(shots[steps]) > 0.5, axis=1)]})
    print(f"modes covered by the final samples: {covered} of {len(CENTRES)}")
    plot(log, args.out)
    print(f"done in {time.time() - started:.0f} s")
    return {"distance_start": first, "distance_end": last, "modes_covered": covered}


if __name__ == "__main__":
    main()
