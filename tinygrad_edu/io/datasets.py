"""Real data, when you have it: MNIST IDX files, an IMDb-style review folder, GloVe vectors.

Nothing here downloads anything. Each loader reads files you already have and
checks them as it goes, so a truncated download fails with a message instead
of a strange shape three layers later.

    IDX (MNIST): 4 magic bytes (0, 0, type code, number of axes), one big-endian
        int32 per axis, then the values in C order.
    Review folder (IMDb): <root>/<split>/pos/*.txt and <root>/<split>/neg/*.txt.
    GloVe: one word per line followed by its vector, separated by spaces (a first
        line "count dimension", word2vec's text header, is skipped).

Text becomes integer sequences the Keras way: a ``Vocabulary`` of the most
frequent words (index 0 is padding, 1 is out-of-vocabulary), then
``pad_sequences`` to a fixed length for an Embedding layer.

Read next: tinygrad_edu/conv/reference.py.
"""
import codecs
import collections
import gzip
import math
import os
import re
import zlib

import numpy as np

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_IDX_TYPE_NAMES = ", ".join(f"0x{code:02X} ({np.dtype(t).name})" for code, t in _IDX_TYPES.items())
_IDX_MAX_AXES = 32           # numpy 1.x's limit; real IDX files have 1 to 4 axes
_IDX_MAX_AXIS = 2**31 - 1    # the format stores each size as a big-endian int32
_READ_CHUNK = 1 << 24        # read the body 16 MiB at a time, so a lying header cannot ask for 10^19 bytes


def _open_maybe_gzip(path):
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def _read_at_most(handle, num_bytes):
    """Up to `num_bytes` from `handle`, fewer only at the end of the file (memory grows with the file, not the ask)."""
    data = bytearray()
    while len(data) < num_bytes:
        chunk = handle.read(min(_READ_CHUNK, num_bytes - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _count_rest(handle):
    count = 0
    while chunk := handle.read(_READ_CHUNK):
        count += len(chunk)
    return count


def _idx_magic(path, magic):
    """The value type and number of axes from the 4 magic bytes 00 00 <type> <ndim>."""
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0:
        raise ValueError(f"{path}: not an IDX file (expected magic bytes 00 00 <type> <ndim>, "
                         f"got {magic.hex(' ') or 'an empty file'})")
    if magic[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{magic[2]:02X} in the third magic byte; "
                         f"expected one of {_IDX_TYPE_NAMES}")
    if not 1 <= magic[3] <= _IDX_MAX_AXES:
        raise ValueError(f"{path}: IDX header declares {magic[3]} axes; expected 1 to {_IDX_MAX_AXES}")
    return np.dtype(_IDX_TYPES[magic[2]]), magic[3]


def _idx_shape(path, sizes, n_axes):
    header_size = 4 + 4 * n_axes
    if len(sizes) < 4 * n_axes:
        raise ValueError(f"{path}: IDX header is truncated ({4 + len(sizes)} bytes, expected at least {header_size})")
    shape = tuple(int(n) for n in np.frombuffer(sizes, ">u4", count=n_axes))
    for axis, size in enumerate(shape):
        if size > _IDX_MAX_AXIS:
            raise ValueError(f"{path}: IDX header gives axis {axis} the size {size}, more than the format's "
                             f"int32 maximum {_IDX_MAX_AXIS} (a corrupt header?); shape read: {shape}")
    return shape


def _read_idx_values(path, handle):
    dtype, n_axes = _idx_magic(path, handle.read(4))
    shape = _idx_shape(path, handle.read(4 * n_axes), n_axes)
    header_size = 4 + 4 * n_axes
    expected = math.prod(shape) * dtype.itemsize     # Python ints: no overflow, however large the header's promise
    body = _read_at_most(handle, expected)
    extra = _count_rest(handle)
    if len(body) != expected or extra:
        found = len(body) + extra
        problem = (f"{expected - found} bytes shorter than its header promises (truncated download?)"
                   if found < expected else f"{found - expected} bytes longer than its header promises")
        raise ValueError(f"{path}: IDX body has {found} bytes, but shape {shape} of {dtype.name} needs {expected} "
                         f"after the {header_size}-byte header; the file is {problem}")
    return np.frombuffer(body, dtype).reshape(shape)


def read_idx(path):
    """Read one IDX file (optionally gzipped) into an ndarray of its declared type and shape.

    The header is checked before the body is read: magic bytes, type code, number
    of axes, sizes; then the body must hold exactly prod(shape) values.
    """
    try:
        with _open_maybe_gzip(path) as handle:
            values = _read_idx_values(path, handle)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"{path}: the gzip stream is damaged or cut short ({error}); "
                         "expected a complete .gz of an IDX file") from None
    return values.astype(values.dtype.newbyteorder("="))


def _find(folder, stem):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(f"{folder}: no file named {stem} (or {stem}.gz); expected the MNIST IDX files there")


def _check_mnist_file(path, values, kind, ndim, layout):
    name = os.path.basename(path)
    if values.dtype != np.uint8:
        raise ValueError(f"load_mnist: expected {kind} of type uint8 (IDX type code 0x08) in {name}, "
                         f"got {values.dtype}; MNIST stores bytes 0..255")
    if values.ndim != ndim:
        raise ValueError(f"load_mnist: expected {kind} {layout} in {name}, got shape {values.shape}")


def load_mnist(folder, split="train"):
    """MNIST from its four IDX files: images (N, 1, 28, 28) float32 in [0, 1], labels (N,) int64."""
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got '{split}'")
    images_path = _find(folder, f"{prefix}-images-idx3-ubyte")
    labels_path = _find(folder, f"{prefix}-labels-idx1-ubyte")
    images, labels = read_idx(images_path), read_idx(labels_path)
    _check_mnist_file(images_path, images, "images", 3, "(N, H, W)")
    _check_mnist_file(labels_path, labels, "labels", 1, "(N,)")
    if len(images) != len(labels):
        raise ValueError(f"load_mnist: expected as many labels as images, got {len(images)} images in "
                         f"{os.path.basename(images_path)} and {len(labels)} labels in {os.path.basename(labels_path)}")
    if labels.size and labels.max() > 9:
        raise ValueError(f"load_mnist: expected digit labels 0..9, got {int(labels.max())} "
                         f"(at index {int(labels.argmax())} of {prefix}-labels-idx1-ubyte)")
    return (images[:, None, :, :] / 255.0).astype(np.float32), labels.astype(np.int64)


def _check_encoding(encoding):
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ValueError(f"encoding must name a Python text codec such as 'utf-8' or 'latin-1', "
                         f"got {encoding!r}") from None


def _undecodable(path, raw, encoding, error, first_line=1):
    """The ValueError for bytes of `raw` that are not `encoding`: file, line number, byte within the line."""
    line_number = first_line + raw.count(b"\n", 0, error.start)
    line_start = raw.rfind(b"\n", 0, error.start) + 1
    return ValueError(f"{path}:{line_number}: not valid {encoding} ({error.reason} at byte "
                      f"{error.start - line_start} of the line: {raw[error.start:error.end]!r}); "
                      "pass encoding= to name the file's encoding")


def _read_text(path, encoding):
    try:
        with open(path, encoding=encoding) as handle:
            return handle.read()
    except UnicodeDecodeError:
        # the text reader decodes in chunks, so its error offsets are not the file's: decode the bytes again
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise _undecodable(path, raw, encoding, error) from None
        raise


def load_review_folder(root, split="train", encoding="utf-8"):
    """Texts and 0/1 labels (1 = pos) from <root>/<split>/{pos,neg}/*.txt, in sorted file order."""
    _check_encoding(encoding)
    texts, labels = [], []
    for label, polarity in ((0, "neg"), (1, "pos")):
        folder = os.path.join(root, split, polarity)
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"load_review_folder: missing folder {folder} (expected <root>/<split>/pos and neg)")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt"):
                texts.append(_read_text(os.path.join(folder, name), encoding))
                labels.append(label)
    return texts, np.array(labels, dtype=np.int64)


