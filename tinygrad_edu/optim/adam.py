"""Adam: momentum and RMSprop together, with a correction for the cold start.

Adam keeps two running means per weight,

    m = beta1 * m + (1 - beta1) * g          (momentum: the mean gradient)
    v = beta2 * v + (1 - beta2) * g^2        (RMSprop: the mean squared gradient)

and steps along m / sqrt(v): the average direction, scaled so every weight
moves about lr per step.

Both means start at 0, so early on they are too small: after one step
m = (1 - beta1) * g, only a tenth of g for beta1 = 0.9. Dividing by
(1 - beta1^t) undoes exactly that (after step 1 it gives back g), and the
correction fades as t grows. These are m_hat and v_hat below.

AMSGrad divides by the largest v seen so far instead of the current one, so
the step size never grows again after a burst of large gradients.
This is the last optimizer.
Read next: tinygrad_edu/training/loop.py: fit() drives them.
"""
import numpy as np

from .optimizer import Optimizer, check_in_range, check_non_negative


class Adam(Optimizer):
    """Adam: momentum and RMSprop with bias correction, exactly as ``torch.optim.Adam``.

    Weight decay is added to g, as in torch.optim.Adam, not decoupled as in AdamW.

        input: lr (gamma), betas (beta1, beta2), params theta, weight_decay (lambda),
               amsgrad, maximize, eps
        initialize: m = 0 (first moment), v = 0 (second moment), v_max = 0
        -----------------------------------------------------------------
        for t = 1, 2, ...:
            g = gradient of f at theta          (negated if maximize)
            if lambda != 0:
                g = g + lambda * theta
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g^2
            m_hat = m / (1 - beta1^t)
            if amsgrad:
                v_max = max(v_max, v)
                v_hat = v_max / (1 - beta2^t)
            else:
                v_hat = v / (1 - beta2^t)
            theta = theta - lr * m_hat / (sqrt(v_hat) + eps)
        -----------------------------------------------------------------

    Args:
        params: an iterable of Parameters (``model.parameters()``), or of dicts
            ``{"params": [...], "lr": ...}``, one per param group.
        lr: gamma, about the size of every step. Default: 1e-3.
        betas: (beta1, beta2), the decays of m and v, each in [0, 1).
            Default: (0.9, 0.999).
        eps: added to sqrt(v_hat); must be > 0 here (PyTorch accepts 0, which
            turns a zero gradient into 0/0 = NaN). Default: 1e-8.
        weight_decay: lambda, the L2 penalty added to the gradient. Default: 0.
        amsgrad: divide by the largest v seen so far. Default: False.
        maximize: climb f instead of descending it (keyword only). Default: False.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import nn, optim
        >>> w = nn.Parameter(np.array([1.0, -2.0]))
        >>> optimizer = optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward()                     # g = (2, -4)
        >>> optimizer.step()
        >>> w.data.round(6)                              # m_hat / sqrt(v_hat) = g / |g|: both move by lr
        array([ 0.9, -1.9])

    State per parameter: ``step`` (t), ``exp_avg`` (m), ``exp_avg_sq`` (v)
    and, with amsgrad, ``max_exp_avg_sq`` (v_max: the max of the raw v, as in
    torch 2.x, and bias-corrected only when used).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 *, maximize=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        for name in ("lr", "eps", "weight_decay"):
            check_non_negative("Adam", name, group[name])
        if group["eps"] == 0:
            # PyTorch accepts eps=0, but then a parameter whose gradient is exactly 0 gets 0/0 = NaN
            raise ValueError("Adam: eps must be > 0 (it keeps m_hat / sqrt(v_hat) finite when a gradient is 0), "
                             "got eps=0; the usual value is 1e-8")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2) like (0.9, 0.999), got {betas!r}")
        for index, beta in enumerate(betas):
            check_in_range("Adam", f"beta parameter at index {index}", beta, 0.0, 1.0,
                           "must be in [0, 1)", high_inclusive=False)

    def _update(self, param, grad, state, group):
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        theta = param.data
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(theta)
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]

        g = -grad if group["maximize"] else grad
        if weight_decay != 0:
            g = g + weight_decay * theta
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]
            np.maximum(v_max, v, out=v_max)
            v_hat = v_max / (1 - beta2**t)
        else:
            v_hat = v / (1 - beta2**t)
        theta -= lr * m_hat / (np.sqrt(v_hat) + eps)
