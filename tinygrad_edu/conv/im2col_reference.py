"""im2col and col2im, written as plain loops: the reference for im2col.py.

A convolution slides a (C, KH, KW) window over the zero-padded image. If we
copy every window into one column of a matrix,

    cols[(c, i, j), (n, y, x)] = x_pad[n, c, y*stride + i*dilation, x*stride + j*dilation]

then the whole convolution is ONE matrix product, weight (O, C*KH*KW) @ cols,
which BLAS runs near the machine's peak speed. col2im is the adjoint (the
"transpose") of im2col: it adds each column entry back to the pixel it came
from. A pixel that sits in several windows receives the sum of their
contributions; that sum is exactly the chain rule for a value used many times.
Entries that came from the zero padding belong to no pixel: col2im drops them.

Both take the UNPADDED image and the padding ((top, bottom), (left, right)).
Read next: tinygrad_edu/conv/im2col.py: the same loops, compiled by Numba.
"""
import numpy as np

from .reference import pad_image


def im2col(x, kernel_size, stride, padding, dilation, out_size):
    """Copy every window of x (N, C, H, W), zero-padded by ``padding``, into a column: (C*KH*KW, N*OH*OW)."""
    x_pad = pad_image(x, padding)
    n_batch, channels = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    cols = np.zeros((channels * kh * kw, n_batch * oh * ow), dtype=x.dtype)
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                row = (c * kh + i) * kw + j
                for n in range(n_batch):
                    for y in range(oh):
                        for x_out in range(ow):
                            column = (n * oh + y) * ow + x_out
                            cols[row, column] = x_pad[n, c, y * sh + i * dh, x_out * sw + j * dw]
    return cols


def col2im(cols, input_shape, kernel_size, stride, padding, dilation, out_size):
    """The adjoint of im2col: add every column entry back onto its pixel of an (N, C, H, W) image."""
    n_batch, channels, height, width = input_shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    (top, bottom), (left, right) = padding
    image_pad = np.zeros((n_batch, channels, height + top + bottom, width + left + right), dtype=cols.dtype)
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                row = (c * kh + i) * kw + j
                for n in range(n_batch):
                    for y in range(oh):
                        for x_out in range(ow):
                            column = (n * oh + y) * ow + x_out
                            image_pad[n, c, y * sh + i * dh, x_out * sw + j * dw] += cols[row, column]
    return image_pad[:, :, top:top + height, left:left + width]  # what landed on the padding is dropped
