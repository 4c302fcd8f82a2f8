"""tinygrad-edu: a deep-learning engine you can read as a textbook.

Reading order (README.md lists every file; each file names the next):
    autograd.py       the one backprop routine, for scalars and tensors
    value.py          Value: micrograd-sized scalar autodiff, plus a tiny MLP
    tensor.py         Tensor: the same idea over numpy arrays, and the table of its ops
    tensor_*.py       the ops, one idea per file: elementwise, matmul, reductions, shape, versions
    gradcheck.py      checking every gradient against central differences
    functional/       softmax, losses, dropout (convolution and recurrences come after the kernels)
    nn/               Module, Parameter and the layers; models.py, the lecture's networks
    optim/            SGD, RMSprop, Adadelta, Adam
    training.py       fit / evaluate / predict, Keras-style
    summary.py, plotting.py, serialization.py, files.py, data.py, distributions.py
    kernels/          the loops behind convolution, pooling and recurrent layers, each beside its reference
    functional/conv.py, pooling.py, embedding.py, recurrent.py: the kernels as Tensor operations
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
