"""Reductions: many elements in, one out, so the gradient is copied back out.

y = sum(x) adds every x[i] with weight 1, so dy/dx[i] = 1 and each element
gets the whole output gradient: grad_x = g broadcast back to x's shape. With
an axis, each output element is the sum of one row, and its gradient goes
back along that row. The reduced axes are first restored as size-1 axes
(``_restore_axes``) so that numpy's broadcasting does the copying.

    mean = sum / n            grad_x = g / n along the reduced axes
    amax = the largest x[i]   only the largest moves y: grad_x = g there, 0 elsewhere
                              (ties share g equally, as torch.amax)
    max(dim)                  PyTorch's (values, indices): g goes to the picked index

argmax, argmin, all and any return integers or booleans: constants with no
gradient. Each op takes PyTorch's dim=/keepdim= or numpy's axis=/keepdims=.
Note that sum, max and min below are the Tensor's; this module never uses
Python's builtins of those names.
Read next: tinygrad_edu/engine/shape.py (reshaping and indexing, whose gradients route values back).
"""
from collections import namedtuple

import numpy as np

from .tensor import Tensor, as_tensor, tensor_method

# What max(dim)/min(dim) return, like torch.return_types.max: ``values, indices = x.max(1)``.
ExtremeResult = namedtuple("ExtremeResult", ["values", "indices"])


@tensor_method("sum")
def sum(x, axis=None, keepdims=None, *, dim=None, keepdim=None):  # noqa: A001 (the method's name)
    axis, keepdims = _reduction_axes("sum", axis, keepdims, dim, keepdim)
    shape = x.shape
    out = np.sum(x._data, axis=axis, keepdims=keepdims)

    def backward(g):
        return (np.broadcast_to(_restore_axes(g, shape, axis, keepdims), shape),)

    return Tensor._make(out, (x,), backward, "sum")


