"""RMSprop: divide each weight's step by the size of its recent gradients.

One learning rate rarely suits every weight: some see gradients of 1e-4,
others of 10. RMSprop keeps a running mean of the squared gradient per weight,

    v <- alpha * v + (1 - alpha) * g^2        (alpha = 0.99: about 100 steps)

and steps along g / (sqrt(v) + eps). sqrt(v) is the root-mean-square of
recent gradients, so every weight moves about lr per step whatever the scale
of its gradient. eps only guards against dividing by zero; note that it is
added *after* the square root (TensorFlow adds it inside).

The centered variant divides by the standard deviation instead of the RMS:
it also keeps the mean gradient g_ave and uses v - g_ave^2 (a variance).

Read next: tinygrad_edu/optim/adadelta.py: it also drops the learning rate's units.
"""
import numpy as np

from .optimizer import Optimizer, check_non_negative


class RMSprop(Optimizer):
    """RMSprop: each weight's step divided by the RMS of its recent gradients, exactly as ``torch.optim.RMSprop``.

        input: lr (gamma), alpha, eps, params theta, weight_decay (lambda),
               momentum (mu), centered, maximize
        initialize: v = 0 (square average), b = 0 (buffer), g_ave = 0
        -----------------------------------------------------------------
        for t = 1, 2, ...:
            g = gradient of f at theta          (negated if maximize)
            if lambda != 0:
                g = g + lambda * theta
            v = alpha * v + (1 - alpha) * g^2
            v_tilde = v
            if centered:
                g_ave = alpha * g_ave + (1 - alpha) * g
                v_tilde = v_tilde - g_ave^2
            if mu > 0:
                b = mu * b + g / (sqrt(v_tilde) + eps)
                theta = theta - lr * b
            else:
                theta = theta - lr * g / (sqrt(v_tilde) + eps)
        -----------------------------------------------------------------

    Args:
        params: an iterable of Parameters (``model.parameters()``), or of dicts
            ``{"params": [...], "lr": ...}``, one per param group.
        lr: gamma, the step size. Default: 1e-2.
        alpha: the decay of the running mean v of g^2 (0.99: about the last
            100 steps). Default: 0.99.
        eps: added to sqrt(v) (after the square root) so that no step divides
            by 0. Default: 1e-8.
        weight_decay: lambda, the L2 penalty added to the gradient. Default: 0.
        momentum: mu, momentum on the scaled step. Default: 0.
        centered: divide by an estimate of the standard deviation instead of
            the RMS. Default: False.
        maximize: climb f instead of descending it (keyword only). Default: False.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import nn, optim
        >>> w = nn.Parameter(np.array([1.0, -2.0]))
        >>> optimizer = optim.RMSprop([w], lr=0.01)
        >>> (w * w).sum().backward()                     # g = (2, -4)
        >>> optimizer.step()
        >>> w.data.round(6)                              # both weights move by 0.1
        array([ 0.9, -1.9])

    After one step v = (1 - alpha) g^2, so the step is lr * g / |g| / sqrt(1 - alpha)
    = 10 lr for every weight, whatever the size of its gradient.
    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer``
    (b, if momentum > 0) and ``grad_avg`` (g_ave, if centered).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        for name in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            check_non_negative("RMSprop", name, group[name])

    def _update(self, param, grad, state, group):
        lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
        weight_decay = group["weight_decay"]
        theta = param.data
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(theta)
            if mu > 0:
                state["momentum_buffer"] = np.zeros_like(theta)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(theta)
        state["step"] += 1
        v = state["square_avg"]

        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            g = g + weight_decay * theta
        v *= alpha
        v += (1 - alpha) * g * g
        v_tilde = v
        if group["centered"]:
            g_ave = state["grad_avg"]
            g_ave *= alpha
            g_ave += (1 - alpha) * g
            v_tilde = v_tilde - g_ave * g_ave  # a new array: v itself must stay the plain average
        if mu > 0:
            b = state["momentum_buffer"]
            b *= mu
            b += g / (np.sqrt(v_tilde) + eps)
            theta -= lr * b
        else:
            theta -= lr * g / (np.sqrt(v_tilde) + eps)
