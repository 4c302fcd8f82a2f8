"""Functions on tensors with no learnable state, like ``torch.nn.functional``.

activations.py (softmax, log_softmax), losses.py (cross-entropy and friends),
"""
from .activations import log_softmax, relu, sigmoid, softmax, tanh
from .dropout import dropout
from .losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss, nll_loss
