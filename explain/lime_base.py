"""The local surrogate at the heart of LIME: a weighted linear fit near one input.

LIME (Ribeiro et al. 2016) explains one prediction f(x) of any black box f.
It describes x by d interpretable features (superpixels, words), each either
present (1) or hidden (0), so x itself is the all-ones vector z = (1, ..., 1).

    1. draw n binary vectors z_i; z_0 is the all-ones original
    2. ask the model:       y_i = f(input built from z_i)[label]
    3. weigh each sample by how close it is to the original:
           D_i  = distance(z_i, ones)              (cosine by default)
           pi_i = sqrt(exp(-D_i^2 / kernel_width^2))
    4. choose at most k features (forward selection, highest weights, lasso path)
    5. fit  g(z) = w . z + b  by weighted ridge regression:
           minimise  sum_i pi_i (y_i - w . z_i - b)^2  +  alpha |w|^2   (alpha = 1)

The weights w are the explanation: w_j is how much turning feature j on moves
the prediction. `score` is the weighted R^2 of g (how well a line fits the model
here) and `local_pred` is g(ones), which should be close to f(x).
Plain numpy on the (n, d) samples; nothing here knows about images or text.
Read next: explain/segmentation.py (where image features come from).
"""
from dataclasses import dataclass

import numpy as np

FEATURE_SELECTION_METHODS = ("auto", "forward_selection", "highest_weights", "lasso_path", "none")
DISTANCE_METRICS = ("cosine", "euclidean", "l2", "manhattan", "cityblock", "l1", "hamming")


# --------------------------------------------------------------------------- randomness

def make_generator(random_state):
    """One numpy Generator from None, an int seed, a Generator or a legacy RandomState."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # lime users pass RandomState objects; derive our Generator from it deterministically
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int, a numpy Generator or RandomState; got {type(random_state).__name__}")


# --------------------------------------------------------------------------- distances and kernel

def exponential_kernel(distances, kernel_width):
    """lime's kernel: sqrt(exp(-d^2 / width^2)), 1 at the original, falling with distance."""
    return np.sqrt(np.exp(-(distances ** 2) / kernel_width ** 2))


def distances_to_original(samples, metric="cosine"):
    """Distance of each binary row of `samples` to the all-ones original.

    With k features switched on out of d, the distances have closed forms:
        cosine    1 - k / (sqrt(k) sqrt(d)) = 1 - sqrt(k / d)   (1 when k = 0, as in scikit-learn)
        euclidean sqrt(d - k)
        manhattan d - k
        hamming   (d - k) / d
    """
    samples = np.asarray(samples, dtype=np.float64)
    num_features = samples.shape[1]
    num_on = samples.sum(axis=1)
    if metric == "cosine":
        return 1.0 - np.sqrt(num_on / num_features)
    if metric in ("euclidean", "l2"):
        return np.sqrt(num_features - num_on)
    if metric in ("manhattan", "cityblock", "l1"):
        return num_features - num_on
    if metric == "hamming":
        return (num_features - num_on) / num_features
    raise ValueError(f"distance_metric must be one of {DISTANCE_METRICS}, got {metric!r}")


# --------------------------------------------------------------------------- weighted ridge

