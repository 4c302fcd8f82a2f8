"""Loss modules: the functions of functional/losses.py with their options fixed up front.

PyTorch's tutorials write ``criterion = nn.CrossEntropyLoss()`` once and then
``loss = criterion(outputs, labels)`` in the loop; a loss module is nothing
more than that: it stores reduction= (and weight=, ignore_index=,
label_smoothing= for the classification losses) and calls the function.
The math, and the gradients, are in functional/losses.py.

Read next: tinygrad_edu/nn/flatten.py.
"""
from .. import functional as F
from ..functional.losses import check_reduction
from .module import Module


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = check_reduction(reduction, owner=type(self).__name__)

    def extra_repr(self):
        return f"reduction='{self.reduction}'" if self.reduction != "mean" else ""


class CrossEntropyLoss(_Loss):
    """The cross-entropy between raw class scores and class indices: log_softmax then NLL in one step.

        loss_n = -w[y_n] * log softmax(x_n)[y_n] = -w[y_n] * (x_n[y_n] - log sum_c e^(x_n[c]))

    and 'mean' divides the sum by sum_n w[y_n] (N when there are no weights).
    The gradient with respect to the scores is (softmax(x_n) - one_hot(y_n)) / N:
    the predicted probabilities minus the truth. With label_smoothing eps the
    target is (1 - eps) * one_hot(y_n) + eps / C instead of one_hot(y_n).

    Args:
        weight: one weight per class, shape (C,), e.g. to count a rare class more.
            Default: None (every class 1).
        ignore_index: rows whose label equals it count for nothing (padding).
            Default: -100.
        reduction: 'mean' (the average over the batch), 'sum', or 'none' (one
            loss per element). Default: 'mean'.
        label_smoothing: eps in [0, 1]. Default: 0.0.

    Shape:
        - Input: (N, C) raw scores (logits), not probabilities.
        - Target: (N,) integer class indices in [0, C - 1].
        - Output: a scalar, or (N,) with reduction='none'.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> scores = Tensor(np.zeros((2, 2), np.float32), requires_grad=True)
        >>> loss = nn.CrossEntropyLoss()(scores, np.array([0, 1]))
        >>> round(loss.item(), 4)   # uniform scores: -log(1/2)
        0.6931
        >>> loss.backward()
        >>> scores.grad              # (softmax - one_hot) / N
        array([[-0.25,  0.25],
               [ 0.25, -0.25]], dtype=float32)
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """The negative log-likelihood of class indices under log-probabilities already computed.

        loss_n = -w[y_n] * input[n, y_n]

    so NLLLoss(LogSoftmax(dim=1)(x), y) equals CrossEntropyLoss(x, y); 'mean'
    divides by sum_n w[y_n].

    Args:
        weight: one weight per class, shape (C,). Default: None (every class 1).
        ignore_index: rows whose label equals it count for nothing. Default: -100.
        reduction: 'mean' (the average over the batch), 'sum', or 'none' (one
            loss per element). Default: 'mean'.

    Shape:
        - Input: (N, C) log-probabilities, e.g. from nn.LogSoftmax(dim=1).
        - Target: (N,) integer class indices in [0, C - 1].
        - Output: a scalar, or (N,) with reduction='none'.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> log_probs = Tensor(np.log(np.array([[0.5, 0.5], [0.9, 0.1]], np.float32)))
        >>> nn.NLLLoss(reduction="none")(log_probs, np.array([0, 0])).numpy().round(4)
        array([0.6931, 0.1054], dtype=float32)
    """

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """The mean squared error between input and target, element by element.

        loss = mean over every element of (x - t)^2        gradient 2 (x - t) / n

    Args:
        reduction: 'mean' (the average over the batch), 'sum', or 'none' (one
            loss per element). Default: 'mean'.

    Shape:
        - Input: any shape.
        - Target: the same shape as the input.
        - Output: a scalar, or the input's shape with reduction='none'.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> prediction = Tensor(np.array([1.0, 2.0], np.float32))
        >>> nn.MSELoss()(prediction, np.zeros(2, np.float32)).item()   # (1 + 4) / 2
        2.5
        >>> nn.MSELoss(reduction="none")(prediction, np.zeros(2, np.float32))
        Tensor([1. 4.], dtype=float32)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """The mean absolute error between input and target, element by element.

        loss = mean over every element of |x - t|          gradient sign(x - t) / n

    Less sensitive to outliers than MSELoss: a point that is off by 10 pulls
    10 times as hard as one off by 1, not 100 times.

    Args:
        reduction: 'mean' (the average over the batch), 'sum', or 'none' (one
            loss per element). Default: 'mean'.

    Shape:
        - Input: any shape.
        - Target: the same shape as the input.
        - Output: a scalar, or the input's shape with reduction='none'.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> nn.L1Loss()(Tensor(np.array([1.0, -2.0], np.float32)), np.zeros(2, np.float32)).item()
        1.5
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """The binary cross-entropy between predicted probabilities and targets in [0, 1].

        loss = mean of -w * [t log p + (1 - t) log(1 - p)]      (each log clamped at -100)

    The clamp keeps a confident mistake (p = 0, t = 1) at 100 instead of inf;
    BCEWithLogitsLoss avoids the problem altogether and is the better choice.

    Args:
        weight: a weight per element, broadcast against the input. Default: None.
        reduction: 'mean' (the average over the batch), 'sum', or 'none' (one
            loss per element). Default: 'mean'.

    Shape:
        - Input: any shape, probabilities in [0, 1] (e.g. after nn.Sigmoid()).
        - Target: the same shape as the input.
        - Output: a scalar, or the input's shape with reduction='none'.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> probs = Tensor(np.array([0.5, 0.9], np.float32))
        >>> nn.BCELoss(reduction="none")(probs, np.array([1.0, 1.0], np.float32)).numpy().round(4)
        array([0.6931, 0.1054], dtype=float32)
    """

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one step, on raw scores, without ever taking log(0).

        loss = mean of w * [pos_weight * t * softplus(-z) + (1 - t) * softplus(z)]
        softplus(u) = log(1 + e^u) = max(u, 0) + log(1 + e^-|u|)

    because -log sigmoid(z) = softplus(-z) and -log(1 - sigmoid(z)) = softplus(z);
    the right-hand form never overflows. The gradient is w * (sigmoid(z) - t)
    (without pos_weight) divided by the number of elements.

    Args:
        weight: a weight per element, broadcast against the input. Default: None.
        reduction: 'mean' (the average over the batch), 'sum', or 'none' (one
            loss per element). Default: 'mean'.
        pos_weight: a weight for the positive targets, one per class (the last
            axis), e.g. negatives / positives for an unbalanced label. Default: None.

    Shape:
        - Input: any shape, raw scores (logits).
        - Target: the same shape as the input, values in [0, 1].
        - Output: a scalar, or the input's shape with reduction='none'.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> scores = Tensor(np.array([0.0, 100.0, -100.0], np.float32))
        >>> targets = np.ones(3, np.float32)
        >>> nn.BCEWithLogitsLoss(reduction="none")(scores, targets).numpy().round(4)   # finite even at -100
        array([  0.6931,   0.    , 100.    ], dtype=float32)
    """

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
