"""The score every attribution explains, and what every method does first.

Every method answers for a score S_n = f(x_n)[t_n], the raw output (logit) of
class t_n for image n, as captum does, so a captum user gets the same numbers
on the same network. Before any method runs:

    batch     x as (N, C, H, W) in the model's float dtype
    targets   one class t_n per row, each in 0..K-1 (K read from one forward pass)
    scores    S_n = f(x_n)[t_n], without a graph
    gradient  dS_n/dx_n for every row, from one backward pass of sum_n S_n:
              rows do not interact in eval mode, so this equals one backward per row

Each check names what was expected and what came.
Read next: explain/attributions/gradients.py (saliency, SmoothGrad, Integrated Gradients).
"""
import numpy as np

import tinygrad_edu as tg

from ..model_adapter import as_batch


def prepare_batch(model, x):
    """x as an (N, C, H, W) array of the model's float dtype."""
    return as_batch(x).astype(model.dtype, copy=False)


def check_logits(output, n_rows):
    shape = tuple(np.shape(output.data if isinstance(output, tg.Tensor) else output))
    if len(shape) != 2 or shape[0] != n_rows:
        raise ValueError(f"the model must return scores of shape (N, classes) = ({n_rows}, classes), got {shape}")
    return shape[1]


def check_targets(target, n_rows, n_classes):
    """One int class per row, each in 0..n_classes-1."""
    targets = np.asarray(target)
    if targets.dtype.kind not in "iu" and not (targets.dtype.kind == "f" and np.all(targets == np.round(targets))):
        raise TypeError(f"target must be an int or one int per row, got {target!r}")
    targets = np.broadcast_to(targets.astype(np.int64), (n_rows,)) if targets.ndim == 0 else targets.astype(np.int64)
    if targets.shape != (n_rows,):
        raise ValueError(f"target must be an int or one int per row ({n_rows} rows), got {targets.shape[0]} targets")
    if targets.min() < 0 or targets.max() >= n_classes:
        raise ValueError(f"target {int(targets.max() if targets.max() >= n_classes else targets.min())} is out "
                         f"of range for a model with {n_classes} classes (0..{n_classes - 1})")
    return targets


def target_scores(model, batch, targets):
    """S_n = f(x_n)[t_n] for a batch (no gradients)."""
    with tg.no_grad():
        output = model(tg.Tensor(batch))
    check_logits(output, len(batch))
    return output.data[np.arange(len(batch)), targets]


def input_gradient(model, batch, targets):
    """(dS_n/dx_n for every row, S_n): one forward, one backward.

    Rows do not interact in eval mode, so the gradient of sum_n S_n with
    respect to x_n is dS_n/dx_n, the same as one backward per row.
    """
    x = tg.Tensor(batch, requires_grad=True)
    output = model(x)
    check_logits(output, len(batch))
    scores = output[np.arange(len(batch)), targets]
    scores.sum().backward()
    return x.grad, scores.data


def broadcast_baseline(baseline, batch, what="baseline"):
    try:
        return np.broadcast_to(np.asarray(baseline, dtype=batch.dtype), batch.shape)
    except ValueError:
        raise ValueError(f"{what} must be a number or an array that broadcasts to the input {batch.shape}, "
                         f"got shape {np.shape(baseline)}") from None


def in_batches(function, inputs, targets, batch_size):
    """Apply function(inputs[i:j], targets[i:j]) in chunks and concatenate the results."""
    if batch_size is None:
        return function(inputs, targets)
    parts = [function(inputs[i:i + batch_size], targets[i:i + batch_size]) for i in range(0, len(inputs), batch_size)]
    return tuple(np.concatenate(column) for column in zip(*parts))


def batch_and_targets(model, x, target):
    """The checks every method shares: the batch, one target per row (needs the class count)."""
    batch = prepare_batch(model, x)
    with tg.no_grad():
        n_classes = check_logits(model(tg.Tensor(batch[:1])), 1)
    return batch, check_targets(target, len(batch), n_classes)
