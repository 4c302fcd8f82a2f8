"""Real-data loaders, tested on small files that the tests write themselves."""
import gzip
import struct

import numpy as np
import pytest

from tinygrad_edu.io.datasets import Vocabulary, load_glove, load_mnist, load_review_folder, pad_sequences, read_idx


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


# -- damaged files: each names the file and says what was expected and what came -----------------------------

def _idx_header(type_code, shape):
    return bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", n) for n in shape)


def test_a_file_shorter_than_its_header_promises_says_how_much_is_missing(tmp_path):
    (tmp_path / "short").write_bytes(_idx_header(0x0C, (3, 2)) + bytes(20))   # 6 int32 need 24 bytes
    with pytest.raises(ValueError, match=r"short: IDX body has 20 bytes, but shape \(3, 2\) of int32 needs 24 "
                                         r"after the 12-byte header; the file is 4 bytes shorter than its header"):
        read_idx(tmp_path / "short")


def test_a_file_longer_than_its_header_promises_is_refused(tmp_path):
    (tmp_path / "long").write_bytes(_idx_header(0x08, (2, 2)) + bytes(7))
    with pytest.raises(ValueError, match=r"long: IDX body has 7 bytes, but shape \(2, 2\) of uint8 needs 4 .*"
                                         r"3 bytes longer than its header promises"):
        read_idx(tmp_path / "long")


def test_a_header_whose_sizes_multiply_past_int64_fails_as_a_short_file_not_an_overflow(tmp_path):
    # (2^31 - 1)^3 bytes overflows int64; the message must give the exact promise, read from 12 bytes on disk
    huge = 2**31 - 1
    (tmp_path / "huge").write_bytes(_idx_header(0x08, (huge, huge, huge)) + bytes(12))
    with pytest.raises(ValueError, match=rf"huge: IDX body has 12 bytes, but shape \({huge}, {huge}, {huge}\) "
                                         rf"of uint8 needs {huge ** 3} .* shorter than its header promises"):
        read_idx(tmp_path / "huge")


def test_an_axis_size_beyond_the_formats_int32_is_refused_before_reading(tmp_path):
    (tmp_path / "neg").write_bytes(_idx_header(0x08, (2, 0xFFFFFFFF)) + bytes(8))
    with pytest.raises(ValueError, match=r"neg: IDX header gives axis 1 the size 4294967295, more than the "
                                         r"format's int32 maximum 2147483647"):
        read_idx(tmp_path / "neg")


@pytest.mark.parametrize("n_axes, words", [(0, "declares 0 axes; expected 1 to 32"),
                                           (200, "declares 200 axes; expected 1 to 32")])
def test_a_number_of_axes_numpy_cannot_hold_is_refused(tmp_path, n_axes, words):
    (tmp_path / "axes").write_bytes(bytes([0, 0, 0x08, n_axes]) + bytes(4 * n_axes + 4))
    with pytest.raises(ValueError, match=f"axes: IDX header {words}"):
        read_idx(tmp_path / "axes")


def test_a_wrong_magic_number_and_a_wrong_type_code_are_told_apart(tmp_path):
    (tmp_path / "magic").write_bytes(bytes([1, 0, 0x08, 1]) + struct.pack(">I", 1) + b"x")
    with pytest.raises(ValueError, match=r"magic: not an IDX file \(expected magic bytes 00 00 <type> <ndim>, "
                                         r"got 01 00 08 01\)"):
        read_idx(tmp_path / "magic")
    (tmp_path / "type").write_bytes(bytes([0, 0, 0x0A, 1]) + struct.pack(">I", 1) + b"x")
    with pytest.raises(ValueError, match=r"type: unknown IDX type code 0x0A in the third magic byte; expected "
                                         r"one of 0x08 \(uint8\), 0x09 \(int8\), 0x0B \(int16\)"):
        read_idx(tmp_path / "type")
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty: not an IDX file .*got an empty file"):
        read_idx(tmp_path / "empty")


def test_a_gzip_cut_short_is_named(tmp_path):
    write_idx(tmp_path / "cut.gz", np.arange(600, dtype=np.uint8).reshape(20, 30) % 251, 0x08, compress=True)
    data = (tmp_path / "cut.gz").read_bytes()
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut.gz: the gzip stream is damaged or cut short"):
        read_idx(tmp_path / "cut.gz")


def test_load_mnist_names_the_file_whose_type_or_count_is_wrong(tmp_path):
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((3, 2, 2), np.float32), 0x0D)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(3, np.uint8), 0x08)
    with pytest.raises(ValueError, match=r"expected images of type uint8 \(IDX type code 0x08\) in "
                                         r"t10k-images-idx3-ubyte, got float32"):
        load_mnist(tmp_path, "test")
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((3, 2, 2), np.uint8), 0x08)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(2, np.uint8), 0x08)
    with pytest.raises(ValueError, match=r"expected as many labels as images, got 3 images in "
                                         r"t10k-images-idx3-ubyte and 2 labels in t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path, "test")
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros((3, 1), np.uint8), 0x08)
    with pytest.raises(ValueError, match=r"expected labels \(N,\) in t10k-labels-idx1-ubyte, got shape \(3, 1\)"):
        load_mnist(tmp_path, "test")


