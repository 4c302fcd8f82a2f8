"""Embedding: lookup, scatter-add gradient, padding_idx, pretrained vectors, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.functional as F
from tinygrad_edu import nn
from tinygrad_edu.engine.gradcheck import gradcheck


@settings(max_examples=20, deadline=None)
@given(index_shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), vocab=st.integers(1, 6),
       dim=st.integers(1, 5), seed=st.integers(0, 99))
def test_forward_picks_rows_and_backward_counts_repeats(index_shape, vocab, dim, seed):
    rng = np.random.default_rng(seed)
    weight = tg.Tensor(rng.standard_normal((vocab, dim)), requires_grad=True)
    indices = rng.integers(0, vocab, size=index_shape)
    output = F.embedding(indices, weight)
    assert output.shape == tuple(index_shape) + (dim,)
    np.testing.assert_array_equal(output.data, weight.data[indices])
    grad_output = rng.standard_normal(output.shape)
    output.backward(grad_output)
    # Row k's gradient is the sum of the output gradients at the positions that chose k.
    for k in range(vocab):
        expected = grad_output[indices == k].sum(axis=0)
        np.testing.assert_allclose(weight.grad[k], expected, atol=1e-12)


def test_gradcheck_with_repeated_indices():
    rng = np.random.default_rng(0)
    weight = tg.Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    indices = np.array([[0, 2, 2], [4, 0, 0]])
    assert gradcheck(lambda w: F.embedding(indices, w), weight)


def test_padding_row_starts_at_zero_and_gets_no_gradient():
    tg.manual_seed(0)
    layer = nn.Embedding(6, 4, padding_idx=2)
    assert np.all(layer.weight.data[2] == 0)
    assert np.all(np.delete(layer.weight.data, 2, axis=0) != 0)
    output = layer(np.array([[2, 1, 2, 5]]))
    output.sum().backward()
    assert np.all(layer.weight.grad[2] == 0)
    assert np.all(layer.weight.grad[1] == 1) and np.all(layer.weight.grad[5] == 1)
    assert nn.Embedding(6, 4, padding_idx=-1).padding_idx == 5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_gradient_is_exactly_the_scatter_add_with_the_padding_row_zeroed(dtype, padding_idx):
    rng = np.random.default_rng(1)
    weight = tg.Tensor(rng.standard_normal((6, 4)).astype(dtype), requires_grad=True)
    indices = np.array([[2, 1, 2, 5, 1], [1, 1, 0, 2, 3]])
    grad_output = rng.standard_normal(indices.shape + (4,)).astype(dtype)
    grad_output[0, 0] = np.nan  # at a padding position: must not leak into the padding row
    F.embedding(indices, weight, padding_idx=padding_idx).backward(grad_output)
    expected = np.zeros((6, 4), dtype)
    np.add.at(expected, indices, grad_output)
    if padding_idx is not None:
        expected[padding_idx] = 0
    assert weight.grad.dtype == dtype
    np.testing.assert_array_equal(weight.grad, expected)


def test_init_is_standard_normal_float32():
    tg.manual_seed(1)
    weight = nn.Embedding(1000, 50).weight.data
    assert weight.dtype == np.float32
    assert abs(weight.mean()) < 0.02 and abs(weight.std() - 1) < 0.02


def test_from_pretrained_copies_and_freezes():
    vectors = np.arange(12, dtype=np.float64).reshape(4, 3)
    frozen = nn.Embedding.from_pretrained(vectors)
    np.testing.assert_array_equal(frozen(np.array([3, 0])).data, vectors[[3, 0]])
    assert not frozen.weight.requires_grad
    vectors[0, 0] = 99  # the layer holds its own copy
    assert frozen.weight.data[0, 0] == 0
    trainable = nn.Embedding.from_pretrained(vectors, freeze=False)
    trainable(np.array([1, 1])).sum().backward()
    np.testing.assert_array_equal(trainable.weight.grad[1], [2, 2, 2])
    with pytest.raises(ValueError, match=r"2-D array \(num_embeddings, embedding_dim\), got shape \(4,\)"):
        nn.Embedding.from_pretrained(np.zeros(4))


def test_matches_torch_including_padding():
    torch = pytest.importorskip("torch")
    ours = nn.Embedding(7, 3, padding_idx=0)
    theirs = torch.nn.Embedding(7, 3, padding_idx=0)
    theirs.load_state_dict({key: torch.from_numpy(value) for key, value in ours.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    indices = np.array([[0, 3, 3, 6], [1, 0, 2, 3]])
    grad = np.random.default_rng(2).standard_normal((2, 4, 3)).astype(np.float32)
    output = ours(indices)
    their_output = theirs(torch.from_numpy(indices))
    output.backward(grad)
    their_output.backward(torch.from_numpy(grad))
    np.testing.assert_array_equal(output.data, their_output.detach().numpy())
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-6)


def test_out_of_range_index_names_largest_index_and_num_embeddings():
    layer = nn.Embedding(10, 4)
    with pytest.raises(IndexError, match=r"largest index is 12 but num_embeddings is 10 \(valid indices are 0 \.\. 9\)"):
        layer(np.array([[1, 12], [10, 3]]))
    with pytest.raises(IndexError, match="smallest index is -1"):
        layer(np.array([0, -1]))


def test_non_integer_indices_are_rejected():
    layer = nn.Embedding(10, 4)
    with pytest.raises(TypeError, match="integer indices.*got dtype float32"):
        layer(tg.Tensor(np.array([1.0, 2.0], np.float32)))
    with pytest.raises(TypeError, match="got dtype bool"):
        layer(np.array([True, False]))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match=r"padding_idx must be within \[-5, 4\], got 5"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(ValueError, match="num_embeddings >= 1 and embedding_dim >= 1, got 0 and 3"):
        nn.Embedding(0, 3)
    assert repr(nn.Embedding(5, 2, padding_idx=0)) == "Embedding(5, 2, padding_idx=0)"
