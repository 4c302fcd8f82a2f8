"""Tensor construction, dtypes, and the errors a student will meet first."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.engine.derivatives import DERIVATIVES


def test_python_floats_default_to_float32_and_numpy_keeps_its_dtype():
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64
    assert Tensor([1, 2]).dtype.kind == "i"
    assert Tensor(np.float64(3.0)).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64


def test_float64_flows_end_to_end_through_a_model():
    model = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.Tanh(), tg.nn.Linear(4, 2)).double()
    x = Tensor(np.ones((5, 3)))
    loss = tg.functional.cross_entropy(model(x), np.array([0, 1, 0, 1, 1]))
    loss.backward()
    assert loss.dtype == np.float64
    assert all(p.grad.dtype == np.float64 for p in model.parameters())


def test_float32_gradients_stay_float32_even_when_mixed_with_float64_constants():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (w * np.ones(3)).sum().backward()
    assert w.grad.dtype == np.float32


def test_interface_numpy_item_detach_repr():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 2
    assert isinstance(y.numpy(), np.ndarray)
    assert y.shape == (1, 2) and y.ndim == 2 and y.numel() == 2 and y.size() == (1, 2) and len(y) == 1
    assert (y.sum()).item() == 6.0
    d = y.detach()
    assert not d.requires_grad and d._parents == ()
    assert "requires_grad=True" in repr(y) and "op='mul'" in repr(y)


def test_numpy_array_on_the_left_uses_the_tensor_operator():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


def test_matmul_shape_mismatch_names_both_shapes():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) do not align: 4 .* != 5"):
        a @ b


def test_matmul_batch_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"batch shapes of \(2, 3, 4\) and \(3, 4, 5\) do not broadcast"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5)))


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_broadcast_mismatch_names_both_shapes(op):
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones((2, 4)))
    fn = {"add": a.__add__, "sub": a.__sub__, "mul": a.__mul__, "div": a.__truediv__}[op]
    with pytest.raises(ValueError, match=rf"{op}: cannot broadcast shapes \(3, 4\) and \(2, 4\)"):
        fn(b)


def test_backward_on_a_non_scalar_without_grad_explains_what_to_do():
    y = Tensor(np.ones((3, 4)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"needs grad= for a non-scalar tensor of shape \(3, 4\)"):
        y.backward()


def test_backward_with_an_explicit_gradient_of_the_right_shape():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    (x * 3).backward(np.full((2, 2), 2.0))
    np.testing.assert_allclose(x.grad, np.full((2, 2), 6.0))
    with pytest.raises(ValueError, match=r"grad has shape \(3,\), expected \(2, 2\)"):
        (x * 3).backward(np.ones(3))


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int64"):
        Tensor(np.array([1, 2], dtype=np.int64), requires_grad=True)


def test_reshape_and_transpose_errors_name_the_shapes():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4,\)"):
        x.reshape(4)
    with pytest.raises(ValueError, match=r"axes \(0, 0\) are not a permutation"):
        x.transpose(0, 0)


def test_concatenate_and_stack_errors_name_the_shapes():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"concatenate along axis 0: shapes \[\(2, 3\), \(2, 4\)\]"):
        tg.concatenate([a, b], axis=0)
    with pytest.raises(ValueError, match=r"stack: all shapes must be equal"):
        tg.stack([a, b])


def test_stable_sigmoid_and_softmax_at_extremes():
    x = Tensor(np.array([-1000.0, 0.0, 1000.0]), requires_grad=True)
    s = x.sigmoid()
    np.testing.assert_allclose(s.data, [0.0, 0.5, 1.0])
    s.sum().backward()
    assert np.all(np.isfinite(x.grad))
    big = Tensor(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.all(np.isfinite(tg.functional.softmax(big).data))
    np.testing.assert_allclose(tg.functional.log_softmax(big).data, [[0.0, -1000.0, -2000.0]])


def test_factories():
    assert tg.zeros(2, 3).shape == (2, 3) and tg.ones((4,)).dtype == np.float32
    assert tg.tensor([1.0], requires_grad=True).requires_grad


def test_comparisons_give_constant_boolean_tensors_usable_as_masks():
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    mask = x > 0
    assert mask.dtype == np.bool_ and not mask.requires_grad
    np.testing.assert_array_equal(mask.data, [False, False, True])
    np.testing.assert_array_equal((x <= Tensor(np.zeros(3))).data, [True, True, False])
    np.testing.assert_array_equal((x >= 0).data, [False, True, True])
    np.testing.assert_array_equal((x < 0).data, [True, False, False])
    tg.where(mask, x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_the_table_of_derivatives_lists_every_op_in_the_order_its_file_defines_them():
    """An op added without its row (forward and local derivative) in engine/derivatives.py fails here."""
    import inspect
    import sys

    assert list(DERIVATIVES) == ["tensor.py", "elementwise.py", "matmul.py", "reductions.py", "shape.py", "inplace.py"]
    attached = {id(value) for value in vars(Tensor).values()}
    for file_name, rows in DERIVATIVES.items():
        words = [name for row in rows for name in row[0].split(", ")]
        module = sys.modules["tinygrad_edu.engine." + file_name.removesuffix(".py")]
        functions = [f for name, f in vars(module).items() if inspect.isfunction(f) and not name.startswith("_")
                     and f.__module__ == module.__name__]
        ops = [f for f in functions if id(f) in attached or "_make" in f.__code__.co_names]
        if file_name == "tensor.py":
            ops = [Tensor.astype]  # the core's one op; the rest of tensor.py is the object itself
        ops.sort(key=lambda f: f.__code__.co_firstlineno)
        missing = [f.__name__ for f in ops if f.__name__ not in words]
        assert not missing, f"{file_name} defines ops the table does not list: {missing}"
        positions = [words.index(f.__name__) for f in ops]
        assert positions == sorted(positions), f"the table lists {file_name}'s ops out of order"


# How the test calls each op of the table on Tensors (the table's own variables are bound to them).
TENSOR_CALLS = {
    "astype": "x.astype(dtype)",
    "add": "a + b", "sub": "a - b", "mul": "a * b", "div": "a / b", "pow": "x ** p", "neg": "-x",
    "exp": "x.exp()", "log": "x.log()", "sqrt": "x.sqrt()", "abs": "x.abs()", "clip": "x.clip(lo, hi)",
    "relu": "x.relu()", "sigmoid": "x.sigmoid()", "tanh": "x.tanh()",
    "equal": "a == b", "not_equal": "a != b", "less": "a < b", "less_equal": "a <= b", "greater": "a > b",
    "greater_equal": "a >= b", "where": "tg.where(c, a, b)",
    "matmul": "a @ b",
    "sum": "x.sum(axis, keepdims=True)", "mean": "x.mean(axis, keepdims=True)",
    "amax": "x.amax(axis, keepdims=True)", "amin": "x.amin(axis, keepdims=True)",
    "max": "x.max(axis, keepdim=True)", "min": "x.min(axis, keepdim=True)",
    "argmax": "x.argmax(axis)", "argmin": "x.argmin(axis)", "all": "x.all()", "any": "x.any()",
    "reshape": "x.reshape(4, 6)", "view": "x.view(6, 4)", "flatten": "x.flatten()", "squeeze": "x.unsqueeze(1).squeeze(1)",
    "unsqueeze": "x.unsqueeze(1)", "transpose": "x.transpose(axes)", "permute": "x.permute(axes)",
    "getitem": "x[index]", "concatenate": "tg.concatenate([a, b], axis)", "stack": "tg.stack([a, b], axis)",
    "setitem": "x[index] = 1.0", "zero_": "x.zero_()", "fill_": "x.fill_(2.0)", "copy_": "x.copy_(a)",
    "__iadd__": "x += a", "__isub__": "x -= a", "__imul__": "x *= a", "__itruediv__": "x /= a",
}


IN_PLACE = {name for row in DERIVATIVES["inplace.py"] for name in row[0].split(", ")}


def _table_inputs(name, rng):
    """Random float64 values for the table's variables (x positive where log, sqrt or pow need it)."""
    x = rng.standard_normal((2, 3, 4))
    if name in ("pow", "log", "sqrt"):
        x = np.abs(x) + 0.5
    x[0, :, 0] = x[0, 0, 0]  # a three-way tie along axis 1, for amax, amin, max and min
    b = rng.standard_normal((2, 4, 5) if name == "matmul" else (2, 3, 4))
    return {"x": x, "a": rng.standard_normal((2, 3, 4)), "b": b, "p": rng.standard_normal((2, 3, 4)),
            "c": rng.random((2, 3, 4)) < 0.5, "lo": -0.5, "hi": 0.5, "axis": 1, "axes": (1, 2, 0),
            "index": (np.array([0, 1, 0]), np.array([2, 0, 2])), "dtype": np.float32}


