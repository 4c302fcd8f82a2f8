"""User text in figures is drawn as written, never as matplotlib mathtext.

Words of a text explanation, layer names, labels and titles may hold dollar signs.
Read as mathtext, "$\\notacommand$" stops the drawing with a parse error and "$x^2$"
is silently typeset; drawn as written, both read back letter for letter. (The
report's own figures are tested in test_explain_report.py.)
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from explain import LimeTextExplainer, plot_activations, plot_text_explanation, plot_weights  # noqa: E402

UNKNOWN_COMMAND, VALID_MATH = "$\\notacommand$", "$x^2$"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts_holding(figure, *words):
    """Every drawn Text holding one of the words, after a full draw (where mathtext is parsed)."""
    figure.canvas.draw()
    return [text for text in figure.findobj(Text) if any(word in text.get_text() for word in words)]


def assert_drawn_as_written(figure, *words):
    found = texts_holding(figure, *words)
    for word in words:
        assert any(word in text.get_text() for text in found), f"{word!r} is not drawn"
    assert not any(text.get_parse_math() for text in found)


def dollar_classifier(strings):
    p = np.array([0.5 + 0.3 * (VALID_MATH in s.split()) - 0.3 * (UNKNOWN_COMMAND in s.split()) for s in strings])
    return np.stack([1 - p, p], axis=1)


@pytest.fixture
def dollar_explanation():
    text = f"a {VALID_MATH} price and an {UNKNOWN_COMMAND} fee, then a quiet room"
    return LimeTextExplainer(split_expression=r"\s+", random_state=0).explain_instance(
        text, dollar_classifier, num_samples=200)


def test_words_with_dollar_signs_in_the_weight_bars_and_the_highlighted_text(dollar_explanation):
    bars = plot_weights(dollar_explanation, label=1, num_features=4)
    labels = [text.get_text() for text in bars.axes[0].get_yticklabels()]
    assert set(labels[-2:]) == {VALID_MATH, UNKNOWN_COMMAND}
    assert_drawn_as_written(bars, VALID_MATH, UNKNOWN_COMMAND)
    highlighted = plot_text_explanation(dollar_explanation, label=1)
    assert_drawn_as_written(highlighted, VALID_MATH, UNKNOWN_COMMAND)
    drawn = "".join(text.get_text() for text in highlighted.axes[0].texts)
    assert drawn == dollar_explanation.indexed_string.raw_string()


def test_a_layer_named_with_dollar_signs_in_the_activation_grid():
    acts = {f"{UNKNOWN_COMMAND} {VALID_MATH}": np.random.default_rng(0).normal(size=(1, 3, 4, 4))}
    assert_drawn_as_written(plot_activations(acts, max_channels=3), UNKNOWN_COMMAND)


def test_the_training_curves_label_and_title_are_drawn_as_written():
    history = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7]}
    figure = tg.plot_history(history, validation_label=f"test {UNKNOWN_COMMAND}", title=f"run {VALID_MATH}")
    assert_drawn_as_written(figure, f"test {UNKNOWN_COMMAND} loss", f"run {VALID_MATH}")
