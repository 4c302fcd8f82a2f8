"""Embedding: a lookup table, the first layer of every text model.

Words arrive as integer ids 0 .. num_embeddings - 1. An embedding layer owns a
weight matrix W of shape (num_embeddings, embedding_dim) and replaces each id
by its row:

    output[..., :] = W[index[...], :]

That is the same as multiplying a one-hot vector by W, without building the
one-hot vector. Backward is the matching scatter: each output gradient is
added to the row it came from, so a word used three times in a batch gets
three contributions:

    grad_W[k] = sum of grad_output[p] over the positions p where index[p] == k

Both are integer-array indexing, W[index] (engine/shape.py); this file adds the
checks of the ids and one rule: rows of ``padding_idx`` (the id used to pad
short sentences) get no gradient.
Read next: tinygrad_edu/functional/distributions.py.
"""
import numpy as np

from ..engine.tensor import Tensor


def check_indices(indices, num_embeddings):
    """Return ``indices`` as an integer ndarray, or raise naming what is wrong with it."""
    if isinstance(indices, Tensor):
        indices = indices.data
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(
            f"embedding expected integer indices (word ids), got dtype {indices.dtype}; "
            "convert them with .astype(np.int64)"
        )
    if indices.size == 0:
        return indices
    largest, smallest = int(indices.max()), int(indices.min())
    if largest >= num_embeddings:
        raise IndexError(
            f"embedding index out of range: the largest index is {largest} but num_embeddings "
            f"is {num_embeddings} (valid indices are 0 .. {num_embeddings - 1})"
        )
    if smallest < 0:
        raise IndexError(f"embedding index out of range: the smallest index is {smallest}; indices must be >= 0")
    return indices


def embedding(input, weight, padding_idx=None):
    """Rows of ``weight`` (V, D) picked by the integer array ``input``: shape input.shape + (D,)."""
    if weight.ndim != 2:
        raise ValueError(f"embedding expected a weight of shape (num_embeddings, embedding_dim), got {weight.shape}")
    num_embeddings = weight.shape[0]
    indices = check_indices(input, num_embeddings)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num_embeddings
    rows = weight[indices]  # integer-array indexing: its backward adds, so repeated ids all count
    if padding_idx is None:
        return rows
    at_padding = (indices == padding_idx)[..., None]
    # the padding rule: positions holding padding_idx pass no gradient back to its row
    return Tensor._make(rows.data, (rows,), lambda grad: (np.where(at_padding, 0, grad),), "embedding")
