"""RNN, LSTM and GRU: gradients, PyTorch parity, shapes and error messages."""
import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.functional as F
from tinygrad_edu import nn
from tinygrad_edu.engine.gradcheck import gradcheck
from tinygrad_edu.runtime import threads as rnn_threads


def parameter_tensors(rng, gates, input_size, hidden_size, bias=True):
    shapes = [(gates * hidden_size, input_size), (gates * hidden_size, hidden_size)]
    if bias:
        shapes += [(gates * hidden_size,)] * 2
    return [tg.Tensor(rng.uniform(-0.6, 0.6, shape), requires_grad=True) for shape in shapes]


def float64_input(rng, *shape):
    return tg.Tensor(rng.standard_normal(shape), requires_grad=True)


# -- gradcheck: every element of every input, float64 -----------------------------

@pytest.mark.parametrize("bias", [True, False])
def test_lstm_gradcheck(bias):
    rng = np.random.default_rng(0)
    T, N, I, H = 3, 2, 3, 4
    x, h0, c0 = float64_input(rng, T, N, I), float64_input(rng, N, H), float64_input(rng, N, H)
    weights = parameter_tensors(rng, 4, I, H, bias)

    def all_outputs(*inputs):
        output, h_n, c_n = F.lstm(*inputs)
        return tg.concatenate([output.reshape(-1), h_n.reshape(-1), c_n.reshape(-1)])

    assert gradcheck(all_outputs, x, h0, c0, *weights)


@pytest.mark.parametrize("bias", [True, False])
def test_gru_gradcheck(bias):
    rng = np.random.default_rng(1)
    T, N, I, H = 3, 2, 3, 4
    x, h0 = float64_input(rng, T, N, I), float64_input(rng, N, H)
    weights = parameter_tensors(rng, 3, I, H, bias)

    def all_outputs(*inputs):
        output, h_n = F.gru(*inputs)
        return tg.concatenate([output.reshape(-1), h_n.reshape(-1)])

    assert gradcheck(all_outputs, x, h0, *weights)


@pytest.mark.parametrize("cell", [F.rnn_tanh, F.rnn_relu])
def test_simple_rnn_gradcheck(cell):
    rng = np.random.default_rng(2)
    T, N, I, H = 4, 2, 3, 5
    x, h0 = float64_input(rng, T, N, I), float64_input(rng, N, H)
    weights = parameter_tensors(rng, 1, I, H)

    def all_outputs(*inputs):
        output, h_n = cell(*inputs)
        return tg.concatenate([output.reshape(-1), h_n.reshape(-1)])

    assert gradcheck(all_outputs, x, h0, *weights)


@pytest.mark.parametrize("cell, gates, states", [(F.lstm, 4, 2), (F.gru, 3, 1), (F.rnn_tanh, 1, 1)])
def test_gradcheck_with_the_batch_split_over_threads(cell, gates, states, monkeypatch):
    # Three blocks of rows on three threads; their gradients are joined and added (tinygrad_edu/runtime/threads.py).
    monkeypatch.setattr(rnn_threads, "MIN_BLOCK_STEP", 1)
    monkeypatch.setattr(rnn_threads, "available_threads", lambda: 3)
    rng = np.random.default_rng(12)
    T, N, I, H = 3, 5, 2, 3
    x = float64_input(rng, T, N, I)
    initial = [float64_input(rng, N, H) for _ in range(states)]
    weights = parameter_tensors(rng, gates, I, H)
    assert len(rnn_threads.batch_blocks(N, gates * H * H)) == 3

    def all_outputs(*inputs):
        return tg.concatenate([result.reshape(-1) for result in cell(*inputs)])

    assert gradcheck(all_outputs, x, *initial, *weights)


def test_two_layer_lstm_module_gradcheck():
    # Through the layer: getitem on the states, stacking, batch_first transposes.
    rng = np.random.default_rng(3)
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True).double()
    x = float64_input(rng, 2, 3, 3)
    h0, c0 = float64_input(rng, 2, 2, 4), float64_input(rng, 2, 2, 4)

    names = [name for name, _ in lstm.named_parameters()]

    def all_outputs(x, h0, c0, *parameters):
        # gradcheck hands in its own tensors (sharing the arrays); let the layer use them.
        for name, parameter in zip(names, parameters):
            object.__setattr__(lstm, name, parameter)
        output, (h_n, c_n) = lstm(x, (h0, c0))
        return tg.concatenate([output.reshape(-1), h_n.reshape(-1), c_n.reshape(-1)])

    assert gradcheck(all_outputs, x, h0, c0, *lstm.parameters())


