"""gradcheck: test a backward pass against the definition of the derivative.

For a function f and every single input element x_i, the central difference

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

has error O(eps^2). In float64 with eps = 1e-6 it agrees with a correct
analytic gradient to about 1e-8, so any real mistake stands out.

A function with a tensor output is reduced to a scalar first, L = sum(f(x) * R)
with a fixed random R, so that every output element takes part (a plain sum
would hide a backward that mixes up output positions).

Unlike a spot check of one random element, every element of every input is
checked, and the report names the input and index that disagree.

Float64 is needed on the whole path from the inputs to the output, not only
at the inputs: a function that closes over a float32 layer rounds every
value to ~1e-7 and fails for no fault of the backward. So a failed check
whose graph computes in float32 somewhere is reported as a TypeError that
names that op (and the float32 layer the function closes over), not as a
wrong gradient. The layer's parameters keep the ``.grad`` they had:
checking a function must not train it.
Read next: tinygrad_edu/engine/rng.py.
"""
import numpy as np

from .autograd import no_grad, topological_order
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with central differences."""


def _as_float64_input(value):
    """Inputs must be float64 tensors; the array is used as is (views stay non-contiguous)."""
    if not isinstance(value, Tensor):
        return value
    if value.dtype != np.float64:
        raise TypeError(
            f"gradcheck needs float64 inputs (float32 rounding swamps the finite differences), "
            f"got {value.dtype}; convert with .double() or dtype=np.float64"
        )
    return Tensor(value.data, requires_grad=value.requires_grad)


def _scalar_objective(fn, inputs, weights):
    """fn's output itself if it has one element, else sum(output * weights)."""
    out = fn(*inputs)
    return out if weights is None else (out * Tensor(weights)).sum()


def _first_call(fn, inputs):
    """fn(*inputs) once, without a graph; a dtype clash inside fn gets gradcheck's advice."""
    try:
        with no_grad():
            out = fn(*inputs)
    except TypeError as error:
        low = _low_precision_closure(fn)
        # only a dtype clash (the layer's error names both dtypes) becomes gradcheck's advice
        message = str(error)
        if low and "float64" in message and ("float32" in message or "float16" in message):
            raise TypeError(f"gradcheck needs float64 throughout, but {low}") from error
        raise
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck expected fn to return a Tensor, got {type(out).__name__}")
    return out


def _first_low_precision_op(objective, checked_inputs):
    """The first op between the checked inputs and the output that computes below float64, or None."""
    depends = {id(tensor) for tensor in checked_inputs}
    for node in topological_order(objective):  # parents come before the nodes that use them
        if not any(id(parent) in depends for parent in node._parents):
            continue
        depends.add(id(node))
        if node.dtype.kind in "fc" and node.dtype.itemsize < (8 if node.dtype.kind == "f" else 16):
            return node
    return None


def _low_precision_error(fn, node, problem):
    """A failed comparison that float32 rounding alone can explain: a setup error, not a verdict."""
    low = _low_precision_closure(fn)
    return TypeError(
        f"gradcheck needs float64 throughout, but op '{node._op}' on the path from the inputs computes in "
        f"{node.dtype}, whose rounding alone can explain this failure ({problem}); "
        + (low if low else "convert the function's constants and layers with .double()")
    )


def _low_precision_closure(fn):
    """'the function's 'layer' (Linear) has float32 parameters: call layer.double()', or ''."""
    from ..nn.module import Module  # nn imports tensor, as this module does: import it late

    for name, value in _captured(fn):
        if isinstance(value, Module):
            dtypes = sorted({str(p.dtype) for p in value.parameters() if p.dtype != np.float64})
            kind, listed = type(value).__name__, ", ".join(dtypes)
            if dtypes and name is None:
                return f"the function, a {kind}, has {listed} parameters: call .double() on it"
            if dtypes:
                return f"the function's '{name}' ({kind}) has {listed} parameters: call {name}.double()"
        elif isinstance(value, Tensor) and value.dtype.kind == "f" and value.dtype != np.float64:
            return f"the function's tensor '{name}' is {value.dtype}: use {name}.double()"
    return ""


def _captured(fn):
    """(name, object) for what fn can reach: its closure cells and globals (name None: fn's own object)."""
    if not hasattr(fn, "__code__"):
        target = getattr(fn, "__self__", fn)  # a bound method, or a callable object such as a Module
        return [(None, target)]
    code = fn.__code__
    cells = zip(code.co_freevars, fn.__closure__ or ())
    captured = [(name, cell.cell_contents) for name, cell in cells if _cell_is_set(cell)]
    captured += [(name, fn.__globals__[name]) for name in code.co_names if name in fn.__globals__]
    return captured


def _cell_is_set(cell):
    try:
        cell.cell_contents
    except ValueError:  # a closure variable not assigned yet
        return False
    return True


def _backward_keeping_other_grads(objective, inputs):
    """objective.backward(), restoring ``.grad`` of every leaf that is not a checked input."""
    inputs_by_id = {id(value) for value in inputs}
    others = [node for node in topological_order(objective)
              if not node._parents and node.requires_grad and id(node) not in inputs_by_id]
    kept = [node.grad for node in others]
    try:
        objective.backward()
    finally:
        for node, grad in zip(others, kept):
            node.grad = grad


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-6, rtol=1e-4, seed=0, raise_exception=True):
    """Check d fn / d input for every input tensor with ``requires_grad=True``.

    Returns True when every element agrees within ``atol + rtol * |numerical|``.
    Otherwise raises GradcheckError naming the input, the index, both values
    and the relative error (or returns False if ``raise_exception=False``).
    """
    inputs = [_as_float64_input(value) for value in inputs]
    checked = [i for i, value in enumerate(inputs) if isinstance(value, Tensor) and value.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")

    probe = _first_call(fn, inputs)
    weights = np.random.default_rng(seed).standard_normal(probe.shape) if probe.numel() > 1 else None

    objective = _scalar_objective(fn, inputs, weights)
    low_precision_op = None
    if objective.requires_grad:  # if not, no input reaches the output: every analytic gradient is 0
        low_precision_op = _first_low_precision_op(objective, [inputs[i] for i in checked])
        _backward_keeping_other_grads(objective, inputs)
    for position in checked:
        analytic = inputs[position].grad
        if analytic is None:
            analytic = np.zeros(inputs[position].shape)
        problem = _compare_with_central_differences(fn, inputs, weights, position, analytic, eps, atol, rtol)
        if problem and low_precision_op is not None:
            raise _low_precision_error(fn, low_precision_op, problem)
        if problem:
            if raise_exception:
                raise GradcheckError(problem)
            return False
    return True


def _compare_with_central_differences(fn, inputs, weights, position, analytic, eps, atol, rtol):
    data = inputs[position].data
    with no_grad():
        for index in np.ndindex(data.shape):
            original = data[index]
            data[index] = original + eps
            f_plus = _scalar_objective(fn, inputs, weights).item()
            data[index] = original - eps
            f_minus = _scalar_objective(fn, inputs, weights).item()
            data[index] = original
            numerical = (f_plus - f_minus) / (2 * eps)
            error = abs(analytic[index] - numerical)
            if not error <= atol + rtol * abs(numerical):
                relative = error / max(abs(numerical), 1e-12)
                return (
                    f"gradcheck: gradient of input {position} (shape {data.shape}) at index {index} is wrong: "
                    f"analytic {analytic[index]:.8g}, numerical {numerical:.8g}, relative error {relative:.3g}"
                )
    return None