@tensor_method("mean")
def mean(x, axis=None, keepdims=None, *, dim=None, keepdim=None):
    axis, keepdims = _reduction_axes("mean", axis, keepdims, dim, keepdim)
    axes = range(x.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    count = int(np.prod([x.shape[a] for a in axes]))
    if count == 0:
        # numpy would warn and return NaN; PyTorch also returns NaN, but silently: say so instead
        raise ValueError(f"mean() of an empty tensor (shape {x.shape}, axis={axis}): "
                         "expected at least one element to average, got 0")
    return x.sum(axis=axis, keepdims=keepdims) * (1.0 / count)


@tensor_method("amax")
def amax(x, axis=None, keepdims=None, *, dim=None, keepdim=None):
    """The largest entry along ``axis``; ties share the gradient equally (like torch.amax)."""
    axis, keepdims = _reduction_axes("amax", axis, keepdims, dim, keepdim)
    _refuse_empty_reduction("max", x.shape, axis)
    data = x._data
    out = np.max(data, axis=axis, keepdims=keepdims)
    shape = x.shape

    def backward(g):
        out_kept = _restore_axes(out, shape, axis, keepdims)
        is_max = data == out_kept
        share = is_max / np.sum(is_max, axis=axis, keepdims=True)
        return (share * _restore_axes(g, shape, axis, keepdims),)

    return Tensor._make(out, (x,), backward, "max", saves=(x,), saves_output=True)


@tensor_method("amin")
def amin(x, axis=None, keepdims=None, *, dim=None, keepdim=None):
    """The smallest entry along ``axis``: -amax(-x), so ties share the gradient too."""
    axis, keepdims = _reduction_axes("amin", axis, keepdims, dim, keepdim)
    _refuse_empty_reduction("min", x.shape, axis)
    return -((-x).amax(axis=axis, keepdims=keepdims))


@tensor_method("max")
def max(x, dim=None, keepdim=None, *, axis=None, keepdims=None):  # noqa: A001 (torch.max's name, on purpose)
    """PyTorch's max: with ``dim``, the pair (values, indices); with no dim, the 0-d largest entry.

    ``axis=`` keeps numpy's meaning (values only, like np.max and torch.amax).
    As a function it also takes arrays (old tutorials write torch.max(outputs.data, 1)).
    """
    x = as_tensor(x)
    if dim is not None:
        _, keepdim = _reduction_axes("max", axis, keepdims, dim, keepdim)
        return _extreme_along(x, "max", dim, keepdim)
    return x.amax(axis=axis, keepdims=keepdims, keepdim=keepdim)


@tensor_method("min")
def min(x, dim=None, keepdim=None, *, axis=None, keepdims=None):  # noqa: A001
    """PyTorch's min: (values, indices) with ``dim``; the 0-d smallest entry without."""
    x = as_tensor(x)
    if dim is not None:
        _, keepdim = _reduction_axes("min", axis, keepdims, dim, keepdim)
        return _extreme_along(x, "min", dim, keepdim)
    return x.amin(axis=axis, keepdims=keepdims, keepdim=keepdim)


def _extreme_along(x, op, dim, keepdim):
    """max/min along one dim: values and indices; the gradient goes to the picked entry only."""
    dim = _one_dim(op, dim, x.ndim)
    _refuse_empty_reduction(op, x.shape, dim)
    pick = np.argmax if op == "max" else np.argmin
    kept_indices = np.expand_dims(pick(x._data, axis=dim), dim).astype(np.int64)
    values = np.take_along_axis(x._data, kept_indices, axis=dim)
    shape = x.shape

    def backward(g):
        grad = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(grad, kept_indices, g if keepdim else np.expand_dims(g, dim), axis=dim)
        return (grad,)

    indices = kept_indices if keepdim else kept_indices.squeeze(dim)
    values = values if keepdim else values.squeeze(dim)
    return ExtremeResult(Tensor._make(values, (x,), backward, op), Tensor(indices))


# -- constants: indices and truth values ------------------------------------------------

@tensor_method("argmax")
def argmax(x, dim=None, keepdim=None, *, axis=None, keepdims=None):
    """Index of the largest entry (of the flattened tensor when no dim is given)."""
    return _arg_extreme(as_tensor(x), "argmax", np.argmax, dim, keepdim, axis, keepdims)


@tensor_method("argmin")
def argmin(x, dim=None, keepdim=None, *, axis=None, keepdims=None):
    return _arg_extreme(as_tensor(x), "argmin", np.argmin, dim, keepdim, axis, keepdims)


def _arg_extreme(x, op, pick, dim, keepdim, axis, keepdims):
    axis, keepdims = _reduction_axes(op, axis, keepdims, dim, keepdim)
    _refuse_empty_reduction(op, x.shape, axis)
    if axis is None:
        index = pick(x._data)
        return Tensor(np.reshape(index, (1,) * x.ndim if keepdims else ()).astype(np.int64))
    axis = _one_dim(op, axis, x.ndim)
    return Tensor(pick(x._data, axis=axis, keepdims=keepdims).astype(np.int64))


@tensor_method("all")
def all(x):  # noqa: A001 (the method's name)
    return Tensor(np.all(x._data))


@tensor_method("any")
def any(x):  # noqa: A001 (the method's name)
    return Tensor(np.any(x._data))


# -- axis bookkeeping, shared with shape.py ----------------------------------------------

def _reduction_axes(op, axis, keepdims, dim, keepdim):
    """Accept PyTorch's dim=/keepdim= or numpy's axis=/keepdims=, but not both of a pair."""
    if dim is not None and axis is not None:
        raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r}; they mean the same thing, pass one")
    if keepdim is not None and keepdims is not None:
        raise TypeError(f"{op}: got both keepdim={keepdim!r} and keepdims={keepdims!r}; pass one")
    axis = dim if axis is None else axis
    keep = keepdim if keepdims is None else keepdims
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis, bool(keep)


def _one_dim(op, dim, ndim):
    """A single dim as a non-negative int, or an error naming the valid range."""
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r} ({type(dim).__name__})")
    bound = ndim if ndim > 0 else 1  # a 0-d tensor accepts dim 0 and -1, as in PyTorch
    if not -bound <= dim < bound:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims "
                         f"(expected a value in [{-bound}, {bound - 1}])")
    return int(dim) % bound


def _refuse_empty_reduction(op, shape, axis):
    """max/min/argmax of nothing is undefined: say so instead of numpy's 'zero-size array' message."""
    axes = range(len(shape)) if axis is None else ((axis,) if isinstance(axis, (int, np.integer)) else axis)
    for a in axes:
        if -len(shape) <= a < len(shape) and shape[a] == 0:  # a bad axis: numpy names it
            raise ValueError(f"{op}() of an empty tensor (shape {shape}, dim={axis}): "
                             "expected at least one element to compare, got 0")


def _restore_axes(reduced, shape, axis, keepdims):
    """Give a reduced array back its reduced axes as size-1 axes, ready to broadcast."""
    if keepdims or axis is None:
        return np.reshape(reduced, [1] * len(shape)) if axis is None else reduced
    axes = (axis,) if isinstance(axis, int) else axis
    return np.expand_dims(reduced, tuple(a % len(shape) for a in axes))
