"""Tensor: an n-dimensional numpy array that remembers how it was computed.

A Tensor is the scalar ``Value`` of value.py grown up: ``data`` is an ndarray
instead of a float, and each op's backward works on whole arrays. The chain
rule and autograd.py's sweep are the same; only the local derivatives change.
For y = a * b, with g = dL/dy the gradient arriving at y:

    grad_a = g * b        grad_b = g * a        (elementwise, in y's shape)

Broadcasting stretches an input, (3, 1) + (4,) -> (3, 4), so the gradient
that comes back has the *output's* shape. It must be summed over the
stretched axes to fit the input: that is ``unbroadcast``, applied to every
gradient in exactly one place, ``Tensor._backward``.

This file is the Tensor object itself: its data, version and gradient, the
``_make`` every op builds its result with, and the entry to backprop. The op
files that follow attach their ops with ``@tensor_method``; derivatives.py,
after them, lists every op's forward and derivative on one page.
Read next: tinygrad_edu/engine/elementwise.py (the elementwise ops and their derivatives).
"""
import numpy as np

from . import autograd
from .autograd import _anomaly_mode, _grad_mode, check_finite

DEFAULT_FLOAT = np.float32


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes broadcasting added or stretched, so it has ``shape``.

    Broadcasting aligns shapes on the right; an input of shape (3, 1) used in
    an output of shape (5, 3, 4) was copied along axis 0 (added) and axis 2
    (stretched from 1). Its gradient is the sum of the output gradient over
    exactly those axes.
    """
    if grad.shape == shape:
        return grad
    added_axes = grad.ndim - len(shape)
    if added_axes > 0:
        grad = grad.sum(axis=tuple(range(added_axes)))
    stretched_axes = tuple(
        axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1
    )
    if stretched_axes:
        grad = grad.sum(axis=stretched_axes, keepdims=True)
    return grad.reshape(shape)


def _as_array(data, dtype):
    """Turn user data into a numeric ndarray: floats default to float32, like PyTorch."""
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        array = np.asarray(data, dtype=dtype)
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)  # numpy data keeps its dtype, as in torch.tensor(array)
    else:
        array = np.asarray(data)
        if array.dtype.kind == "f":
            array = array.astype(DEFAULT_FLOAT)
    return _numeric(array)


# bool, signed and unsigned int, float, complex: the dtypes arithmetic and gradients are defined for
_NUMERIC_KINDS = "biufc"
_KIND_NAMES = {"U": "strings", "S": "bytes", "O": "Python objects", "V": "raw records",
               "M": "datetimes", "m": "timedeltas"}


def _numeric(array):
    """``array`` itself, or a TypeError at the door: every layer and op expects numbers."""
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"Tensor expected a numeric dtype (bool, int, float or complex), got dtype {array.dtype} "
            f"({_KIND_NAMES.get(array.dtype.kind, 'not numbers')}); convert the data first, e.g. "
            "np.asarray(data, dtype=np.float32), or map words to integer ids for an Embedding"
        )
    return array


class Tensor:
    __slots__ = ("_data", "grad", "requires_grad", "_parents", "_grad_fn", "_op", "_retains_grad",
                 "_version", "_saved", "__weakref__")
    # Make ``ndarray + Tensor`` call Tensor.__radd__ instead of numpy's loop.
    __array_priority__ = 1000
    # elementwise.py gives Tensor an elementwise ``==``; the autograd keys its
    # bookkeeping by id() anyway, and identity hashing keeps tensors usable in sets
    # and as dict keys, as in PyTorch.
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad=False, dtype=None):
        self._data = _as_array(data, dtype)
        self.grad = None
        self._version = [0]  # a list so that views of the same memory can share one counter
        self._saved = ()
        self._parents = ()
        self._grad_fn = None
        self._op = "leaf"
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- data and its version counter ------------------------------------------
    @property
    def data(self):
        """The ndarray itself, not a copy: reading it, or writing into it, is plain numpy.

        The limit of the version counter is here: ``x.data[0] = 5`` calls
        ndarray.__setitem__, which no Tensor sees (as with torch's .data),
        and catching it would cost a copy or a read-only array that the
        optimizers could not write. So it is caught only under
        detect_anomaly(); ``x[0] = 5`` (under no_grad) is the tracked way.
        """
        return self._data

    @data.setter
    def data(self, value):
        # ``x.data = array`` and also ``x.data -= lr * g``: Python's augmented assignment
        # on an attribute writes in place *and then* calls this setter, so both are seen.
        self._data = _numeric(value) if isinstance(value, np.ndarray) else _as_array(value, None)
        self._version[0] += 1

    def _bump_version(self):
        """Record an in-place change of the data (optimizers call this after their step)."""
        self._version[0] += 1

    @staticmethod
    def _make(data, parents, backward, op, saves=(), saves_output=False):
        """The result of an op: records the graph only if some parent needs a gradient.

        ``backward(grad_out)`` returns one gradient (or None) per parent, in
        the output's shape if the op broadcast; ``_backward`` fits them.
        ``saves`` lists the tensors whose data ``backward`` reads (and
        ``saves_output`` says it reads the output's). They are there for the
        version counter: an input edited in place between this forward and
        the backward would silently give a wrong gradient, so their versions
        are recorded now and checked before ``backward`` runs. inplace.py,
        read after the ops, explains the counter.
        """
        out = Tensor.__new__(Tensor)
        out._data = data if isinstance(data, np.ndarray) else np.asarray(data)
        out.grad = None
        out._op = op
        out._retains_grad = False
        out._version = [0]
        if _grad_mode.enabled and any([parent.requires_grad for parent in parents]):
            out.requires_grad = True
            out._parents = parents
            out._grad_fn = backward
            out._saved = _record_saved(out, saves, saves_output) if saves or saves_output else ()
        else:
            out.requires_grad = False
            out._parents = ()
            out._grad_fn = None
            out._saved = ()
        if _anomaly_mode.enabled:
            check_finite(op, "forward", (out._data,))
        return out

    def _share_version_of(self, source):
        """A view of ``source``'s memory: an in-place edit of either one is an edit of both."""
        self._version = source._version
        return self

    # -- the autograd protocol -------------------------------------------------
    def _backward(self, grad):
        """The op's local chain rule, each gradient fitted to its parent's shape and dtype.

        This is the one place where gradients are un-broadcast.
        """
        if self._grad_fn is None:  # autograd.backward called directly on a freed graph
            raise RuntimeError(_freed_graph_message(self))
        if self._saved:
            _check_saved(self)
        fitted = []
        for parent, parent_grad in zip(self._parents, self._grad_fn(grad)):
            if parent_grad is not None:
                parent_grad = unbroadcast(np.asarray(parent_grad), parent._data.shape)
                parent_grad = parent_grad.astype(parent._data.dtype, copy=False)
            fitted.append(parent_grad)
        return fitted

    def _keep_grad(self, grad):
        """Leaves (and tensors asked to ``retain_grad``) accumulate into ``.grad``."""
        if self._parents and not self._retains_grad:
            return
        if self.grad is None:
            self.grad = np.array(grad, dtype=self._data.dtype)
        else:
            self.grad = self.grad + grad

    def backward(self, gradient=None, retain_graph=None, *, grad=None):
        """Fill ``.grad`` of every leaf this tensor depends on with d(self)/d(leaf).

        As in PyTorch, the backward then frees the graph it went through: each
        op's backward closure and the arrays it saved are dropped (most of the
        graph's memory), so a second backward through any of those ops is a
        RuntimeError. ``retain_graph=True`` keeps the graph for another
        backward, which adds to ``.grad`` again. A new forward pass builds a
        new graph, so the training loop's accumulation is untouched.
        ``grad=`` is the older name of ``gradient``.
        """
        if gradient is not None and grad is not None:
            raise TypeError("backward() takes the gradient once, as gradient= or its older name grad=, got both")
        seed = self._seed_gradient(gradient if grad is None else grad)
        with autograd.collector_paused():
            order = autograd.topological_order(self)
            for node in order:
                if node._parents and node._grad_fn is None:
                    raise RuntimeError(_freed_graph_message(node))
            autograd.sweep(order, seed)
            if not retain_graph:
                for node in order:
                    if node._parents:
                        node._grad_fn, node._saved = None, ()

    def _seed_gradient(self, grad):
        """dself/dself to start the sweep: ones for a real scalar, else the gradient the caller gave."""
        if not self.requires_grad:
            raise RuntimeError(
                f"backward() on a tensor that does not require grad (op '{self._op}'); "
                "create its inputs with requires_grad=True"
            )
        if grad is not None:
            grad = _as_array(grad, self._data.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward(): grad has shape {grad.shape}, expected {self.shape}")
            return grad
        if self._data.size != 1:
            raise RuntimeError(
                f"backward() needs grad= for a non-scalar tensor of shape {self.shape}: "
                "pass a gradient of that shape, or reduce to a scalar first (e.g. .sum())"
            )
        if self._data.dtype.kind == "c":
            # d(real loss)/dz is defined, dz/dz for a complex z is not a gradient: PyTorch refuses too
            raise RuntimeError(
                f"backward() without a gradient needs a real scalar output, got a {self.dtype} scalar "
                f"(op '{self._op}'): reduce it to a real number first (e.g. with abs()), "
                "or pass gradient= explicitly"
            )
        return np.ones_like(self._data)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self._data.dtype.kind not in "fc":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self._data.dtype}; "
                "create it with dtype=np.float32 (or float64)"
            )
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep ``.grad`` on this intermediate tensor too (leaves always keep it)."""
        self._retains_grad = True
        return self

    def detach(self):
        """The same data (shared memory and version counter, as in PyTorch), cut from the graph."""
        return Tensor(self._data)._share_version_of(self)

    # -- numpy interop -----------------------------------------------------------
    def numpy(self):
        return self._data

    # numpy functions on a Tensor (np.mean(predicted == labels), np.asarray(x)) work on its data and
    # give plain numpy results: constants, outside the graph.
    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __array_function__(self, func, types, args, kwargs):
        return func(*_plain_data(args), **_plain_data(kwargs))

    def item(self):
        return self._data.item()

    # -- properties ----------------------------------------------------------
    @property
    def shape(self):
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self):
        return self._data.ndim

    def size(self, dim=None):
        """PyTorch's x.size(): the shape, or the length of one dimension (numpy's x.size is numel())."""
        return self.shape if dim is None else self.shape[dim]

    def dim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    @property
    def is_leaf(self):
        return not self._parents

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a scalar): expected at least 1 dimension, got shape (); "
                            "use .item() for its value")
        return len(self._data)

    def __bool__(self):
        """``if x == y:`` works for one element; for more it is ambiguous, as in PyTorch and numpy."""
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use (x == y).all() or .any(), or compare .item()s"
            )
        return bool(self._data)

    def __repr__(self):
        grad_note = f", requires_grad=True, op='{self._op}'" if self.requires_grad else ""
        return f"Tensor({np.array2string(self._data, precision=4, threshold=20)}, dtype={self.dtype}{grad_note})"

    # -- dtype -------------------------------------------------------------
    def astype(self, dtype):
        dtype = np.dtype(dtype)
        old = self.dtype
        if dtype.kind not in "fc":
            # rounding to integers is flat almost everywhere: no gradient flows (PyTorch refuses it too)
            return Tensor(self._data.astype(dtype))
        return Tensor._make(self._data.astype(dtype), (self,), lambda g: (g.astype(old),), "astype")

    def float(self):
        return self.astype(np.float32)

    def double(self):
        return self.astype(np.float64)


# ---------------------------------------------------------------------------
# Wrapping and unwrapping: the one way every module turns data into a Tensor.

def as_tensor(value, dtype=None, *, next_to=None):
    """``value`` as a Tensor. A Tensor passes through untouched; anything else becomes a constant.

    ``dtype=`` converts the new constant to that dtype (a loss's targets take
    the logits' dtype). ``next_to=`` is the dtype of the tensor a Python
    number is about to meet, for PyTorch's promotion: it never widens a dtype
    within its category (float32 + 0.1 stays float32), a float number with an
    int or bool tensor gives the default float (int * 0.5 -> float32), and an
    int number with a bool tensor gives int64. Arrays keep their own dtype;
    the op then promotes the pair.
    """
    if isinstance(value, Tensor):
        return value
    if dtype is not None:
        return Tensor(value, dtype=dtype)
    if next_to is not None and isinstance(value, (bool, np.bool_, int, float)):
        return Tensor(np.asarray(value, dtype=_number_dtype(value, next_to)))
    return Tensor(value)


def _number_dtype(number, next_to):
    if isinstance(number, (bool, np.bool_)):
        return next_to
    kind = np.dtype(next_to).kind
    if isinstance(number, float) and kind in "biu":
        return DEFAULT_FLOAT
    if kind == "b":
        return np.int64
    return next_to


def _freed_graph_message(node):
    return (
        f"backward() through a graph that an earlier backward() already freed (op '{node._op}'): "
        "its saved values were released to save memory; pass retain_graph=True to the first backward() "
        "to backpropagate through the graph again, or run the forward pass again"
    )


def _plain_data(value):
    """Tensors replaced by their ndarrays, inside tuples, lists and dicts too."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (tuple, list)):
        return type(value)(_plain_data(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain_data(item) for key, item in value.items()}
    return value


def _data_of(value):
    return value._data if isinstance(value, Tensor) else value


def tensor_method(*names):
    """Decorator for the op files: ``@tensor_method("__add__")`` makes ``x + y`` call the function."""
    def attach(function):
        for name in names:
            setattr(Tensor, name, function)
        return function
    return attach


# ---------------------------------------------------------------------------
# Creating tensors, PyTorch's way.

def tensor(data, requires_grad=False, dtype=None):
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, dtype=DEFAULT_FLOAT, requires_grad=False):
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=DEFAULT_FLOAT, requires_grad=False):
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


# ---------------------------------------------------------------------------
# The op files, in the table's order. Each imports Tensor from here and attaches
# its ops; they are imported last because they need the class defined above.
from .elementwise import stable_sigmoid, where  # noqa: E402
from .matmul import matmul  # noqa: E402
from .reductions import ExtremeResult, argmax, argmin, max, min  # noqa: E402, A004
from .shape import concatenate, flatten, permute, stack  # noqa: E402
from .inplace import _check_saved, _record_saved  # noqa: E402 (the version counter's bookkeeping)

__all__ = ["DEFAULT_FLOAT", "ExtremeResult", "Tensor", "argmax", "argmin", "as_tensor", "concatenate", "flatten",
           "matmul", "max", "min", "ones", "permute", "stable_sigmoid", "stack", "tensor", "tensor_method",
           "unbroadcast", "where", "zeros"]
