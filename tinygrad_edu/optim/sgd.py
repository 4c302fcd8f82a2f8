"""SGD: gradient descent, optionally with momentum.

Plain gradient descent steps against the gradient: theta <- theta - lr * g.
On a long narrow valley that zig-zags across the valley and crawls along it.
Momentum keeps a running sum of past gradients, b <- mu * b + g, and steps
along b instead: the zig-zags cancel out, the steady direction adds up (with
mu = 0.9 the step along a constant slope grows to 1 / (1 - 0.9) = 10x).

Nesterov momentum looks one step ahead: it steps along g + mu * b, the
gradient plus where the momentum is about to carry us.

Weight decay adds lambda * theta to the gradient, i.e. the gradient of
(lambda / 2) * ||theta||^2, which pulls weights towards zero.

Read next: tinygrad_edu/optim/rmsprop.py: a step size per weight.
"""
from .optimizer import Optimizer, check_non_negative


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, exactly as ``torch.optim.SGD``.

        input: lr (gamma), params theta, weight_decay (lambda), momentum (mu),
               dampening (tau), nesterov, maximize
        -----------------------------------------------------------------
        for t = 1, 2, ...:
            g = gradient of f at theta          (negated if maximize)
            if lambda != 0:
                g = g + lambda * theta
            if mu != 0:
                if t > 1:
                    b = mu * b + (1 - tau) * g
                else:
                    b = g                       (first step: no dampening)
                if nesterov:
                    g = g + mu * b
                else:
                    g = b
            theta = theta - lr * g
        -----------------------------------------------------------------

    Args:
        params: an iterable of Parameters (``model.parameters()``), or of dicts
            ``{"params": [...], "lr": ...}``, one per param group.
        lr: gamma, the step size. Default: 1e-3 (torch 2.x's default).
        momentum: mu, the share of the buffer b carried into the next step. Default: 0.
        dampening: tau, how much less the new gradient counts in b. Default: 0.
        weight_decay: lambda, the L2 penalty added to the gradient. Default: 0.
        nesterov: step along g + mu * b, a look ahead (needs momentum > 0 and
            dampening 0). Default: False.
        maximize: climb f instead of descending it (keyword only). Default: False.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import nn, optim
        >>> w = nn.Parameter(np.array([1.0, -2.0]))
        >>> optimizer = optim.SGD([w], lr=0.25, momentum=0.9)
        >>> for step in range(2):
        ...     optimizer.zero_grad()
        ...     (w * w).sum().backward()                 # g = 2 w
        ...     optimizer.step()
        ...     print(w.data)
        [ 0.5 -1. ]
        [-0.2  0.4]

    Step 1: b = g = (2, -4), w = (1, -2) - 0.25 b. Step 2: g = (1, -2),
    b = 0.9 (2, -4) + (1, -2) = (2.8, -5.6), w = (0.5, -1) - 0.25 b: momentum
    overshoots the minimum at 0. The momentum buffer b lives in
    ``optimizer.state[p]["momentum_buffer"]``.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        for name in ("lr", "momentum", "weight_decay"):
            check_non_negative("SGD", name, group[name])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                f"got momentum={group['momentum']}, dampening={group['dampening']}"
            )

    def _update(self, param, grad, state, group):
        lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
        weight_decay = group["weight_decay"]
        theta = param.data

        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            g = g + weight_decay * theta
        if mu != 0:
            if "momentum_buffer" in state:  # t > 1
                b = state["momentum_buffer"]
                b *= mu
                b += (1 - tau) * g
            else:
                b = state["momentum_buffer"] = g.copy()  # a copy: g may be p.grad itself
            if group["nesterov"]:
                g = g + mu * b
            else:
                g = b
        theta -= lr * g  # in place: every view of p.data sees the new weights
