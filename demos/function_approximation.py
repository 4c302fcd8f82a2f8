"""Lecture: "Learning a neural net amounts to curve fitting": a net is a small program with learned numbers.

The slide's programs, written exactly as on the slide but with Tensor instead
of numpy so that W and b get gradients:

    single layer:  output = softmax(np.dot(W, input) + b)
    two layers:    layer1_output = relu(np.dot(W1, input) + b1)
                   output = softmax(np.dot(W2, layer1_output) + b2)

"We are fixing what the function f looks like in code and are only adjusting
W and b." Trained on points inside vs outside a circle, the single layer can
only draw a straight boundary (softmax of a linear function); one hidden ReLU
layer bends it into a closed curve.

Then "increasing the number of layers (depth) makes the net more complex:
it can approximate more functions": a wiggly 1-D curve fitted by ReLU nets
with 1, 2 and 3 hidden layers of the same width (8 units), same optimizer and
number of steps. Each ReLU net is piecewise linear; depth multiplies the
number of pieces it can make, and the fit error falls (with seed 0; at this
small size the optimizer sometimes finds a poor fit, try --seed 1).

    python -m demos.function_approximation [--fast]   (out/function_approximation.png)

Read demos/gradient_descent.py next: how W and b are adjusted.
"""
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles

import tinygrad_edu as tg
from demos.common import demo_arguments, save
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.functional import relu, softmax


class SingleLayer:
    """output = softmax(W . input + b): W is (2 classes, 2 inputs)."""

    def __init__(self, rng, n_in=2, n_out=2):
        self.W = nn.Parameter(rng.normal(0, 0.5, (n_out, n_in)))
        self.b = nn.Parameter(np.zeros((n_out, 1)))

    def f(self, input):  # input: (features, examples), one column per example, as in np.dot(W, input)
        output = softmax(tg.matmul(self.W, input) + self.b, axis=0)
        return output

    def parameters(self):
        return [self.W, self.b]


class TwoLayer:
    """layer1_output = relu(W1 . input + b1); output = softmax(W2 . layer1_output + b2)."""

    def __init__(self, rng, n_in=2, n_hidden=16, n_out=2):
        self.W1 = nn.Parameter(rng.normal(0, 1.0, (n_hidden, n_in)))
        self.b1 = nn.Parameter(np.zeros((n_hidden, 1)))
        self.W2 = nn.Parameter(rng.normal(0, 0.5, (n_out, n_hidden)))
        self.b2 = nn.Parameter(np.zeros((n_out, 1)))

    def f(self, input):
        layer1_output = relu(tg.matmul(self.W1, input) + self.b1)
        output = softmax(tg.matmul(self.W2, layer1_output) + self.b2, axis=0)
        return output

    def parameters(self):
        return [self.W1, self.b1, self.W2, self.b2]


def train_slide_net(net, x, y, steps):
    """Mean negative log-probability of the true class, minimised with Adam; returns the training accuracy."""
    optimizer = optim.Adam(net.parameters(), lr=0.05)
    inputs = tg.Tensor(x.T)                         # (2 features, N examples)
    rows = np.arange(len(y))
    for _ in range(steps):
        probabilities = net.f(inputs)               # (2 classes, N)
        loss = -(probabilities[y, rows] + 1e-12).log().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with tg.no_grad():
        return float(np.mean(net.f(inputs).data.argmax(axis=0) == y))


def target_curve(x):
    return np.sin(3 * np.pi * x) + 0.5 * np.cos(7 * np.pi * x)


def relu_net(depth, width=8):
    layers = [nn.Linear(1, width), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, 1))


def fit_curve(depth, x, y, steps, seed):
    tg.manual_seed(seed)
    model = relu_net(depth).double()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    inputs, targets = tg.Tensor(x[:, None]), y[:, None]
    for _ in range(steps):
        loss = F.mse_loss(model(inputs), tg.Tensor(targets))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with tg.no_grad():
        prediction = model(inputs).data[:, 0]
    n_weights = sum(p.numel() for p in model.parameters())
    return {"prediction": prediction, "mse": float(np.mean((prediction - y) ** 2)), "weights": n_weights}


def plot(nets, circles, curves, x_curve, out):
    x, y = circles
    figure, axes = plt.subplots(1, 3, figsize=(18, 5.4), gridspec_kw={"width_ratios": [1, 1, 1.5]})
    grid = np.linspace(-1.5, 1.5, 150)
    gx, gy = np.meshgrid(grid, grid)
    points = tg.Tensor(np.stack([gx.ravel(), gy.ravel()]))
    for axis, (name, (net, accuracy)) in zip(axes[:2], nets.items()):
        with tg.no_grad():
            p_inside = net.f(points).data[1].reshape(gx.shape)
        shown = axis.contourf(gx, gy, p_inside, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
        figure.colorbar(shown, ax=axis, label="P(inside) = output[1]")
        axis.scatter(*x[y == 1].T, s=8, c="darkred", label="inside (class 1)")
        axis.scatter(*x[y == 0].T, s=8, c="navy", label="outside (class 0)")
        axis.set_title(f"{name}\ntraining accuracy {accuracy:.0%}", fontsize=10)
        axis.set_xlabel("input[0]")
        axis.set_ylabel("input[1]")
        axis.legend(fontsize=8, loc="lower right")
    curve_axis = axes[2]
    curve_axis.plot(x_curve, target_curve(x_curve), color="black", lw=3, label="target function")
    for depth, result in curves.items():
        curve_axis.plot(x_curve, result["prediction"], lw=1.8,
                        label=f"{depth} hidden layer{'s' if depth > 1 else ''} of 8 ReLUs "
                              f"({result['weights']} weights): MSE {result['mse']:.3f}")
    curve_axis.set_xlabel("x")
    curve_axis.set_ylabel("y")
    curve_axis.set_title("Same width, more depth: more functions within reach (same steps of Adam)")
    curve_axis.legend(fontsize=8, loc="lower left")
    curve_axis.grid(alpha=0.3)
    figure.suptitle("A neural net is a function with learned W and b: the slide's programs, and depth", fontsize=13)
    figure.tight_layout()
    return save(figure, out, "function_approximation.png")


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv)
    steps_slide, steps_curve = (300, 1500) if args.fast else (500, 4000)
    x, y = make_circles(300, noise=0.08, factor=0.5, random_state=args.seed)
    rng = np.random.default_rng(args.seed)
    nets = {}
    for name, net in (("single layer: softmax(np.dot(W, input) + b)", SingleLayer(rng)),
                      ("two layers: softmax(np.dot(W2, relu(np.dot(W1, input) + b1)) + b2)", TwoLayer(rng))):
        nets[name] = (net, train_slide_net(net, x, y, steps_slide))
        print(f"{name}: training accuracy {nets[name][1]:.1%} on points inside/outside a circle")
    x_curve = np.linspace(-1, 1, 200)
    curves = {depth: fit_curve(depth, x_curve, target_curve(x_curve), steps_curve, args.seed) for depth in (1, 2, 3)}
    for depth, result in curves.items():
        print(f"{depth} hidden layer(s) of 8 ReLUs, {result['weights']} weights: "
              f"mean squared error {result['mse']:.4f}")
    plot(nets, (x, y), curves, x_curve, args.out)
    return {"slide_accuracy": [accuracy for _, accuracy in nets.values()],
            "mse": [curves[depth]["mse"] for depth in (1, 2, 3)]}


if __name__ == "__main__":
    main()
