"""Audit: does an augmentation keep the labels true? Ask a trained model.

If a transform preserves the label, a model that classifies clean images well
should classify the transformed images about as well. If a class's accuracy
collapses, and its errors pile up on ONE other class, the transform has turned
one class into the other: rotate a handwritten 6 by 180 degrees and the model,
quite correctly, reads a 9.

    clean accuracy of class k      = mean(model(x_k) == k)
    augmented accuracy of class k  = mean(model(pipeline(x_k)) == label after the pipeline)
    confusion[k, j]                = fraction of class k predicted as j

(The label after the pipeline differs from k only where a Policy's
flip_label_map swaps classes, e.g. left <-> right arrows.)

Read next: augment/preview.py (look at what the pipeline does).
"""
from dataclasses import dataclass

import numpy as np

from .random import as_generator

_BATCH_LAYOUTS = ("NCHW", "NHWC", "NHW")


def predict_labels(model, images):
    """Class ids from a model: any callable, or an object with .predict, giving (N, K) scores or (N,) ids."""
    if callable(model):
        output = model(images)
    elif hasattr(model, "predict"):
        output = model.predict(images)
    else:
        raise TypeError(f"audit expected a model that is callable or has a predict(x) method, "
                        f"got {type(model).__name__}")
    if hasattr(output, "numpy") and not isinstance(output, np.ndarray):
        output = output.numpy()
    output = np.asarray(output)
    n = len(images)
    if output.ndim == 2 and output.shape[0] == n:
        return output.argmax(axis=1)
    if output.shape == (n,) and np.issubdtype(output.dtype, np.integer):
        return output
    raise ValueError(f"audit expected the model to return class scores of shape ({n}, K) "
                     f"or integer labels of shape ({n},), got {output.dtype} {output.shape}")


def _confusion(true, predicted, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts


@dataclass
class AuditReport:
    """Per-class accuracy on clean and augmented data; print it for a table."""
    pipeline: str
    classes: np.ndarray             # the class ids present in y
    counts: np.ndarray              # samples per class (one pass)
    clean_accuracy: np.ndarray      # per class, aligned with `classes`
    augmented_accuracy: np.ndarray
    clean_confusion: np.ndarray     # (K, K) counts: row = true class, column = prediction
    augmented_confusion: np.ndarray
    repeats: int
    class_names: list = None

    @property
    def change(self):
        return self.augmented_accuracy - self.clean_accuracy

    @property
    def overall_clean(self):
        return float(np.trace(self.clean_confusion) / self.clean_confusion.sum())

    @property
    def overall_augmented(self):
        return float(np.trace(self.augmented_confusion) / self.augmented_confusion.sum())

    def most_confused_with(self, cls):
        """(other class, fraction of augmented class-`cls` samples predicted as it)."""
        row = self.augmented_confusion[cls].astype(float)
        row[cls] = -1
        other = int(row.argmax())
        return other, float(self.augmented_confusion[cls, other] / self.augmented_confusion[cls].sum())

    def _name(self, cls):
        return str(self.class_names[cls]) if self.class_names is not None else str(cls)

    def __str__(self):
        width = max(7, max(len(self._name(c)) for c in self.classes))
        lines = [f"audit of {self.pipeline} ({self.repeats} augmented pass{'es' * (self.repeats > 1)})",
                 f"{'class':>{width}} {'n':>6} {'clean':>7} {'augmented':>10} {'change':>8}  "
                 f"augmented errors mostly go to"]
        for i, cls in enumerate(self.classes):
            other, fraction = self.most_confused_with(cls)
            errors = f"{self._name(other)} ({fraction:.0%} of the class)" if fraction > 0 else ""
            lines.append(f"{self._name(cls):>{width}} {self.counts[i]:>6} {self.clean_accuracy[i]:>7.3f} "
                         f"{self.augmented_accuracy[i]:>10.3f} {self.change[i]:>+8.3f}  {errors}")
        lines.append(f"{'overall':>{width}} {self.counts.sum():>6} {self.overall_clean:>7.3f} "
                     f"{self.overall_augmented:>10.3f} {self.overall_augmented - self.overall_clean:>+8.3f}")
        return "\n".join(lines)


def _batches(x, y, batch_size):
    """(images, labels) in consecutive slices of batch_size."""
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size], y[start:start + batch_size]


def _report(pipeline, classes, clean, augmented, repeats, class_names):
    """Tally (true, predicted) label pairs, clean and augmented, into an AuditReport for `classes`."""
    n_classes = int(max(labels.max() for labels in (*clean, *augmented))) + 1  # the largest class seen, + 1
    clean_confusion = _confusion(*clean, n_classes)
    augmented_confusion = _confusion(*augmented, n_classes)
    return AuditReport(
        pipeline=repr(pipeline),
        classes=classes,
        counts=clean_confusion.sum(axis=1)[classes],
        clean_accuracy=np.diag(clean_confusion)[classes] / clean_confusion.sum(axis=1)[classes],
        augmented_accuracy=(np.diag(augmented_confusion)[classes]
                            / np.maximum(augmented_confusion.sum(axis=1)[classes], 1)),
        clean_confusion=clean_confusion,
        augmented_confusion=augmented_confusion,
        repeats=repeats,
        class_names=class_names,
    )


def audit(pipeline, model, x, y, *, rng=0, repeats=1, batch_size=256, class_names=None):
    """Compare the model's per-class accuracy on x and on pipeline(x); see AuditReport.

    x is a batch in the pipeline's declared layout, y the integer class of each image.
    `repeats` augmented passes over x are pooled, each with fresh parameters from `rng`.
    """
    layout = pipeline.spec.layout
    if layout not in _BATCH_LAYOUTS:
        raise ValueError(f"audit needs a batch of images (layout NCHW, NHWC or NHW), "
                         f"the pipeline declares layout {layout!r}")
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim != 1 or len(y) != len(x) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"audit expected integer labels y of shape ({len(x)},), got {y.dtype} {y.shape}")
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"audit expected repeats >= 1, got {repeats!r}")
    generator = as_generator(rng)

    clean_true, clean_predicted, augmented_true, augmented_predicted = [], [], [], []
    for x_batch, y_batch in _batches(x, y, batch_size):
        clean_true.append(y_batch)
        clean_predicted.append(predict_labels(model, x_batch))
    for _ in range(repeats):
        for x_batch, y_batch in _batches(x, y, batch_size):
            result = pipeline.augment(x_batch, generator, labels=y_batch)
            augmented_true.append(result.labels)
            augmented_predicted.append(predict_labels(model, result.images))
    return _report(pipeline, np.unique(y), (np.concatenate(clean_true), np.concatenate(clean_predicted)),
                   (np.concatenate(augmented_true), np.concatenate(augmented_predicted)), repeats, class_names)
