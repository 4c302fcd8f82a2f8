"""Which features may the surrogate use? At most k of the d, chosen four ways (lime's).

A line through d features explains nothing a person can read when d is 100
superpixels; LIME keeps k (num_features) and fits the ridge on those alone.
With y the model's answers, pi the kernel weights and R^2_w the weighted R^2:

    forward_selection  start empty; k times add the j maximising R^2_w(chosen + [j])
                       of an unregularised fit (d k fits: cheap only for small k)
    highest_weights    fit all d with a light ridge (alpha = 0.01); keep the k largest |w_j|
    lasso_path         lower the L1 penalty from alpha_max until k features are non-zero:
                           min (1/2n) |y - X beta|^2 + alpha |beta|_1
    none               all d
    auto               forward_selection when k <= 6, else highest_weights

Read next: explain/lime/ridge.py (step 5: the weighted fit, which the selection above also calls).
"""
import numpy as np

from .ridge import weighted_r2, weighted_ridge

FEATURE_SELECTION_METHODS = ("auto", "forward_selection", "highest_weights", "lasso_path", "none")


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
