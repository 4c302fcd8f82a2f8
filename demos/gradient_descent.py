"""Lecture: "Learning a deep net: gradient descent": the skier, local minima, and the optimizers in 2-D.

A network with one weight w has a loss L(w). The skier stands at w and wants
the lowest point; the tangent's slope is dL/dw, so he steps against it:

    w <- w - lr * dL/dw                  (optim.SGD; momentum adds velocity:
    v <- momentum * v + dL/dw,  w <- w - lr * v)

The loss here, L(w) = 0.05 w^4 - 0.5 w^2 - 0.7 w, has a local minimum near
w = -1.72 and a better one near w = 2.53, with a hill between. From the
stated start w = -3:
    small steps (lr 0.05)                stop in the local minimum (stuck),
    the same steps with momentum 0.9     carry the skier over the hill (escapes),
    huge steps (lr 1.5)                  overshoot further each time (diverges),
and from w = 0 the plain small steps reach the better valley: where you start matters.

Then a 2-D loss surface (a scaled Rosenbrock valley, minimum at (1, 1)) with
the paths of the engine's own SGD, SGD with momentum, RMSprop, Adadelta and
Adam from the same start. Every gradient comes from Tensor.backward().

    python -m demos.gradient_descent [--fast]     (out/gradient_descent_skier.png, out/gradient_descent_2d.png)

Read demos/batch_size.py next: the gradient of a real loss is an average over examples.
"""
import matplotlib.pyplot as plt
import numpy as np

from demos.common import demo_arguments, save
from tinygrad_edu import nn, optim

START = -3.0
# the minima are the outer real roots of dL/dw = 0.2 w^3 - w - 0.7 (the middle root is the hilltop)
LOCAL_MINIMUM, HILLTOP, BETTER_MINIMUM = np.sort(np.roots([0.2, 0.0, -1.0, -0.7]).real)
SKIERS = [  # (label, start, lr, momentum)
    ("from w = -3, lr 0.05: stuck in the local minimum", START, 0.05, 0.0),
    ("from w = -3, lr 0.05 + momentum 0.9: escapes over the hill", START, 0.05, 0.9),
    ("from w = -3, lr 1.5: overshoots, diverges", START, 1.5, 0.0),
    ("from w = 0, lr 0.05: reaches the better valley", 0.0, 0.05, 0.0),
]


def loss_1d(w):
    """Works on floats, numpy arrays and Tensors alike."""
    return 0.05 * w ** 4 - 0.5 * w ** 2 - 0.7 * w


def slope_1d(w):
    return 0.2 * w ** 3 - w - 0.7


def ski(start, lr, momentum, steps, blow_up=10.0):
    """The positions w_0, w_1, ... of gradient descent with optim.SGD; stops once |w| > blow_up."""
    w = nn.Parameter(np.array([start], dtype=np.float64))
    optimizer = optim.SGD([w], lr=lr, momentum=momentum)
    path = [start]
    for _ in range(steps):
        loss = loss_1d(w).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append(float(w.data[0]))
        if abs(path[-1]) > blow_up:
            break
    return np.array(path)


