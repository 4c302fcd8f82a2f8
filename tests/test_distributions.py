"""Categorical: samples follow the probabilities; log_prob and entropy have the right values and gradients."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import gradcheck
from tinygrad_edu.functional.distributions import Categorical


def random_logits(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


def test_sample_frequencies_follow_the_probabilities():
    probs = np.array([[0.1, 0.6, 0.3], [0.7, 0.0, 0.3]])
    dist = Categorical(probs=np.repeat(probs[None], 20000, axis=0))
    samples = dist.sample(np.random.default_rng(0))
    assert samples.shape == (20000, 2)
    for row in range(2):
        frequencies = np.bincount(samples[:, row], minlength=3) / 20000
        # 20000 draws: the standard error of a frequency is at most 0.0035, so 0.015 is over 4 of them
        np.testing.assert_allclose(frequencies, probs[row], atol=0.015)
    assert not np.any(samples[:, 1] == 1)  # a category of probability 0 is never drawn


def test_sampling_is_repeatable_with_a_seeded_generator():
    dist = Categorical(logits=random_logits(0, (50, 4)))
    first = dist.sample(np.random.default_rng(7))
    assert np.array_equal(first, dist.sample(np.random.default_rng(7)))
    assert first.dtype.kind == "i" and first.min() >= 0 and first.max() <= 3


@pytest.mark.parametrize("shape", [(5,), (3, 5), (2, 3, 4)])
def test_log_prob_gradcheck_over_every_logit(shape):
    logits = Tensor(random_logits(1, shape), requires_grad=True)
    actions = np.random.default_rng(2).integers(0, shape[-1], shape[:-1])
    assert gradcheck(lambda z: Categorical(logits=z).log_prob(actions), logits)


def test_log_prob_and_entropy_gradcheck_from_probs():
    raw = np.random.default_rng(3).uniform(0.1, 1.0, (4, 3))
    probs = Tensor(raw / raw.sum(axis=1, keepdims=True), requires_grad=True)
    assert gradcheck(lambda p: Categorical(probs=p).log_prob(np.array([0, 2, 1, 1])), probs)
    assert gradcheck(lambda p: Categorical(probs=p).entropy(), probs)


def test_entropy_gradcheck_and_its_extremes():
    logits = Tensor(random_logits(4, (3, 6)), requires_grad=True)
    assert gradcheck(lambda z: Categorical(logits=z).entropy(), logits)
    np.testing.assert_allclose(Categorical(logits=np.zeros(5)).entropy().data, np.log(5))
    assert Categorical(logits=np.array([0.0, 60.0])).entropy().item() < 1e-20


def test_log_prob_and_entropy_match_torch():
    torch = pytest.importorskip("torch")
    logits = random_logits(5, (6, 4))
    actions = np.random.default_rng(6).integers(0, 4, 6)
    ours = Categorical(logits=Tensor(logits))
    theirs = torch.distributions.Categorical(logits=torch.tensor(logits))
    np.testing.assert_allclose(ours.log_prob(actions).data, theirs.log_prob(torch.tensor(actions)).numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.entropy().data, theirs.entropy().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.probs, theirs.probs.numpy(), rtol=1e-10)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="exactly one of probs= or logits=, got both"):
        Categorical(probs=np.ones(2) / 2, logits=np.zeros(2))
    with pytest.raises(ValueError, match="exactly one of probs= or logits=, got neither"):
        Categorical()
    with pytest.raises(ValueError, match="probs must be non-negative and sum to 1"):
        Categorical(probs=np.array([0.5, 0.6]))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., K\) with K >= 1 categories, got \(\)"):
        Categorical(logits=np.array(1.0))
    dist = Categorical(logits=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"categories must lie in \[0, 2\], got values from 0 to 3"):
        dist.log_prob(np.array([0, 3]))
    with pytest.raises(ValueError, match=r"expects values of shape \(2,\), got \(3,\)"):
        dist.log_prob(np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="integer categories, got dtype float64"):
        dist.log_prob(np.array([0.0, 1.0]))
