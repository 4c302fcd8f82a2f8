"""Every Tensor op against central differences (float64, every element).

Inputs are drawn by hypothesis with shapes that broadcast against each other
and, on purpose, as non-contiguous views (transposed or strided slices), since
a backward pass that assumes C-contiguous memory is a classic bug.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu import gradcheck
from tinygrad_edu import functional as F
from tinygrad_edu.engine.tensor import unbroadcast

settings.register_profile("fast", max_examples=25, deadline=None)
settings.load_profile("fast")


def _array(seed, shape, layout, low=-2.0, high=2.0):
    """A float64 array of ``shape``: contiguous, a transposed view, or a strided slice."""
    rng = np.random.default_rng(seed)
    if layout == "transposed" and len(shape) >= 2:
        return rng.uniform(low, high, size=shape[::-1]).T
    if layout == "strided":
        big = rng.uniform(low, high, size=tuple(2 * n for n in shape))
        return big[tuple(slice(None, None, 2) for _ in shape)]
    return np.asarray(rng.uniform(low, high, size=shape), dtype=np.float64)


def leaf(seed, shape, layout="contiguous", low=-2.0, high=2.0):
    return Tensor(_array(seed, shape, layout, low, high), requires_grad=True)


layouts = st.sampled_from(["contiguous", "transposed", "strided"])
seeds = st.integers(0, 2**16)
small_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: the second drops leading axes and sets some to 1."""
    shape = draw(small_shapes)
    keep = draw(st.integers(0, len(shape)))
    other = [1 if draw(st.booleans()) else n for n in shape[len(shape) - keep:]]
    if draw(st.booleans()):
        return shape, tuple(other)
    return tuple(other), shape


def test_layout_helper_really_makes_non_contiguous_inputs():
    assert not _array(0, (3, 4), "transposed").flags.c_contiguous
    assert not _array(0, (3, 4), "strided").flags.c_contiguous


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@given(shapes=broadcast_pair(), seed=seeds, layout=layouts)
def test_binary_arithmetic_with_broadcasting(op, shapes, seed, layout):
    a = leaf(seed, shapes[0], layout)
    b = leaf(seed + 1, shapes[1], "contiguous", 0.5, 2.0)  # away from 0 for division
    fn = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y,
          "mul": lambda x, y: x * y, "div": lambda x, y: x / y}[op]
    assert gradcheck(fn, a, b)


@given(shapes=broadcast_pair(), seed=seeds, layout=layouts)
def test_pow_with_tensor_base_and_exponent(shapes, seed, layout):
    base = leaf(seed, shapes[0], layout, 0.5, 2.0)
    exponent = leaf(seed + 1, shapes[1], "contiguous", -1.5, 1.5)
    assert gradcheck(lambda x, p: x ** p, base, exponent)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.0])
def test_pow_with_number_exponent(exponent):
    assert gradcheck(lambda x: x ** exponent, leaf(0, (3, 4), "transposed", 0.5, 2.0))


def test_reflected_operators_with_numbers_and_arrays():
    a = leaf(0, (2, 3), low=0.5)
    assert gradcheck(lambda x: 2.0 - x + 3.0 * x - 1.0 / x + 2.0 ** x + np.ones(3) * x, a)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "relu", "sigmoid", "tanh", "neg"])
@given(shape=small_shapes, seed=seeds, layout=layouts)
def test_unary_elementwise(name, shape, seed, layout):
    positive_only = name in ("log", "sqrt")
    low, high = (0.3, 2.0) if positive_only else (-2.0, 2.0)
    x = leaf(seed, shape, layout, low, high)
    # keep |x| away from the kinks of abs and relu, where the derivative does not exist
    x.data[np.abs(x.data) < 1e-3] = 0.5
    fn = (lambda t: -t) if name == "neg" else (lambda t: getattr(t, name)())
    assert gradcheck(fn, x)


def test_clip_passes_gradient_only_inside_the_range():
    x = Tensor(np.array([-2.0, -0.5, 0.3, 1.7]), requires_grad=True)
    assert gradcheck(lambda t: t.clip(-1.0, 1.0), x)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 0.0])


@given(shape=small_shapes, seed=seeds, layout=layouts, keepdims=st.booleans(), data=st.data())
def test_reductions_over_any_axis(shape, seed, layout, keepdims, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    x = leaf(seed, shape, layout)
    assert gradcheck(lambda t: t.sum(axis=axis, keepdims=keepdims), x)
    assert gradcheck(lambda t: t.mean(axis=axis, keepdims=keepdims), x)
    assert gradcheck(lambda t: t.max(axis=axis, keepdims=keepdims), x)
    assert gradcheck(lambda t: t.min(axis=axis, keepdims=keepdims), x)


def test_reductions_over_a_tuple_of_axes():
    x = leaf(3, (2, 3, 4), "strided")
    assert gradcheck(lambda t: t.sum(axis=(0, 2)), x)
    assert gradcheck(lambda t: t.mean(axis=(0, 2), keepdims=True), x)
    assert gradcheck(lambda t: t.max(axis=(1, 2)), x)


def test_max_splits_the_gradient_between_ties_like_torch_amax():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [0.0, -1.0, 2.0]]), requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])


