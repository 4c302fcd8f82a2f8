"""Tensor: an n-dimensional numpy array that remembers how it was computed.

A Tensor is the scalar ``Value`` of value.py grown up: ``data`` is an ndarray
instead of a float, and each operation's backward closure works on whole
arrays. The chain rule is the same; only the local derivatives change:

    y = a + b      grad_a = g                  grad_b = g
    y = a * b      grad_a = g * b              grad_b = g * a
    y = a @ b      grad_a = g @ b.T            grad_b = a.T @ g
    y = sum(a)     grad_a = g broadcast back to a's shape
    y = exp(a)     grad_a = g * y

Broadcasting stretches an input (shape (3, 1) + shape (4,) -> shape (3, 4)),
so the gradient that comes back has the *output's* shape. It must be summed
over the stretched axes to get back to the input's shape: that is
``unbroadcast``, applied to every gradient in exactly one place, ``_make``.

Every op builds its result with ``Tensor._make(data, parents, backward, op)``
and the shared routine in autograd.py does the rest.

Backward reads arrays the forward kept (mul keeps a and b, exp its output).
If they change in between, the gradient is silently wrong, so each tensor
has a version counter, as in PyTorch: ``x.data = ...``, ``x.data -= ...``,
``x[i] = v``, zero_/fill_/copy_ and optimizer steps bump it (views share
it), ops record the versions of what they keep, and backward refuses a
stale graph. A raw numpy write (``x.data[i] = v``) is invisible to any
counter: only detect_anomaly(), which keeps copies, catches it.
Read functional/ next (softmax and the losses), then nn/.
"""
from collections import namedtuple

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
        ``saves_output`` says it reads the output's): their versions are
        recorded now and checked before ``backward`` runs.
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

    def backward(self, grad=None):
        """Fill ``.grad`` of every leaf this tensor depends on with d(self)/d(leaf)."""
        if not self.requires_grad:
            raise RuntimeError(
                f"backward() on a tensor that does not require grad (op '{self._op}'); "
                "create its inputs with requires_grad=True"
            )
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward() needs grad= for a non-scalar tensor of shape {self.shape}: "
                    "pass a gradient of that shape, or reduce to a scalar first (e.g. .sum())"
                )
            grad = np.ones_like(self._data)
        else:
            grad = _as_array(grad, self._data.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward(): grad has shape {grad.shape}, expected {self.shape}")
        autograd.backward(self, grad)

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

    # -- in-place edits: constants written into the data, each one bumps the version ------
    def __setitem__(self, index, value):
        """``x[index] = value``: write into x's data in place (no graph is recorded)."""
        self._check_in_place_allowed("x[index] = value")
        self._data[_data_of(index)] = _data_of(value)
        self._bump_version()

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        self._check_in_place_allowed("fill_")
        self._data[...] = _data_of(value)
        self._bump_version()
        return self

    def copy_(self, source):
        """Copy ``source``'s values into this tensor's data (broadcast to its shape, cast to its dtype)."""
        self._check_in_place_allowed("copy_")
        source = _data_of(source)
        try:
            self._data[...] = source
        except ValueError:
            raise ValueError(f"copy_: cannot copy shape {np.shape(source)} into a tensor of shape {self.shape}") from None
        self._bump_version()
        return self

    def _check_in_place_allowed(self, what):
        if self.requires_grad and _grad_mode.enabled:
            raise RuntimeError(
                f"{what}: an in-place edit of a tensor that requires grad cannot be recorded in the graph; "
                "make the edit inside no_grad() to change the values outside the graph (as an optimizer "
                "does), or build a new tensor instead (x * scale, where(mask, value, x))"
            )

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

    @property
    def T(self):
        return self.transpose()

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

    def all(self):
        return Tensor(np.all(self._data))

    def any(self):
        return Tensor(np.any(self._data))

    def __repr__(self):
        grad_note = f", requires_grad=True, op='{self._op}'" if self.requires_grad else ""
        return f"Tensor({np.array2string(self._data, precision=4, threshold=20)}, dtype={self.dtype}{grad_note})"

    # -- elementwise arithmetic (broadcasting) ---------------------------------
    def __add__(self, other):
        other = _to_tensor(other, self.dtype)
        data = _broadcasting("add", np.add, self, other)
        return Tensor._make(data, (self, other), lambda g: (g, g), "add")

    def __sub__(self, other):
        other = _to_tensor(other, self.dtype)
        data = _broadcasting("sub", np.subtract, self, other)
        return Tensor._make(data, (self, other), lambda g: (g, -g), "sub")

    def __mul__(self, other):
        other = _to_tensor(other, self.dtype)
        a, b = self._data, other._data
        data = _broadcasting("mul", np.multiply, self, other)
        return Tensor._make(data, (self, other), lambda g: (g * b, g * a), "mul", saves=(self, other))

    def __truediv__(self, other):
        other = _to_tensor(other, self.dtype)
        a, b = self._data, other._data
        data = _broadcasting("div", np.divide, self, other, true_division=True)
        return Tensor._make(data, (self, other), lambda g: (g / b, -g * a / (b * b)), "div", saves=(self, other))

    def __pow__(self, exponent):
        """x ** p: d/dx = p * x**(p-1); d/dp = x**p * log(x) (only if p is a Tensor)."""
        if not isinstance(exponent, Tensor):
            p = exponent
            x = self._data
            if isinstance(p, float) and x.dtype.kind in "biu":
                x = x.astype(DEFAULT_FLOAT)  # int ** 0.5 is a float tensor, as in PyTorch
            data = x ** p
            return Tensor._make(data, (self,), lambda g: (g * p * x ** (p - 1),), "pow", saves=(self,))
        x, p = self._data, exponent._data
        data = _broadcasting("pow", np.power, self, exponent)

        def backward(g):
            grad_base = g * p * x ** (p - 1)
            grad_exponent = g * data * np.log(np.where(x > 0, x, 1)) if exponent.requires_grad else None
            return grad_base, grad_exponent

        return Tensor._make(data, (self, exponent), backward, "pow", saves=(self, exponent), saves_output=True)

    def __neg__(self):
        return Tensor._make(-self._data, (self,), lambda g: (-g,), "neg")

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return _to_tensor(other, self.dtype) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return _to_tensor(other, self.dtype) / self

    def __rpow__(self, base):
        return _to_tensor(base, self.dtype) ** self

    # -- matrix multiplication -------------------------------------------------
    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(_to_tensor(other, self.dtype), self)

    # -- unary elementwise -----------------------------------------------------
    def exp(self):
        out = np.exp(self._data)
        return Tensor._make(out, (self,), lambda g: (g * out,), "exp", saves_output=True)

    def log(self):
        x = self._data
        return Tensor._make(np.log(x), (self,), lambda g: (g / x,), "log", saves=(self,))

    def sqrt(self):
        out = np.sqrt(self._data)
        return Tensor._make(out, (self,), lambda g: (g / (2 * out),), "sqrt", saves_output=True)

    def abs(self):
        x = self._data
        return Tensor._make(np.abs(x), (self,), lambda g: (g * np.sign(x),), "abs", saves=(self,))

    def clip(self, low=None, high=None):
        """Clamp to [low, high]; the gradient passes only where x was inside."""
        x = self._data
        out = np.clip(x, low, high)
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        return Tensor._make(out, (self,), lambda g: (g * inside,), "clip")

    def relu(self):
        x = self._data
        # a float mask multiplies faster than a bool one, which numpy must cast element by element
        return Tensor._make(np.maximum(x, 0), (self,), lambda g: (g * (x > 0).astype(g.dtype),), "relu",
                            saves=(self,))

    def sigmoid(self):
        """sigma(x) = 1 / (1 + e^-x), computed from e^-|x| so it never overflows."""
        out = stable_sigmoid(self._data)
        return Tensor._make(out, (self,), lambda g: (g * out * (1 - out),), "sigmoid", saves_output=True)

    def tanh(self):
        out = np.tanh(self._data)
        return Tensor._make(out, (self,), lambda g: (g * (1 - out * out),), "tanh", saves_output=True)

    # -- reductions ----------------------------------------------------------
    def sum(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        axis, keepdims = _reduction_axes("sum", axis, keepdims, dim, keepdim)
        shape = self.shape
        out = np.sum(self._data, axis=axis, keepdims=keepdims)

        def backward(g):
            return (np.broadcast_to(_restore_axes(g, shape, axis, keepdims), shape),)

        return Tensor._make(out, (self,), backward, "sum")

    def mean(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        axis, keepdims = _reduction_axes("mean", axis, keepdims, dim, keepdim)
        axes = range(self.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
        count = int(np.prod([self.shape[a] for a in axes]))
        if count == 0:
            # numpy would warn and return NaN; PyTorch also returns NaN, but silently: say so instead
            raise ValueError(f"mean() of an empty tensor (shape {self.shape}, axis={axis}): "
                             "expected at least one element to average, got 0")
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / count)

    def max(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """PyTorch's max: with ``dim``, the pair (values, indices); with no dim, the 0-d largest entry.

        ``axis=`` keeps numpy's meaning (values only, like np.max and torch.amax).
        """
        if dim is not None:
            _, keepdim = _reduction_axes("max", axis, keepdims, dim, keepdim)
            return self._extreme_along("max", dim, keepdim)
        return self.amax(axis=axis, keepdims=keepdims, keepdim=keepdim)

    def min(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """PyTorch's min: (values, indices) with ``dim``; the 0-d smallest entry without."""
        if dim is not None:
            _, keepdim = _reduction_axes("min", axis, keepdims, dim, keepdim)
            return self._extreme_along("min", dim, keepdim)
        return self.amin(axis=axis, keepdims=keepdims, keepdim=keepdim)

    def _extreme_along(self, op, dim, keepdim):
        """max/min along one dim: values and indices; the gradient goes to the picked entry only."""
        dim = _one_dim(op, dim, self.ndim)
        _refuse_empty_reduction(op, self.shape, dim)
        pick = np.argmax if op == "max" else np.argmin
        kept_indices = np.expand_dims(pick(self._data, axis=dim), dim).astype(np.int64)
        values = np.take_along_axis(self._data, kept_indices, axis=dim)
        shape = self.shape

        def backward(g):
            grad = np.zeros(shape, dtype=g.dtype)
            np.put_along_axis(grad, kept_indices, g if keepdim else np.expand_dims(g, dim), axis=dim)
            return (grad,)

        indices = kept_indices if keepdim else kept_indices.squeeze(dim)
        values = values if keepdim else values.squeeze(dim)
        return ExtremeResult(Tensor._make(values, (self,), backward, op), Tensor(indices))

    def amax(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        """The largest entry along ``axis``; ties share the gradient equally (like torch.amax)."""
        axis, keepdims = _reduction_axes("amax", axis, keepdims, dim, keepdim)
        _refuse_empty_reduction("max", self.shape, axis)
        x = self._data
        out = np.max(x, axis=axis, keepdims=keepdims)
        shape = self.shape

        def backward(g):
            out_kept = _restore_axes(out, shape, axis, keepdims)
            is_max = x == out_kept
            share = is_max / np.sum(is_max, axis=axis, keepdims=True)
            return (share * _restore_axes(g, shape, axis, keepdims),)

        return Tensor._make(out, (self,), backward, "max", saves=(self,), saves_output=True)

    def amin(self, axis=None, keepdims=None, *, dim=None, keepdim=None):
        """The smallest entry along ``axis``: -amax(-x), so ties share the gradient too."""
        axis, keepdims = _reduction_axes("amin", axis, keepdims, dim, keepdim)
        _refuse_empty_reduction("min", self.shape, axis)
        return -((-self).amax(axis=axis, keepdims=keepdims))

    def argmax(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        """Index of the largest entry (of the flattened tensor when no dim is given)."""
        return self._arg_extreme("argmax", np.argmax, dim, keepdim, axis, keepdims)

    def argmin(self, dim=None, keepdim=None, *, axis=None, keepdims=None):
        return self._arg_extreme("argmin", np.argmin, dim, keepdim, axis, keepdims)

    def _arg_extreme(self, op, pick, dim, keepdim, axis, keepdims):
        axis, keepdims = _reduction_axes(op, axis, keepdims, dim, keepdim)
        _refuse_empty_reduction(op, self.shape, axis)
        if axis is None:
            index = pick(self._data)
            return Tensor(np.reshape(index, (1,) * self.ndim if keepdims else ()).astype(np.int64))
        axis = _one_dim(op, axis, self.ndim)
        return Tensor(pick(self._data, axis=axis, keepdims=keepdims).astype(np.int64))

    # -- comparisons: constant boolean tensors (no gradient flows through a comparison) --
    # Defining __eq__ would make Python drop the default hash; the autograd keys
    # its bookkeeping by id() anyway, and identity hashing keeps tensors usable
    # in sets and as dict keys, as in PyTorch.
    __hash__ = object.__hash__

    def __eq__(self, other):
        return Tensor(np.equal(self._data, _data_of(other)))

    def __ne__(self, other):
        return Tensor(np.not_equal(self._data, _data_of(other)))

    def __lt__(self, other):
        return Tensor(self._data < _data_of(other))

    def __le__(self, other):
        return Tensor(self._data <= _data_of(other))

    def __gt__(self, other):
        return Tensor(self._data > _data_of(other))

    def __ge__(self, other):
        return Tensor(self._data >= _data_of(other))

    # -- shape -----------------------------------------------------------------
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        old_shape = self.shape
        try:
            out = self._data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {old_shape} ({self.numel()} elements) "
                f"into shape {tuple(shape)}"
            ) from None
        result = Tensor._make(out, (self,), lambda g: (g.reshape(old_shape),), "reshape")
        # numpy reshapes without copying when it can; then the two tensors share memory
        return result._share_version_of(self) if np.may_share_memory(out, self._data) else result

    view = reshape

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims start_dim..end_dim into one (PyTorch's meaning; a 0-d tensor becomes shape (1,))."""
        if self.ndim == 0:
            return self.reshape(1)
        start = _one_dim("flatten", start_dim, self.ndim)
        end = _one_dim("flatten", end_dim, self.ndim)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {self.shape}")
        merged = int(np.prod(self.shape[start:end + 1]))
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def permute(self, *dims):
        """Reorder the dims: x.permute(0, 2, 3, 1) turns NCHW into NHWC (PyTorch's name for transpose(axes))."""
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        if len(dims) != self.ndim:
            raise ValueError(f"permute: got {len(dims)} dims {tuple(dims)} for a tensor of shape {self.shape} "
                             f"({self.ndim} dims)")
        return self.transpose(tuple(_one_dim("permute", d, self.ndim) for d in dims))

    def unsqueeze(self, axis):
        return self.reshape(np.expand_dims(self._data, axis).shape)

    def squeeze(self, axis=None):
        return self.reshape(np.squeeze(self._data, axis).shape)

    def transpose(self, *axes):
        """Permute axes (numpy's meaning); no arguments reverses them."""
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        axes = tuple(axes) if axes else tuple(reversed(range(self.ndim)))
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {self.ndim} axes of shape {self.shape}")
        inverse = tuple(np.argsort(axes))
        out = self._data.transpose(axes)
        return Tensor._make(out, (self,), lambda g: (g.transpose(inverse),), "transpose")._share_version_of(self)

    def __getitem__(self, index):
        """Basic and integer-array indexing. Repeated integer indices add up their gradients."""
        index_tensor = index if isinstance(index, Tensor) else None
        if index_tensor is not None:
            index = index._data
        shape = self.shape
        out = self._data[index]

        basic = _is_basic_index(index)

        def backward(g):
            grad = np.zeros(shape, dtype=g.dtype)
            if basic:
                grad[index] = g  # slices pick each element at most once
            else:
                np.add.at(grad, index, g)  # integer arrays may pick an element twice
            return (grad,)

        result = Tensor._make(out, (self,), backward, "getitem", saves=() if index_tensor is None else (index_tensor,))
        return result._share_version_of(self) if basic else result  # basic indexing gives a view

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
# Helpers and free functions.

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


# ---------------------------------------------------------------------------
# Saved tensors: what an op's backward will read, and the version it must find.

def _record_saved(out, saves, saves_output):
    """One (tensor, version, snapshot) per saved tensor; None stands for the output itself.

    The snapshot is a copy of the data, kept only under detect_anomaly(): it is
    how a raw numpy write (``x.data[0] = 5``), which no counter can see, is caught.
    """
    copying = _anomaly_mode.enabled
    saved = [(tensor, tensor._version[0], (tensor._data, tensor._data.copy()) if copying else None)
             for tensor in saves]
    if saves_output:
        saved.append((None, 0, (out._data, out._data.copy()) if copying else None))
    return tuple(saved)


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


# What max(dim)/min(dim) return, like torch.return_types.max: ``values, indices = x.max(1)``.
ExtremeResult = namedtuple("ExtremeResult", ["values", "indices"])


def _to_tensor(value, dtype):
    """Wrap a Python number or array as a constant; numbers take the tensor's dtype.

    PyTorch's promotion for a Python number: it never widens the tensor's
    dtype within a category (float32 + 0.1 stays float32), but a float number
    with an int or bool tensor gives the default float (int * 0.5 -> float32),
    and an int number with a bool tensor gives int64.
    """
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, np.bool_)):
        return Tensor(np.asarray(value, dtype=dtype))
    if isinstance(value, (int, float)):
        kind = np.dtype(dtype).kind
        if isinstance(value, float) and kind in "biu":
            dtype = DEFAULT_FLOAT
        elif kind == "b":
            dtype = np.int64
        return Tensor(np.asarray(value, dtype=dtype))
    return Tensor(value)


def _result_dtype(a, b, true_division=False):
    """PyTorch's promotion between two tensors.

    Tensors with dimensions decide the dtype; a 0-d tensor joins in only if it
    is of a higher category (bool < int < float < complex), so float32 (N,) with
    a float64 0-d tensor stays float32, while float32 (N,) with float64 (N,)
    gives float64. True division of integers gives the default float.
    """
    categories = "biufc"
    rank = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}
    da, db = a._data.dtype, b._data.dtype
    if (a.ndim == 0) != (b.ndim == 0):
        dimensioned, scalar = (da, db) if b.ndim == 0 else (db, da)
        if rank[scalar.kind] > rank[dimensioned.kind]:
            result = np.dtype(DEFAULT_FLOAT) if scalar.kind == "f" else np.result_type(dimensioned, scalar)
        else:
            result = dimensioned
    else:
        result = np.result_type(da, db)
    if true_division and result.kind in "biu":
        result = np.dtype(DEFAULT_FLOAT)
    assert result.kind in categories
    return result


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


def _is_basic_index(index):
    """True for ints, slices, None and Ellipsis only (numpy's 'basic' indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        (isinstance(part, (int, np.integer)) and not isinstance(part, (bool, np.bool_)))
        or isinstance(part, slice) or part is None or part is Ellipsis
        for part in parts
    )


def _broadcasting(op, numpy_fn, a, b, true_division=False):
    """Apply a numpy binary op in the promoted dtype, naming both shapes if they do not broadcast."""
    dtype = _result_dtype(a, b, true_division)
    try:
        return numpy_fn(a._data.astype(dtype, copy=False), b._data.astype(dtype, copy=False))
    except ValueError:
        raise ValueError(f"{op}: cannot broadcast shapes {a.shape} and {b.shape}") from None


def _refuse_empty_reduction(op, shape, axis):
    """max/min/argmax of nothing is undefined: say so instead of numpy's 'zero-size array' message."""
    axes = range(len(shape)) if axis is None else ((axis,) if isinstance(axis, (int, np.integer)) else axis)
    if any(-len(shape) <= a < len(shape) and shape[a] == 0 for a in axes):  # a bad axis: numpy names it
        raise ValueError(f"{op}() of an empty tensor (shape {shape}, dim={axis}): "
                         "expected at least one element to compare, got 0")


def _restore_axes(reduced, shape, axis, keepdims):
    """Give a reduced array back its reduced axes as size-1 axes, ready to broadcast."""
    if keepdims or axis is None:
        return np.reshape(reduced, [1] * len(shape)) if axis is None else reduced
    axes = (axis,) if isinstance(axis, int) else axis
    return np.expand_dims(reduced, tuple(a % len(shape) for a in axes))


def stable_sigmoid(x):
    """1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: e^-|x| <= 1 never overflows."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def matmul(a, b):
    """a @ b with numpy's rules: batched over leading axes; 1-D operands are promoted.

    grad_a = g @ b^T and grad_b = a^T @ g, on the last two axes.
    """
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and {b.shape}")
    a2 = a._data[None, :] if a.ndim == 1 else a._data
    b2 = b._data[:, None] if b.ndim == 1 else b._data
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not align: "
            f"{a2.shape[-1]} (last axis of the first) != {b2.shape[-2]} (second-to-last axis of the second)"
        )
    try:
        out2 = a2 @ b2
    except ValueError:
        raise ValueError(f"matmul: batch shapes of {a.shape} and {b.shape} do not broadcast") from None
    out = out2
    if a.ndim == 1:
        out = out.squeeze(-2)
    if b.ndim == 1:
        out = out.squeeze(-1)

    def backward(g):
        g2 = g.reshape(out2.shape)
        grad_a = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    return Tensor._make(out, (a, b), backward, "matmul", saves=(a, b))


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


def where(condition, a, b):
    """Pick from a where condition holds, else from b (condition is a constant)."""
    condition_tensor = condition if isinstance(condition, Tensor) else None
    condition = condition._data if condition_tensor is not None else np.asarray(condition)
    if condition.dtype != np.bool_:
        # a 0/1 int or float mask: ~1 is -2 bitwise, so it must become a boolean first
        if not np.all((condition == 0) | (condition == 1)):
            raise ValueError(f"where: expected a boolean condition (or 0/1 values), got dtype {condition.dtype} "
                             "with values other than 0 and 1")
        condition = condition.astype(bool)
    a = _to_tensor(a, DEFAULT_FLOAT)
    b = _to_tensor(b, a.dtype)
    out = np.where(condition, a._data, b._data)
    saves = (condition_tensor,) if condition_tensor is not None and condition is condition_tensor._data else ()
    return Tensor._make(out, (a, b), lambda g: (g * condition, g * ~condition), "where", saves=saves)


def _as_tensor(x):
    """The free functions also take arrays (old tutorials write torch.max(outputs.data, 1))."""
    return x if isinstance(x, Tensor) else Tensor(x)


def flatten(x, start_dim=0, end_dim=-1):
    """torch.flatten(x, start_dim=1): keep the batch dim, merge the rest."""
    return _as_tensor(x).flatten(start_dim, end_dim)


def permute(x, *dims):
    return _as_tensor(x).permute(*dims)


def max(x, dim=None, keepdim=None):  # noqa: A001 (torch.max's name, on purpose)
    """torch.max(outputs, 1) -> (values, indices); torch.max(x) -> the 0-d largest entry."""
    return _as_tensor(x).max(dim, keepdim)


def min(x, dim=None, keepdim=None):  # noqa: A001
    return _as_tensor(x).min(dim, keepdim)


def argmax(x, dim=None, keepdim=None):
    return _as_tensor(x).argmax(dim, keepdim)


def argmin(x, dim=None, keepdim=None):
    return _as_tensor(x).argmin(dim, keepdim)


def tensor(data, requires_grad=False, dtype=None):
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, dtype=DEFAULT_FLOAT, requires_grad=False):
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=DEFAULT_FLOAT, requires_grad=False):
    shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)
