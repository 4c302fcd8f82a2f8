"""The local surrogate at the heart of LIME: a weighted linear fit near one input.

LIME (Ribeiro et al. 2016) explains one prediction f(x) of any black box f.
It describes x by d interpretable features (superpixels, words), each either
present (1) or hidden (0), so x itself is the all-ones vector z = (1, ..., 1).

    1. draw n binary vectors z_i; z_0 is the all-ones original   (random_state.py)
    2. ask the model:  y_i = f(input built from z_i)[label]       (checks.py: its answers)
    3. weigh each sample by its distance D_i to the original:     (distances.py)
           pi_i = sqrt(exp(-D_i^2 / kernel_width^2))
    4. choose at most k features                                  (feature_selection.py)
    5. fit  g(z) = w . z + b  by weighted ridge regression:       (ridge.py)
           minimise  sum_i pi_i (y_i - w . z_i - b)^2  +  alpha |w|^2   (alpha = 1)

The weights w are the explanation: w_j is how much turning feature j on moves
the prediction. `score` is the weighted R^2 of g, and `local_pred` is g(ones),
which should be close to f(x). This file runs steps 4 and 5 for each label, in
plain numpy on the (n, d) samples, and holds lime's LimeBase class; the next
five files take the steps in order.
Read next: explain/lime/random_state.py (step 1: one Generator for every random draw).
"""
from dataclasses import dataclass

import numpy as np

from .checks import check_labels, check_positive_int
from .feature_selection import forward_selection, select_features
from .random_state import make_generator
from .ridge import weighted_r2, weighted_ridge

__all__ = ["LocalModel", "fit_local_model", "LabelExplanations", "explain_labels", "record_on", "choose_labels",
           "LimeBase"]


@dataclass
class LocalModel:
    """What the surrogate says about one label."""
    intercept: float
    local_exp: list        # [(feature, weight)] sorted by |weight|, largest first
    score: float           # weighted R^2 of the surrogate on the samples
    local_pred: float      # the surrogate's prediction at the original (all features on)


def fit_local_model(samples, targets, kernel_weights, num_features, feature_selection="auto",
                    model_regressor=None):
    """Steps 4 and 5 above for one label: select features, then fit the weighted ridge.

    `model_regressor`, as in lime, may be any scikit-learn-style regressor with
    fit(X, y, sample_weight), predict, score, coef_ and intercept_; the default is our
    numpy ridge with alpha = 1.
    """
    X = np.asarray(samples, dtype=np.float64)
    used = select_features(X, targets, kernel_weights, num_features, feature_selection)
    X_used = X[:, used]
    if model_regressor is None:
        coef, intercept = weighted_ridge(X_used, targets, kernel_weights, alpha=1.0)
        score = weighted_r2(X_used, targets, kernel_weights, coef, intercept)
        local_pred = float(X_used[0] @ coef + intercept)
    else:
        model_regressor.fit(X_used, targets, sample_weight=kernel_weights)
        coef = np.ravel(model_regressor.coef_)
        intercept = float(np.ravel(model_regressor.intercept_)[0])
        score = float(model_regressor.score(X_used, targets, sample_weight=kernel_weights))
        local_pred = float(np.ravel(model_regressor.predict(X_used[:1]))[0])
    local_exp = sorted(((int(f), float(w)) for f, w in zip(used, coef)), key=lambda fw: -abs(fw[1]))
    return LocalModel(float(intercept), local_exp, float(score), local_pred)


@dataclass
class LabelExplanations:
    """explain_labels' answer, in lime's attribute names: one dict entry per explained label."""
    top_labels: list       # the labels, most probable first, when top_labels chose them; else None
    intercept: dict        # label -> float
    local_exp: dict        # label -> [(feature, weight)], largest |weight| first
    score: dict            # label -> weighted R^2
    local_pred: dict       # label -> the surrogate's prediction at the original


