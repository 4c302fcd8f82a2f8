"""RNN, LSTM and GRU layers with PyTorch's names, shapes and call signatures.

A layer stacks ``num_layers`` recurrences: layer k reads the output sequence
of layer k - 1 (with dropout in between while training, if ``dropout`` > 0).
Layer k owns, with G gates (1 for RNN, 3 for GRU, 4 for LSTM):

    weight_ih_l{k}  (G*H, I or H)    weight_hh_l{k}  (G*H, H)
    bias_ih_l{k}    (G*H,)           bias_hh_l{k}    (G*H,)

all initialised U(-1/sqrt(H), 1/sqrt(H)), so a state_dict copies across to
and from torch.nn.LSTM unchanged. Shapes, as in PyTorch:

    input   (T, N, I), or (N, T, I) with batch_first=True, or (T, I) unbatched
    h0, c0  (num_layers, N, H), or (num_layers, H) unbatched; zeros if omitted
    output  every step's h from the last layer; h_n, c_n: the final states of every layer

    rnn(x, h0) -> output, h_n     gru(x, h0) -> output, h_n     lstm(x, (h0, c0)) -> output, (h_n, c_n)

One layer's sequence is a single graph node (op.py).
Read next: tinygrad_edu/models.py (the lecture's networks, among them Embedding -> LSTM -> Linear).
"""
import math

import numpy as np

from .. import functional as F
from ..engine.tensor import as_tensor, stack
from ..nn import init
from ..nn.module import Module, Parameter

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


