"""Training: the loop the lecture calls "roughly how learning a neural net works".

    for each epoch:
        shuffle the training set and cut it into mini-batches
        for each mini-batch (x, y):
            loss = loss_fn(model(x), y)     forward
            optimizer.zero_grad()
            loss.backward()                  gradients of the loss w.r.t. every weight
            optimizer.step()                 move each weight a little downhill

``fit`` runs that loop Keras-style: a progress bar per epoch and a History of
loss and accuracy per epoch (and of the validation set, if one is given).
``evaluate``, ``predict`` and ``summary`` complete the Keras-like surface.
Augmentation (see the augment package) is applied per training batch only;
``masks`` (one label map per training image, e.g. where the object is) travel
with their batch into the augmentation, for transforms that need them.

Read next: tinygrad_edu/training/summary.py (a model's layers as a table).
"""
import numpy as np
from tqdm.auto import tqdm

from ..engine.autograd import no_grad
from ..engine.tensor import Tensor


class History:
    """What ``fit`` returns: ``history.history["loss"][epoch]``, as in Keras."""

    def __init__(self):
        self.history = {}
        self.epoch = []

    def record(self, epoch, metrics):
        self.epoch.append(epoch)
        for name, value in metrics.items():
            self.history.setdefault(name, []).append(value)

    def __getitem__(self, name):
        return self.history[name]

    def __repr__(self):
        last = {name: round(values[-1], 4) for name, values in self.history.items()}
        return f"History(epochs={len(self.epoch)}, last={last})"


def _as_input(model, x_batch):
    """Float inputs take the model's dtype (float32 unless .double() was called)."""
    x_batch = np.asarray(x_batch)
    if x_batch.dtype.kind == "f":
        x_batch = x_batch.astype(model.dtype, copy=False)
    return Tensor(x_batch)


def _check_data(x, y, name="x, y"):
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"{name}: {len(x)} inputs but {len(y)} targets; they must have the same length")
    if len(x) == 0:
        raise ValueError(f"{name}: the data set is empty")
    return x, y


def accuracy_counts(outputs, y):
    """Number of correct predictions in a batch, or None when accuracy has no meaning.

    (N, C) outputs with integer labels: argmax. (N,) or (N, 1) outputs with
    0/1 targets: logit > 0 (the output of a sigmoid-less binary classifier).
    """
    outputs = np.asarray(outputs)
    y = np.asarray(y)
    if outputs.ndim == 2 and outputs.shape[1] > 1 and y.ndim == 1 and y.dtype.kind in "iu":
        return int(np.sum(outputs.argmax(axis=1) == y))
    if outputs.reshape(len(outputs), -1).shape[1] == 1 and np.all((y == 0) | (y == 1)):
        return int(np.sum((outputs.reshape(-1) > 0) == (y.reshape(-1) > 0.5)))
    return None