def explain_labels(samples, predictions, kernel_weights, labels, top_labels, num_features,
                   feature_selection, model_regressor=None, verbose=False):
    """lime's loop over labels: one surrogate per label, returned for the caller to store."""
    chosen, from_top = choose_labels(predictions[0], labels, top_labels)
    result = LabelExplanations(chosen if from_top else None, {}, {}, {}, {})
    for label in chosen:
        model = fit_local_model(samples, predictions[:, label], kernel_weights, num_features,
                                feature_selection, model_regressor)
        result.intercept[label] = model.intercept
        result.local_exp[label] = model.local_exp
        result.score[label] = model.score
        result.local_pred[label] = model.local_pred
        if verbose:
            print(f"label {label}: intercept {model.intercept:.4f}, local_pred {model.local_pred:.4f}, "
                  f"model {predictions[0, label]:.4f}, weighted R^2 {model.score:.4f}")
    return result


def record_on(explanation, samples, predictions, kernel_weights, fits):
    """Store a run's samples and its surrogates on an explanation, in lime's attribute names.

    Both explainers call this on the explanation they built; explain_labels
    itself only returns ``fits``.
    """
    explanation.predict_proba = predictions[0]
    explanation.samples, explanation.sample_predictions = samples, predictions
    explanation.sample_weights = kernel_weights
    explanation.top_labels = fits.top_labels
    explanation.intercept, explanation.local_exp = fits.intercept, fits.local_exp
    explanation.score, explanation.local_pred = fits.score, fits.local_pred
    return explanation


def choose_labels(first_probs, labels, top_labels):
    """lime's rule: with top_labels=K explain the K most probable classes, else `labels`."""
    if top_labels:
        top_labels = check_positive_int(top_labels, "top_labels")
        order = np.argsort(first_probs, kind="stable")[::-1]
        return [int(label) for label in order[:top_labels]], True
    return check_labels(labels, len(first_probs)), False


class LimeBase:
    """lime's LimeBase: the surrogate for a neighbourhood someone else drew.

    Same constructor and methods as lime.lime_base.LimeBase, so lime code that builds
    its own samples runs unchanged. explain_instance_with_data returns lime's tuple
    (intercept, [(feature, weight)] by |weight|, score, local_pred as a (1,) array).
    lime's generate_lars_path is not offered: our lasso path (feature_selection.py)
    is coordinate descent, not LARS. Nothing here is random; random_state is kept
    as a Generator only because lime's constructor takes one.
    """

    def __init__(self, kernel_fn, verbose=False, random_state=None):
        if not callable(kernel_fn):
            raise TypeError(f"kernel_fn must be a callable from distances to weights, got {type(kernel_fn).__name__}")
        self.kernel_fn = kernel_fn
        self.verbose = verbose
        self.random_state = make_generator(random_state)

    def forward_selection(self, data, labels, weights, num_features):
        return forward_selection(np.asarray(data, dtype=np.float64), labels, weights, num_features)

    def feature_selection(self, data, labels, weights, num_features, method):
        return select_features(np.asarray(data, dtype=np.float64), labels, weights, num_features, method)

    def explain_instance_with_data(self, neighborhood_data, neighborhood_labels, distances, label, num_features,
                                   feature_selection="auto", model_regressor=None):
        """Fit the surrogate of column `label`; row 0 of neighborhood_data is the original."""
        data = np.asarray(neighborhood_data, dtype=np.float64)
        answers = np.asarray(neighborhood_labels, dtype=np.float64)
        distances = np.asarray(distances, dtype=np.float64)
        if data.ndim != 2 or answers.ndim != 2 or distances.shape != (len(data),) or len(answers) != len(data):
            raise ValueError(
                f"explain_instance_with_data expected neighborhood_data (n, d), neighborhood_labels (n, K) and "
                f"distances (n,); got {data.shape}, {answers.shape} and {distances.shape}")
        (label,) = check_labels([label], answers.shape[1])
        weights = np.asarray(self.kernel_fn(distances), dtype=np.float64)
        model = fit_local_model(data, answers[:, label], weights, num_features, feature_selection, model_regressor)
        if self.verbose:
            print(f"Intercept {model.intercept}\nPrediction_local [{model.local_pred}]\nRight: {answers[0, label]}")
        return model.intercept, model.local_exp, model.score, np.array([model.local_pred])