@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    form = draw(st.sampled_from(["matrix", "batched", "broadcast_batch", "vector_left", "vector_right", "dot"]))
    return {"matrix": ((n, k), (k, m)), "batched": (batch + (n, k), batch + (k, m)),
            "broadcast_batch": (batch + (n, k), (k, m)), "vector_left": ((k,), batch + (k, m)),
            "vector_right": (batch + (n, k), (k,)), "dot": ((k,), (k,))}[form]


@given(shapes=matmul_shapes(), seed=seeds, layout=layouts)
def test_matmul_plain_batched_and_vector(shapes, seed, layout):
    a = leaf(seed, shapes[0], layout)
    b = leaf(seed + 1, shapes[1], layout)
    np.testing.assert_allclose((a @ b).data, a.data @ b.data)
    assert gradcheck(lambda x, y: x @ y, a, b)


@given(shape=small_shapes, seed=seeds, layout=layouts)
def test_reshape_transpose_and_T(shape, seed, layout):
    x = leaf(seed, shape, layout)
    assert gradcheck(lambda t: t.reshape(-1), x)
    assert gradcheck(lambda t: t.transpose(), x)
    assert gradcheck(lambda t: t.T * 2.0, x)
    axes = tuple(np.random.default_rng(seed).permutation(len(shape)))
    assert gradcheck(lambda t: t.transpose(*axes), x)


def test_flatten_squeeze_unsqueeze():
    x = leaf(1, (2, 1, 3), "transposed")
    assert gradcheck(lambda t: t.flatten(1), x)
    assert gradcheck(lambda t: t.squeeze(1), x)
    assert gradcheck(lambda t: t.unsqueeze(0), x)


@pytest.mark.parametrize("index", [
    (slice(None), 1),
    (slice(1, None, 2),),
    (Ellipsis, -1),
    (None, slice(None), 1),
    (2, -1),
    (np.array([0, 2, 2, 1]),),                     # repeated integer indices add up
    (np.array([0, 1, 1]), np.array([3, 0, 0])),     # paired integer arrays
    (slice(None), np.array([[0, 1], [3, 3]])),
    (np.array([True, False, True]),),
])
def test_basic_and_integer_array_indexing(index):
    x = leaf(5, (3, 4), "transposed")
    np.testing.assert_array_equal(x[index].data, x.data[index])
    assert gradcheck(lambda t: t[index], x)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_stack(axis):
    a, b, c = leaf(1, (2, 3), "transposed"), leaf(2, (2, 3)), leaf(3, (2, 3), "strided")
    assert gradcheck(lambda x, y, z: tg.concatenate([x, y, z], axis=axis), a, b, c)
    assert gradcheck(lambda x, y, z: tg.stack([x, y, z], axis=axis), a, b, c)


def test_where_routes_gradients_by_condition():
    a, b = leaf(1, (3, 4)), leaf(2, (4,))
    condition = np.random.default_rng(0).random((3, 4)) > 0.5
    assert gradcheck(lambda x, y: tg.where(condition, x, y), a, b)


def test_astype_roundtrip_keeps_the_gradient():
    x = leaf(0, (3,))
    assert gradcheck(lambda t: t.astype(np.float32).astype(np.float64) * 1.0, x, eps=1e-2, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_and_log_softmax(axis):
    x = leaf(4, (3, 5), "transposed", -5, 5)
    assert gradcheck(lambda t: F.softmax(t, axis=axis), x)
    assert gradcheck(lambda t: F.log_softmax(t, axis=axis), x)


def test_losses():
    logits = leaf(1, (6, 4), "strided")
    labels = np.array([0, 3, 1, 1, 2, 0])
    assert gradcheck(lambda t: F.cross_entropy(t, labels), logits)
    assert gradcheck(lambda t: F.cross_entropy(t, labels, reduction="sum"), logits)
    targets = leaf(2, (6, 4), low=0.0, high=1.0)
    assert gradcheck(lambda t, y: F.binary_cross_entropy_with_logits(t, y), logits, targets)
    assert gradcheck(lambda t, y: F.mse_loss(t, y), logits, targets)


def test_dropout_gradient_uses_the_same_mask():
    x = leaf(0, (4, 5))
    generator_seed = 7
    assert gradcheck(lambda t: F.dropout(t, 0.3, generator=np.random.default_rng(generator_seed)), x)


@given(shapes=broadcast_pair(), seed=seeds)
def test_unbroadcast_equals_the_sum_a_broadcast_copy_implies(shapes, seed):
    out_shape = np.broadcast_shapes(*shapes)
    for shape in shapes:
        grad = np.random.default_rng(seed).normal(size=out_shape)
        reduced = unbroadcast(grad, shape)
        assert reduced.shape == shape
        # <grad, broadcast(v)> == <unbroadcast(grad), v> for every v: the adjoint identity
        v = np.random.default_rng(seed + 1).normal(size=shape)
        np.testing.assert_allclose(np.sum(grad * np.broadcast_to(v, out_shape)), np.sum(reduced * v))


def test_the_gradient_of_a_transposed_weight_comes_back_in_the_weights_own_layout():
    """x @ W.T (Linear): W's gradient is C-ordered like W, so the optimizer's pass over it is not strided."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((5, 4)), requires_grad=True)
    weight = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    g = rng.standard_normal((5, 3))
    (x @ weight.T).backward(g)
    assert weight.grad.flags.c_contiguous
    np.testing.assert_allclose(weight.grad, g.T @ x.data, rtol=1e-13)
    np.testing.assert_allclose(x.grad, g @ weight.data, rtol=1e-13)
