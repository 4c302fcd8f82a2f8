"""The local surrogate: kernel, distances, weighted ridge and feature selection (explain/lime/base.py)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge, lars_path
from sklearn.metrics import pairwise_distances, r2_score

from explain.lime import base as lime_base
from explain.lime.checks import check_labels, check_positive_int, check_probabilities
from explain.lime.distances import distances_to_original, exponential_kernel
from explain.lime.feature_selection import forward_selection, highest_weights, lasso_path, select_features
from explain.lime.random_state import make_generator
from explain.lime.ridge import weighted_r2, weighted_ridge


def binary_samples(rng, num_samples, num_features):
    samples = rng.integers(0, 2, size=(num_samples, num_features))
    samples[0] = 1
    return samples


def sparse_linear_problem(seed, num_samples=400, num_features=12, noise=0.01):
    """Targets a sigmoid of a sparse linear function of the on/off samples."""
    rng = np.random.default_rng(seed)
    samples = binary_samples(rng, num_samples, num_features)
    true_weights = rng.normal(size=num_features) * (rng.random(num_features) < 0.5)
    targets = 1 / (1 + np.exp(-(samples @ true_weights - true_weights.sum() / 2)))
    targets = targets + noise * rng.normal(size=num_samples)
    distances = distances_to_original(samples, "cosine")
    return samples, targets, exponential_kernel(distances, 0.25), true_weights


def test_kernel_is_one_at_the_original_and_falls_with_distance():
    distances = np.array([0.0, 0.1, 0.2, 0.5])
    weights = exponential_kernel(distances, 0.25)
    assert weights[0] == 1.0
    assert np.all(np.diff(weights) < 0)
    np.testing.assert_allclose(weights, np.sqrt(np.exp(-distances ** 2 / 0.25 ** 2)))


@pytest.mark.parametrize("metric", ["cosine", "euclidean", "manhattan", "hamming"])
@given(num_samples=st.integers(2, 30), num_features=st.integers(1, 15), seed=st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_distances_match_scikit_learn(metric, num_samples, num_features, seed):
    samples = binary_samples(np.random.default_rng(seed), num_samples, num_features)
    expected = pairwise_distances(samples, samples[:1], metric=metric).ravel()
    np.testing.assert_allclose(distances_to_original(samples, metric), expected, atol=1e-12)


def test_unknown_distance_metric_is_named():
    with pytest.raises(ValueError, match="distance_metric must be one of .* got 'chebyshev'"):
        distances_to_original(np.ones((3, 2)), "chebyshev")


@given(num_samples=st.integers(5, 60), num_features=st.integers(1, 8),
       alpha=st.sampled_from([0.01, 1.0, 10.0]), seed=st.integers(0, 10_000))
@settings(max_examples=30, deadline=None)
def test_weighted_ridge_matches_scikit_learn(num_samples, num_features, alpha, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(num_samples, num_features))
    y = rng.normal(size=num_samples)
    weights = rng.random(num_samples) + 0.01
    coef, intercept = weighted_ridge(X, y, weights, alpha)
    reference = Ridge(alpha=alpha).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(coef, reference.coef_, rtol=1e-7, atol=1e-9)
    assert intercept == pytest.approx(reference.intercept_, abs=1e-9)
    score = weighted_r2(X, y, weights, coef, intercept)
    assert score == pytest.approx(r2_score(y, reference.predict(X), sample_weight=weights), abs=1e-9)


def test_unregularised_ridge_recovers_an_exact_line_even_with_a_constant_column():
    rng = np.random.default_rng(0)
    X = np.hstack([rng.normal(size=(50, 2)), np.ones((50, 1))])
    y = 3.0 * X[:, 0] - 2.0 * X[:, 1] + 0.5
    coef, intercept = weighted_ridge(X, y, np.ones(50), alpha=0.0)
    np.testing.assert_allclose(coef[:2], [3.0, -2.0], atol=1e-9)
    assert X[0] @ coef + intercept == pytest.approx(y[0])


@pytest.mark.parametrize("method", ["forward_selection", "highest_weights", "lasso_path"])
def test_feature_selection_finds_the_features_the_targets_depend_on(method):
    rng = np.random.default_rng(3)
    samples = binary_samples(rng, 500, 10)
    targets = 0.4 * samples[:, 2] - 0.3 * samples[:, 7] + 0.01 * rng.normal(size=500)
    chosen = select_features(samples.astype(float), targets, np.ones(500), 2, method)
    assert set(chosen.tolist()) == {2, 7}


def test_auto_is_forward_selection_up_to_six_features_then_highest_weights():
    samples, targets, weights, _ = sparse_linear_problem(1)
    X = samples.astype(float)
    for k, method in ((3, "forward_selection"), (6, "forward_selection"), (7, "highest_weights")):
        np.testing.assert_array_equal(select_features(X, targets, weights, k, "auto"),
                                      select_features(X, targets, weights, k, method))


def test_none_keeps_every_feature_and_unknown_method_is_named():
    X = np.ones((4, 3))
    np.testing.assert_array_equal(select_features(X, np.zeros(4), np.ones(4), 1, "none"), [0, 1, 2])
    with pytest.raises(ValueError, match="feature_selection must be one of .* got 'magic'"):
        select_features(X, np.zeros(4), np.ones(4), 1, "magic")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("num_features", [1, 3, 5])
def test_lasso_path_support_matches_scikit_learn_lars(seed, num_features):
    """lime's rule on the exact LARS path: the last point with at most k nonzero coefficients."""
    samples, targets, weights, _ = sparse_linear_problem(seed, num_features=15)
    X = samples.astype(float)
    Xw = (X - np.average(X, axis=0, weights=weights)) * np.sqrt(weights)[:, None]
    yw = (targets - np.average(targets, weights=weights)) * np.sqrt(weights)
    _, _, coefs = lars_path(Xw, yw, method="lasso")
    expected = None
    for i in range(coefs.shape[1] - 1, 0, -1):
        expected = np.flatnonzero(coefs[:, i])
        if len(expected) <= num_features:
            break
    chosen = lasso_path(X, targets, weights, num_features)
    assert sorted(chosen.tolist()) == sorted(expected.tolist())


