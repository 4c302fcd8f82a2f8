"""Stability, fidelity, deletion/insertion (explain/trust/stability.py, explain/trust/curves.py)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from explain import (LimeImageExplainer, LimeTextExplainer, deletion_curve, explain_until_stable, fidelity,
                     insertion_curve, jaccard_at_k, spearman, stability, stability_across_seeds)
from explain.trust.stability import rank_with_ties, top_k
from explain.lime.segmentation import fixed_segmentation


def grid_segments(size, block):
    rows = np.arange(size)[:, None] // block
    return rows * (size // block) + np.arange(size)[None, :] // block


def linear_region_classifier(segments, weights):
    """P(label 1) = 0.5 + sum_s weight_s * brightness kept in segment s (a linear model of the samples)."""
    masks = [segments == s for s in range(len(weights))]

    def classifier_fn(batch):
        brightness = batch.reshape(batch.shape[:3] + (-1,)).mean(axis=3)
        p = 0.5 + sum(w * brightness[:, m].mean(axis=1) for w, m in zip(weights, masks) if w)
        return np.stack([1 - p, p], axis=1)
    return classifier_fn


def test_jaccard_and_top_k():
    assert top_k([0.1, -3.0, 2.0, 0.0], 2) == {1, 2}
    assert jaccard_at_k([3, 2, 1, 0], [3, 2, 1, 0], 2) == 1.0
    assert jaccard_at_k([3, 2, 0, 0], [0, 0, 3, 2], 2) == 0.0
    assert jaccard_at_k([3, 2, 1, 0], [3, 0, 2, 0], 2) == pytest.approx(1 / 3)


@pytest.mark.filterwarnings("ignore::scipy.stats.ConstantInputWarning")
@given(values=st.lists(st.integers(-3, 3), min_size=2, max_size=20), seed=st.integers(0, 1000))
@settings(max_examples=40, deadline=None)
def test_spearman_matches_scipy_including_ties(values, seed):
    a = np.array(values, dtype=float)
    b = np.random.default_rng(seed).permutation(a) + np.arange(len(a)) % 2
    expected = spearmanr(a, b).statistic
    if np.isnan(expected):
        assert spearman(a, b) == 0.0
    else:
        assert spearman(a, b) == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(rank_with_ties([5, 1, 5, 3]), [2.5, 0, 2.5, 1])


def test_stability_across_seeds_is_high_for_a_strong_signal_and_reports_each_segment():
    image = np.random.default_rng(0).uniform(0.3, 1.0, (32, 32, 3))
    segments = grid_segments(32, 8)
    weights = np.zeros(16)
    weights[[2, 9, 13]] = [0.3, -0.25, 0.2]
    report = stability_across_seeds(lambda seed: LimeImageExplainer(random_state=seed), image,
                                    linear_region_classifier(segments, weights), seeds=[0, 1, 2], label=1,
                                    k=3, hide_color=0, num_samples=300, segmentation_fn=fixed_segmentation(segments))
    assert report.num_runs == 3 and report.jaccard_at_k == 1.0
    assert report.spearman > 0.3
    assert report.weight_mean.shape == (16,) and report.weight_sd.shape == (16,)
    assert np.all(np.sign(report.weight_mean[[2, 9, 13]]) == [1, -1, 1])
    # sampling noise is far smaller than the signal
    assert np.all(report.weight_sd[[2, 9, 13]] < 0.1 * np.abs(report.weight_mean[[2, 9, 13]]))


def test_stability_is_low_when_the_model_ignores_the_input():
    text = "one two three four five six seven eight nine ten"
    rng_outputs = np.random.default_rng(0)

    def noise_classifier(strings):
        p = rng_outputs.uniform(0.2, 0.8, len(strings))
        return np.stack([1 - p, p], axis=1)

    explanations = [LimeTextExplainer(random_state=s).explain_instance(text, noise_classifier, num_samples=200)
                    for s in range(4)]
    assert stability(explanations, label=1, k=3).jaccard_at_k < 0.9


def test_stability_refuses_explanations_on_different_segmentations():
    image = np.random.default_rng(0).random((16, 16, 3))
    classifier_fn = linear_region_classifier(grid_segments(16, 8), [0.2, 0, 0, 0])
    a = LimeImageExplainer(random_state=0).explain_instance(image, classifier_fn, num_samples=20,
                                                            segmentation_fn=fixed_segmentation(grid_segments(16, 8)))
    b = LimeImageExplainer(random_state=0).explain_instance(image, classifier_fn, num_samples=20,
                                                            segmentation_fn=fixed_segmentation(grid_segments(16, 4)))
    with pytest.raises(ValueError, match="different segmentations"):
        stability([a, b], label=1)
    with pytest.raises(ValueError, match="at least 2 explanations, got 1"):
        stability([a], label=1)
    with pytest.raises(ValueError, match="k must be an integer >= 1, got 0"):
        stability([a, a], label=1, k=0)


def test_explain_until_stable_doubles_num_samples_until_the_top_k_agree():
    image = np.random.default_rng(1).uniform(0.3, 1.0, (32, 32, 3))
    segments = grid_segments(32, 8)
    weights = np.zeros(16)
    weights[[1, 6]] = [0.3, -0.3]
    weights[[4, 11]] = [0.01, -0.01]      # weak features keep small sample sizes unsure
    explainer = LimeImageExplainer(random_state=0)
    explanation, history = explain_until_stable(
        explainer, image, linear_region_classifier(segments, weights), label=1, k=2, start_samples=4,
        max_samples=2000, hide_color=0, segmentation_fn=fixed_segmentation(segments))
    sizes = [h["num_samples"] for h in history]
    assert len(sizes) >= 2 and sizes == [4 * 2 ** i for i in range(len(sizes))]
    assert history[-1]["stable"] and all(not h["stable"] for h in history[:-1])
    assert {f for f, _ in explanation.local_exp[1][:2]} == {1, 6}
    assert explanation.samples.shape[0] == sizes[-1]


def test_fidelity_recomputes_the_score_and_compares_local_pred_with_the_model():
    image = np.random.default_rng(2).uniform(0.3, 1.0, (32, 32, 3))
    segments = grid_segments(32, 8)
    weights = np.zeros(16)
    weights[[0, 5]] = [0.2, -0.2]
    explanation = LimeImageExplainer(random_state=0).explain_instance(
        image, linear_region_classifier(segments, weights), hide_color=0, num_samples=200,
        segmentation_fn=fixed_segmentation(segments))
    for label in (0, 1):
        report = fidelity(explanation, label)
        assert report["weighted_r2"] == pytest.approx(explanation.score[label], abs=1e-9)
        assert report["local_pred"] == pytest.approx(explanation.local_pred[label], abs=1e-9)
        assert report["model_pred"] == explanation.predict_proba[label]
        assert report["abs_error"] < 0.01


def test_a_model_lime_cannot_fit_gets_a_low_fidelity():
    text = "alpha beta gamma delta"

    def xor_classifier(strings):
        p = np.array([0.9 if (("alpha" in s) != ("beta" in s)) else 0.1 for s in strings])
        return np.stack([1 - p, p], axis=1)

    explanation = LimeTextExplainer(random_state=0).explain_instance(text, xor_classifier, num_samples=500)
    assert fidelity(explanation, 1)["weighted_r2"] < 0.5


def test_deletion_and_insertion_reward_the_true_attribution_over_its_reverse():
    rng = np.random.default_rng(3)
    image = rng.uniform(0.2, 1.0, (24, 24, 3))
    importance = rng.random((24, 24))

    def classifier_fn(batch):
        # probability = importance-weighted brightness: the true attribution is `importance`
        brightness = batch.mean(axis=3)
        p = (brightness * importance).sum(axis=(1, 2)) / importance.sum()
        return np.stack([1 - p, p], axis=1)

    good_deletion = deletion_curve(image, classifier_fn, importance, label=1, num_steps=20)
    bad_deletion = deletion_curve(image, classifier_fn, -importance, label=1, num_steps=20)
    good_insertion = insertion_curve(image, classifier_fn, importance, label=1, num_steps=20, baseline=0.0)
    bad_insertion = insertion_curve(image, classifier_fn, -importance, label=1, num_steps=20, baseline=0.0)
    assert good_deletion.auc < bad_deletion.auc and good_insertion.auc > bad_insertion.auc
    np.testing.assert_allclose(good_deletion.fractions, np.linspace(0, 1, 21))
    p_image = classifier_fn(image[None])[0, 1]
    assert good_deletion.scores[0] == pytest.approx(p_image) and good_deletion.scores[-1] == pytest.approx(0.0)
    assert good_insertion.scores[0] == pytest.approx(0.0) and good_insertion.scores[-1] == pytest.approx(p_image)
    assert np.all(np.diff(good_deletion.scores) <= 1e-12)
    assert good_deletion.auc == pytest.approx(np.trapezoid(good_deletion.scores, good_deletion.fractions))


def test_curves_accept_a_lime_attribution_map_and_grayscale_and_blur():
    image = np.random.default_rng(4).uniform(0.2, 1.0, (16, 16))
    segments = grid_segments(16, 4)
    classifier_fn = linear_region_classifier(segments, [0.3] + [0.0] * 15)
    explanation = LimeImageExplainer(random_state=0).explain_instance(
        image, classifier_fn, hide_color=0, num_samples=100, segmentation_fn=fixed_segmentation(segments))
    curve = insertion_curve(image, classifier_fn, explanation.attribution_map(1), label=1, num_steps=8)
    assert curve.scores.shape == (9,) and 0.0 <= curve.auc <= 1.0


def test_curve_bad_input_is_named():
    image = np.random.default_rng(5).random((8, 8, 3))

    def classifier_fn(batch):
        return np.full((len(batch), 2), 0.5)

    with pytest.raises(ValueError, match=r"attribution must have shape \(H, W\) = \(8, 8\), got \(4, 4\)"):
        deletion_curve(image, classifier_fn, np.zeros((4, 4)), label=1)
    with pytest.raises(ValueError, match=r"label 2 is out of range: classifier_fn returned 2 classes"):
        deletion_curve(image, classifier_fn, np.zeros((8, 8)), label=2)
    with pytest.raises(ValueError, match="baseline must be 'blur', a colour value or an image; got 'grey'"):
        insertion_curve(image, classifier_fn, np.zeros((8, 8)), label=1, baseline="grey")
