"""Neural-network layers, named and laid out like ``torch.nn``.

Reading order: module.py (Module, Parameter, forward hooks), containers.py
(Sequential, ModuleList), init.py (where weights start), linear.py,
activation.py, dropout.py, loss.py (the loss modules), flatten.py (from
feature maps to a dense layer), embedding.py (Embedding). The layers built on
the kernels live with their kernels and are re-exported here: conv/layer.py,
pooling/layer.py, recurrent/layer.py.
"""
from . import init
from .module import Module, Parameter
from .containers import ModuleList, Sequential
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .embedding import Embedding
from ..recurrent.layer import GRU, LSTM, RNN, SimpleRNN
from ..conv.layer import Conv1d, Conv2d
from ..pooling.layer import MaxPool1d, MaxPool2d
