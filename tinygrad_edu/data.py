"""Real data, when you have it: MNIST IDX files, an IMDb-style review folder, GloVe vectors.

Nothing here downloads anything. Each loader reads files you already have and
checks them as it goes, so a truncated download fails with a message instead
of a strange shape three layers later.

    IDX (MNIST): 4 magic bytes (0, 0, type code, number of axes), one big-endian
        int32 per axis, then the values in C order.
    Review folder (IMDb): <root>/<split>/pos/*.txt and <root>/<split>/neg/*.txt.
    GloVe: one word per line followed by its vector, separated by spaces.

Text becomes integer sequences the Keras way: a ``Vocabulary`` of the most
frequent words (index 0 is padding, 1 is out-of-vocabulary), then
``pad_sequences`` to a fixed length for an Embedding layer.

Read next: tinygrad_edu/distributions.py (sampling actions, for reinforcement learning).
"""
import collections
import gzip
import os
import re

import numpy as np

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _open_maybe_gzip(path):
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def read_idx(path):
    """Read one IDX file (optionally gzipped) into an ndarray of its declared type and shape."""
    with _open_maybe_gzip(path) as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (expected magic bytes 00 00 <type> <ndim>, got {raw[:4].hex(' ')})")
    n_axes = raw[3]
    header_size = 4 + 4 * n_axes
    if len(raw) < header_size:
        raise ValueError(f"{path}: IDX header is truncated ({len(raw)} bytes, expected at least {header_size})")
    shape = tuple(int(n) for n in np.frombuffer(raw, ">u4", count=n_axes, offset=4))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header_size != expected:
        raise ValueError(
            f"{path}: IDX body has {len(raw) - header_size} bytes, but shape {shape} of {dtype} needs {expected}"
        )
    values = np.frombuffer(raw, dtype, offset=header_size).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def _find(folder, stem):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(f"{folder}: no file named {stem} (or {stem}.gz); expected the MNIST IDX files there")


def load_mnist(folder, split="train"):
    """MNIST from its four IDX files: images (N, 1, 28, 28) float32 in [0, 1], labels (N,) int64."""
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got '{split}'")
    images = read_idx(_find(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(folder, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"load_mnist: expected images (N, H, W) and labels (N,), got {images.shape} and {labels.shape}"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"load_mnist: expected digit labels 0..9, got {int(labels.max())} "
                         f"(at index {int(labels.argmax())} of {prefix}-labels-idx1-ubyte)")
    return (images[:, None, :, :] / 255.0).astype(np.float32), labels.astype(np.int64)


def load_review_folder(root, split="train", encoding="utf-8"):
    """Texts and 0/1 labels (1 = pos) from <root>/<split>/{pos,neg}/*.txt, in sorted file order."""
    texts, labels = [], []
    for label, polarity in ((0, "neg"), (1, "pos")):
        folder = os.path.join(root, split, polarity)
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"load_review_folder: missing folder {folder} (expected <root>/<split>/pos and neg)")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt"):
                with open(os.path.join(folder, name), encoding=encoding) as handle:
                    texts.append(handle.read())
                labels.append(label)
    return texts, np.array(labels, dtype=np.int64)


def tokenize(text):
    """Lower-case words; HTML line breaks (as in IMDb reviews) count as spaces."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("<br />", " "))


class Vocabulary:
    """The ``max_words`` most frequent words get indices 2, 3, ...; 0 pads, 1 stands for unknown words."""

    PAD, UNKNOWN = 0, 1

    def __init__(self, texts, max_words=10000):
        counts = collections.Counter(word for text in texts for word in tokenize(text))
        ranked = sorted(counts, key=lambda word: (-counts[word], word))[: max(max_words - 2, 0)]
        self.index = {word: i + 2 for i, word in enumerate(ranked)}
        self.words = ["<pad>", "<unk>"] + ranked

    def __len__(self):
        return len(self.words)

    def encode(self, text):
        return [self.index.get(word, self.UNKNOWN) for word in tokenize(text)]

    def decode(self, indices):
        unknown = [i for i in indices if not 0 <= i < len(self.words)]
        if unknown:
            raise IndexError(f"Vocabulary.decode: expected indices in 0..{len(self.words) - 1}, got {unknown[:5]}")
        return " ".join(self.words[i] for i in indices if i != self.PAD)


def pad_sequences(sequences, maxlen, padding="pre", truncating="pre", value=0):
    """Keras' pad_sequences: a (N, maxlen) int64 array, cut and padded at the front by default."""
    if padding not in ("pre", "post") or truncating not in ("pre", "post"):
        raise ValueError(f"padding and truncating must be 'pre' or 'post', got '{padding}' and '{truncating}'")
    if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences expected maxlen to be an integer >= 0, got {maxlen!r}")
    out = np.full((len(sequences), maxlen), value, dtype=np.int64)
    if maxlen == 0:
        return out  # (N, 0), as Keras; list[-0:] would keep everything
    for row, sequence in enumerate(sequences):
        kept = list(sequence)[-maxlen:] if truncating == "pre" else list(sequence)[:maxlen]
        if not kept:
            continue
        if padding == "pre":
            out[row, maxlen - len(kept):] = kept
        else:
            out[row, :len(kept)] = kept
    return out


def load_glove(path, vocabulary, encoding="utf-8"):
    """An embedding matrix (len(vocabulary), dim): GloVe rows for known words, zeros elsewhere.

    Returns the matrix and the number of vocabulary words found in the file.
    Use it with ``nn.Embedding.from_pretrained(matrix, freeze=True)``.
    """
    matrix, dim, found, seen = None, None, 0, {}
    with open(path, "rb") as handle:
        for line_number, raw_line in enumerate(handle, start=1):
            try:
                line = raw_line.decode(encoding)
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}:{line_number}: not valid {encoding} ({error.reason} at byte {error.start}); "
                                 "pass encoding= to name the file's encoding") from None
            parts = line.rstrip().split(" ")
            if len(parts) < 2:
                continue
            if dim is None:
                dim = len(parts) - 1
                matrix = np.zeros((len(vocabulary), dim), dtype=np.float32)
            if len(parts) - 1 != dim:
                raise ValueError(f"{path}:{line_number}: vector has {len(parts) - 1} values, expected {dim}")
            row = vocabulary.index.get(parts[0])
            if row is not None:
                if parts[0] in seen:
                    raise ValueError(f"{path}:{line_number}: the word '{parts[0]}' appears again "
                                     f"(first on line {seen[parts[0]]}); expected each word once")
                seen[parts[0]] = line_number
                try:
                    vector = np.array(parts[1:], dtype=np.float32)
                except ValueError:
                    raise ValueError(f"{path}:{line_number}: the vector for '{parts[0]}' is not all numbers") from None
                if not np.all(np.isfinite(vector)):
                    raise ValueError(f"{path}:{line_number}: the vector for '{parts[0]}' holds NaN or inf; "
                                     "expected finite numbers")
                matrix[row] = vector
                found += 1
    if matrix is None:
        raise ValueError(f"{path}: no vectors found (expected lines of 'word v1 v2 ...')")
    return matrix, found
