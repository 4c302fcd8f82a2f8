"""In-place edits and the version counter that keeps them from corrupting gradients.

Backward does not recompute the forward: it reads arrays the forward kept.
mul's backward reads a and b, exp's reads its own output. Change one of
them between forward and backward and the gradient is silently wrong:

    y = (x * x).sum();  x.data += 1;  y.backward()    # would give 2 (x + 1), not 2 x

So every tensor carries a version number, as in PyTorch. An op records the
versions of the tensors its backward reads (``saves=`` in ``_make``), each
in-place edit bumps the number, and backward compares: a mismatch is a
RuntimeError naming the op, the input and both versions. Views (reshape,
transpose, slices, detach) share their base's counter, because they share
its memory. The edits that bump it: ``x.data = a``, ``x.data -= a`` (Python
calls the setter after an augmented assignment), the methods below, and
every optimizer step. A raw numpy write, ``x.data[i] = v``, goes straight
into the array where no counter sees it; under detect_anomaly() ops also
keep a copy of what they read, and backward compares values instead.
Read next: tinygrad_edu/engine/derivatives.py (every op's forward and derivative on one page).
"""
import numpy as np

from .autograd import _anomaly_mode, _grad_mode
from .tensor import Tensor, _data_of, tensor_method


# -- in-place edits: constants written into the data, each one bumps the version ------

@tensor_method("__setitem__")
def setitem(x, index, value):
    """``x[index] = value``: write into x's data in place (no graph is recorded)."""
    _check_in_place_allowed(x, "x[index] = value")
    x._data[_data_of(index)] = _data_of(value)
    x._bump_version()


@tensor_method("zero_")
def zero_(x):
    return fill_(x, 0)


@tensor_method("fill_")
def fill_(x, value):
    _check_in_place_allowed(x, "fill_")
    x._data[...] = _data_of(value)
    x._bump_version()
    return x


@tensor_method("copy_")
def copy_(x, source):
    """Copy ``source``'s values into x's data (broadcast to its shape, cast to its dtype)."""
    _check_in_place_allowed(x, "copy_")
    source = _data_of(source)
    try:
        x._data[...] = source
    except ValueError:
        raise ValueError(f"copy_: cannot copy shape {np.shape(source)} into a tensor of shape {x.shape}") from None
    x._bump_version()
    return x


# -- x += y, x -= y, x *= y, x /= y: in place where PyTorch is ---------------------------
# ``for p in model.parameters(): p -= lr * p.grad`` under no_grad() is PyTorch's
# hand-written SGD. Without these methods Python would fall back to ``p = p - ...``,
# rebinding the loop variable and leaving the parameter as it was, without a word.

def _in_place(name, ufunc, out_of_place):
    def method(x, other):
        other_data = _data_of(other)
        other_needs_grad = getattr(other, "requires_grad", False)
        if _grad_mode.enabled and (x.requires_grad or other_needs_grad):
            if x.requires_grad and not x._parents:
                raise RuntimeError(
                    f"a leaf tensor that requires grad is used in an in-place operation (x {name} ...): "
                    "wrap the update in no_grad(), as an optimizer does, or write x = x "
                    f"{name[0]} ... to build a new tensor")
            return out_of_place(x, other)  # inside a graph: a new node, as the gradient needs
        target = np.broadcast_shapes(x.shape, np.shape(other_data))
        if target != x.shape:
            raise ValueError(f"x {name} y: y of shape {np.shape(other_data)} does not broadcast to x's "
                             f"shape {x.shape} (an in-place result keeps x's shape)")
        try:
            ufunc(x._data, other_data, out=x._data, casting="same_kind")
        except TypeError:  # numpy's UFuncTypeError
            raise TypeError(f"x {name} y: the result ({np.result_type(x._data, other_data)}) cannot be "
                            f"stored in x's dtype {x.dtype}; write x = x {name[0]} y for a new tensor") from None
        x._bump_version()
        return x
    method.__name__ = method.__qualname__ = f"in_place_{ufunc.__name__}"
    method.__doc__ = f"``x {name} y``: writes into x (no_grad, or no gradient needed), else a new node."
    return method


for _dunder, _name, _ufunc, _plain in (("__iadd__", "+=", np.add, "__add__"),
                                       ("__isub__", "-=", np.subtract, "__sub__"),
                                       ("__imul__", "*=", np.multiply, "__mul__"),
                                       ("__itruediv__", "/=", np.true_divide, "__truediv__")):
    tensor_method(_dunder)(_in_place(_name, _ufunc, getattr(Tensor, _plain)))


def _check_in_place_allowed(x, what):
    if x.requires_grad and _grad_mode.enabled:
        raise RuntimeError(
            f"{what}: an in-place edit of a tensor that requires grad cannot be recorded in the graph; "
            "make the edit inside no_grad() to change the values outside the graph (as an optimizer "
            "does), or build a new tensor instead (x * scale, where(mask, value, x))"
        )


# -- saved tensors: what an op's backward will read, and the version it must find -----

def _record_saved(out, saves, saves_output):
    """One (tensor, version, snapshot) per saved tensor; None stands for the output itself.

    The snapshot is a copy of the data, kept only under detect_anomaly(): it is
    how a raw numpy write (``x.data[0] = 5``), which no counter can see, is caught.
    """
    if _anomaly_mode.enabled:
        return _record_saved_with_copies(out, saves, saves_output)
    saved = ()  # a plain loop: this runs once per op, and a comprehension costs more than the work
    for tensor in saves:
        saved += ((tensor, tensor._version[0], None),)
    if saves_output:
        saved += ((None, 0, None),)
    return saved


def _record_saved_with_copies(out, saves, saves_output):
    saved = tuple((tensor, tensor._version[0], (tensor._data, tensor._data.copy())) for tensor in saves)
    if saves_output:
        saved += ((None, 0, (out._data, out._data.copy())),)
    return saved


def _check_saved(node):
    """Raise if data that node's backward reads was changed after the forward."""
    for tensor, version, snapshot in node._saved:
        current = node if tensor is None else tensor
        if current._version[0] != version:
            raise RuntimeError(
                "one of the tensors needed for gradient computation has been modified by an in-place "
                f"operation: {_saved_name(node, tensor)} is at version {current._version[0]}; "
                f"expected version {version}. Its data was changed between the forward and backward() "
                "(an assignment to .data, an augmented one such as x.data -= ..., x[...] = ..., "
                "zero_/fill_/copy_, or an optimizer step); run the forward again after the change, "
                "or change a copy"
            )
        if snapshot is not None and not _same_values(*snapshot):
            raise RuntimeError(
                "one of the tensors needed for gradient computation has been modified in place by a raw "
                f"numpy write: {_saved_name(node, tensor)} no longer holds the values its forward saw. "
                "A write straight into the array (x.data[i] = v, np.copyto(x.data, ...)) is invisible to "
                "the version counter; detect_anomaly() caught it by comparing with a copy. Write "
                "x[i] = v under no_grad(), or change a copy"
            )


def _saved_name(node, tensor):
    if tensor is None:
        role = "the output"
    else:
        positions = [i for i, parent in enumerate(node._parents) if parent is tensor]
        role = f"input {positions[0]}" if positions else "a constant (an index or condition)"
    described = node if tensor is None else tensor
    return f"{role} of op '{node._op}' (a {described.dtype} tensor of shape {described.shape})"


def _same_values(array, copy):
    return np.array_equal(array, copy, equal_nan=array.dtype.kind in "fc")
