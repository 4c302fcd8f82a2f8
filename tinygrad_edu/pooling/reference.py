"""Max pooling from its definition: the reference for fast.py.

Max pooling slides a KH x KW window over each channel of each image, with a
stride (by default the window size, so windows tile the image), and keeps the
largest value:

    out[n, c, y, x] = max over i < KH, j < KW of  x_pad[n, c, y*sh + i, x*sw + j]

Padding adds -infinity around the image, so a padded cell never wins. The
derivative of a max is 1 for the winning input and 0 for the others, so the
backward pass routes each output's gradient to its window's winner; windows
that overlap (stride < kernel) can send several gradients to the same pixel,
and those add up. On a tie the first maximum (in reading order) wins, as in
PyTorch, so exactly one input gets the gradient. The forward pass therefore
records ``argmax``, the winner's flat index within its (H, W) plane.

1-D max pooling is the 2-D one on an image of height 1.
Read next: tinygrad_edu/pooling/fast.py.
"""
import numpy as np

from ..conv.reference import output_size  # convolution's, with dilation 1 and the same padding on both sides


def max_pool2d_forward(x, kernel_size, stride, padding):
    """x (N, C, H, W) -> (out (N, C, OH, OW), argmax: each winner's flat index in its H*W plane)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    n_batch, channels, height, width = x.shape
    oh, ow = output_size(height, kh, sh, (ph, ph), 1), output_size(width, kw, sw, (pw, pw), 1)
    x_pad = np.full((n_batch, channels, height + 2 * ph, width + 2 * pw), -np.inf, dtype=x.dtype)
    x_pad[:, :, ph:ph + height, pw:pw + width] = x
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    argmax = np.empty((n_batch, channels, oh, ow), dtype=np.int64)
    for y in range(oh):
        for x_out in range(ow):
            window = x_pad[:, :, y * sh:y * sh + kh, x_out * sw:x_out * sw + kw].reshape(n_batch, channels, kh * kw)
            winner = window.argmax(axis=-1)  # numpy's argmax returns the first maximum
            out[:, :, y, x_out] = np.take_along_axis(window, winner[..., None], axis=-1)[..., 0]
            # Window position -> padded (row, column) -> flat index in the unpadded plane.
            row = y * sh + winner // kw - ph
            column = x_out * sw + winner % kw - pw
            argmax[:, :, y, x_out] = row * width + column
    return out, argmax


def max_pool2d_backward(grad_out, argmax, input_shape):
    """Send each output's gradient to its window's winner; overlapping windows add up."""
    n_batch, channels, height, width = input_shape
    grad_input = np.zeros((n_batch, channels, height * width), dtype=grad_out.dtype)
    for n in range(n_batch):
        for c in range(channels):
            np.add.at(grad_input[n, c], argmax[n, c].ravel(), grad_out[n, c].ravel())
    return grad_input.reshape(input_shape)


def max_pool1d_forward(x, kernel_size, stride, padding):
    """x (N, C, L): the 2-D max pool of an image of height 1."""
    out, argmax = max_pool2d_forward(x[:, :, None, :], (1, kernel_size), (1, stride), (0, padding))
    return out[:, :, 0, :], argmax[:, :, 0, :]


def max_pool1d_backward(grad_out, argmax, input_shape):
    return max_pool2d_backward(grad_out, argmax, input_shape[:2] + (1, input_shape[2])).reshape(input_shape)
