"""im2col and col2im, written as plain loops: the reference for im2col.py.

A convolution slides a (C, KH, KW) window over the (zero-padded) image. If we
copy every window into one column of a matrix,

    cols[(c, i, j), (n, y, x)] = x_padded[n, c, y*stride + i*dilation, x*stride + j*dilation]

then the whole convolution is ONE matrix product, weight (O, C*KH*KW) @ cols,
which BLAS runs near the machine's peak speed. col2im is the adjoint (the
"transpose") of im2col: it adds each column entry back to the pixel it came
from. A pixel that sits in several windows receives the sum of their
contributions; that sum is exactly the chain rule for a value used many times.

Read next: tinygrad_edu/kernels/im2col.py: the same loops, compiled by Numba.
"""
import numpy as np


def im2col(x_padded, kernel_size, stride, dilation, out_size):
    """Copy every window of ``x_padded`` (N, C, H, W) into a column: (C*KH*KW, N*OH*OW)."""
    n_batch, channels = x_padded.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    cols = np.zeros((channels * kh * kw, n_batch * oh * ow), dtype=x_padded.dtype)
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                row = (c * kh + i) * kw + j
                for n in range(n_batch):
                    for y in range(oh):
                        for x in range(ow):
                            column = (n * oh + y) * ow + x
                            cols[row, column] = x_padded[n, c, y * sh + i * dh, x * sw + j * dw]
    return cols


def col2im(cols, padded_shape, kernel_size, stride, dilation, out_size):
    """The adjoint of im2col: add every column entry back onto its pixel of a (N, C, H, W) image."""
    n_batch, channels = padded_shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    image = np.zeros(padded_shape, dtype=cols.dtype)
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                row = (c * kh + i) * kw + j
                for n in range(n_batch):
                    for y in range(oh):
                        for x in range(ow):
                            column = (n * oh + y) * ow + x
                            image[n, c, y * sh + i * dh, x * sw + j * dw] += cols[row, column]
    return image