class RNNBase(Module):
    """What the three layers share: parameters, shape checks, and the loop over layers."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False):
        super().__init__()
        name = type(self).__name__
        if bidirectional:
            raise NotImplementedError(
                f"{name}(bidirectional=True) is not implemented in tinygrad-edu; run a second "
                f"{name} on the time-reversed input and concatenate the outputs instead"
            )
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} expected {arg} to be an integer >= 1, got {value!r}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name} expected dropout in [0, 1], got {dropout}")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = False
        gate_size = GATES[mode] * hidden_size
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else hidden_size
            setattr(self, f"weight_ih_l{layer}", Parameter(np.empty((gate_size, layer_input_size), np.float32)))
            setattr(self, f"weight_hh_l{layer}", Parameter(np.empty((gate_size, hidden_size), np.float32)))
            if bias:
                setattr(self, f"bias_ih_l{layer}", Parameter(np.empty(gate_size, np.float32)))
                setattr(self, f"bias_hh_l{layer}", Parameter(np.empty(gate_size, np.float32)))
            else:
                self.register_parameter(f"bias_ih_l{layer}", None)
                self.register_parameter(f"bias_hh_l{layer}", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            init.uniform_(parameter, -bound, bound)

    def layer_weights(self, layer):
        return tuple(getattr(self, f"{kind}_l{layer}") for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    # -- shapes ------------------------------------------------------------------
    def _prepare_input(self, input):
        """Return the input as time-major (T, N, I) and whether it came unbatched."""
        name = type(self).__name__
        input = as_tensor(input)
        layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{name} expected input of shape {layout}, or (T, input_size) unbatched, got shape {input.shape}"
            )
        if input.shape[-1] != self.input_size:
            raise ValueError(
                f"{name} expected input with input_size={self.input_size} features on the last axis "
                f"{layout}, got shape {input.shape}"
            )
        if input.dtype != self.weight_ih_l0.dtype:
            raise TypeError(
                f"{name} has {self.weight_ih_l0.dtype} weights but got {input.dtype} input; convert one "
                f"of them (layer.double() or input.astype(...))"
            )
        unbatched = input.ndim == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(1, 0, 2)
        return input, unbatched

    def _prepare_state(self, state, state_name, batch_size, unbatched):
        """Check an initial state and give it a batch axis; None stays None (zeros)."""
        if state is None:
            return None
        state = as_tensor(state)
        if unbatched:
            expected, meaning = (self.num_layers, self.hidden_size), "(num_layers, hidden_size)"
        else:
            expected, meaning = (self.num_layers, batch_size, self.hidden_size), "(num_layers, batch, hidden_size)"
        if state.shape != expected:
            raise ValueError(
                f"{type(self).__name__} expected {state_name} of shape {expected} {meaning}, got {state.shape}"
            )
        return state.unsqueeze(1) if unbatched else state

    def _finish_output(self, output, unbatched):
        if unbatched:
            return output.squeeze(1)
        return output.transpose(1, 0, 2) if self.batch_first else output

    def _finish_state(self, states, unbatched):
        state = stack(states)
        return state.squeeze(1) if unbatched else state

    # -- the loop over layers ------------------------------------------------------
    def _run_layers(self, input, initial_states, cell):
        """Feed each layer's output sequence to the next. ``cell`` runs one layer.

        initial_states is a list (one entry per state: h, or h and c) of
        (num_layers, N, H) tensors or None. Returns the last layer's output and,
        per state, the list of every layer's final value.
        """
        final_states = [[] for _ in initial_states]
        sequence = input
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                sequence = F.dropout(sequence, self.dropout, training=True)
            layer_states = [None if state is None else state[layer] for state in initial_states]
            sequence, *finals = cell(sequence, *layer_states, *self.layer_weights(layer))
            for collected, final in zip(final_states, finals):
                collected.append(final)
        return sequence, final_states

    def extra_repr(self):
        parts = [f"{self.input_size}, {self.hidden_size}"]
        if self.num_layers != 1:
            parts.append(f"num_layers={self.num_layers}")
        if not self.bias:
            parts.append("bias=False")
        if self.batch_first:
            parts.append("batch_first=True")
        if self.dropout:
            parts.append(f"dropout={self.dropout}")
        return ", ".join(parts)


class RNN(RNNBase):
    """The simple (Elman) recurrent layer: a state updated from each input in turn.

        h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)        (or relu)

    the lecture's "output = activation(W.input + U.state + b)". Backpropagation
    through time multiplies the gradient by W_hh once per step, so over long
    sequences it vanishes or explodes: the reason for LSTM and GRU.
    Keras's name, ``nn.SimpleRNN``, is the same class. Call: rnn(x, h0) -> output, h_n.

    Args:
        input_size: H_in, the features of each input step.
        hidden_size: H, the size of the state h.
        num_layers: recurrences stacked on top of each other; layer k reads the
            output sequence of layer k - 1. Default: 1.
        nonlinearity: 'tanh' or 'relu'. Default: 'tanh'.
        bias: if False, the layers learn no biases. Default: True.
        batch_first: if True, input and output are (N, T, *) instead of (T, N, *)
            (the states keep (num_layers, N, H)). Default: False.
        dropout: the dropout probability between stacked layers, in train mode
            only. Default: 0.0.
        bidirectional: only False is implemented. Default: False.

    Shape:
        - Input: (T, N, H_in), or (N, T, H_in) with batch_first=True, or (T, H_in) unbatched.
        - h0: (num_layers, N, H), or (num_layers, H) unbatched; zeros if omitted.
        - Output: (T, N, H) (or (N, T, H)): every step's h from the last layer.
        - h_n: (num_layers, N, H): the final state of every layer.

        where T is the sequence length, N the batch size, H_in = input_size, H = hidden_size.

    Attributes:
        weight_ih_l{k}: (H, H_in) for k = 0, (H, H) above.
        weight_hh_l{k}: (H, H).
        bias_ih_l{k}, bias_hh_l{k}: (H,).
        All start U(-1/sqrt(H), 1/sqrt(H)), as in PyTorch, and the state_dict keys
        are PyTorch's, so weights copy across to and from torch.nn.RNN.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> rnn = nn.RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(Tensor(np.zeros((5, 3, 10), np.float32)))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
        >>> list(rnn.state_dict())[:2]
        ['weight_ih_l0', 'weight_hh_l0']
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, unbatched = self._prepare_input(input)
        h0 = self._prepare_state(hx, "h0", input.shape[1], unbatched)
        cell = F.rnn_tanh if self.nonlinearity == "tanh" else F.rnn_relu
        output, (h_n,) = self._run_layers(input, [h0], cell)
        return self._finish_output(output, unbatched), self._finish_state(h_n, unbatched)

    def extra_repr(self):
        extra = super().extra_repr()
        return extra + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


SimpleRNN = RNN


