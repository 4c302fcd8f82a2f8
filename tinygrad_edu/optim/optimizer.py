"""Optimizer: what every update rule shares, laid out like ``torch.optim``.

Training is a loop of three lines:

    loss.backward()          # fill p.grad for every parameter p
    optimizer.step()         # move every p.data a little against p.grad
    optimizer.zero_grad()    # forget the gradients before the next batch

The simplest ``step`` is gradient descent, theta <- theta - lr * g. The other
optimizers keep a little memory per parameter (a running mean of g, of g^2,
...) in ``optimizer.state[p]`` and use it to pick a better step.

Parameters come in *groups*, each with its own hyperparameters: pass
``[{"params": body, "lr": 1e-3}, {"params": head}]`` and the head uses the
default lr while the body uses 1e-3. This base class owns the groups, the
state and the bookkeeping; a subclass only writes ``_update(param, grad,
state, group)``, which follows its algorithm box line by line.

Read next: tinygrad_edu/optim/sgd.py (then rmsprop.py, adadelta.py and adam.py).
"""
import math
from collections import defaultdict

import numpy as np

from ..engine.autograd import enable_grad
from ..engine.tensor import Tensor


class Optimizer:
    """Base class of the optimizers: param groups, ``zero_grad``, ``step`` and ``state_dict``.

    ``step`` visits every parameter p that has a gradient and calls the
    subclass's ``_update(p, p.grad, state[p], group)``, which changes p.data in
    place following the subclass's algorithm box; everything else (groups,
    per-parameter state, checks, saving) lives here.

    Args:
        params: an iterable of Parameters (``model.parameters()``), or of dicts
            ``{"params": [...], "lr": ...}``, one per param group.
            A group's own keys override ``defaults``.
        defaults: the hyperparameters a group does not set itself, e.g.
            ``dict(lr=0.1)``.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import nn, optim
        >>> class GradientDescent(optim.Optimizer):
        ...     def __init__(self, params, lr=0.1):
        ...         super().__init__(params, dict(lr=lr))
        ...     def _update(self, param, grad, state, group):
        ...         param.data -= group["lr"] * grad      # theta = theta - lr * g
        >>> body, head = nn.Parameter(np.array([1.0])), nn.Parameter(np.array([1.0]))
        >>> optimizer = GradientDescent([{"params": [body], "lr": 0.25}, {"params": [head]}], lr=0.5)
        >>> [group["lr"] for group in optimizer.param_groups]
        [0.25, 0.5]
        >>> (body * body + head * head).sum().backward()  # g = 2 for both
        >>> optimizer.step()
        >>> body.data, head.data
        (array([0.5]), array([0.]))
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__} expected an iterable of Parameters or of param-group dicts, "
                "got a single Tensor; wrap it in a list: [param]"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{type(self).__name__} expected an ordered collection of Parameters such as a list, got a set "
                "(a set's order changes between runs, and so would the saved optimizer state)"
            )
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)  # Parameter -> its running averages (tensors hash by identity)
        self.param_groups = []
        param_list = list(params)
        if not param_list:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if not isinstance(param_list[0], dict):
            param_list = [{"params": param_list}]
        for group in param_list:
            self.add_param_group(group)

    # -- the groups --------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a dict ``{"params": [...], hyperparameter: value, ...}``; missing ones take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{type(self).__name__}: a param group must be a dict like {{'params': [...], 'lr': 0.1}}, "
                f"got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{type(self).__name__}: param group {sorted(param_group)} has no 'params' key")
        params = param_group["params"]
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{type(self).__name__}: params must be an ordered collection such as a list, got a set "
                "(a set's order changes between runs, and so would the saved optimizer state)"
            )
        params = [params] if isinstance(params, Tensor) else list(params)
        group_index = len(self.param_groups)
        for index, param in enumerate(params):
            _check_parameter(param, f"{type(self).__name__} param group {group_index}, params[{index}]")
        already_seen = {id(p) for group in self.param_groups for p in group["params"]}
        if len({id(p) for p in params}) != len(params) or already_seen & {id(p) for p in params}:
            raise ValueError(
                f"{type(self).__name__}: some parameters appear more than once "
                f"(in param group {group_index} or an earlier group); each may be optimized only once"
            )
        group = dict(self.defaults)
        group.update(param_group)
        group["params"] = params
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def _check_hyperparameters(self, group):
        """Subclasses raise ValueError for values their update rule cannot use."""

    # -- the training-loop calls -----------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget every gradient: ``grad = None`` (the default) or an array of zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad = np.zeros_like(param.grad)

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        Parameters whose ``grad`` is None (not used in the loss) or that are
        frozen (``requires_grad`` False) are left untouched, as in PyTorch.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group_index, group in enumerate(self.param_groups):
            for param_index, param in enumerate(group["params"]):
                if param.grad is None or not param.requires_grad:
                    continue
                grad = np.asarray(param.grad)
                if grad.shape != param.data.shape:
                    raise ValueError(
                        f"{type(self).__name__}.step: param group {group_index}, params[{param_index}] "
                        f"has shape {param.data.shape} but its grad has shape {grad.shape}"
                    )
                self._update(param, grad, self.state[param], group)
                param._bump_version()  # the update wrote into param.data: older graphs are stale
        return loss

    def _update(self, param, grad, state, group):
        raise NotImplementedError(f"{type(self).__name__} must define _update(param, grad, state, group)")

    # -- saving and restoring ------------------------------------------------------
    def state_dict(self):
        """``{"state": {index: {name: array or number}}, "param_groups": [...]}``, as in PyTorch.

        Parameters are named by their position across all groups (0, 1, ...),
        so the state can be loaded into a fresh optimizer over a rebuilt model.
        Arrays are copies.
        """
        index_of = {}
        param_groups = []
        for group in self.param_groups:
            saved = {key: value for key, value in group.items() if key != "params"}
            saved["params"] = []
            for param in group["params"]:
                index_of[id(param)] = len(index_of)
                saved["params"].append(index_of[id(param)])
            param_groups.append(saved)
        state = {
            index_of[id(param)]: {name: _copy(value) for name, value in param_state.items()}
            for param, param_state in self.state.items()
            if param_state and id(param) in index_of
        }
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and running averages saved by ``state_dict()``."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{name}.load_state_dict expected a dict with keys 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the checkpoint has {len(saved_groups)} param groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        params_by_index = {}
        for group_index, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: param group {group_index} holds {len(saved['params'])} "
                    f"parameters in the checkpoint but {len(group['params'])} here"
                )
            params_by_index.update(zip(saved["params"], group["params"]))
        new_state = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            if index not in params_by_index:
                raise ValueError(f"{name}.load_state_dict: state for parameter {index}, which no group holds")
            param = params_by_index[index]
            for key, value in saved_state.items():
                if isinstance(value, np.ndarray) and value.shape != param.data.shape:
                    raise ValueError(
                        f"{name}.load_state_dict: state '{key}' of parameter {index} has shape "
                        f"{value.shape}, the parameter has shape {param.data.shape}"
                    )
                new_state[param][key] = _copy(value, like=param.data)
        restored_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            restored = {key: value for key, value in saved.items() if key != "params"}
            restored["params"] = group["params"]
            self._check_hyperparameters(restored)
            restored_groups.append(restored)
        # Only now, with everything checked, change the optimizer: a failed load leaves it as it was.
        for group, restored in zip(self.param_groups, restored_groups):
            group.clear()
            group.update(restored)
        self.state = new_state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params")
        return "\n".join(lines) + "\n)"


# -- small helpers shared by the optimizers ----------------------------------------
def _check_parameter(param, where):
    if not isinstance(param, Tensor):
        raise TypeError(f"{where}: expected a Parameter (or Tensor), got {type(param).__name__}")
    if not param.is_leaf:
        raise ValueError(
            f"{where}: can't optimize a non-leaf tensor (the result of op '{param._op}'); "
            "optimize the Parameters it was computed from"
        )
    if param.data.dtype.kind != "f":
        raise TypeError(f"{where}: expected a floating-point parameter, got dtype {param.data.dtype}")


def check_non_negative(optimizer_name, name, value):
    """A hyperparameter that must be a number >= 0 (lr, eps, weight_decay, momentum...)."""
    check_in_range(optimizer_name, name, value, 0.0, math.inf, "must be >= 0")


def check_in_range(optimizer_name, name, value, low, high, rule, high_inclusive=True):
    """Raise a ValueError naming the optimizer, the hyperparameter, the rule and the value."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{optimizer_name}: {name} must be a number, got {type(value).__name__} {value!r}")
    below_high = value <= high if high_inclusive else value < high
    if not (low <= value and below_high):  # written this way so that NaN fails too
        raise ValueError(f"{optimizer_name}: invalid {name} {value}: {rule}")


def _copy(value, like=None):
    """Copy an array (cast to the parameter's dtype when given); numbers pass through."""
    if isinstance(value, np.ndarray):
        return np.array(value, dtype=None if like is None else like.dtype)
    return value
