"""Loss functions reject bad labels with messages that say what was expected."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import functional as F


def logits():
    return Tensor(np.zeros((3, 4), dtype=np.float32))


def test_cross_entropy_labels_out_of_range():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\] for 4 classes, got values from 0 to 4"):
        F.cross_entropy(logits(), np.array([0, 1, 4]))


def test_cross_entropy_float_labels():
    with pytest.raises(TypeError, match="integer class labels, got dtype float64"):
        F.cross_entropy(logits(), np.array([0.0, 1.0, 2.0]))


def test_cross_entropy_label_count():
    with pytest.raises(ValueError, match=r"labels of shape \(2,\) do not match logits \(3, 4\)"):
        F.cross_entropy(logits(), np.array([0, 1]))


def test_cross_entropy_wrong_logit_rank():
    with pytest.raises(ValueError, match=r"logits of shape \(N, C\), got \(3, 4, 1\)"):
        F.cross_entropy(Tensor(np.zeros((3, 4, 1))), np.array([0, 1, 2]))


def test_bad_reduction_and_dropout_probability():
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(logits(), np.array([0, 1, 2]), reduction="avg")
    with pytest.raises(ValueError, match=r"dropout probability must be in \[0, 1\], got 1.5"):
        F.dropout(logits(), 1.5)


def test_softmax_axis_out_of_range():
    with pytest.raises(ValueError, match=r"softmax: axis 2 is out of range for a tensor of shape \(3, 4\)"):
        F.softmax(logits(), axis=2)


def test_dropout_keeps_the_expected_value_and_is_identity_in_eval():
    x = Tensor(np.ones((200, 200)))
    out = F.dropout(x, 0.25, generator=np.random.default_rng(0))
    assert set(np.unique(out.data)) == {0.0, 1 / 0.75}
    assert abs(out.data.mean() - 1.0) < 0.02
    assert F.dropout(x, 0.25, training=False) is x
