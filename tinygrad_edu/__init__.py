"""tinygrad-edu: a deep-learning engine you can read as a textbook.

The folders are the chapters, read in this order (each file names the next;
README.md lists every file):

    engine/       1  autodiff: the one backprop routine, Value, Tensor and its ops, gradcheck
    functional/   2  functions without weights: softmax, losses, dropout, embedding, Categorical
    nn/           3  Module, Parameter and the plain layers and loss modules
    optim/        4  SGD, RMSprop, Adadelta, Adam, each an algorithm box
    training/     5  fit / evaluate / predict, summary, learning curves
    io/           6  atomic files, checkpoints without pickle, real datasets
    conv/         7  convolution: reference, fast kernels, Tensor op, layer
    pooling/      8  max pooling: the same four steps
    recurrent/    9  RNN, LSTM, GRU: the same four steps
    models.py    10  the lecture's networks, built from the layers
    runtime/         appendix: Numba, threads and memory set-up; old import paths

Then augment/ (label-safe augmentation) and explain/ (why a model decides).
"""
from .runtime import old_paths

old_paths.install()

from . import functional, nn, optim  # noqa: E402  (the paths above first)
from .engine.autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad  # noqa: E402
from .engine.draw_graph import draw_graph  # noqa: E402
from .engine.gradcheck import GradcheckError, gradcheck  # noqa: E402
from .engine.rng import manual_seed  # noqa: E402
from .engine.tensor import (Tensor, argmax, argmin, concatenate, flatten, matmul, max, min, ones,  # noqa: E402
                            permute, stack, tensor, where, zeros)
from .engine.value import Value  # noqa: E402
from .functional import distributions  # noqa: E402
from .io.checkpoint import load, save  # noqa: E402
from .training.loop import History, evaluate, fit, predict  # noqa: E402
from .training.plotting import plot_history  # noqa: E402
from .training.summary import summary  # noqa: E402

old_paths.bind_loaded()