class GRU(RNNBase):
    """The gated recurrent unit: a state that is mostly carried over, with two gates.

        r = sigmoid(W_ir x_t + b_ir + W_hr h + b_hr)           reset gate
        z = sigmoid(W_iz x_t + b_iz + W_hz h + b_hz)           update gate
        n = tanh(W_in x_t + b_in + r * (W_hn h + b_hn))        candidate state
        h = (1 - z) * n + z * h

    z close to 1 keeps the old state, so gradients survive many steps; the
    gates are stacked in PyTorch's order r, z, n (gru_reference.py
    writes the loop out). Call: gru(x, h0) -> output, h_n.

    Args:
        input_size: H_in, the features of each input step.
        hidden_size: H, the size of the state h.
        num_layers: recurrences stacked on top of each other; layer k reads the
            output sequence of layer k - 1. Default: 1.
        bias: if False, the layers learn no biases. Default: True.
        batch_first: if True, input and output are (N, T, *) instead of (T, N, *)
            (the states keep (num_layers, N, H)). Default: False.
        dropout: the dropout probability between stacked layers, in train mode
            only. Default: 0.0.
        bidirectional: only False is implemented. Default: False.

    Shape:
        - Input: (T, N, H_in), or (N, T, H_in) with batch_first=True, or (T, H_in) unbatched.
        - h0: (num_layers, N, H), or (num_layers, H) unbatched; zeros if omitted.
        - Output: (T, N, H) (or (N, T, H)): every step's h from the last layer.
        - h_n: (num_layers, N, H): the final state of every layer.

        where T is the sequence length, N the batch size, H_in = input_size, H = hidden_size.

    Attributes:
        weight_ih_l{k}: (3H, H_in) for k = 0, (3H, H) above, gates r, z, n stacked.
        weight_hh_l{k}: (3H, H).
        bias_ih_l{k}, bias_hh_l{k}: (3H,).
        All start U(-1/sqrt(H), 1/sqrt(H)), as in PyTorch, and the state_dict keys
        are PyTorch's, so weights copy across to and from torch.nn.GRU.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> gru = nn.GRU(10, 20, batch_first=True)
        >>> output, h_n = gru(Tensor(np.zeros((3, 5, 10), np.float32)))   # (N, T, H_in)
        >>> output.shape, h_n.shape
        ((3, 5, 20), (1, 3, 20))
        >>> gru.weight_ih_l0.shape
        (60, 10)
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)

    def forward(self, input, hx=None):
        input, unbatched = self._prepare_input(input)
        h0 = self._prepare_state(hx, "h0", input.shape[1], unbatched)
        output, (h_n,) = self._run_layers(input, [h0], F.gru)
        return self._finish_output(output, unbatched), self._finish_state(h_n, unbatched)


class LSTM(RNNBase):
    """Long short-term memory: a cell state c that is only scaled and added to, guarded by gates.

        i = sigmoid(W_ii x_t + b_ii + W_hi h + b_hi)     input gate: how much to write
        f = sigmoid(W_if x_t + b_if + W_hf h + b_hf)     forget gate: how much to keep
        g = tanh(W_ig x_t + b_ig + W_hg h + b_hg)        the candidate to write
        o = sigmoid(W_io x_t + b_io + W_ho h + b_ho)     output gate: how much to show
        c = f * c + i * g
        h = o * tanh(c)

    dL/dc flows back through "c = f * c" with only a multiplication by f, so an
    LSTM can remember over hundreds of steps. Gates are stacked in PyTorch's
    order i, f, g, o (lstm_reference.py writes the loop out).
    Call: lstm(x, (h0, c0)) -> output, (h_n, c_n); omit the tuple for zero states.

    Args:
        input_size: H_in, the features of each input step.
        hidden_size: H, the size of the states h and c.
        num_layers: recurrences stacked on top of each other; layer k reads the
            output sequence of layer k - 1. Default: 1.
        bias: if False, the layers learn no biases. Default: True.
        batch_first: if True, input and output are (N, T, *) instead of (T, N, *)
            (the states keep (num_layers, N, H)). Default: False.
        dropout: the dropout probability between stacked layers, in train mode
            only. Default: 0.0.
        bidirectional: only False is implemented. Default: False.

    Shape:
        - Input: (T, N, H_in), or (N, T, H_in) with batch_first=True, or (T, H_in) unbatched.
        - h0, c0: (num_layers, N, H), or (num_layers, H) unbatched; zeros if omitted.
        - Output: (T, N, H) (or (N, T, H)): every step's h from the last layer.
        - h_n, c_n: (num_layers, N, H): the final state of every layer.

        where T is the sequence length, N the batch size, H_in = input_size, H = hidden_size.

    Attributes:
        weight_ih_l{k}: (4H, H_in) for k = 0, (4H, H) above, gates i, f, g, o stacked.
        weight_hh_l{k}: (4H, H).
        bias_ih_l{k}, bias_hh_l{k}: (4H,).
        All start U(-1/sqrt(H), 1/sqrt(H)), as in PyTorch, and the state_dict keys
        are PyTorch's, so weights copy across to and from torch.nn.LSTM.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> lstm = nn.LSTM(10, 20, num_layers=2)
        >>> x = Tensor(np.zeros((5, 3, 10), np.float32))             # (T, N, H_in)
        >>> h0 = c0 = Tensor(np.zeros((2, 3, 20), np.float32))
        >>> output, (h_n, c_n) = lstm(x, (h0, c0))
        >>> output.shape, h_n.shape, c_n.shape
        ((5, 3, 20), (2, 3, 20), (2, 3, 20))
        >>> lstm.weight_hh_l1.shape
        (80, 20)
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)

    def forward(self, input, hx=None):
        input, unbatched = self._prepare_input(input)
        if hx is None:
            hx = (None, None)
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTM expected its initial state as a tuple (h0, c0), got {type(hx).__name__}")
        h0 = self._prepare_state(hx[0], "h0", input.shape[1], unbatched)
        c0 = self._prepare_state(hx[1], "c0", input.shape[1], unbatched)
        output, (h_n, c_n) = self._run_layers(input, [h0, c0], F.lstm)
        return self._finish_output(output, unbatched), (
            self._finish_state(h_n, unbatched), self._finish_state(c_n, unbatched))
