"""Neural-network layers, named and laid out like ``torch.nn``.

Reading order: module.py (Module, Parameter, Sequential), init.py (where
weights start), linear.py, activation.py, dropout.py, loss.py (the loss
modules), then the layers built on the kernels: conv.py, pooling.py,
flatten.py (from feature maps to a dense layer), sparse.py (Embedding), rnn.py.
"""
from . import init
from .module import Module, ModuleList, Parameter, Sequential
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .embedding import Embedding
from ..recurrent.layer import GRU, LSTM, RNN, SimpleRNN
from ..conv.layer import Conv1d, Conv2d
from ..pooling.layer import MaxPool1d, MaxPool2d