def test_fit_local_model_sorts_by_absolute_weight_and_predicts_the_original():
    samples, targets, weights, _ = sparse_linear_problem(2)
    model = lime_base.fit_local_model(samples, targets, weights, 100, "none")
    magnitudes = [abs(w) for _, w in model.local_exp]
    assert magnitudes == sorted(magnitudes, reverse=True)
    dense = np.zeros(samples.shape[1])
    for feature, weight in model.local_exp:
        dense[feature] = weight
    assert model.local_pred == pytest.approx(samples[0] @ dense + model.intercept)
    assert 0.0 < model.score <= 1.0


def test_fit_local_model_accepts_a_scikit_learn_regressor_like_lime():
    samples, targets, weights, _ = sparse_linear_problem(4)
    ours = lime_base.fit_local_model(samples, targets, weights, 100, "none")
    theirs = lime_base.fit_local_model(samples, targets, weights, 100, "none", model_regressor=Ridge(alpha=1.0))
    assert [f for f, _ in ours.local_exp] == [f for f, _ in theirs.local_exp]
    np.testing.assert_allclose([w for _, w in ours.local_exp], [w for _, w in theirs.local_exp], atol=1e-9)
    assert ours.score == pytest.approx(theirs.score) and ours.local_pred == pytest.approx(theirs.local_pred)


@pytest.mark.parametrize("method,num_features", [("none", 100), ("highest_weights", 5), ("forward_selection", 4),
                                                 ("lasso_path", 5), ("auto", 3), ("auto", 10)])
@pytest.mark.parametrize("seed", [0, 1])
def test_same_data_gives_limes_exact_explanation(method, num_features, seed):
    lime_base_module = pytest.importorskip("lime.lime_base")
    samples, targets, weights, _ = sparse_linear_problem(seed, num_features=20)
    labels = np.stack([1 - targets, targets], axis=1)
    distances = distances_to_original(samples, "cosine")

    def kernel(d):
        return exponential_kernel(d, 0.25)

    lime = lime_base_module.LimeBase(kernel, random_state=0)
    intercept, local_exp, score, local_pred = lime.explain_instance_with_data(
        samples, labels, distances, 1, num_features, feature_selection=method)
    ours = lime_base.fit_local_model(samples, targets, kernel(distances), num_features, method)
    assert [f for f, _ in ours.local_exp] == [int(f) for f, _ in local_exp]
    np.testing.assert_allclose([w for _, w in ours.local_exp], [w for _, w in local_exp], atol=1e-10)
    assert ours.intercept == pytest.approx(intercept, abs=1e-10)
    assert ours.score == pytest.approx(score, abs=1e-10)
    assert ours.local_pred == pytest.approx(local_pred[0], abs=1e-10)