def tokenize(text):
    """Lower-case words; HTML line breaks (as in IMDb reviews) count as spaces."""
    if not isinstance(text, str):
        hint = "; decode bytes first, e.g. text.decode('utf-8')" if isinstance(text, (bytes, bytearray)) else ""
        shown = repr(text)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise TypeError(f"tokenize expected a str (one text), got {type(text).__name__} {shown}{hint}")
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


_WORD2VEC_HEADER = re.compile(r"\d+ \d+")  # "400000 100": word2vec's text format starts with count and dimension


def _header_dimension(path, parts):
    dim = int(parts[1])
    if dim < 1:
        raise ValueError(f"{path}:1: the header line '{parts[0]} {parts[1]}' (vector count and dimension) "
                         f"gives dimension {dim}; expected at least 1")
    return dim


def load_glove(path, vocabulary, encoding="utf-8"):
    """An embedding matrix (len(vocabulary), dim): GloVe rows for known words, zeros elsewhere.

    Returns the matrix and the number of vocabulary words found in the file.
    A first line of two integers, word2vec's "count dimension" header, is
    skipped, and every vector must then have that dimension.
    Use it with ``nn.Embedding.from_pretrained(matrix, freeze=True)``.
    """
    _check_encoding(encoding)
    matrix, dim, dim_source, found, seen = None, None, "", 0, {}
    with open(path, "rb") as handle:
        for line_number, raw_line in enumerate(handle, start=1):
            try:
                line = raw_line.decode(encoding)
            except UnicodeDecodeError as error:
                raise _undecodable(path, raw_line, encoding, error, first_line=line_number) from None
            parts = line.rstrip().split(" ")
            if len(parts) < 2:
                continue
            if line_number == 1 and _WORD2VEC_HEADER.fullmatch(line.strip()):
                dim, dim_source = _header_dimension(path, line.split()), " (the header on line 1 says so)"
                continue
            if matrix is None:
                dim = dim or len(parts) - 1
                matrix = np.zeros((len(vocabulary), dim), dtype=np.float32)
            if len(parts) - 1 != dim:
                raise ValueError(f"{path}:{line_number}: vector has {len(parts) - 1} values, expected {dim}{dim_source}")
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
