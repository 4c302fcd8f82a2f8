"""The surrogate itself: ridge regression in which every sample carries a weight.

LIME fits a straight line g(z) = w . z + b to the model's answers y_i on the
samples z_i, trusting each sample by its kernel weight pi_i (distances.py):

    minimise  sum_i pi_i (y_i - w . z_i - b)^2  +  alpha |w|^2

The intercept b is not penalised, so centre on the weighted means first
(zbar = sum pi_i z_i / sum pi_i, likewise ybar), scale each row by sqrt(pi_i),
and solve the normal equations of what is left:

    (Zc^T Zc + alpha I) w = Zc^T yc,        b = ybar - zbar . w

How well the line fits is the weighted R^2, 1 - sum pi (y - g)^2 / sum pi (y - ybar)^2.
This is scikit-learn's Ridge(alpha).fit(Z, y, sample_weight=pi), in plain numpy.
Read next: explain/lime/segmentation.py (where image features come from).
"""
import numpy as np


def weighted_ridge(X, y, sample_weight, alpha=1.0):
    """Ridge regression with an intercept and per-sample weights (scikit-learn's Ridge).

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