def weighted_ridge(X, y, sample_weight, alpha=1.0):
    """Ridge regression with an intercept and per-sample weights (scikit-learn's Ridge).

    Centre X and y on their weighted means, scale rows by sqrt(weight), then solve
        (Xc^T W Xc + alpha I) coef = Xc^T W yc,     intercept = mean(y) - mean(X) . coef
    With alpha = 0 the system may be singular, so we take the least-squares solution.
    Returns (coef of shape (p,), intercept).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(sample_weight, dtype=np.float64)
    X_mean = w @ X / w.sum()
    y_mean = w @ y / w.sum()
    sqrt_w = np.sqrt(w)
    A = (X - X_mean) * sqrt_w[:, None]
    b = (y - y_mean) * sqrt_w
    if X.shape[1] == 0:
        return np.zeros(0), float(y_mean)
    if alpha > 0:
        coef = np.linalg.solve(A.T @ A + alpha * np.eye(X.shape[1]), A.T @ b)
    else:
        coef = np.linalg.lstsq(A, b, rcond=None)[0]
    return coef, float(y_mean - X_mean @ coef)


def weighted_r2(X, y, sample_weight, coef, intercept):
    """R^2 = 1 - sum w (y - yhat)^2 / sum w (y - mean_w y)^2 (1 if both are 0, 0 if only the second)."""
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(sample_weight, dtype=np.float64)
    residual = y - (np.asarray(X, dtype=np.float64) @ coef + intercept)
    total = y - w @ y / w.sum()
    ss_res = float(w @ residual ** 2)
    ss_tot = float(w @ total ** 2)
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot


# --------------------------------------------------------------------------- feature selection

def forward_selection(X, y, weights, num_features):
    """Greedily add the feature whose unregularised fit gives the highest weighted R^2."""
    chosen = []
    for _ in range(min(num_features, X.shape[1])):
        best_feature, best_score = None, -np.inf
        for feature in range(X.shape[1]):
            if feature in chosen:
                continue
            columns = chosen + [feature]
            coef, intercept = weighted_ridge(X[:, columns], y, weights, alpha=0.0)
            score = weighted_r2(X[:, columns], y, weights, coef, intercept)
            if score > best_score:
                best_feature, best_score = feature, score
        chosen.append(best_feature)
    return np.array(chosen, dtype=np.int64)


def highest_weights(X, y, weights, num_features):
    """Fit a lightly regularised ridge on all features; keep the k largest |weight x original|.

    The original is the all-ones row, so this ranks the features by |weight|.
    """
    coef, _ = weighted_ridge(X, y, weights, alpha=0.01)
    contribution = np.abs(coef * X[0])
    return np.argsort(-contribution, kind="stable")[:num_features]


def lasso_path(X, y, weights, num_features, num_alphas=100, max_sweeps=1000, tol=1e-8):
    """Follow the lasso path from strong to weak penalty; keep the last support with <= k features.

    The lasso minimises (1/2n) |y - X beta|^2 + alpha |beta|_1. At alpha_max = max |X^T y| / n
    every beta is 0; lowering alpha lets features enter one by one. Each alpha is solved by
    coordinate descent, where one coordinate's optimum is a soft threshold:
        beta_j = S(c_j - sum_{i != j} G_ji beta_i, alpha) / G_jj,   S(v, a) = sign(v) max(|v| - a, 0)
    with G = X^T X / n and c = X^T y / n. Like lime, the data are centred on their weighted
    means and rows scaled by sqrt(weight) first.
    """
    num_samples, num_total = X.shape
    if num_features >= num_total:
        return np.arange(num_total)
    mean_x = weights @ X / weights.sum()
    mean_y = weights @ y / weights.sum()
    sqrt_w = np.sqrt(weights)
    Xw = (X - mean_x) * sqrt_w[:, None]
    yw = (y - mean_y) * sqrt_w
    gram = Xw.T @ Xw / num_samples
    corr = Xw.T @ yw / num_samples
    alpha_max = np.abs(corr).max()
    beta = np.zeros(num_total)
    if alpha_max == 0.0:
        return np.zeros(0, dtype=np.int64)   # the model does not move: no feature explains anything

    def solve(alpha, start):
        return _lasso_coordinate_descent(gram, corr, alpha, start, max_sweeps, tol * alpha_max)

    alpha_before = alpha_max
    for alpha in alpha_max * np.logspace(0, -4, num_alphas)[1:]:
        new_beta = solve(alpha, beta)
        if np.count_nonzero(new_beta) > num_features:
            # too many entered between two grid points: bisect to the last alpha with <= k,
            # which is where lime's exact LARS path would stop
            low, high = alpha, alpha_before
            for _ in range(30):
                middle = np.sqrt(low * high)
                middle_beta = solve(middle, beta)
                if np.count_nonzero(middle_beta) > num_features:
                    low, new_beta = middle, middle_beta
                else:
                    high, beta = middle, middle_beta
            if np.count_nonzero(beta) == 0:
                # several features entered at exactly the same alpha: keep the k strongest
                return np.argsort(-np.abs(new_beta), kind="stable")[:num_features]
            return np.flatnonzero(beta)
        beta, alpha_before = new_beta, alpha
    return np.flatnonzero(beta)


def _lasso_coordinate_descent(gram, corr, alpha, beta, max_sweeps, tol):
    """Coordinate descent for one alpha, warm-started from `beta` (which it copies)."""
    beta = beta.copy()
    for _ in range(max_sweeps):
        largest_change = 0.0
        for j in range(len(beta)):
            if gram[j, j] == 0.0:
                continue        # a constant feature carries no information
            rho = corr[j] - gram[j] @ beta + gram[j, j] * beta[j]
            new_value = np.sign(rho) * max(abs(rho) - alpha, 0.0) / gram[j, j]
            largest_change = max(largest_change, abs(new_value - beta[j]))
            beta[j] = new_value
        if largest_change < tol:
            break
    return beta


def select_features(X, y, weights, num_features, method):
    """Indices of at most `num_features` columns, chosen by `method` (lime's meanings).

    'auto' is forward_selection when num_features <= 6 (cheap then) and highest_weights otherwise.
    """
    if method == "auto":
        method = "forward_selection" if num_features <= 6 else "highest_weights"
    if method == "none":
        return np.arange(X.shape[1])
    if method == "forward_selection":
        return forward_selection(X, y, weights, num_features)
    if method == "highest_weights":
        return highest_weights(X, y, weights, num_features)
    if method == "lasso_path":
        return lasso_path(X, y, weights, num_features)
    raise ValueError(f"feature_selection must be one of {FEATURE_SELECTION_METHODS}, got {method!r}")


# --------------------------------------------------------------------------- the local model

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


def explain_labels(explanation, samples, predictions, kernel_weights, labels, top_labels, num_features,
                   feature_selection, model_regressor=None, verbose=False):
    """lime's loop over labels: fit one surrogate per label and record it on the explanation."""
    explanation.predict_proba = predictions[0]
    explanation.samples = samples
    explanation.sample_predictions = predictions
    explanation.sample_weights = kernel_weights
    chosen, from_top = choose_labels(predictions[0], labels, top_labels)
    if from_top:
        explanation.top_labels = chosen
    for label in chosen:
        model = fit_local_model(samples, predictions[:, label], kernel_weights, num_features,
                                feature_selection, model_regressor)
        explanation.intercept[label] = model.intercept
        explanation.local_exp[label] = model.local_exp
        explanation.score[label] = model.score
        explanation.local_pred[label] = model.local_pred
        if verbose:
            print(f"label {label}: intercept {model.intercept:.4f}, local_pred {model.local_pred:.4f}, "
                  f"model {predictions[0, label]:.4f}, weighted R^2 {model.score:.4f}")


# --------------------------------------------------------------------------- checking the black box

def check_probabilities(output, num_rows, num_classes=None):
    """The classifier's answer for a batch of `num_rows` inputs, as a float (num_rows, K) array.

    LIME regresses on probabilities, so anything else is a bug in the caller's classifier_fn;
    we say what came back instead of failing later inside the regression.
    """
    try:
        probs = np.asarray(output, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"classifier_fn must return class probabilities of shape (N, K) as numbers; "
            f"for a batch of {num_rows} it returned {type(output).__name__} ({error})") from None
    if probs.ndim != 2:
        raise ValueError(
            f"classifier_fn must return class probabilities of shape (N, K); "
            f"for a batch of {num_rows} it returned shape {probs.shape}")
    if probs.shape[0] != num_rows:
        raise ValueError(
            f"classifier_fn was given {num_rows} inputs but returned {probs.shape[0]} rows "
            f"(shape {probs.shape})")
    if num_classes is not None and probs.shape[1] != num_classes:
        raise ValueError(
            f"classifier_fn returned {probs.shape[1]} classes for this batch but {num_classes} before")
    if not np.all(np.isfinite(probs)):
        bad_rows = np.flatnonzero(~np.isfinite(probs).all(axis=1))
        raise ValueError(
            f"classifier_fn returned NaN or inf in {len(bad_rows)} of {num_rows} rows "
            f"(first at row {bad_rows[0]}): {probs[bad_rows[0]]}")
    low, high = probs.min(), probs.max()
    if low < -1e-6 or high > 1 + 1e-6:
        raise ValueError(
            f"classifier_fn must return probabilities in [0, 1]; it returned values in "
            f"[{low:.4g}, {high:.4g}] (logits? apply a softmax first)")
    return probs


def check_labels(labels, num_classes):
    """Labels as a list of ints, each in 0..K-1."""
    labels = [int(label) for label in np.atleast_1d(np.asarray(labels))]
    for label in labels:
        if not 0 <= label < num_classes:
            raise ValueError(
                f"label {label} is out of range: classifier_fn returned {num_classes} classes, "
                f"so labels must be in 0..{num_classes - 1}")
    return labels


def check_explainer_settings(kernel_width, feature_selection):
    """The constructor arguments both explainers share."""
    if not kernel_width > 0:
        raise ValueError(f"kernel_width must be > 0, got {kernel_width!r}")
    if feature_selection not in FEATURE_SELECTION_METHODS:
        raise ValueError(
            f"feature_selection must be one of {FEATURE_SELECTION_METHODS}, got {feature_selection!r}")


def check_positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def choose_labels(first_probs, labels, top_labels):
    """lime's rule: with top_labels=K explain the K most probable classes, else `labels`."""
    if top_labels:
        top_labels = check_positive_int(top_labels, "top_labels")
        order = np.argsort(first_probs, kind="stable")[::-1]
        return [int(label) for label in order[:top_labels]], True
    return check_labels(labels, len(first_probs)), False
