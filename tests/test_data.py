"""Real-data loaders, tested on small files that the tests write themselves."""
import gzip
import struct

import numpy as np
import pytest

from tinygrad_edu.data import (Vocabulary, load_glove, load_mnist, load_review_folder, pad_sequences,
                               read_idx)


def write_idx(path, array, type_code, compress=False):
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    body = array.astype(array.dtype.newbyteorder(">")).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as handle:
        handle.write(header + body)


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_idx_files_load_as_nchw_floats(tmp_path, compress):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=5).astype(np.uint8)
    suffix = ".gz" if compress else ""
    write_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}", images, 0x08, compress)
    write_idx(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", labels, 0x08, compress)
    x, y = load_mnist(tmp_path, "test")
    assert x.shape == (5, 1, 28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 0] * 255, images)
    np.testing.assert_array_equal(y, labels)


def test_idx_of_big_endian_floats(tmp_path):
    values = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    write_idx(tmp_path / "f.idx", values, 0x0D)
    np.testing.assert_array_equal(read_idx(tmp_path / "f.idx"), values)


def test_truncated_and_foreign_idx_files_are_named(tmp_path):
    write_idx(tmp_path / "cut", np.zeros((4, 3), np.uint8), 0x08)
    data = (tmp_path / "cut").read_bytes()
    (tmp_path / "cut").write_bytes(data[:-2])
    with pytest.raises(ValueError, match=r"IDX body has 10 bytes, but shape \(4, 3\) of uint8 needs 12"):
        read_idx(tmp_path / "cut")
    (tmp_path / "text").write_text("hello world")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "text")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path, "train")


def test_review_folder_and_vocabulary(tmp_path):
    reviews = {"pos": ["A great, great film.", "Loved it<br />great"], "neg": ["Awful film", "boring and awful"]}
    for polarity, texts in reviews.items():
        (tmp_path / "train" / polarity).mkdir(parents=True)
        for i, text in enumerate(texts):
            (tmp_path / "train" / polarity / f"{i}_7.txt").write_text(text)
    texts, labels = load_review_folder(tmp_path, "train")
    assert labels.tolist() == [0, 0, 1, 1] and texts[2] == "A great, great film."
    vocab = Vocabulary(texts, max_words=5)
    assert vocab.words[:5] == ["<pad>", "<unk>", "great", "awful", "film"]
    assert vocab.encode("great unknown film") == [2, 1, 4]
    assert vocab.decode([0, 2, 4]) == "great film"
    with pytest.raises(FileNotFoundError, match="expected <root>/<split>/pos and neg"):
        load_review_folder(tmp_path, "test")


def test_pad_sequences_matches_keras_defaults():
    sequences = [[1, 2, 3, 4], [5], []]
    np.testing.assert_array_equal(pad_sequences(sequences, 3), [[2, 3, 4], [0, 0, 5], [0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(sequences, 3, padding="post", truncating="post"),
                                  [[1, 2, 3], [5, 0, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="must be 'pre' or 'post'"):
        pad_sequences(sequences, 3, padding="middle")


def test_glove_vectors_fill_known_rows_and_check_dimensions(tmp_path):
    vocab = Vocabulary(["good good bad"], max_words=10)
    (tmp_path / "glove.txt").write_text("good 0.1 0.2 0.3\nother 1 1 1\nbad -0.5 0 0.5\n")
    matrix, found = load_glove(tmp_path / "glove.txt", vocab)
    assert matrix.shape == (4, 3) and found == 2
    np.testing.assert_allclose(matrix[vocab.index["good"]], [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(matrix[0], 0.0)
    (tmp_path / "bad.txt").write_text("good 0.1 0.2 0.3\nbad 1 2\n")
    with pytest.raises(ValueError, match=r"bad.txt:2: vector has 2 values, expected 3"):
        load_glove(tmp_path / "bad.txt", vocab)
