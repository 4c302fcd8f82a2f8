"""Inputs at the door: non-numeric data is refused by Tensor itself; empty batches flow through."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, nn

NOT_NUMBERS = [
    (np.array(["a", "b"]), "<U1", "strings"),
    (np.array([b"a"]), "|S1", "bytes"),
    (np.array([1, None], dtype=object), "object", "Python objects"),
    (np.zeros(2, dtype=[("a", "f4")]), r"\[\('a', '<f4'\)\]", "raw records"),
    (np.array(["2024-01-01"], dtype="datetime64[D]"), r"datetime64\[D\]", "datetimes"),
]


@pytest.mark.parametrize("data, dtype, kind", NOT_NUMBERS, ids=[kind for _, _, kind in NOT_NUMBERS])
def test_tensor_refuses_data_that_is_not_numbers(data, dtype, kind):
    with pytest.raises(TypeError, match=rf"Tensor expected a numeric dtype \(bool, int, float or complex\), "
                                        rf"got dtype {dtype} \({kind}\)"):
        Tensor(data)


def test_python_strings_and_lists_with_none_are_refused_too():
    with pytest.raises(TypeError, match=r"got dtype <U3 \(strings\)"):
        Tensor("abc")
    with pytest.raises(TypeError, match=r"got dtype object \(Python objects\)"):
        Tensor([1.0, None])


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int64, np.uint8, np.float16, np.float32, np.float64,
                                   np.complex128])
def test_every_numeric_dtype_is_accepted(dtype):
    assert Tensor(np.zeros(3, dtype=dtype)).dtype == dtype


def test_assigning_non_numeric_data_is_refused_and_the_old_data_stays():
    x = Tensor(np.arange(3.0))
    with pytest.raises(TypeError, match=r"got dtype <U1 \(strings\)"):
        x.data = np.array(["a", "b", "c"])
    np.testing.assert_array_equal(x.data, [0.0, 1.0, 2.0])
    assert x._version[0] == 0


STRING_IMAGES = np.full((1, 1, 4, 4), "a")
LAYERS = [
    ("Conv2d", lambda: nn.Conv2d(1, 1, 3), STRING_IMAGES),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), STRING_IMAGES),
    ("LSTM", lambda: nn.LSTM(1, 2), np.full((3, 1, 1), "a")),
    ("GRU", lambda: nn.GRU(1, 2), np.array([[[None]]], dtype=object)),
]


@pytest.mark.parametrize("name, make, data", LAYERS, ids=[name for name, _, _ in LAYERS])
def test_layers_given_a_raw_array_of_strings_or_objects_refuse_it_at_the_door(name, make, data):
    with pytest.raises(TypeError, match=r"Tensor expected a numeric dtype .* got dtype (<U1|object)"):
        make()(data)


def test_embedding_still_takes_integer_indices_and_names_strings():
    assert nn.Embedding(3, 2)(Tensor(np.array([0, 2]))).shape == (2, 2)
    with pytest.raises(TypeError, match=r"embedding expected integer indices \(word ids\), got dtype <U1"):
        nn.Embedding(3, 2)(np.array(["a"]))


# -- empty batches ----------------------------------------------------------------------

def test_flatten_turns_an_empty_batch_into_an_empty_matrix_with_its_gradient():
    x = Tensor(np.zeros((0, 3, 4, 5)), requires_grad=True)
    out = nn.Flatten()(x)
    assert out.shape == (0, 60)
    out.sum().backward()
    assert x.grad.shape == (0, 3, 4, 5)
    assert nn.Flatten(1, 2)(x).shape == (0, 12, 5)
    assert nn.Flatten(0)(x).shape == (0,)


def test_flatten_of_an_empty_batch_matches_torch():
    torch = pytest.importorskip("torch")
    for start, end in [(1, -1), (1, 2), (0, -1), (2, 3)]:
        ours = nn.Flatten(start, end)(Tensor(np.zeros((0, 3, 4, 5), np.float32))).shape
        theirs = tuple(torch.nn.Flatten(start, end)(torch.zeros(0, 3, 4, 5)).shape)
        assert ours == theirs, (start, end)


def test_linear_takes_an_empty_batch_and_its_weights_get_zero_gradients():
    layer = nn.Linear(3, 2)
    out = layer(Tensor(np.zeros((0, 3), np.float32)))
    assert out.shape == (0, 2)
    out.sum().backward()
    np.testing.assert_array_equal(layer.weight.grad, np.zeros((2, 3)))
    np.testing.assert_array_equal(layer.bias.grad, np.zeros(2))


@pytest.mark.parametrize("op", ["max", "min", "argmax", "argmin"])
def test_the_extreme_of_nothing_is_refused_by_name(op):
    empty = Tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=rf"{op}\(\) of an empty tensor \(shape \(0, 3\), dim=None\): "
                                         "expected at least one element to compare, got 0"):
        getattr(empty, op)()
    with pytest.raises(ValueError, match=rf"{op}\(\) of an empty tensor \(shape \(0, 3\), dim=0\)"):
        getattr(empty, op)(0)
    assert np.shape(getattr(empty, op)(1)[0] if op in ("max", "min") else getattr(empty, op)(1)) == (0,)


def test_mean_of_an_empty_tensor_is_refused_and_sum_is_zero():
    with pytest.raises(ValueError, match=r"mean\(\) of an empty tensor.*got 0"):
        Tensor(np.zeros((0, 3))).mean()
    assert Tensor(np.zeros((0, 3))).sum().item() == 0.0
