"""Issue 12, sections 4 and 5: silent wrong answers become errors or right answers; errors at the door."""
import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, concatenate, where
from tinygrad_edu import gradcheck
from tinygrad_edu import nn, optim


@pytest.mark.parametrize("condition", [np.array([1, 0, 1]), np.array([1.0, 0.0, 1.0])])
def test_where_with_a_0_1_int_or_float_condition_picks_and_routes_gradients_like_a_boolean(condition):
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([4.0, 5.0, 6.0]), requires_grad=True)
    out = where(condition, a, b)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, np.where(condition.astype(bool), a.data, b.data))
    np.testing.assert_array_equal(a.grad, condition.astype(float))
    np.testing.assert_array_equal(b.grad, 1 - condition.astype(float))


def test_where_refuses_a_condition_that_is_not_0_1():
    with pytest.raises(ValueError, match="expected a boolean condition.*got dtype int64"):
        where(np.array([2, 0]), Tensor(np.ones(2)), Tensor(np.zeros(2)))


def test_where_gradients_match_central_differences():
    condition = np.array([[1, 0, 0], [0, 1, 1]])
    rng = np.random.default_rng(0)
    a, b = (Tensor(rng.standard_normal((2, 3)), requires_grad=True) for _ in range(2))
    assert gradcheck(lambda a, b: (where(condition, a, b) * where(condition, a, b)).sum(), a, b)


def test_no_gradient_flows_through_a_cast_to_integers():
    x = Tensor(np.array([1.5, 2.5]), requires_grad=True)
    assert not x.astype(np.int64).requires_grad
    assert x.astype(np.float32).requires_grad  # float to float keeps its gradient


def test_value_nan_stays_nan_through_relu_and_exp():
    assert math.isnan(Value(math.nan).relu().data)
    assert math.isnan(Value(math.nan).exp().data)
    assert Value(1000.0).exp().data == math.inf
    assert Value(-3.0).relu().data == 0.0


def test_value_refuses_text():
    with pytest.raises(TypeError, match="expected a real number.*got str '3'"):
        Value("3")


def test_value_division_by_zero_names_the_dividend():
    with pytest.raises(ZeroDivisionError, match="dividing 1 by zero"):
        Value(1) / Value(0)


def test_value_negative_base_to_a_fractional_power():
    with pytest.raises(ValueError, match=r"negative base \(-2\) to a fractional power \(0.5\)"):
        Value(-2.0) ** 0.5
    assert (Value(-2.0) ** 2).data == 4.0  # an integer power of a negative base is fine


def test_adam_refuses_eps_zero():
    with pytest.raises(ValueError, match="eps must be > 0.*got eps=0"):
        optim.Adam(nn.Linear(2, 1).parameters(), eps=0)


def test_optimizer_refuses_a_set_of_parameters():
    with pytest.raises(TypeError, match="got a set"):
        optim.SGD(set(nn.Linear(2, 1).parameters()), lr=0.1)


def test_mean_of_an_empty_tensor():
    with pytest.raises(ValueError, match=r"mean\(\) of an empty tensor \(shape \(0, 3\).*got 0"):
        Tensor(np.zeros((0, 3))).mean()


def test_concatenate_of_nothing():
    with pytest.raises(ValueError, match="expected a non-empty sequence of tensors, got an empty one"):
        concatenate([])


def test_len_of_a_0d_tensor():
    with pytest.raises(TypeError, match=r"0-d tensor.*got shape \(\)"):
        len(Tensor(3.0))


def test_linear_refuses_a_negative_size():
    with pytest.raises(ValueError, match="in_features to be an integer >= 0, got -1"):
        nn.Linear(-1, 3)


def test_linear_refuses_a_python_list():
    with pytest.raises(TypeError, match=r"Linear expected a Tensor of shape \(\.\.\., 2\), got list"):
        nn.Linear(2, 1)([[1.0, 2.0]])


def test_linear_refuses_a_string_tensor():
    # refused at the door, by Tensor itself, for every layer alike (test_tensor_basics has the others)
    with pytest.raises(TypeError, match=r"numeric dtype \(bool, int, float or complex\), got dtype <U1"):
        nn.Linear(2, 1)(Tensor(np.array([["a", "b"]])))


def test_embedding_refuses_a_fractional_size():
    with pytest.raises(TypeError, match="num_embeddings to be an integer, got 3.5"):
        nn.Embedding(3.5, 2)


def test_load_state_dict_refuses_none_and_tensors():
    layer = nn.Linear(2, 1)
    with pytest.raises(TypeError, match="expected a dict of name -> numpy array.*got NoneType"):
        layer.load_state_dict(None)
    with pytest.raises(TypeError, match=r"got Tensors for \['bias', 'weight'\]"):
        layer.load_state_dict(dict(layer.named_parameters()))


def _tiny_fit(x, y, **settings):
    from tinygrad_edu import fit, functional as F
    model = nn.Linear(2, 2)
    return fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), x, y, verbose=0, **settings)


@pytest.mark.parametrize("name, value", [("batch_size", 0), ("batch_size", 2.5), ("epochs", 0), ("epochs", "3")])
def test_fit_refuses_counts_that_are_not_positive_integers(name, value):
    with pytest.raises(ValueError, match=rf"{name} >= 1 \(an integer\), got {value!r}"):
        _tiny_fit(np.zeros((4, 2), np.float32), np.zeros(4, np.int64), **{name: value})


