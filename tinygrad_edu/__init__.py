"""tinygrad-edu: a deep-learning engine you can read as a textbook.

Reading order (the folder listing is the table of contents):
    autograd.py       the one backprop routine, for scalars and tensors
    value.py          Value: micrograd-sized scalar autodiff, plus a tiny MLP
    tensor.py         Tensor: the same idea over numpy arrays (with the table of every op)
    tensor_*.py       its ops, one idea per file: elementwise, matmul, reductions, shape, versions
    gradcheck.py      checking every gradient against central differences
    functional/       softmax, losses, dropout, convolution, pooling, recurrences
    kernels/          the loops behind convolution, pooling and recurrent layers
    nn/               Module, Parameter and the layers
    optim/            SGD, RMSprop, Adadelta, Adam
    distributions.py  Categorical: sampling actions and their log-probabilities
    training.py       fit / evaluate / predict, Keras-style
    summary.py, plotting.py, serialization.py, files.py
"""
from . import distributions, functional, nn, optim
from .autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck
from .plotting import draw_graph, plot_history
from .random import manual_seed
from .serialization import load, save
from .summary import summary
from .tensor import (Tensor, argmax, argmin, concatenate, flatten, matmul, max, min, ones, permute, stack, tensor,
                     where, zeros)
from .training import History, evaluate, fit, predict
from .value import Value
