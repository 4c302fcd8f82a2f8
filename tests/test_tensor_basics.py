"""Tensor construction, dtypes, and the errors a student will meet first."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor


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


def test_the_table_in_tensor_py_lists_every_op_in_the_order_its_file_defines_them():
    """An op added without its row (forward and local derivative) in the table fails here."""
    import inspect
    import re
    import sys

    table = sys.modules["tinygrad_edu.engine.tensor"].__doc__.split("local derivative\n")[1].split("Broadcasting")[0]
    sections, current = {}, None
    for line in table.splitlines():
        header = re.match(r"^  (tensor\w*)\.py", line)
        if header:
            current = sections.setdefault(header.group(1), [])
        elif current is not None and line.strip():
            names_column = re.split(r"\s{2,}", line.strip())[0]  # the column before the forward
            current.extend(re.findall(r"[A-Za-z_]+", names_column))
    assert list(sections) == ["tensor", "tensor_elementwise", "tensor_matmul", "tensor_reductions",
                              "tensor_shape", "tensor_versions"]
    attached = {id(value) for value in vars(Tensor).values()}
    MODULE_OF_SECTION = {"tensor": "tinygrad_edu.engine.tensor", "tensor_elementwise": "tinygrad_edu.engine.elementwise",
                         "tensor_matmul": "tinygrad_edu.engine.matmul", "tensor_reductions": "tinygrad_edu.engine.reductions",
                         "tensor_shape": "tinygrad_edu.engine.shape", "tensor_versions": "tinygrad_edu.engine.inplace"}
    for file_name, words in sections.items():
        module = sys.modules[MODULE_OF_SECTION[file_name]]
        functions = [f for name, f in vars(module).items() if inspect.isfunction(f) and not name.startswith("_")
                     and f.__module__ == module.__name__]
        ops = [f for f in functions if id(f) in attached or "_make" in f.__code__.co_names]
        if file_name == "tensor":
            ops = [Tensor.astype]  # the core's one op; the rest of tensor.py is the object itself
        ops.sort(key=lambda f: f.__code__.co_firstlineno)
        missing = [f.__name__ for f in ops if f.__name__ not in words]
        assert not missing, f"{file_name}.py defines ops the table does not list: {missing}"
        positions = [words.index(f.__name__) for f in ops]
        assert positions == sorted(positions), f"the table lists {file_name}.py's ops out of order"


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