def _check_count(function, name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{function} expected {name} >= {minimum} (an integer), got {value!r}")


def _batches(n_samples, batch_size, rng):
    order = rng.permutation(n_samples) if rng is not None else np.arange(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start:start + batch_size]


def fit(model, loss_fn, optimizer, x, y, epochs=1, batch_size=32, validation_data=None,
        shuffle=True, seed=None, verbose=1, augment=None, masks=None):
    """Train ``model`` on numpy arrays ``x``, ``y``; returns a History.

    ``augment(x_batch, rng)``, if given, perturbs each training batch (never
    the validation data). With ``masks`` ((N, H, W) for (N, C, H, W) images) it
    is called as ``augment(x_batch, rng, masks=masks_batch)``: the rows of the
    masks that belong to the batch (see augment/background.py). ``seed`` fixes
    the shuffling and the augmentation: each epoch draws from its own stream
    spawned from ``SeedSequence(seed)``.
    """
    x, y, masks = _check_fit_arguments(x, y, epochs, batch_size, validation_data, augment, masks)
    history = History()
    epoch_seeds = np.random.SeedSequence(seed).spawn(epochs)
    n_batches = -(-len(x) // batch_size)
    for epoch in range(epochs):
        rng = np.random.default_rng(epoch_seeds[epoch])
        model.train()
        running = _RunningMetrics()
        progress = tqdm(total=n_batches, desc=f"Epoch {epoch + 1}/{epochs}", unit="batch",
                        disable=not verbose, leave=True)
        batches = _training_batches(x, y, masks, augment, batch_size, rng, shuffle)
        for batch_number, (x_batch, y_batch) in enumerate(batches, start=1):
            loss, correct = _train_step(model, loss_fn, optimizer, x_batch, y_batch)
            if not np.isfinite(loss):
                progress.close()
                raise FloatingPointError(f"fit: the loss became {loss} at batch {batch_number} of epoch "
                                         f"{epoch + 1}; stopping (try a smaller lr, or detect_anomaly())")
            running.add(loss, correct, len(y_batch))
            progress.update(1)
            progress.set_postfix(running.result(), refresh=False)
        metrics = running.result()
        if validation_data is not None:
            metrics.update(_validation_metrics(model, loss_fn, validation_data, batch_size))
        progress.set_postfix(metrics)
        progress.close()
        history.record(epoch, metrics)
    return history


def _check_fit_arguments(x, y, epochs, batch_size, validation_data, augment, masks):
    """Every argument checked before the first step; returns x, y and masks as arrays."""
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        raise TypeError("fit expected numpy arrays for x and y (it makes the batch Tensors itself), got a Tensor; "
                        "pass tensor.data")
    _check_count("fit", "batch_size", batch_size, minimum=1)
    _check_count("fit", "epochs", epochs, minimum=1)
    x, y = _check_data(x, y)
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        raise ValueError(f"fit: x holds {int(np.sum(~np.isfinite(x)))} NaN or infinite values; "
                         "expected finite inputs (the loss would become NaN)")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("fit: validation_data must be a pair (x_val, y_val); Keras' sample weights "
                             f"(x, y, sample_weight) are not supported, got {type(validation_data).__name__} "
                             f"of length {len(validation_data) if hasattr(validation_data, '__len__') else '?'}")
        _check_data(*validation_data, name="validation_data")
    return x, y, _check_masks(masks, x, augment)


def _check_masks(masks, x, augment):
    """Masks only make sense for an augmentation that uses them, one (H, W) map per (C, H, W) image."""
    if masks is None:
        return None
    if augment is None:
        raise ValueError("fit got masks but no augment to pass them to; give augment=... "
                         "(e.g. augment.RandomBackground) or drop masks")
    masks = np.asarray(masks)
    expected = (len(x),) + x.shape[2:] if x.ndim == 4 else None
    if expected is None or masks.shape != expected:
        raise ValueError(f"fit expected masks of shape (N, H, W) = {expected} for inputs of shape {x.shape}, "
                         f"got {masks.shape}")
    return masks


def _training_batches(x, y, masks, augment, batch_size, rng, shuffle):
    """One epoch's (x_batch, y_batch) pairs, shuffled by ``rng`` if asked, each x_batch through ``augment``."""
    for batch in _batches(len(x), batch_size, rng if shuffle else None):
        x_batch = x[batch]
        if augment is not None:
            x_batch = augment(x_batch, rng) if masks is None else augment(x_batch, rng, masks=masks[batch])
        yield x_batch, y[batch]


def _validation_metrics(model, loss_fn, validation_data, batch_size):
    val_loss, val_accuracy = evaluate(model, loss_fn, *validation_data, batch_size=max(batch_size, 256))
    metrics = {"val_loss": val_loss}
    if val_accuracy is not None:
        metrics["val_accuracy"] = val_accuracy
    return metrics


def _train_step(model, loss_fn, optimizer, x_batch, y_batch):
    outputs = model(_as_input(model, x_batch))
    loss = loss_fn(outputs, y_batch)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item(), accuracy_counts(outputs.data, y_batch)


class _RunningMetrics:
    """Sample-weighted mean loss and accuracy over the batches seen so far."""

    def __init__(self):
        self.loss_sum, self.correct, self.counted, self.has_accuracy = 0.0, 0, 0, False

    def add(self, loss, correct, count):
        self.loss_sum += loss * count
        self.counted += count
        if correct is not None:
            self.correct += correct
            self.has_accuracy = True

    def result(self):
        count = max(self.counted, 1)
        metrics = {"loss": self.loss_sum / count}
        if self.has_accuracy:
            metrics["accuracy"] = self.correct / count
        return metrics


def evaluate(model, loss_fn, x, y, batch_size=256):
    """Mean loss and accuracy (None if it has no meaning) on ``x``, ``y``, in eval mode."""
    x, y = _check_data(x, y)
    was_training = model.training
    model.eval()
    running = _RunningMetrics()
    try:
        with no_grad():
            for batch in _batches(len(x), batch_size, None):
                outputs = model(_as_input(model, x[batch]))
                loss = loss_fn(outputs, y[batch]).item()
                running.add(loss, accuracy_counts(outputs.data, y[batch]), len(batch))
    finally:
        model.train(was_training)
    metrics = running.result()
    return metrics["loss"], metrics.get("accuracy")


def predict(model, x, batch_size=256):
    """The model's outputs for every row of ``x``, as one numpy array (eval mode, no graph)."""
    _check_count("predict", "batch_size", batch_size, minimum=1)
    x = np.asarray(x.data if isinstance(x, Tensor) else x)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            outputs = [model(_as_input(model, x[batch])).data for batch in _batches(len(x), batch_size, None)]
            if len(x) == 0:  # no batches: run the empty batch itself, for the output's shape (as PyTorch does)
                outputs = [model(_as_input(model, x)).data]
    finally:
        model.train(was_training)
    return np.concatenate(outputs, axis=0)
