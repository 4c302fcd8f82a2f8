"""Figures: outlined superpixels, weight bars, highlighted words (explain/lime/plots.py)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from explain import (LimeImageExplainer, LimeTextExplainer, plot_image_explanation,  # noqa: E402
                     plot_text_explanation, plot_weights)
from explain.lime.plots import NEGATIVE, POSITIVE  # noqa: E402
from explain.lime.segmentation import fixed_segmentation  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def grid_segments(size, block):
    rows = np.arange(size)[:, None] // block
    return rows * (size // block) + np.arange(size)[None, :] // block


@pytest.fixture
def image_explanation():
    segments = grid_segments(32, 8)
    image = np.full((32, 32, 3), 0.5)

    def classifier_fn(batch):
        brightness = batch.mean(axis=3)
        p = 0.5 + 0.4 * brightness[:, segments == 5].mean(axis=1) - 0.4 * brightness[:, segments == 10].mean(axis=1)
        return np.stack([1 - p, p], axis=1)

    return LimeImageExplainer(random_state=0).explain_instance(
        image, classifier_fn, hide_color=0, num_samples=200, top_labels=None,
        segmentation_fn=fixed_segmentation(segments)), segments


def test_image_plot_outlines_positive_segments_green_and_negative_red(image_explanation):
    explanation, segments = image_explanation
    figure = plot_image_explanation(explanation, label=1, num_features=2)
    shown = figure.axes[0].images[0].get_array()
    is_green = np.all(np.isclose(shown, POSITIVE), axis=2)
    is_red = np.all(np.isclose(shown, NEGATIVE), axis=2)
    # outlines sit inside their own superpixel, and only there
    assert is_green.any() and np.all(segments[is_green] == 5)
    assert is_red.any() and np.all(segments[is_red] == 10)
    # the interior of the superpixel is untouched
    assert np.allclose(shown[12, 44 - 32], 0.5)


def test_weight_bars_have_the_right_lengths_colours_and_order(image_explanation):
    explanation, _ = image_explanation
    figure = plot_weights(explanation, label=1, num_features=3)
    bars = figure.axes[0].patches
    top3 = explanation.local_exp[1][:3]
    # barh draws bottom-up, so the largest weight is the last bar
    assert [bar.get_width() for bar in bars] == pytest.approx([w for _, w in top3[::-1]])
    for bar, (_, weight) in zip(bars, top3[::-1]):
        assert to_rgb(bar.get_facecolor()) == pytest.approx(POSITIVE if weight > 0 else NEGATIVE)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[-1] == f"superpixel {top3[0][0]}"


def keyword_classifier(strings):
    p = np.array([0.5 + 0.3 * ("good" in s.split()) - 0.3 * ("awful" in s.split()) for s in strings])
    return np.stack([1 - p, p], axis=1)


@pytest.fixture
def text_explanation():
    text = "a good meal, an awful wait, a good view and a quiet room " * 2
    return LimeTextExplainer(random_state=0).explain_instance(text, keyword_classifier, num_samples=300)


def test_text_bars_and_lime_as_pyplot_figure_name_the_words(text_explanation):
    figure = plot_weights(text_explanation, label=1, num_features=4)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert set(labels[-2:]) == {"good", "awful"}
    assert len(text_explanation.as_pyplot_figure(label=1).axes[0].patches) == 10


def test_text_highlight_shades_each_word_by_the_sign_of_its_weight(text_explanation):
    figure = plot_text_explanation(text_explanation, label=1, line_width=30)
    texts = [t for t in figure.axes[0].texts]
    assert "".join(t.get_text() for t in texts) == text_explanation.indexed_string.raw_string()
    weights = dict(text_explanation.as_list(label=1))
    for t in texts:
        box = t.get_bbox_patch()
        if t.get_text() in ("good", "awful"):
            expected = POSITIVE if weights[t.get_text()] > 0 else NEGATIVE
            assert to_rgb(box.get_facecolor()) == pytest.approx(expected)
        elif not t.get_text().strip(" ,"):
            assert box is None          # separators are never shaded
    # wrapped over several lines of at most about 30 characters
    assert len({t.get_position()[1] for t in texts}) >= 4
    assert max(t.get_position()[0] + len(t.get_text()) for t in texts) <= 30 + 10