@pytest.mark.parametrize("output,message", [
    (np.full(5, 0.5), r"shape \(N, K\); for a batch of 5 it returned shape \(5,\)"),
    (np.full((4, 2), 0.5), "given 5 inputs but returned 4 rows"),
    (np.full((5, 2), 3.0), r"probabilities in \[0, 1\]; it returned values in \[3, 3\]"),
    (np.array([[0.5, np.nan]] * 5), "NaN or inf in 5 of 5 rows"),
    ([["a", "b"]] * 5, "as numbers"),
])
def test_bad_classifier_output_names_what_came_back(output, message):
    with pytest.raises(ValueError, match=message):
        check_probabilities(output, 5)


def test_labels_out_of_range_and_bad_counts_are_named():
    with pytest.raises(ValueError, match=r"label 3 is out of range: .* 3 classes, so labels must be in 0..2"):
        check_labels([0, 3], 3)
    with pytest.raises(ValueError, match="num_samples must be an integer >= 2, got 1"):
        check_positive_int(1, "num_samples", minimum=2)


def test_random_state_forms():
    a = make_generator(5).random(3)
    np.testing.assert_array_equal(a, make_generator(5).random(3))
    generator = np.random.default_rng(1)
    assert make_generator(generator) is generator
    legacy = make_generator(np.random.RandomState(2)).random(3)
    np.testing.assert_array_equal(legacy, make_generator(np.random.RandomState(2)).random(3))
    with pytest.raises(TypeError, match="random_state must be None, an int, .* got str"):
        make_generator("seed")


# --------------------------------------------------------------------------- the parts, and lime's LimeBase

def test_the_lime_package_gives_the_parts_own_functions_under_lime_bases_old_names():
    """Code written against the old explain/lime_base.py finds every name it offered on explain.lime."""
    import explain.lime
    from explain.lime import base, checks, distances, feature_selection, random_state, ridge
    parts = {distances: ["DISTANCE_METRICS", "distances_to_original", "exponential_kernel"],
             ridge: ["weighted_ridge", "weighted_r2"],
             feature_selection: ["FEATURE_SELECTION_METHODS", "forward_selection", "highest_weights",
                                 "lasso_path", "select_features"],
             checks: ["check_probabilities", "check_labels", "check_explainer_settings", "check_positive_int"],
             random_state: ["make_generator"],
             base: base.__all__}
    for module, names in parts.items():
        for name in names:
            assert getattr(explain.lime, name) is getattr(module, name), \
                f"explain.lime.{name} is not {module.__name__}'s"


def test_the_reading_chain_runs_from_lime_base_through_its_parts_to_the_explainers():
    import re
    from pathlib import Path
    folder = Path(lime_base.__file__).parent
    chain, name = [], "base.py"
    while name not in chain and name != "text.py":
        chain.append(name)
        docstring = (folder / name).read_text(encoding="utf-8").split('"""')[1]
        name = re.search(r"Read next: (?:explain/lime/)?(\w+\.py)", docstring).group(1)
        assert (folder / name).exists(), f"{chain[-1]} names {name}, which does not exist"
    # base.py lists LIME's five steps; its parts follow in the order the algorithm runs them
    assert chain == ["base.py", "random_state.py", "checks.py", "distances.py", "feature_selection.py",
                     "ridge.py", "segmentation.py", "fills.py", "perturb_reference.py", "perturb.py",
                     "image.py"]