def test_fit_refuses_a_tensor_as_x():
    with pytest.raises(TypeError, match="expected numpy arrays for x and y.*got a Tensor"):
        _tiny_fit(Tensor(np.zeros((4, 2), np.float32)), np.zeros(4, np.int64))


def test_fit_checks_the_data_for_nan_once_before_training():
    x = np.zeros((4, 2), np.float32)
    x[1, 0] = np.nan
    with pytest.raises(ValueError, match="x holds 1 NaN or infinite values"):
        _tiny_fit(x, np.zeros(4, np.int64))


def test_fit_stops_naming_batch_and_epoch_when_the_loss_becomes_non_finite():
    from tinygrad_edu import fit
    model = nn.Linear(2, 1)
    calls = []

    def loss_fn(outputs, targets):  # finite for the first three batches, then infinite
        calls.append(1)
        loss = (outputs * 0).sum()
        return loss + (np.inf if len(calls) == 4 else 0.0)

    with pytest.raises(FloatingPointError, match="loss became inf at batch 2 of epoch 2"):
        fit(model, loss_fn, optim.SGD(model.parameters(), lr=0.1), np.ones((4, 2), np.float32),
            np.zeros(4, np.float32), epochs=3, batch_size=2, shuffle=False, verbose=0)


def test_fit_checks_validation_data_before_the_first_epoch():
    x, y = np.zeros((4, 2), np.float32), np.zeros(4, np.int64)
    with pytest.raises(ValueError, match=r"pair \(x_val, y_val\).*sample_weight.*got tuple of length 3"):
        _tiny_fit(x, y, validation_data=(x, y, np.ones(4)))
    with pytest.raises(ValueError, match="validation_data: 4 inputs but 3 targets"):
        _tiny_fit(x, y, validation_data=(x, y[:3]))


def test_predict_refuses_batch_size_zero_and_handles_an_empty_x():
    from tinygrad_edu import predict
    model = nn.Linear(2, 3)
    with pytest.raises(ValueError, match=r"batch_size >= 1 \(an integer\), got 0"):
        predict(model, np.zeros((4, 2), np.float32), batch_size=0)
    assert predict(model, np.zeros((0, 2), np.float32)).shape == (0, 3)


def _vocabulary():
    from tinygrad_edu.io.datasets import Vocabulary
    return Vocabulary(["good film", "bad film"])


@pytest.mark.parametrize("line, words", [("good nan 1.0", "holds NaN or inf"), ("good inf 1.0", "holds NaN or inf")])
def test_glove_refuses_non_finite_vectors(tmp_path, line, words):
    from tinygrad_edu.io.datasets import load_glove
    path = tmp_path / "glove.txt"
    path.write_text("film 0.5 0.5\n" + line + "\n")
    with pytest.raises(ValueError, match=f"glove.txt:2: the vector for 'good' {words}"):
        load_glove(path, _vocabulary())


def test_glove_refuses_a_duplicated_word(tmp_path):
    from tinygrad_edu.io.datasets import load_glove
    path = tmp_path / "glove.txt"
    path.write_text("film 0.5 0.5\ngood 1 2\nfilm 3 4\n")
    with pytest.raises(ValueError, match="glove.txt:3: the word 'film' appears again \\(first on line 1\\)"):
        load_glove(path, _vocabulary())


def test_glove_names_the_line_of_bytes_that_are_not_utf8(tmp_path):
    from tinygrad_edu.io.datasets import load_glove
    path = tmp_path / "glove.txt"
    path.write_bytes(b"film 0.5 0.5\ngo\xffod 1 2\n")
    with pytest.raises(ValueError, match="glove.txt:2: not valid utf-8"):
        load_glove(path, _vocabulary())


def test_vocabulary_decode_of_an_unknown_index():
    vocabulary = _vocabulary()
    with pytest.raises(IndexError, match=rf"expected indices in 0..{len(vocabulary) - 1}, got \[99\]"):
        vocabulary.decode([2, 99])


def test_pad_sequences_maxlen():
    from tinygrad_edu.io.datasets import pad_sequences
    with pytest.raises(ValueError, match="maxlen to be an integer >= 0, got -1"):
        pad_sequences([[1, 2]], maxlen=-1)
    assert pad_sequences([[1, 2], [3]], maxlen=0).shape == (2, 0)


def test_load_mnist_refuses_a_label_of_200(tmp_path):
    import struct
    from tinygrad_edu.io.datasets import load_mnist
    (tmp_path / "train-images-idx3-ubyte").write_bytes(struct.pack(">BBBBIII", 0, 0, 8, 3, 2, 2, 2) + bytes(8))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(struct.pack(">BBBBI", 0, 0, 8, 1, 2) + bytes([3, 200]))
    with pytest.raises(ValueError, match="expected digit labels 0..9, got 200 \\(at index 1"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("build, words", [
    (lambda augment: augment.RandomRotation(float("nan")), "RandomRotation expected degrees"),
    (lambda augment: augment.RandomRotation((0, float("inf"))), "RandomRotation expected degrees"),
    (lambda augment: augment.RandomTranslate(translate_px=float("inf")), "RandomTranslate"),
    (lambda augment: augment.GaussianNoise(std=float("nan")), "GaussianNoise expected std >= 0, got nan"),
])
def test_augment_refuses_nan_and_infinite_parameters_when_built(build, words):
    import augment
    with pytest.raises(ValueError, match=words):
        build(augment)