def _as_tensors(values, requires_grad):
    return {key: Tensor(value.copy(), requires_grad=requires_grad) if isinstance(value, np.ndarray)
            and value.dtype == np.float64 else value for key, value in values.items()}


@pytest.mark.parametrize("row", [row for rows in DERIVATIVES.values() for row in rows], ids=lambda row: row[0])
def test_every_row_of_the_table_of_derivatives_is_what_the_op_computes(row):
    """Each row's forward and derivative, run as numpy code, agree with the op's forward and backward."""
    names, forward, derivative = row
    assert derivative.startswith(("grad_", "none")), f"{names}: a derivative is numpy code or 'none: ...'"
    rng = np.random.default_rng(0)
    for position, name in enumerate(names.split(", ")):
        values = _table_inputs(name, rng)
        if name in IN_PLACE:
            # an edit in place, under no_grad: no node, the same tensor, one more version
            tensors = _as_tensors(values, requires_grad=False)
            edited = tensors["x"]
            with tg.no_grad():
                exec(TENSOR_CALLS[name], {"tg": tg}, tensors)
            assert tensors["x"] is edited and edited._version[0] == 1 and not edited.requires_grad, name
            continue
        tensors = _as_tensors(values, requires_grad=True)
        result = eval(TENSOR_CALLS[name], {"tg": tg}, tensors)
        y_tensor, i_tensor = result if isinstance(result, tuple) else (result, None)
        stated = dict(values, np=np, shape=y_tensor.shape)
        exec(forward, stated)
        expected = stated["y"][position] if derivative.startswith("none") and "," in names else stated["y"]
        np.testing.assert_allclose(y_tensor.data, expected, rtol=1e-12, atol=0, err_msg=f"{name}: forward")
        if i_tensor is not None:
            np.testing.assert_array_equal(i_tensor.data, stated["i"], err_msg=f"{name}: indices")
        if derivative.startswith("none"):
            assert not y_tensor.requires_grad, f"{name}: the table says no gradient flows"
            continue
        stated["g"] = g = rng.standard_normal(y_tensor.shape).astype(y_tensor.dtype)
        y_tensor.backward(g)
        exec(derivative, stated)
        inputs = [key[len("grad_"):] for key in stated if key.startswith("grad_")]
        assert inputs, f"{name}: the derivative assigns no grad_<input>"
        for key in inputs:
            np.testing.assert_allclose(tensors[key].grad, stated["grad_" + key], rtol=1e-12, atol=1e-15,
                                       err_msg=f"{name}: grad_{key}")
        assert {key for key in tensors if getattr(tensors[key], "grad", None) is not None} == set(inputs), name


def test_as_tensor_is_the_one_wrapper_passes_tensors_through_and_promotes_numbers_like_pytorch():
    from tinygrad_edu.engine.tensor import as_tensor

    x = Tensor(np.ones(2, np.float32))
    assert as_tensor(x) is x and as_tensor(x, np.float64) is x  # an existing tensor is never converted
    assert as_tensor([1, 2], np.float64).dtype == np.float64  # a loss's targets take the logits' dtype
    assert as_tensor(np.ones(2)).dtype == np.float64  # arrays keep their dtype
    assert as_tensor(0.1, next_to=np.float32).dtype == np.float32
    assert as_tensor(0.5, next_to=np.int64).dtype == np.float32
    assert as_tensor(1, next_to=np.bool_).dtype == np.int64
    assert as_tensor(True, next_to=np.float64).dtype == np.float64
    assert as_tensor(np.ones(2), next_to=np.float32).dtype == np.float64  # next_to is for numbers only
