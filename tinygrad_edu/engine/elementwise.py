"""Elementwise ops: y[i] = f(a[i], b[i]), so each local derivative is elementwise too.

For y = a * b every output element depends on one element of a and one of
b, so the Jacobian is diagonal and the chain rule needs no matrix at all:

    grad_a = g * b        grad_b = g * a        (g = dL/dy, same shape as y)

Two operands of different shapes are first broadcast to a common shape,
(3, 1) * (4,) -> (3, 4), and their dtypes promoted as in PyTorch (a 0-d
tensor or a Python number never widens a tensor's dtype within its
category). The gradients then come back in the broadcast shape; Tensor's
``_backward`` un-broadcasts them (tensor.py), so the rules below never have to.

An op whose backward reads an input (mul, log, relu) or its own output
(exp, tanh) says so with ``saves=`` / ``saves_output=``: that is what the
version counter checks (inplace.py, after the ops).
Read next: tinygrad_edu/engine/matmul.py (the matrix product and its two gradients).
"""
import numpy as np

from .tensor import DEFAULT_FLOAT, Tensor, _data_of, as_tensor, tensor_method


# -- binary arithmetic (broadcasting) ---------------------------------------------

@tensor_method("__add__", "__radd__")
def add(a, b):
    b = as_tensor(b, next_to=a.dtype)
    data = _broadcasting("add", np.add, a, b)
    return Tensor._make(data, (a, b), lambda g: (g, g), "add")


@tensor_method("__sub__")
def sub(a, b):
    b = as_tensor(b, next_to=a.dtype)
    data = _broadcasting("sub", np.subtract, a, b)
    return Tensor._make(data, (a, b), lambda g: (g, -g), "sub")


@tensor_method("__mul__", "__rmul__")
def mul(a, b):
    b = as_tensor(b, next_to=a.dtype)
    a_data, b_data = a._data, b._data
    data = _broadcasting("mul", np.multiply, a, b)
    return Tensor._make(data, (a, b), lambda g: (g * b_data, g * a_data), "mul", saves=(a, b))


@tensor_method("__truediv__")
def div(a, b):
    b = as_tensor(b, next_to=a.dtype)
    a_data, b_data = a._data, b._data
    data = _broadcasting("div", np.divide, a, b, true_division=True)
    return Tensor._make(data, (a, b), lambda g: (g / b_data, -g * a_data / (b_data * b_data)), "div",
                        saves=(a, b))


@tensor_method("__pow__")
def pow(base, exponent):  # noqa: A001 (the operator's name, as torch.pow)
    """x ** p: d/dx = p * x**(p-1); d/dp = x**p * log(x) (only if p is a Tensor)."""
    if not isinstance(exponent, Tensor):
        p = exponent
        x = base._data
        if isinstance(p, float) and x.dtype.kind in "biu":
            x = x.astype(DEFAULT_FLOAT)  # int ** 0.5 is a float tensor, as in PyTorch
        data = x ** p
        return Tensor._make(data, (base,), lambda g: (g * p * x ** (p - 1),), "pow", saves=(base,))
    x, p = base._data, exponent._data
    data = _broadcasting("pow", np.power, base, exponent)

    def backward(g):
        grad_base = g * p * x ** (p - 1)
        grad_exponent = g * data * np.log(np.where(x > 0, x, 1)) if exponent.requires_grad else None
        return grad_base, grad_exponent

    return Tensor._make(data, (base, exponent), backward, "pow", saves=(base, exponent), saves_output=True)


@tensor_method("__neg__")
def neg(x):
    return Tensor._make(-x._data, (x,), lambda g: (-g,), "neg")


# A number on the left (2 - x, 1 / x, 2 ** x) arrives as x.__rsub__(2): wrap it, keep the order.
@tensor_method("__rsub__")
def _reflected_sub(x, number):
    return sub(as_tensor(number, next_to=x.dtype), x)


@tensor_method("__rtruediv__")
def _reflected_div(x, number):
    return div(as_tensor(number, next_to=x.dtype), x)


