"""The score every attribution explains, and what every method does first.

Every method answers for a score S_n = f(x_n)[t_n], the raw output (logit) of
class t_n for image n, as captum does, so a captum user gets the same numbers
on the same network. Before any method runs:

    batch     x as (N, C, H, W) in the model's float dtype: N >= 1, finite numbers
    targets   one class t_n per row, each in 0..K-1 (K read from one forward pass)
    scores    S_n = f(x_n)[t_n], without a graph
    gradient  dS_n/dx_n for every row, from one backward pass of sum_n S_n:
              rows do not interact in eval mode, so this equals one backward per row

Each check names the method, what was expected and what came; a score that
comes out NaN or inf names the image it came from.
Read next: explain/attributions/gradients.py (saliency, SmoothGrad, Integrated Gradients).
"""
import numpy as np

import tinygrad_edu as tg

from ..lime.checks import check_finite, check_positive_int
from ..model_adapter import as_batch, check_model_finite


def prepare_batch(model, x, method):
    """x as an (N, C, H, W) array of the model's float dtype."""
    return as_batch(x, method, dtype=model.dtype)


def check_logits(output, n_rows, method, images=None):
    """The class count K of the model's (n_rows, K) scores; finite, or the image images[row] is named."""
    values = output.data if isinstance(output, tg.Tensor) else np.asarray(output)
    shape = tuple(np.shape(values))
    if len(shape) != 2 or shape[0] != n_rows:
        raise ValueError(f"the model must return scores of shape (N, classes) = ({n_rows}, classes), got {shape}")
    check_model_finite(values, method, images)
    return shape[1]


def check_targets(target, n_rows, n_classes):
    """One int class per row, each in 0..n_classes-1."""
    targets = np.asarray(target)
    if targets.dtype.kind == "b":
        raise TypeError(f"target must be an int or one int per row, got {target!r} (a bool is no class index)")
    whole = targets.dtype.kind == "f" and np.all(np.isfinite(targets)) and np.all(targets == np.round(targets))
    if targets.dtype.kind not in "iu" and not whole:
        raise TypeError(f"target must be an int or one int per row, got {target!r}")
    targets = np.broadcast_to(targets.astype(np.int64), (n_rows,)) if targets.ndim == 0 else targets.astype(np.int64)
    if targets.shape != (n_rows,):
        raise ValueError(f"target must be an int or one int per row ({n_rows} rows), got {targets.shape[0]} targets")
    if targets.min() < 0 or targets.max() >= n_classes:
        raise ValueError(f"target {int(targets.max() if targets.max() >= n_classes else targets.min())} is out "
                         f"of range for a model with {n_classes} classes (0..{n_classes - 1})")
    return targets


def target_scores(model, batch, targets, method, images=None):
    """S_n = f(x_n)[t_n] for a batch (no gradients); row n comes from image images[n] (default n)."""
    with tg.no_grad():
        output = model(tg.Tensor(batch))
    check_logits(output, len(batch), method, images)
    return output.data[np.arange(len(batch)), targets]


def input_gradient(model, batch, targets, method, images=None):
    """(dS_n/dx_n for every row, S_n): one forward, one backward.

    Rows do not interact in eval mode, so the gradient of sum_n S_n with
    respect to x_n is dS_n/dx_n, the same as one backward per row.
    """
    x = tg.Tensor(batch, requires_grad=True)
    output = model(x)
    check_logits(output, len(batch), method, images)
    scores = output[np.arange(len(batch)), targets]
    scores.sum().backward()
    return x.grad, scores.data


def broadcast_baseline(baseline, batch, method, what="baseline"):
    """The baseline in the batch's dtype, broadcast to its shape; finite numbers only."""
    try:
        if baseline is None:   # np.asarray would turn it into NaN
            raise TypeError
        with np.errstate(over="ignore"):   # an overflow becomes inf, which check_finite names
            base = np.asarray(baseline, dtype=batch.dtype)
        broadcast = np.broadcast_to(base, batch.shape)
    except (TypeError, ValueError):
        given = repr(baseline) if np.ndim(baseline) == 0 else f"shape {np.shape(baseline)}"
        raise ValueError(f"{method}: {what} must be a number or an array that broadcasts to the input "
                         f"{batch.shape}, got {given}") from None
    check_finite(base, method, what)   # before broadcasting, so the index is one into the user's array
    return broadcast


def check_batch_size(batch_size, name="batch_size"):
    """None (all rows at once) or a positive int."""
    return None if batch_size is None else check_positive_int(batch_size, name)


def in_batches(function, batch_size, *columns):
    """Apply function(*(column[i:j] for each column)) in chunks and concatenate the results."""
    if batch_size is None:
        return function(*columns)
    parts = [function(*(column[i:i + batch_size] for column in columns))
             for i in range(0, len(columns[0]), batch_size)]
    return tuple(np.concatenate(column) for column in zip(*parts))


def batch_and_targets(model, x, target, method):
    """The checks every method shares: the batch, one target per row (needs the class count)."""
    batch = prepare_batch(model, x, method)
    with tg.no_grad():
        n_classes = check_logits(model(tg.Tensor(batch[:1])), 1, method)
    return batch, check_targets(target, len(batch), n_classes)
