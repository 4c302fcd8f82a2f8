"""max_pool1d / max_pool2d as Tensor ops and MaxPool layers: gradcheck, torch agreement, errors."""
import numpy as np
import pytest

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, nn
from tinygrad_edu.engine.gradcheck import gradcheck


def distinct_values(rng, shape):
    """A random permutation: no ties, so a tiny nudge never changes which input wins."""
    return rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64) / 7


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 1, 1), ((2, 3), (1, 2), (1, 0))])
def test_max_pool2d_gradcheck(kernel, stride, padding):
    rng = np.random.default_rng(0)
    x = Tensor(distinct_values(rng, (2, 3, 7, 6)), requires_grad=True)
    assert gradcheck(lambda a: F.max_pool2d(a, kernel, stride, padding), x)


def test_max_pool_gradcheck_on_non_contiguous_inputs():
    rng = np.random.default_rng(1)
    x2 = Tensor(distinct_values(rng, (6, 5, 3, 2)).transpose(3, 2, 1, 0), requires_grad=True)
    assert gradcheck(lambda a: F.max_pool2d(a, 2, 1), x2)
    x1 = Tensor(distinct_values(rng, (9, 2, 2)).transpose(1, 2, 0), requires_grad=True)
    assert not x1.data.flags.c_contiguous
    assert gradcheck(lambda a: F.max_pool1d(a, 3, 2, 1), x1)


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), ((3, 2), 1, (1, 1))])
def test_max_pool2d_matches_torch_with_ties(kernel, stride, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = np.round(rng.standard_normal((2, 3, 9, 8)) * 2).astype(np.float32)  # many ties
    grad_out_shape = torch.nn.functional.max_pool2d(torch.tensor(x), kernel, stride, padding).shape
    grad_out = rng.standard_normal(tuple(grad_out_shape)).astype(np.float32)

    ours = Tensor(x, requires_grad=True)
    nn.MaxPool2d(kernel, stride, padding)(ours).backward(grad_out)
    theirs = torch.tensor(x, requires_grad=True)
    torch.nn.MaxPool2d(kernel, stride, padding)(theirs).backward(torch.tensor(grad_out))
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_max_pool1d_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = np.round(rng.standard_normal((2, 3, 16)) * 2).astype(np.float32)
    ours = Tensor(x, requires_grad=True)
    out = nn.MaxPool1d(3, 2, 1)(ours)
    theirs = torch.tensor(x, requires_grad=True)
    expected = torch.nn.MaxPool1d(3, 2, 1)(theirs)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


def test_layer_repr_matches_torch():
    torch = pytest.importorskip("torch")
    assert repr(nn.MaxPool2d(2)) == repr(torch.nn.MaxPool2d(2))
    assert repr(nn.MaxPool1d(3, 2, 1)) == repr(torch.nn.MaxPool1d(3, 2, 1))
    assert nn.MaxPool2d(2).parameters() == []


def test_non_4d_input():
    with pytest.raises(ValueError, match=r"MaxPool2d expected a 4-D input \(N, C, H, W\), got shape \(3, 8, 8\)"):
        nn.MaxPool2d(2)(Tensor(np.zeros((3, 8, 8))))


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"kernel size \(5, 5\) is larger than the padded input \(4, 6\)"):
        F.max_pool2d(Tensor(np.zeros((1, 1, 2, 4))), 5, padding=1)


def test_padding_more_than_half_the_kernel():
    with pytest.raises(ValueError, match=r"padding \(2,\) must be at most half the kernel size \(3,\)"):
        F.max_pool1d(Tensor(np.zeros((1, 1, 8))), 3, padding=2)


def test_unsupported_options_are_refused():
    with pytest.raises(NotImplementedError, match="ceil_mode=True"):
        nn.MaxPool2d(2, ceil_mode=True)