# -- PyTorch parity ------------------------------------------------------------

LAYERS = {"LSTM": (nn.LSTM, "LSTM"), "GRU": (nn.GRU, "GRU"), "RNN": (nn.RNN, "RNN")}


def make_pair(torch, name, input_size, hidden_size, **kwargs):
    ours_class, torch_name = LAYERS[name]
    ours = ours_class(input_size, hidden_size, **kwargs)
    theirs = getattr(torch.nn, torch_name)(input_size, hidden_size, **kwargs)
    theirs.load_state_dict({key: torch.from_numpy(value) for key, value in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_outputs_and_all_gradients_match_torch(name, num_layers, batch_first, with_state):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    T, N, I, H = 5, 3, 4, 6
    ours, theirs = make_pair(torch, name, I, H, num_layers=num_layers, batch_first=batch_first)
    x = rng.standard_normal((N, T, I) if batch_first else (T, N, I)).astype(np.float32)
    our_x, their_x = tg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_states, their_states = [], []
    if with_state:
        for _ in range(2 if name == "LSTM" else 1):
            state = rng.standard_normal((num_layers, N, H)).astype(np.float32)
            our_states.append(tg.Tensor(state, requires_grad=True))
            their_states.append(torch.tensor(state, requires_grad=True))

    def call(layer, x, states):
        if not states:
            return layer(x)
        return layer(x, tuple(states) if name == "LSTM" else states[0])

    our_output, our_final = call(ours, our_x, our_states)
    their_output, their_final = call(theirs, their_x, their_states)
    our_final = list(our_final) if name == "LSTM" else [our_final]
    their_final = list(their_final) if name == "LSTM" else [their_final]

    # A loss that weighs every output element differently.
    weights = [rng.standard_normal(t.shape).astype(np.float32) for t in [our_output, *our_final]]
    our_loss = sum(((t * tg.Tensor(w)).sum() for t, w in zip([our_output, *our_final], weights)), tg.Tensor(0.0))
    their_loss = sum((t * torch.from_numpy(w)).sum() for t, w in zip([their_output, *their_final], weights))
    our_loss.backward()
    their_loss.backward()

    np.testing.assert_allclose(our_output.data, their_output.detach().numpy(), atol=1e-5)
    for ours_final, theirs_final in zip(our_final, their_final):
        np.testing.assert_allclose(ours_final.data, theirs_final.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(our_x.grad, their_x.grad.numpy(), atol=1e-4)
    for ours_state, theirs_state in zip(our_states, their_states):
        np.testing.assert_allclose(ours_state.grad, theirs_state.grad.numpy(), atol=1e-4)
    their_parameters = dict(theirs.named_parameters())
    for key, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad, their_parameters[key].grad.numpy(), atol=1e-4, err_msg=key)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("bias", [True, False])
def test_state_dict_keys_and_shapes_match_torch(name, bias):
    torch = pytest.importorskip("torch")
    ours = LAYERS[name][0](7, 5, num_layers=3, bias=bias)
    theirs = getattr(torch.nn, LAYERS[name][1])(7, 5, num_layers=3, bias=bias)
    our_shapes = [(key, value.shape) for key, value in ours.state_dict().items()]
    their_shapes = [(key, tuple(value.shape)) for key, value in theirs.state_dict().items()]
    assert our_shapes == their_shapes


def test_relu_rnn_matches_torch():
    torch = pytest.importorskip("torch")
    ours = nn.RNN(3, 4, nonlinearity="relu")
    theirs = torch.nn.RNN(3, 4, nonlinearity="relu")
    theirs.load_state_dict({key: torch.from_numpy(value) for key, value in ours.state_dict().items()})
    x = np.random.default_rng(5).standard_normal((6, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(x)[0].data, theirs(torch.from_numpy(x))[0].detach().numpy(), atol=1e-6)


def test_unbatched_input_matches_batch_of_one():
    rng = np.random.default_rng(6)
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    h0 = rng.standard_normal((2, 4)).astype(np.float32)
    c0 = rng.standard_normal((2, 4)).astype(np.float32)
    output, (h_n, c_n) = lstm(x, (h0, c0))
    batched, (batched_h, batched_c) = lstm(x[:, None], (h0[:, None], c0[:, None]))
    assert output.shape == (5, 4) and h_n.shape == (2, 4) and c_n.shape == (2, 4)
    np.testing.assert_array_equal(output.data, batched.data[:, 0])
    np.testing.assert_array_equal(h_n.data, batched_h.data[:, 0])
    np.testing.assert_array_equal(c_n.data, batched_c.data[:, 0])


def empty_batch_run(layer, name, x, batch_first):
    """Output, final states and every gradient of a sum loss, for an input with N = 0."""
    output, final = layer(x)
    finals = list(final) if name == "LSTM" else [final]
    loss = output.sum()
    for state in finals:
        loss = loss + state.sum()
    loss.backward()
    return output, finals


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_empty_batch_gives_empty_outputs_and_zero_weight_gradients(name, batch_first):
    layer = LAYERS[name][0](3, 4, num_layers=2, batch_first=batch_first)
    x = tg.Tensor(np.zeros((0, 5, 3) if batch_first else (5, 0, 3), np.float32), requires_grad=True)
    output, finals = empty_batch_run(layer, name, x, batch_first)
    assert output.shape == ((0, 5, 4) if batch_first else (5, 0, 4))
    assert [state.shape for state in finals] == [(2, 0, 4)] * len(finals)
    assert x.grad.shape == x.shape
    for key, parameter in layer.named_parameters():
        assert parameter.grad.shape == parameter.shape, key
        assert not parameter.grad.any(), key  # no rows, nothing to learn


@pytest.mark.parametrize("name", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_empty_batch_matches_torch(name, batch_first):
    torch = pytest.importorskip("torch")
    ours, theirs = make_pair(torch, name, 3, 4, num_layers=2, batch_first=batch_first)
    x = np.zeros((0, 5, 3) if batch_first else (5, 0, 3), np.float32)
    our_x, their_x = tg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_output, our_finals = empty_batch_run(ours, name, our_x, batch_first)
    their_output, their_finals = empty_batch_run(theirs, name, their_x, batch_first)
    assert our_output.shape == tuple(their_output.shape)
    assert [state.shape for state in our_finals] == [tuple(state.shape) for state in their_finals]
    assert our_x.grad.shape == tuple(their_x.grad.shape)
    their_parameters = dict(theirs.named_parameters())
    for key, parameter in ours.named_parameters():
        their_grad = their_parameters[key].grad
        their_grad = np.zeros(parameter.shape, np.float32) if their_grad is None else their_grad.numpy()
        np.testing.assert_array_equal(parameter.grad, their_grad, err_msg=key)


def test_init_is_uniform_within_one_over_sqrt_hidden():
    tg.manual_seed(0)
    gru = nn.GRU(10, 25)
    for name, parameter in gru.named_parameters():
        assert parameter.dtype == np.float32
        assert np.abs(parameter.data).max() <= 1 / 5, name
        assert np.abs(parameter.data).max() > 0.9 / 5, name  # spread over the whole range
    assert nn.SimpleRNN is nn.RNN


def test_same_seed_same_layer_and_bit_identical_runs():
    tg.manual_seed(7)
    first = nn.LSTM(4, 6, num_layers=2)
    tg.manual_seed(7)
    second = nn.LSTM(4, 6, num_layers=2)
    x = np.random.default_rng(8).standard_normal((9, 3, 4)).astype(np.float32)
    results = []
    for layer in (first, second):
        input = tg.Tensor(x, requires_grad=True)
        output, (h_n, _) = layer(input)
        (output.sum() + h_n.sum()).backward()
        results.append([output.data, input.grad] + [p.grad for p in layer.parameters()])
    for a, b in zip(*results):
        assert np.array_equal(a, b)


def test_dropout_between_layers_only_in_training():
    tg.manual_seed(9)
    lstm = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = np.random.default_rng(10).standard_normal((4, 2, 3)).astype(np.float32)
    lstm.eval()
    evaluated = [lstm(x)[0].data for _ in range(2)]
    assert np.array_equal(*evaluated)
    lstm.train()
    trained = lstm(x)[0].data
    assert not np.allclose(trained, evaluated[0])


def test_no_graph_is_recorded_under_no_grad():
    lstm = nn.LSTM(3, 4)
    with tg.no_grad():
        output, (h_n, c_n) = lstm(np.ones((2, 1, 3), np.float32))
    assert not output.requires_grad and not h_n.requires_grad and not c_n.requires_grad


# -- bad input ------------------------------------------------------------------

def test_wrong_initial_state_shape_names_expected_and_got():
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = np.zeros((5, 2, 3), np.float32)
    good = np.zeros((2, 2, 4), np.float32)
    with pytest.raises(ValueError, match=r"LSTM expected h0 of shape \(2, 2, 4\) \(num_layers, batch, hidden_size\), got \(1, 2, 4\)"):
        lstm(x, (np.zeros((1, 2, 4), np.float32), good))
    with pytest.raises(ValueError, match=r"LSTM expected c0 of shape \(2, 2, 4\).*got \(2, 3, 4\)"):
        lstm(x, (good, np.zeros((2, 3, 4), np.float32)))
    with pytest.raises(ValueError, match=r"GRU expected h0 of shape \(1, 2, 4\).*got \(2, 4\)"):
        nn.GRU(3, 4)(x, np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match=r"tuple \(h0, c0\)"):
        lstm(x, good)


def test_wrong_feature_size_names_expected_and_got():
    with pytest.raises(ValueError, match=r"RNN expected input with input_size=3 .*got shape \(5, 2, 4\)"):
        nn.RNN(3, 4)(np.zeros((5, 2, 4), np.float32))
    with pytest.raises(ValueError, match=r"\(N, T, input_size\).*got shape \(2, 5, 7\)"):
        nn.GRU(3, 4, batch_first=True)(np.zeros((2, 5, 7), np.float32))
    with pytest.raises(ValueError, match=r"got shape \(5,\)"):
        nn.LSTM(3, 4)(np.zeros(5, np.float32))


def test_functional_errors_name_shapes_and_dtypes():
    rng = np.random.default_rng(11)
    w_ih, w_hh = rng.standard_normal((16, 3)), rng.standard_normal((16, 4))
    with pytest.raises(ValueError, match=r"lstm expected weight_ih of shape \(16, 5\).*got \(16, 3\)"):
        F.lstm(np.zeros((2, 1, 5)), None, None, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"lstm expected c0 of shape \(1, 4\) \(batch, hidden_size\), got \(2, 4\)"):
        F.lstm(np.zeros((2, 1, 3)), None, np.zeros((2, 4)), w_ih, w_hh)
    with pytest.raises(TypeError, match=r"input float32, weight_ih float64"):
        F.lstm(np.zeros((2, 1, 3), np.float32), None, None, w_ih, w_hh)
    with pytest.raises(ValueError, match=r"time-major input of shape \(T, N, input_size\), got shape \(1, 3\)"):
        F.gru(np.zeros((1, 3)), None, rng.standard_normal((12, 3)), rng.standard_normal((12, 4)))
    with pytest.raises(TypeError, match="float32 weights but got float64 input"):
        nn.GRU(3, 4)(np.zeros((2, 1, 3)))


def test_constructor_errors():
    with pytest.raises(NotImplementedError, match=r"bidirectional=True\) is not implemented"):
        nn.LSTM(3, 4, bidirectional=True)
    with pytest.raises(ValueError, match="num_layers to be an integer >= 1, got 0"):
        nn.GRU(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="'tanh' or 'relu', got 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")


def test_repr_shows_the_arguments():
    assert repr(nn.LSTM(3, 4, num_layers=2, batch_first=True)) == "LSTM(3, 4, num_layers=2, batch_first=True)"


def test_functional_rejects_unsupported_dtype():
    with pytest.raises(TypeError, match="float32 or float64.*input float16"):
        F.rnn_tanh(np.zeros((2, 1, 3), np.float16), None, np.zeros((4, 3), np.float16), np.zeros((4, 4), np.float16))


def test_detect_anomaly_names_the_recurrent_op():
    x = np.zeros((3, 2, 3), np.float32)
    x[1, 0, 0] = np.nan
    with tg.detect_anomaly():
        with pytest.raises(FloatingPointError, match="op 'lstm'"):
            nn.LSTM(3, 4)(x)
        with pytest.raises(FloatingPointError, match="op 'gru'"):
            nn.GRU(3, 4)(x)
