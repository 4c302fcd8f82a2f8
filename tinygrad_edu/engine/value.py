"""Value: one number that remembers how it was computed (micrograd-sized autodiff).

Each operation returns a new Value holding its result, its input Values
(``_parents``) and its local derivatives d(result)/d(parent), one number each:

    c = a * b     dc/da = b           dc/db = a
    c = a + b     dc/da = 1           dc/db = 1
    c = a ** p    dc/da = p * a**(p-1)
    c = tanh(a)   dc/da = 1 - c**2

For scalars the chain rule is plain multiplication, so ``_backward(grad)``
just returns grad * local derivative for each parent. ``c.backward()`` hands
the graph to autograd.backward, whose reverse topological order lets a.grad
collect every path's contribution. Derived operations are compositions
(a - b is a + (-b), a / b is a * b**-1), so only a handful of derivatives are
needed. A node stores numbers, never a closure that points back at itself, so
the graph has no reference cycles and reference counting alone frees it.

The bottom of the file builds a tiny MLP from Values.
Read next: tinygrad_edu/engine/draw_graph.py (a picture of the graph, every data and grad).
"""
import math
import random

import numpy as np

from . import autograd


def _real_number(data):
    """``data`` as a float, or a TypeError: float('3') would quietly accept text."""
    if isinstance(data, (str, bytes)) or not isinstance(data, (int, float, np.integer, np.floating)):
        raise TypeError(f"Value expected a real number (int or float), got {type(data).__name__} {data!r}")
    return float(data)


class Value:
    __slots__ = ("data", "grad", "_parents", "_local_grads", "_op", "label")
    requires_grad = True  # every Value takes part in backprop

    def __init__(self, data, _parents=(), _local_grads=(), _op="", label=""):
        # Every op passes a float, so only other types pay for the check (a Value
        # is created per op: this line runs 65,000 times in one MLP training step).
        self.data = data if type(data) is float else _real_number(data)
        self.grad = 0.0
        self._parents = _parents
        self._local_grads = _local_grads  # d(self)/d(parent), one number per parent
        self._op = _op
        self.label = label

    # -- the autograd protocol ---------------------------------------------------
    def _keep_grad(self, grad):
        self.grad += grad  # accumulate, as PyTorch does; zero it between steps

    def _backward(self, grad):
        """The chain rule for a scalar: each parent gets grad * d(self)/d(parent)."""
        return [grad * local for local in self._local_grads]

    def backward(self, grad=1.0):
        """Fill ``.grad`` of every Value this one depends on with d(self)/d(that)."""
        autograd.backward(self, float(grad))

    # -- arithmetic ----------------------------------------------------------------
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, exponent):
        """x ** p. With a Value exponent, d/dp = x**p * log(x) (for x > 0)."""
        x = self.data
        p = exponent.data if isinstance(exponent, Value) else float(exponent)
        if x < 0 and not float(p).is_integer():
            raise ValueError(f"Value power: a negative base ({x:g}) to a fractional power ({p:g}) is not a real "
                             "number; expected a base >= 0 or an integer exponent")
        if x == 0 and p < 0:
            raise ZeroDivisionError(f"Value power: 0 to a negative power ({p:g}) divides by zero")
        if not isinstance(exponent, Value):
            return Value(x ** p, (self,), (p * x ** (p - 1),), f"**{exponent:g}")
        p = exponent.data
        out = x ** p
        d_exponent = out * math.log(x) if x > 0 else 0.0
        return Value(out, (self, exponent), (p * x ** (p - 1), d_exponent), "**")

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        divisor = other.data if isinstance(other, Value) else other
        if divisor == 0:
            raise ZeroDivisionError(f"Value division: dividing {self.data:g} by zero (the divisor is 0)")
        return self * other ** -1

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return other * self ** -1

    def __rpow__(self, base):
        return Value(base) ** self

    # -- functions -----------------------------------------------------------------
    def exp(self):
        # NaN must stay NaN (nan < 709.78 is False, so the overflow branch would say inf)
        out = math.exp(self.data) if not self.data > 709.78 else math.inf
        return Value(out, (self,), (out,), "exp")

    def log(self):
        x = self.data
        if x <= 0:
            raise ValueError(f"log of a non-positive Value ({x})")
        return Value(math.log(x), (self,), (1 / x,), "log")

    def tanh(self):
        out = math.tanh(self.data)  # math.tanh saturates cleanly: tanh(1000) == 1.0
        return Value(out, (self,), (1 - out * out,), "tanh")

    def sigmoid(self):
        """sigma(x) = 1 / (1 + e^-x), computed from e^-|x| so it never overflows."""
        z = math.exp(-abs(self.data))
        out = 1 / (1 + z) if self.data >= 0 else z / (1 + z)
        return Value(out, (self,), (out * (1 - out),), "sigmoid")

    def relu(self):
        if math.isnan(self.data):
            return Value(math.nan, (self,), (math.nan,), "relu")  # as torch.relu: NaN in, NaN out
        positive = self.data > 0
        return Value(self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,), "relu")

    @property
    def _prev(self):
        """micrograd's name for the inputs of this node (a read-only set, as micrograd's graph drawing expects)."""
        return frozenset(self._parents)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"  # exactly micrograd's format