def test_a_review_that_is_not_utf8_names_its_file_and_line(tmp_path):
    for polarity in ("pos", "neg"):
        (tmp_path / "train" / polarity).mkdir(parents=True)
        (tmp_path / "train" / polarity / "0_1.txt").write_text("fine\n")
    # the bad byte sits far past the first read chunk, on line 3000, at byte 4 of its line
    (tmp_path / "train" / "pos" / "1_9.txt").write_bytes(b"ok line\n" * 2999 + b"caf\xe9 au lait\n")
    with pytest.raises(ValueError, match=r"1_9.txt:3000: not valid utf-8 \(invalid continuation byte at "
                                         r"byte 3 of the line: b'\\xe9'\); pass encoding="):
        load_review_folder(tmp_path, "train")
    texts, _ = load_review_folder(tmp_path, "train", encoding="latin-1")
    assert texts[-1].endswith("café au lait\n")


def test_glove_and_reviews_report_bad_bytes_the_same_way(tmp_path):
    vocab = Vocabulary(["good bad"])
    (tmp_path / "glove.txt").write_bytes(b"good 1 2\nb\xffad 3 4\n")
    with pytest.raises(ValueError, match=r"glove.txt:2: not valid utf-8 \(invalid start byte at byte 1 of the "
                                         r"line: b'\\xff'\); pass encoding="):
        load_glove(tmp_path / "glove.txt", vocab)


@pytest.mark.parametrize("load", [lambda path: load_review_folder(path, encoding="utf-9"),
                                  lambda path: load_glove(path / "glove.txt", Vocabulary(["a"]), encoding="utf-9")])
def test_an_unknown_encoding_is_named_before_any_file_is_read(tmp_path, load):
    with pytest.raises(ValueError, match=r"encoding must name a Python text codec .* got 'utf-9'"):
        load(tmp_path)


# -- tokenize's input and word2vec's header line --------------------------------------------------------------

@pytest.mark.parametrize("text, got", [(None, r"got NoneType None$"), (3, r"got int 3$"),
                                       (b"good film", r"got bytes b'good film'; decode bytes first")])
def test_tokenize_refuses_what_is_not_text_naming_what_came(text, got):
    from tinygrad_edu.io.datasets import tokenize

    with pytest.raises(TypeError, match=r"^tokenize expected a str \(one text\), " + got):
        tokenize(text)
    with pytest.raises(TypeError, match=r"^tokenize expected a str"):
        Vocabulary(["good", text])


def test_a_word2vec_header_line_is_skipped_and_gives_the_dimension(tmp_path):
    vocab = Vocabulary(["good good bad"], max_words=10)
    (tmp_path / "vectors.txt").write_text("3 2\ngood 0.5 1\nother 1 1\nbad -2 0.25\n")
    matrix, found = load_glove(tmp_path / "vectors.txt", vocab)
    assert matrix.shape == (4, 2) and found == 2
    np.testing.assert_array_equal(matrix[[vocab.index["good"], vocab.index["bad"]]], [[0.5, 1.0], [-2.0, 0.25]])


def test_vectors_after_a_word2vec_header_must_have_its_dimension(tmp_path):
    vocab = Vocabulary(["good bad"], max_words=10)
    (tmp_path / "vectors.txt").write_text("2 3\ngood 0.5 1\nbad 1 2\n")
    with pytest.raises(ValueError, match=r"vectors.txt:2: vector has 2 values, expected 3 \(the header on line 1"):
        load_glove(tmp_path / "vectors.txt", vocab)
    (tmp_path / "zero.txt").write_text("2 0\ngood\n")
    with pytest.raises(ValueError, match=r"zero.txt:1: the header line '2 0' .* gives dimension 0; expected at least 1"):
        load_glove(tmp_path / "zero.txt", vocab)
    (tmp_path / "only.txt").write_text("400000 100\n")
    with pytest.raises(ValueError, match=r"only.txt: no vectors found"):
        load_glove(tmp_path / "only.txt", vocab)


def test_two_integers_after_the_first_line_are_still_a_word_and_its_vector(tmp_path):
    vocab = Vocabulary(["good 1990"], max_words=10)
    (tmp_path / "glove.txt").write_text("good 0.5 1\n1990 3\n")
    with pytest.raises(ValueError, match=r"glove.txt:2: vector has 1 values, expected 2$"):
        load_glove(tmp_path / "glove.txt", vocab)
    (tmp_path / "one.txt").write_text("good 0.5\n1990 3\n")  # a 1-d file: no header, no skipping
    matrix, found = load_glove(tmp_path / "one.txt", vocab)
    assert found == 2 and matrix[vocab.index["1990"], 0] == 3.0
