"""gradcheck: test a backward pass against the definition of the derivative.

For a function f and every single input element x_i, the central difference

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

has error O(eps^2). In float64 with eps = 1e-6 it agrees with a correct
analytic gradient to about 1e-8, so any real mistake stands out.

A function with a tensor output is reduced to a scalar first, L = sum(f(x) * R)
with a fixed random R, so that every output element takes part (a plain sum
would hide a backward that mixes up output positions). Unlike a spot check
of one random element, every element of every input is checked, and the
report names the input and index that disagree. Checking a function must not
train it: the parameters it closes over keep the ``.grad`` they had.

Float64 is needed on the whole path, not only at the inputs; when float32
rounding can explain a failure, gradcheck_advice.py says which op or layer to convert.
Read next: tinygrad_edu/engine/gradcheck_advice.py (why a check fails in float32).
"""
import numpy as np

from .autograd import no_grad, topological_order
from .gradcheck_advice import dtype_clash_error, first_low_precision_op, low_precision_error
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with central differences."""


def _as_float64_input(value):
    """Inputs must be float64 tensors; a leaf is checked as itself, the very object fn may also close over.

    A copy would share the array but not the identity: a layer's Parameter
    passed as an input as well would be perturbed through the shared array,
    yet its gradient would land on the layer's own object, never the copy.
    Only an input computed by an op (not a leaf) is cut from its graph.
    """
    if not isinstance(value, Tensor):
        return value
    if value.dtype != np.float64:
        raise TypeError(
            f"gradcheck needs float64 inputs (float32 rounding swamps the finite differences), "
            f"got {value.dtype}; convert with .double() or dtype=np.float64"
        )
    if value.is_leaf:
        return value
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
        advice = dtype_clash_error(fn, error)
        if advice is not None:
            raise advice from error
        raise
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck expected fn to return a Tensor, got {type(out).__name__}")
    return out


def _analytic_gradients(objective, inputs, checked):
    """d objective / d inputs[i] for each checked i; afterwards every leaf's ``.grad`` is what it was."""
    leaves = {id(node): node for node in topological_order(objective) if not node._parents and node.requires_grad}
    for i in checked:  # a checked input fn never used must read 0, not a .grad it had collected before
        leaves.setdefault(id(inputs[i]), inputs[i])
    leaves = list(leaves.values())
    kept = [node.grad for node in leaves]
    try:
        for node in leaves:
            node.grad = None  # each gradient starts from 0, whatever the leaf had collected
        objective.backward()
        return [_grad_or_zeros(inputs[i]) for i in checked]
    finally:
        for node, grad in zip(leaves, kept):
            node.grad = grad


def _grad_or_zeros(tensor):
    return tensor.grad if tensor.grad is not None else np.zeros(tensor.shape)


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
    analytic_grads = [np.zeros(inputs[i].shape) for i in checked]
    if objective.requires_grad:  # if not, no input reaches the output: every analytic gradient is 0
        low_precision_op = first_low_precision_op(objective, [inputs[i] for i in checked])
        analytic_grads = _analytic_gradients(objective, inputs, checked)
    for position, analytic in zip(checked, analytic_grads):
        problem = _compare_with_central_differences(fn, inputs, weights, position, analytic, eps, atol, rtol)
        if problem and low_precision_op is not None:
            raise low_precision_error(fn, low_precision_op, problem)
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
