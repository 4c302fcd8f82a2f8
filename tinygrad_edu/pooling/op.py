"""Max pooling as a Tensor operation: max_pool1d and max_pool2d with PyTorch's signatures.

Pooling shrinks an image by summarising each window with its largest value:

    out[n, c, y, x] = max over the KH x KW window at (y*stride - padding, x*stride - padding)

    OH = (H + 2*padding - KH) // stride + 1        (stride defaults to the kernel size)

It has no weights. It makes the next layer see a wider area for the same cost,
and makes the network indifferent to small shifts. The gradient of a max goes
to the input that won (the first one on a tie, as in PyTorch). The kernels are
in fast.py.
Read next: tinygrad_edu/pooling/layer.py.
"""
from . import fast as pool_kernels
from ..engine.tensor import Tensor, as_tensor
from ..conv.op import as_tuple


def max_pool1d(input, kernel_size, stride=None, padding=0):
    """Max over windows of length ``kernel_size``: input (N, C, L) -> (N, C, L_out)."""
    return max_pool(input, kernel_size, stride, padding, spatial_dims=1, name="max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """Max over KH x KW windows: input (N, C, H, W) -> (N, C, OH, OW)."""
    return max_pool(input, kernel_size, stride, padding, spatial_dims=2, name="max_pool2d")


def max_pool(input, kernel_size, stride, padding, spatial_dims, name):
    """The shared body of max_pool1d/max_pool2d; ``name`` is named in error messages."""
    input = as_tensor(input)
    kernel = as_tuple(kernel_size, spatial_dims, "kernel_size", name)
    stride = kernel if stride is None else as_tuple(stride, spatial_dims, "stride", name)
    padding = as_tuple(padding, spatial_dims, "padding", name, minimum=0)
    _check_input(input, kernel, padding, spatial_dims, name)

    if spatial_dims == 1:
        forward, backward_kernel = pool_kernels.max_pool1d_forward, pool_kernels.max_pool1d_backward
        kernel, stride, padding = kernel[0], stride[0], padding[0]
    else:
        forward, backward_kernel = pool_kernels.max_pool2d_forward, pool_kernels.max_pool2d_backward
    input_shape = input.shape
    out, argmax = forward(input.data, kernel, stride, padding)

    def backward(grad_out):
        return (backward_kernel(grad_out, argmax, input_shape),)

    return Tensor._make(out, (input,), backward, name)


def _check_input(input, kernel, padding, spatial_dims, name):
    layout = "(N, C, L)" if spatial_dims == 1 else "(N, C, H, W)"
    if input.ndim != spatial_dims + 2:
        raise ValueError(f"{name} expected a {spatial_dims + 2}-D input {layout}, got shape {input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"{name} expected a floating-point input, got dtype {input.dtype}")
    if any(2 * pad > size for pad, size in zip(padding, kernel)):
        raise ValueError(
            f"{name}: padding {padding} must be at most half the kernel size {kernel} (as in PyTorch)")
    padded = tuple(size + 2 * pad for size, pad in zip(input.shape[2:], padding))
    if any(k > p for k, p in zip(kernel, padded)):
        raise ValueError(
            f"{name}: kernel size {kernel} is larger than the padded input {padded} "
            f"(input {input.shape[2:]} plus padding)")
