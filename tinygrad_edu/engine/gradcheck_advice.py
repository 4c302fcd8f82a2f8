"""gradcheck's advice: when float32 rounding can explain a failed check, say what to convert.

Central differences need float64 on the whole path from the inputs to the
output. A function that closes over a float32 layer rounds every value to
~1e-7 (or raises on the float64/float32 clash) and fails for no fault of its
backward. So before gradcheck.py gives a verdict, it asks here:

    first_low_precision_op   which op after the checked inputs computes below float64?
    low_precision_error      a TypeError naming that op and the float32 layer or tensor
    dtype_clash_error        the same advice when fn's first call raised on the clash

A setup error, not a wrong gradient. What fn closes over is read from the
function object: its closure cells (``fn.__code__.co_freevars`` with
``fn.__closure__``) and the globals its code names (``co_names`` in
``fn.__globals__``); a bound method or a Module is its own object.
Read next: tinygrad_edu/engine/rng.py (the seeded generator the rest of the book draws from).
"""
import numpy as np

from .autograd import topological_order
from .tensor import Tensor


def first_low_precision_op(objective, checked_inputs):
    """The first op between the checked inputs and the output that computes below float64, or None."""
    depends = {id(tensor) for tensor in checked_inputs}
    for node in topological_order(objective):  # parents come before the nodes that use them
        if not any(id(parent) in depends for parent in node._parents):
            continue
        depends.add(id(node))
        if node.dtype.kind in "fc" and node.dtype.itemsize < (8 if node.dtype.kind == "f" else 16):
            return node
    return None


def dtype_clash_error(fn, error):
    """gradcheck's TypeError for a dtype clash inside fn's first call, or None to re-raise ``error``."""
    low = _low_precision_closure(fn)
    # only a dtype clash (the layer's error names both dtypes) becomes gradcheck's advice
    message = str(error)
    if low and "float64" in message and ("float32" in message or "float16" in message):
        return TypeError(f"gradcheck needs float64 throughout, but {low}")
    return None


def low_precision_error(fn, node, problem):
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