@pytest.mark.parametrize("top_labels", [None, 2])
def test_explain_labels_returns_its_fits_and_leaves_its_arguments_alone(top_labels):
    samples, targets, weights, _ = sparse_linear_problem(6)
    predictions = np.stack([1 - targets, 0.3 * targets, 0.7 * targets], axis=1)
    copies = [samples.copy(), predictions.copy(), weights.copy()]
    fits = lime_base.explain_labels(samples, predictions, weights, labels=(2, 0), top_labels=top_labels,
                                    num_features=3, feature_selection="auto")
    for original, copy in zip([samples, predictions, weights], copies):
        np.testing.assert_array_equal(original, copy)
    expected_labels = [2, 0] if top_labels is None else sorted(range(3), key=lambda k: -predictions[0, k])[:2]
    assert fits.top_labels == (None if top_labels is None else expected_labels)
    assert list(fits.local_exp) == expected_labels
    for label in expected_labels:
        model = lime_base.fit_local_model(samples, predictions[:, label], weights, 3, "auto")
        assert (fits.intercept[label], fits.local_exp[label], fits.score[label], fits.local_pred[label]) == \
            (model.intercept, model.local_exp, model.score, model.local_pred)


def test_lime_base_class_is_the_same_fit_as_fit_local_model():
    samples, targets, weights, _ = sparse_linear_problem(7)
    labels = np.stack([1 - targets, targets], axis=1)
    distances = distances_to_original(samples, "cosine")
    base = lime_base.LimeBase(lambda d: exponential_kernel(d, 0.25), random_state=0)
    intercept, local_exp, score, local_pred = base.explain_instance_with_data(samples, labels, distances, 1, 4)
    model = lime_base.fit_local_model(samples, targets, weights, 4, "auto")
    assert (intercept, local_exp, score) == (model.intercept, model.local_exp, model.score)
    assert local_pred.shape == (1,) and local_pred[0] == model.local_pred
    np.testing.assert_array_equal(base.feature_selection(samples, targets, weights, 4, "highest_weights"),
                                  highest_weights(samples.astype(float), targets, weights, 4))
    np.testing.assert_array_equal(base.forward_selection(samples, targets, weights, 2),
                                  forward_selection(samples.astype(float), targets, weights, 2))


@pytest.mark.parametrize("method,num_features", [("forward_selection", 3), ("highest_weights", 6),
                                                 ("lasso_path", 4), ("none", 20)])
def test_lime_base_class_answers_as_limes_does(method, num_features):
    lime_base_module = pytest.importorskip("lime.lime_base")
    samples, targets, _, _ = sparse_linear_problem(8, num_features=20)
    labels = np.stack([1 - targets, targets], axis=1)
    distances = distances_to_original(samples, "cosine")

    def kernel(d):
        return exponential_kernel(d, 0.25)

    ours = lime_base.LimeBase(kernel, random_state=0).explain_instance_with_data(
        samples, labels, distances, 0, num_features, feature_selection=method)
    theirs = lime_base_module.LimeBase(kernel, random_state=0).explain_instance_with_data(
        samples, labels, distances, 0, num_features, feature_selection=method)
    assert [f for f, _ in ours[1]] == [int(f) for f, _ in theirs[1]]
    np.testing.assert_allclose([w for _, w in ours[1]], [w for _, w in theirs[1]], atol=1e-10)
    np.testing.assert_allclose([ours[0], ours[2], ours[3][0]], [theirs[0], theirs[2], theirs[3][0]], atol=1e-10)


def test_lime_base_class_names_bad_input():
    samples = np.ones((5, 3))
    with pytest.raises(TypeError, match="kernel_fn must be a callable from distances to weights, got float"):
        lime_base.LimeBase(0.25)
    base = lime_base.LimeBase(lambda d: np.ones_like(d))
    with pytest.raises(ValueError, match=r"expected neighborhood_data \(n, d\), neighborhood_labels \(n, K\) and "
                                         r"distances \(n,\); got \(5, 3\), \(5,\) and \(5,\)"):
        base.explain_instance_with_data(samples, np.ones(5), np.zeros(5), 0, 2)
    with pytest.raises(ValueError, match=r"got \(5, 3\), \(5, 2\) and \(4,\)"):
        base.explain_instance_with_data(samples, np.ones((5, 2)), np.zeros(4), 0, 2)
    with pytest.raises(ValueError, match=r"label 2 is out of range: classifier_fn returned 2 classes"):
        base.explain_instance_with_data(samples, np.ones((5, 2)), np.zeros(5), 2, 2)
