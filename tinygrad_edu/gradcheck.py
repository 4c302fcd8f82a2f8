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

Read next: tinygrad_edu/functional/activations.py (the first functions built on Tensor).
"""
import numpy as np

from .autograd import no_grad
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

    with no_grad():
        probe = fn(*inputs)
    weights = np.random.default_rng(seed).standard_normal(probe.shape) if probe.numel() > 1 else None

    _scalar_objective(fn, inputs, weights).backward()
    for position in checked:
        analytic = inputs[position].grad
        if analytic is None:
            analytic = np.zeros(inputs[position].shape)
        problem = _compare_with_central_differences(fn, inputs, weights, position, analytic, eps, atol, rtol)
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