@tensor_method("__rpow__")
def _reflected_pow(x, base):
    return pow(as_tensor(base, next_to=x.dtype), x)


# -- unary functions ------------------------------------------------------------

@tensor_method("exp")
def exp(x):
    out = np.exp(x._data)
    return Tensor._make(out, (x,), lambda g: (g * out,), "exp", saves_output=True)


@tensor_method("log")
def log(x):
    data = x._data
    return Tensor._make(np.log(data), (x,), lambda g: (g / data,), "log", saves=(x,))


@tensor_method("sqrt")
def sqrt(x):
    out = np.sqrt(x._data)
    return Tensor._make(out, (x,), lambda g: (g / (2 * out),), "sqrt", saves_output=True)


@tensor_method("abs")
def abs(x):  # noqa: A001 (the method's name)
    data = x._data
    return Tensor._make(np.abs(data), (x,), lambda g: (g * np.sign(data),), "abs", saves=(x,))


@tensor_method("clip")
def clip(x, low=None, high=None):
    """Clamp to [low, high]; the gradient passes only where x was inside."""
    data = x._data
    out = np.clip(data, low, high)
    inside = np.ones(data.shape, dtype=bool)
    if low is not None:
        inside &= data >= low
    if high is not None:
        inside &= data <= high
    return Tensor._make(out, (x,), lambda g: (g * inside,), "clip")


@tensor_method("relu")
def relu(x):
    data = x._data
    # a float mask multiplies faster than a bool one, which numpy must cast element by element
    return Tensor._make(np.maximum(data, 0), (x,), lambda g: (g * (data > 0).astype(g.dtype),), "relu",
                        saves=(x,))


@tensor_method("sigmoid")
def sigmoid(x):
    """sigma(x) = 1 / (1 + e^-x), computed from e^-|x| so it never overflows."""
    out = stable_sigmoid(x._data)
    return Tensor._make(out, (x,), lambda g: (g * out * (1 - out),), "sigmoid", saves_output=True)


@tensor_method("tanh")
def tanh(x):
    out = np.tanh(x._data)
    return Tensor._make(out, (x,), lambda g: (g * (1 - out * out),), "tanh", saves_output=True)


def stable_sigmoid(x):
    """1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: e^-|x| <= 1 never overflows."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


# -- comparisons: constant boolean tensors (no gradient flows through a comparison) --

@tensor_method("__eq__")
def equal(a, b):
    return Tensor(np.equal(a._data, _data_of(b)))


@tensor_method("__ne__")
def not_equal(a, b):
    return Tensor(np.not_equal(a._data, _data_of(b)))


@tensor_method("__lt__")
def less(a, b):
    return Tensor(a._data < _data_of(b))


@tensor_method("__le__")
def less_equal(a, b):
    return Tensor(a._data <= _data_of(b))


@tensor_method("__gt__")
def greater(a, b):
    return Tensor(a._data > _data_of(b))


@tensor_method("__ge__")
def greater_equal(a, b):
    return Tensor(a._data >= _data_of(b))


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
    a = as_tensor(a, next_to=DEFAULT_FLOAT)
    b = as_tensor(b, next_to=a.dtype)
    out = np.where(condition, a._data, b._data)
    saves = (condition_tensor,) if condition_tensor is not None and condition is condition_tensor._data else ()
    return Tensor._make(out, (a, b), lambda g: (g * condition, g * ~condition), "where", saves=saves)


# -- broadcasting and dtype promotion, shared by the binary ops above ------------------

def _broadcasting(op, numpy_fn, a, b, true_division=False):
    """Apply a numpy binary op in the promoted dtype, naming both shapes if they do not broadcast."""
    dtype = _result_dtype(a, b, true_division)
    try:
        return numpy_fn(a._data.astype(dtype, copy=False), b._data.astype(dtype, copy=False))
    except ValueError:
        raise ValueError(f"{op}: cannot broadcast shapes {a.shape} and {b.shape}") from None


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
