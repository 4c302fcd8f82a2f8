"""Functions on tensors with no learnable state, like ``torch.nn.functional``.

activations.py (softmax, log_softmax), losses.py (cross-entropy and friends),
dropout.py, embedding.py, distributions.py (Categorical). The kernel-backed
ops live with their kernels and are re-exported here: conv/op.py,
pooling/op.py, recurrent/op.py.
"""
from .activations import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .dropout import dropout
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss,
                     nll_loss)
from .embedding import embedding
from ..recurrent.op import gru, lstm, rnn_relu, rnn_tanh
from ..conv.op import conv1d, conv2d
from ..pooling.op import max_pool1d, max_pool2d
