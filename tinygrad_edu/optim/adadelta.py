"""Adadelta: a step whose size is learned from the sizes of past steps.

RMSprop divides the gradient by its RMS, so its step g / RMS(g) has no units:
the learning rate must supply them. Adadelta notices that a Newton step,
delta_theta = g / (second derivative), has the units of theta, and that the
second derivative is roughly g / delta_theta. So it keeps two running means
per weight,

    v = running mean of g^2                  (how big the gradients are)
    u = running mean of delta^2              (how big the steps were)

and steps along delta = sqrt(u + eps) / sqrt(v + eps) * g. The ratio carries
the units of theta, which is why lr defaults to 1.0: no learning rate to tune
in the original paper. eps both starts the process (u is 0 at first, so the
first steps are about sqrt(eps) in size) and prevents dividing by zero.

Read next: tinygrad_edu/optim/adam.py: momentum and RMSprop combined.
"""
import numpy as np

from .optimizer import Optimizer, check_in_range, check_non_negative


class Adadelta(Optimizer):
    """Adadelta: steps sized by the RMS of past steps over the RMS of past gradients, exactly as ``torch.optim.Adadelta``.

        input: lr (gamma), params theta, rho (decay), eps, weight_decay (lambda),
               maximize
        initialize: v = 0 (square avg), u = 0 (accumulated updates)
        -----------------------------------------------------------------
        for t = 1, 2, ...:
            g = gradient of f at theta          (negated if maximize)
            if lambda != 0:
                g = g + lambda * theta
            v = rho * v + (1 - rho) * g^2
            delta = sqrt(u + eps) / sqrt(v + eps) * g
            u = rho * u + (1 - rho) * delta^2
            theta = theta - lr * delta
        -----------------------------------------------------------------

    Args:
        params: an iterable of Parameters (``model.parameters()``), or of dicts
            ``{"params": [...], "lr": ...}``, one per param group.
        lr: gamma, a factor on delta; the paper has none, hence 1. Default: 1.0.
        rho: the decay of both running means v and u. Default: 0.9.
        eps: starts the steps (u is 0 at first) and keeps the division finite.
            Default: 1e-6.
        weight_decay: lambda, the L2 penalty added to the gradient. Default: 0.
        maximize: climb f instead of descending it (keyword only). Default: False.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import nn, optim
        >>> w = nn.Parameter(np.array([1.0, -2.0]))
        >>> optimizer = optim.Adadelta([w])
        >>> (w * w).sum().backward()                     # g = (2, -4)
        >>> optimizer.step()
        >>> w.data.round(5)                              # a first step of about sqrt(eps / (1 - rho))
        array([ 0.99684, -1.99684])

    State per parameter: ``step``, ``square_avg`` (v) and ``acc_delta`` (u).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        for name in ("lr", "eps", "weight_decay"):
            check_non_negative("Adadelta", name, group[name])
        check_in_range("Adadelta", "rho", group["rho"], 0.0, 1.0, "must be in [0, 1]")

    def _update(self, param, grad, state, group):
        lr, rho, eps = group["lr"], group["rho"], group["eps"]
        weight_decay = group["weight_decay"]
        theta = param.data
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(theta)
            state["acc_delta"] = np.zeros_like(theta)
        state["step"] += 1
        v, u = state["square_avg"], state["acc_delta"]

        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            g = g + weight_decay * theta
        v *= rho
        v += (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u *= rho
        u += (1 - rho) * delta * delta
        theta -= lr * delta
