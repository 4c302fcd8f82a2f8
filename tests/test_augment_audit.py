"""audit exposes label-breaking augmentations; preview shows what a pipeline does."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from augment import (Compose, Policy, RandomHorizontalFlip, RandomRotation, RandomTranslate, audit, preview)


@pytest.fixture(scope="module")
def digits():
    datasets = pytest.importorskip("sklearn.datasets")
    data = datasets.load_digits()  # bundled with scikit-learn: no download
    x = (data.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8) in [0, 1]
    return x, data.target


class NearestClassMean:
    """The simplest classifier: score = -(squared distance to each class's mean image)."""

    def __init__(self, x, y):
        self.means = np.stack([x[y == k].reshape(-1, x[0].size).mean(axis=0) for k in range(10)])

    def __call__(self, batch):
        flat = batch.reshape(len(batch), -1)
        return -((flat[:, None, :] - self.means[None]) ** 2).sum(axis=-1)


def test_audit_exposes_the_6_9_confusion_of_a_180_degree_rotation(digits):
    x, y = digits
    model = NearestClassMean(x, y)
    report = audit(Compose([RandomRotation(degrees=(180, 180))]), model, x, y)
    six, nine = 6, 9
    assert report.clean_accuracy[six] > 0.9 and report.clean_accuracy[nine] > 0.85
    assert report.augmented_accuracy[six] < 0.1 and report.augmented_accuracy[nine] < 0.1
    assert report.most_confused_with(six)[0] == nine  # a rotated 6 is read as a 9 ...
    assert report.most_confused_with(nine)[0] == six   # ... and a rotated 9 as a 6
    assert report.augmented_accuracy[0] > 0.9          # while a 0 survives the rotation
    assert "9 (" in str(report).splitlines()[2 + six]


def test_a_label_safe_pipeline_keeps_per_class_accuracy(digits):
    x, y = digits
    model = NearestClassMean(x, y)
    gentle = Compose([RandomRotation(degrees=5)])
    report = audit(gentle, model, x, y, rng=0, repeats=2)
    assert report.repeats == 2 and report.augmented_confusion.sum() == 2 * len(y)
    assert np.all(report.augmented_accuracy > report.clean_accuracy - 0.2)


def test_audit_accepts_a_model_with_a_predict_method_that_returns_labels(digits):
    x, y = digits
    scorer = NearestClassMean(x, y)

    class LabelPredictor:
        def predict(self, batch):
            return scorer(batch).argmax(axis=1)

    from_scores = audit(Compose([RandomRotation(10)]), scorer, x[:300], y[:300], rng=1)
    from_labels = audit(Compose([RandomRotation(10)]), LabelPredictor(), x[:300], y[:300], rng=1)
    np.testing.assert_array_equal(from_scores.augmented_confusion, from_labels.augmented_confusion)


def test_audit_rejects_bad_models_and_labels(digits):
    x, y = digits
    pipeline = Compose([RandomRotation(10)])
    with pytest.raises(ValueError, match=r"class scores of shape \(10, K\) or integer labels of shape \(10,\)"):
        audit(pipeline, lambda batch: np.zeros(3), x[:10], y[:10])
    with pytest.raises(TypeError, match="callable or has a predict"):
        audit(pipeline, object(), x[:10], y[:10])
    with pytest.raises(ValueError, match=r"integer labels y of shape \(10,\)"):
        audit(pipeline, NearestClassMean(x, y), x[:10], y[:9])


def test_preview_draws_originals_beside_augmented_copies():
    x = np.random.default_rng(0).random((5, 3, 16, 16)).astype(np.float32)
    pipeline = Compose([RandomHorizontalFlip(), RandomTranslate(translate_px=2)])
    figure = preview(pipeline, x, n=3, copies=2, rng=0)
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 3 * 3
    first_original = figure.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(first_original, x[0].transpose(1, 2, 0))
    first_copy = figure.axes[1].get_images()[0].get_array()
    np.testing.assert_allclose(first_copy, pipeline(x[:3], np.random.default_rng(0))[0].transpose(1, 2, 0))
    gray = preview(pipeline, x[:, :1], n=2, copies=1)
    assert gray.axes[0].get_images()[0].get_cmap().name == "gray"
    with pytest.raises(ValueError, match="preview expected n >= 1"):
        preview(pipeline, x, n=0)


def test_preview_shows_the_labels_a_flip_policy_assigns():
    arrows = Policy("ARROWS", flips=("horizontal",), flip_label_map={"horizontal": {0: 1, 1: 0}})
    pipeline = Compose([RandomHorizontalFlip(p=1.0)], policy=arrows)
    x = np.random.default_rng(0).random((2, 1, 8, 8))
    figure = preview(pipeline, x, n=2, copies=1, labels=[0, 1])
    assert [axis.get_xlabel() for axis in figure.axes] == ["label 0", "label 1", "label 1", "label 0"]
