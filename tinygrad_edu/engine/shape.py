"""Shape ops: the same numbers in a new arrangement, so the gradient is rearranged back.

reshape, transpose and indexing compute nothing; they only move elements.
Element x[i] lands at y[j], so dL/dx[i] = dL/dy[j]: the backward applies the
inverse move to g.

    reshape to s          grad_x = g.reshape(x's shape)
    transpose by order    grad_x = g.transpose(the inverse order, argsort(order))
    x[index]              grad_x = zeros of x's shape with g written (or, for
                          integer arrays that pick an element twice, added) at index
    concatenate / stack   each input gets back its own slice / slab of g

flatten, view, squeeze and unsqueeze are reshapes; permute and x.T are
transposes. Most of these outputs are numpy *views* of their input's memory,
so they share its version counter: an in-place edit through one is an edit
of both (inplace.py, next).
Read next: tinygrad_edu/engine/inplace.py (why an edited input refuses backward).
"""
import numpy as np

from .tensor import Tensor, as_tensor, tensor_method
from .reductions import _one_dim


@tensor_method("reshape", "view")
def reshape(x, *shape):
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    old_shape = x.shape
    try:
        out = x._data.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {old_shape} ({x.numel()} elements) "
            f"into shape {tuple(shape)}"
        ) from None
    result = Tensor._make(out, (x,), lambda g: (g.reshape(old_shape),), "reshape")
    # numpy reshapes without copying when it can; then the two tensors share memory
    return result._share_version_of(x) if np.may_share_memory(out, x._data) else result


@tensor_method("flatten")
def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (PyTorch's meaning; a 0-d tensor becomes shape (1,)).

    As a function, torch.flatten(x, start_dim=1): keep the batch dim, merge the rest.
    """
    x = as_tensor(x)
    if x.ndim == 0:
        return x.reshape(1)
    start = _one_dim("flatten", start_dim, x.ndim)
    end = _one_dim("flatten", end_dim, x.ndim)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {x.shape}")
    merged = int(np.prod(x.shape[start:end + 1]))
    return x.reshape(x.shape[:start] + (merged,) + x.shape[end + 1:])


@tensor_method("squeeze")
def squeeze(x, axis=None):
    return x.reshape(np.squeeze(x._data, axis).shape)


@tensor_method("unsqueeze")
def unsqueeze(x, axis):
    return x.reshape(np.expand_dims(x._data, axis).shape)


@tensor_method("transpose")
def transpose(x, *axes):
    """Permute axes (numpy's meaning); no arguments reverses them."""
    axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
    axes = tuple(axes) if axes else tuple(reversed(range(x.ndim)))
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {x.ndim} axes of shape {x.shape}")
    inverse = tuple(np.argsort(axes))
    out = x._data.transpose(axes)
    return Tensor._make(out, (x,), lambda g: (g.transpose(inverse),), "transpose")._share_version_of(x)


@tensor_method("permute")
def permute(x, *dims):
    """Reorder the dims: x.permute(0, 2, 3, 1) turns NCHW into NHWC (PyTorch's name for transpose(axes))."""
    x = as_tensor(x)
    dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    if len(dims) != x.ndim:
        raise ValueError(f"permute: got {len(dims)} dims {tuple(dims)} for a tensor of shape {x.shape} "
                         f"({x.ndim} dims)")
    return x.transpose(tuple(_one_dim("permute", d, x.ndim) for d in dims))


Tensor.T = property(transpose, doc="All axes reversed: the transpose of a matrix.")


@tensor_method("__getitem__")
def getitem(x, index):
    """Basic and integer-array indexing. Repeated integer indices add up their gradients."""
    index_tensor = index if isinstance(index, Tensor) else None
    if index_tensor is not None:
        index = index._data
    shape = x.shape
    out = x._data[index]
    basic = _is_basic_index(index)

    def backward(g):
        grad = np.zeros(shape, dtype=g.dtype)
        if basic:
            grad[index] = g  # slices pick each element at most once
        else:
            np.add.at(grad, index, g)  # integer arrays may pick an element twice
        return (grad,)

    result = Tensor._make(out, (x,), backward, "getitem", saves=() if index_tensor is None else (index_tensor,))
    return result._share_version_of(x) if basic else result  # basic indexing gives a view


def _is_basic_index(index):
    """True for ints, slices, None and Ellipsis only (numpy's 'basic' indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        (isinstance(part, (int, np.integer)) and not isinstance(part, (bool, np.bool_)))
        or isinstance(part, slice) or part is None or part is Ellipsis
        for part in parts
    )


def concatenate(tensors, axis=0):
    """Join along an existing axis; each input gets back its slice of the gradient."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("concatenate expected a non-empty sequence of tensors, got an empty one")
    sizes = [t.shape[axis] for t in tensors]
    try:
        out = np.concatenate([t._data for t in tensors], axis=axis)
    except ValueError:
        raise ValueError(f"concatenate along axis {axis}: shapes {[t.shape for t in tensors]} do not match") from None
    boundaries = np.cumsum(sizes)[:-1]
    return Tensor._make(out, tensors, lambda g: tuple(np.split(g, boundaries, axis=axis)), "concatenate")


def stack(tensors, axis=0):
    """Join along a new axis; each input gets back its slab of the gradient."""
    tensors = tuple(tensors)
    try:
        out = np.stack([t._data for t in tensors], axis=axis)
    except ValueError:
        raise ValueError(f"stack: all shapes must be equal, got {[t.shape for t in tensors]}") from None

    def backward(g):
        return tuple(np.take(g, i, axis=axis) for i in range(len(tensors)))

    return Tensor._make(out, tensors, backward, "stack")
