"""The lecture's networks, ready to train.

Each builder returns an ordinary Module made of the layers of tinygrad_edu.nn
(nn/, conv/layer.py, pooling/layer.py, recurrent/layer.py), so reading one is
a tour of the layers it uses; nothing here is new machinery.

    keras_mnist_convnet  conv 32 -> pool -> conv 64 -> pool -> dense 10, on 28x28 digits
    mnist_mlp            the dense 784-512-10 network, the convnet's baseline
    digits_convnet       a small convnet for scikit-learn's 8x8 digits
    sentiment_lstm       Embedding -> LSTM -> Linear(1): is a movie review positive?

Read next: tinygrad_edu/runtime/numba_setup.py.
"""
from .nn.activation import ReLU
from .conv.layer import Conv2d
from .nn.flatten import Flatten
from .nn.linear import Linear
from .nn.containers import Sequential
from .nn.module import Module
from .pooling.layer import MaxPool2d
from .recurrent.layer import LSTM
from .nn.embedding import Embedding


# ---------------------------------------------------------------------------
# Vision: the digit classifiers (convnets and the dense baseline).
# Each is a Sequential, so its state_dict keys ("0.weight", "3.bias", ...) are
# those of the same torch.nn.Sequential, and weights copy across.

def keras_mnist_convnet():
    """The MNIST convnet of Chollet's "Deep Learning with Python": (N, 1, 28, 28) -> 10 logits.

    Shapes: 28x28 -> conv 3x3 -> 26x26 -> pool 2 -> 13x13 -> conv 3x3 -> 11x11
    -> pool 2 -> 5x5 (the odd row is dropped), so the dense layer sees 64*5*5 = 1600
    features. The softmax lives in the loss (cross_entropy takes logits).
    """
    return Sequential(
        Conv2d(1, 32, kernel_size=3), ReLU(), MaxPool2d(2),
        Conv2d(32, 64, kernel_size=3), ReLU(), MaxPool2d(2),
        Flatten(), Linear(64 * 5 * 5, 10),
    )


def mnist_mlp():
    """The dense baseline: 784 pixels -> 512 ReLU units -> 10 logits.

    Takes (N, 784) or images (N, 1, 28, 28); Flatten makes both (N, 784).
    """
    return Sequential(Flatten(), Linear(28 * 28, 512), ReLU(), Linear(512, 10))


def digits_convnet():
    """A convnet sized for scikit-learn's 8x8 digits: (N, 1, 8, 8) -> 10 logits.

    'same' padding keeps the tiny images from shrinking before pooling:
    8x8 -> conv -> 8x8 -> pool -> 4x4 -> conv -> 4x4 -> pool -> 2x2, so 32*2*2 = 128 features.
    """
    return Sequential(
        Conv2d(1, 16, kernel_size=3, padding=1), ReLU(), MaxPool2d(2),
        Conv2d(16, 32, kernel_size=3, padding=1), ReLU(), MaxPool2d(2),
        Flatten(), Linear(32 * 2 * 2, 10),
    )


# ---------------------------------------------------------------------------
# Text: the sentiment classifier (Embedding -> LSTM -> Linear).

class SentimentLSTM(Module):
    """Word ids (N, T) -> one logit per review, shape (N,): positive if > 0.

    Each word becomes a vector (Embedding), the LSTM reads the review left to
    right, and its final hidden state, a summary of the whole review, is
    scored by a Linear layer. Train with binary_cross_entropy_with_logits.
    Pad short reviews at the START (pre-padding, Keras's default) so that the
    last steps, which the final state remembers best, are real words.
    """

    def __init__(self, vocab_size, embedding_dim=32, hidden_size=32, padding_idx=None):
        super().__init__()
        self.embedding = Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)
        self.lstm = LSTM(embedding_dim, hidden_size, batch_first=True)
        self.classifier = Linear(hidden_size, 1)

    def forward(self, tokens):
        embedded = self.embedding(tokens)
        _, (h_n, _) = self.lstm(embedded)
        return self.classifier(h_n[-1]).reshape(-1)


def sentiment_lstm(vocab_size, embedding_dim=32, hidden_size=32, padding_idx=None):
    """The lecture's movie-review classifier; returns logits of shape (N,)."""
    return SentimentLSTM(vocab_size, embedding_dim, hidden_size, padding_idx)