def plot_skiers(paths, out):
    """One panel per skier (the loss, the tangent at the start, a dot per step), and w against the step."""
    figure = plt.figure(figsize=(16, 8.2))
    grid = figure.add_gridspec(2, 3, width_ratios=[1, 1, 1.15])
    grid_w = np.linspace(-3.6, 3.6, 400)
    colours = ["tab:blue", "tab:green", "tab:red", "tab:purple"]
    for index, ((label, start, _, _), path, colour) in enumerate(zip(SKIERS, paths, colours)):
        axis = figure.add_subplot(grid[index // 2, index % 2])
        axis.plot(grid_w, loss_1d(grid_w), color="black", lw=2, label="loss L(w)")
        tangent = np.linspace(start - 0.7, start + 0.7, 2)
        axis.plot(tangent, loss_1d(start) + slope_1d(start) * (tangent - start), color="orange", lw=3,
                  label=f"tangent at the start, slope {slope_1d(start):.1f}")
        shown = path[np.abs(path) <= 3.6]
        axis.plot(shown, loss_1d(shown), "-", color=colour, lw=0.8, alpha=0.6)
        dots = axis.scatter(shown, loss_1d(shown), c=np.arange(len(shown)), cmap="viridis", s=18, zorder=3)
        axis.plot(start, loss_1d(start), "ks", ms=8, label=f"start w = {start:g}")
        for w, name in ((LOCAL_MINIMUM, "local\nminimum"), (BETTER_MINIMUM, "better\nsolution")):
            axis.annotate(name, (w, loss_1d(w)), xytext=(w, loss_1d(w) - 1.8), ha="center", fontsize=8,
                          arrowprops=dict(arrowstyle="->"))
        if len(shown) < len(path):  # the steps that left the picture, written out
            axis.text(0.02, 0.03, "w after each step: " + ", ".join(f"{w:.3g}" for w in path[:6]) + " ...",
                      transform=axis.transAxes, fontsize=8, color=colour)
        axis.set_ylim(-5, 6)
        axis.set_xlabel("the network's one weight w")
        axis.set_ylabel("loss L(w)")
        axis.set_title(label, fontsize=10, color=colour)
        axis.legend(fontsize=7, loc="upper center")
        axis.grid(alpha=0.3)
        figure.colorbar(dots, ax=axis, label="step")
    trace = figure.add_subplot(grid[:, 2])
    for (label, *_), path, colour in zip(SKIERS, paths, colours):
        trace.plot(np.arange(len(path)), np.clip(path, -6, 6), "o-", ms=3, color=colour, label=label)
    for w in (LOCAL_MINIMUM, BETTER_MINIMUM):
        trace.axhline(w, color="gray", ls=":", lw=1)
    trace.set_xlabel("step")
    trace.set_ylabel("w (clipped to [-6, 6])")
    trace.set_title("w after each step (dotted lines: the two minima)")
    trace.legend(fontsize=8, loc="lower right")
    trace.grid(alpha=0.3)
    figure.suptitle("The skier moves against the slope: w <- w - lr * dL/dw (stuck, escapes, diverges)",
                    fontsize=13)
    figure.tight_layout()
    return save(figure, out, "gradient_descent_skier.png")


def valley(x, y):
    """Rosenbrock's banana-shaped valley, scaled down: minimum 0 at (1, 1)."""
    return (1 - x) ** 2 + 10 * (y - x ** 2) ** 2


OPTIMIZERS = {
    "SGD (lr 0.01)": lambda params: optim.SGD(params, lr=0.01),
    "SGD + momentum 0.9 (lr 0.01)": lambda params: optim.SGD(params, lr=0.01, momentum=0.9),
    "RMSprop (lr 0.01)": lambda params: optim.RMSprop(params, lr=0.01),
    "Adadelta (lr 1.0, its default)": lambda params: optim.Adadelta(params, lr=1.0),
    "Adam (lr 0.05)": lambda params: optim.Adam(params, lr=0.05),
}
START_2D = (-1.5, 2.0)


def descend_2d(make_optimizer, steps):
    point = nn.Parameter(np.array(START_2D, dtype=np.float64))
    optimizer = make_optimizer([point])
    path = [point.data.copy()]
    for _ in range(steps):
        loss = valley(point[0], point[1])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        path.append(point.data.copy())
    return np.array(path)


def plot_2d(paths, out):
    figure, (surface, losses) = plt.subplots(1, 2, figsize=(14, 5.6), gridspec_kw={"width_ratios": [1.25, 1]})
    x, y = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
    filled = surface.contourf(x, y, np.log10(valley(x, y) + 1e-3), levels=np.linspace(-2, 2.6, 24), cmap="Greys",
                              extend="both")
    figure.colorbar(filled, ax=surface, label="log10(loss): white = low")
    for name, path in paths.items():
        surface.plot(path[:, 0], path[:, 1], ".-", ms=2, lw=1.2, label=name)
        losses.semilogy(np.arange(len(path)), valley(path[:, 0], path[:, 1]), label=name)
    surface.plot(*START_2D, "ks", ms=8, label="start")
    surface.plot(1, 1, "r*", ms=15, label="minimum (1, 1)")
    surface.set_xlim(-2, 2)
    surface.set_ylim(-1, 3)
    surface.set_xlabel("weight 1")
    surface.set_ylabel("weight 2")
    surface.set_title("2-D gradient descent: the engine's optimizers from one start")
    surface.legend(fontsize=8, loc="lower right")
    losses.set_xlabel("step")
    losses.set_ylabel("loss (log scale)")
    losses.set_title("loss after each step")
    losses.grid(alpha=0.3, which="both")
    losses.legend(fontsize=8)
    figure.tight_layout()
    return save(figure, out, "gradient_descent_2d.png")


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv)
    steps_1d, steps_2d = 150, (150 if args.fast else 400)  # the 1-D runs are cheap either way
    paths = [ski(start, lr, momentum, steps_1d) for _, start, lr, momentum in SKIERS]
    for (label, start, *_), path in zip(SKIERS, paths):
        ending = "diverged" if abs(path[-1]) > 10 else f"ends at w = {path[-1]:.3f}, L = {loss_1d(path[-1]):.3f}"
        print(f"{label}: {ending} after {len(path) - 1} steps")
    plot_skiers(paths, args.out)
    paths_2d = {name: descend_2d(make, steps_2d) for name, make in OPTIMIZERS.items()}
    for name, path in paths_2d.items():
        print(f"{name:>32}: after {steps_2d} steps at ({path[-1, 0]:+.3f}, {path[-1, 1]:+.3f}), "
              f"loss {valley(*path[-1]):.4f}")
    plot_2d(paths_2d, args.out)
    return {"skiers": paths, "paths_2d": paths_2d}


if __name__ == "__main__":
    main()
