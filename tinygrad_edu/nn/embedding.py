"""Embedding: a learnable lookup table from word ids to vectors.

``Embedding(num_embeddings, embedding_dim)`` holds a weight of shape
(num_embeddings, embedding_dim), initialised N(0, 1) as in PyTorch, and maps an
integer array of any shape to vectors: (N, T) ids -> (N, T, embedding_dim).
The lookup and its gradient are in functional/embedding.py.

``padding_idx`` names the id used to pad short sentences to a common length:
its row starts at zero and never receives a gradient, so padding stays
"nothing". ``Embedding.from_pretrained(vectors)`` starts from vectors learned
elsewhere (GloVe, word2vec), frozen by default.
Read next: tinygrad_edu/optim/optimizer.py.
"""
import numpy as np

from ..functional.embedding import embedding
from . import init
from .module import Module, Parameter


class Embedding(Module):
    """A learnable lookup table: each integer id is replaced by its row of the weight.

        output[..., :] = weight[input[...], :]

    the same as one_hot(input) @ weight without building the one-hot vectors.
    Backward adds each output gradient to the row it came from, so an id used
    three times in a batch gets three contributions.

    Args:
        num_embeddings: the number of ids (the vocabulary size); ids are
            0 .. num_embeddings - 1.
        embedding_dim: the length of each vector.
        padding_idx: the id used to pad short sequences; its row starts at zero
            and never receives a gradient. Negative values count from the end.
            Default: None.

    Shape:
        - Input: (*), integer ids of any shape.
        - Output: (*, embedding_dim).

    Attributes:
        weight: (num_embeddings, embedding_dim), drawn from N(0, 1).

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import nn
        >>> table = nn.Embedding(10, 3, padding_idx=0)
        >>> table(np.array([[1, 2, 4, 5], [4, 3, 2, 0]])).shape
        (2, 4, 3)
        >>> table.weight.data[0]                      # the padding row
        array([0., 0., 0.], dtype=float32)
        >>> glove = nn.Embedding.from_pretrained(np.eye(3, dtype=np.float32))   # frozen by default
        >>> glove(np.array([2])), glove.weight.requires_grad
        (Tensor([[0. 0. 1.]], dtype=float32), False)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, _weight=None):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"Embedding expected {name} to be an integer, got {value!r}")
        if num_embeddings < 1 or embedding_dim < 1:
            raise ValueError(
                f"Embedding needs num_embeddings >= 1 and embedding_dim >= 1, "
                f"got {num_embeddings} and {embedding_dim}"
            )
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding padding_idx must be within [-{num_embeddings}, {num_embeddings - 1}], got {padding_idx}"
                )
            padding_idx %= num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=np.float32))
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding holding a copy of ``embeddings`` (V, D); ``freeze`` turns off its gradient."""
        embeddings = np.asarray(getattr(embeddings, "data", embeddings))
        if embeddings.ndim != 2:
            raise ValueError(
                f"Embedding.from_pretrained expected a 2-D array (num_embeddings, embedding_dim), "
                f"got shape {embeddings.shape}"
            )
        if embeddings.dtype.kind != "f":
            embeddings = embeddings.astype(np.float32)
        layer = cls(embeddings.shape[0], embeddings.shape[1], padding_idx=padding_idx, _weight=embeddings)
        layer.weight.requires_grad_(not freeze)
        return layer

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        padding = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
