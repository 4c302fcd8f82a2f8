"""Losses and the softmax family against PyTorch (skipped when torch is missing)."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import functional as F

torch = pytest.importorskip("torch")


def both(array):
    return Tensor(array.copy(), requires_grad=True), torch.tensor(array.copy(), requires_grad=True)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(reduction):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(7, 5)) * 10
    labels = rng.integers(0, 5, size=7)
    ours, theirs = both(logits)
    loss_o = F.cross_entropy(ours, labels, reduction=reduction)
    loss_t = torch.nn.functional.cross_entropy(theirs, torch.tensor(labels), reduction=reduction)
    np.testing.assert_allclose(loss_o.data, loss_t.detach().numpy(), rtol=1e-12)
    loss_o.sum().backward()
    loss_t.sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_bce_with_logits_and_mse():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 3)) * 20
    t = rng.uniform(size=(4, 3))
    ours, theirs = both(z)
    F.binary_cross_entropy_with_logits(ours, t).backward()
    loss_t = torch.nn.functional.binary_cross_entropy_with_logits(theirs, torch.tensor(t))
    loss_t.backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10)
    ours, theirs = both(z)
    loss_o = F.mse_loss(ours, t)
    loss_o.backward()
    torch.nn.functional.mse_loss(theirs, torch.tensor(t)).backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("axis", [0, 1])
def test_softmax_family(axis):
    x = np.random.default_rng(2).normal(size=(3, 6)) * 30
    for ours_fn, torch_fn in [(F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)]:
        ours, theirs = both(x)
        out_o, out_t = ours_fn(ours, axis=axis), torch_fn(theirs, dim=axis)
        np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-300)
        weights = np.random.default_rng(3).normal(size=x.shape)
        (out_o * weights).sum().backward()
        (out_t * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-8, atol=1e-12)