def dot(weights, inputs, bias=0.0):
    """sum_i w_i * x_i + b as ONE node, with local derivatives d/dw_i = x_i, d/dx_i = w_i, d/db = 1.

    ``sum(w * x for w, x in zip(weights, inputs)) + bias`` computes the same
    value and the same gradients through 2n separate nodes; one node with 2n+1
    parents does the same bookkeeping at a fraction of the cost.
    """
    weights = [w if isinstance(w, Value) else Value(w) for w in weights]
    inputs = [x if isinstance(x, Value) else Value(x) for x in inputs]
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    bias = bias if isinstance(bias, Value) else Value(bias)
    w_data = [w.data for w in weights]
    x_data = [x.data for x in inputs]
    total = sum(w * x for w, x in zip(w_data, x_data)) + bias.data
    return Value(total, (*weights, *inputs, bias), (*x_data, *w_data, 1.0), "dot")


# ---------------------------------------------------------------------------
# A tiny neural net made of Values (as in micrograd's nn.py).

class Module:
    """micrograd's base class: anything with parameters() can zero their gradients."""

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self):
        return []


class Neuron(Module):
    """out = act(sum_i w_i * x_i + b), with act = relu, or identity (``nonlin=False``) for the last layer.

    Weights are drawn uniform in [-1, 1] from Python's ``random`` (so
    ``random.seed(1337)`` repeats them, as in micrograd) unless ``rng`` (a
    random.Random) is given. ``fused=True`` builds the weighted sum as one
    ``dot`` node; ``fused=False`` builds it from + and * nodes exactly as
    micrograd does (same numbers).
    """

    def __init__(self, nin, nonlin=True, rng=None, fused=True):
        rng = rng if rng is not None else random
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin
        self.fused = fused

    def __call__(self, x):
        if self.fused:
            activation = dot(self.w, x, self.b)
        else:
            activation = sum((w * xi for w, xi in zip(self.w, x)), self.b)
        return activation.relu() if self.nonlin else activation

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(neuron) for neuron in self.neurons)}]"


class MLP(Module):
    """MLP(2, [16, 16, 1]): 2 inputs, two hidden relu layers of 16, one linear output.

    ``seed=None`` draws from Python's global ``random`` (micrograd's behaviour);
    ``seed=s`` draws from its own random.Random(s) and leaves the global one alone.
    """

    def __init__(self, nin, nouts, seed=None, fused=True):
        rng = random.Random(seed) if seed is not None else None
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != last, rng=rng, fused=fused)
                       for i in range(len(nouts))]

    def __call__(self, x):
        # The graph built here has no cycles: let reference counting free it and
        # spare the cyclic collector walking every node alive (autograd.py says why).
        with autograd.collector_paused():
            for layer in self.layers:
                x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
