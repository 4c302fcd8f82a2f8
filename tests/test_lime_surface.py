"""lime's text tutorial calls, and lime's wrappers, against this project (and against lime where installed)."""
import sys
import types

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from explain import BaseWrapper, IndexedCharacters, IndexedString, LimeTextExplainer, SegmentationAlgorithm

DOCS = ["god jesus church bible faith", "faith prayer church god", "the church and the bible",
        "graphics image render pixel", "render the image in opengl", "pixel shader graphics card"]
LABELS = [1, 1, 1, 0, 0, 0]
class_names = ["graphics", "christian"]


@pytest.fixture(scope="module")
def explanation():
    c = make_pipeline(TfidfVectorizer(), MultinomialNB(alpha=0.1)).fit(DOCS, LABELS)
    # the tutorial's calls, unchanged but for the import
    explainer = LimeTextExplainer(class_names=class_names, random_state=0)
    exp = explainer.explain_instance("the church bible and a pixel image", c.predict_proba, num_features=6,
                                     num_samples=300)
    return exp


def test_tutorial_calls(explanation, tmp_path):
    exp = explanation
    words = dict(exp.as_list())
    assert words["church"] > 0 and words["pixel"] < 0
    fig = exp.as_pyplot_figure()
    assert fig.axes[0].get_title()
    page = exp.as_html()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page.lower()
    assert "christian" in page and "church" in page and "Prediction probabilities" in page
    assert "Text with highlighted words" not in exp.as_html(text=False)
    exp.save_to_file(tmp_path / "oi.html")
    assert (tmp_path / "oi.html").read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["oi.html"]


def test_html_escapes_what_the_user_wrote(tmp_path):
    c = make_pipeline(TfidfVectorizer(), MultinomialNB()).fit(DOCS, LABELS)
    exp = LimeTextExplainer(class_names=["<b>g</b>", "c&c"], random_state=0).explain_instance(
        "church <script>alert(1)</script> pixel", c.predict_proba, num_samples=100)
    page = exp.as_html()
    assert "<script" not in page and "&lt;/" in page and "&lt;b&gt;g&lt;/b&gt;" in page and "c&amp;c" in page
    with pytest.raises(KeyError, match=r"Label 0 not in explanation; explained labels are \[1\]"):
        exp.as_html(labels=[0])
    with pytest.raises(TypeError, match=r"unexpected arguments \['colour'\]"):
        exp.as_html(colour="red")


def test_show_in_notebook_with_and_without_ipython(explanation, monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    with pytest.raises(ImportError, match="show_in_notebook needs IPython"):
        explanation.show_in_notebook(text=False)
    shown = []
    fake = types.ModuleType("IPython.display")
    fake.HTML = lambda data: ("HTML", data)
    fake.display = shown.append
    monkeypatch.setitem(sys.modules, "IPython", types.ModuleType("IPython"))
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    explanation.show_in_notebook(text=True)
    assert shown == [("HTML", explanation.as_html(text=True))]


def test_indexed_string_and_characters_api():
    indexed = IndexedString("a cat, a dog")
    assert indexed.raw_string() == "a cat, a dog" and indexed.word(1) == "cat"
    assert list(indexed.as_np) == ["a", " ", "cat", ", ", "a", " ", "dog"]
    assert list(indexed.string_position(0)) == [0, 7]
    assert indexed.inverse_removing([0]) == " cat,  dog"
    chars = IndexedCharacters("abca", bow=False)
    assert chars.num_words() == 4 and chars.inverse_removing([1]) == "a\x00ca"
    assert IndexedCharacters("abca").num_words() == 3


def test_indexed_string_against_lime():
    lime_text = pytest.importorskip("lime.lime_text")
    for text in ["a cat, a dog", "Hello... world!! 42 times"]:
        ours, theirs = IndexedString(text), lime_text.IndexedString(text)
        assert list(ours.as_np) == list(theirs.as_np)
        assert [ours.word(i) for i in range(ours.num_words())] == [theirs.word(i) for i in range(theirs.num_words())]
        assert ours.inverse_removing([0, 2]) == theirs.inverse_removing([0, 2])
        np.testing.assert_array_equal(ours.string_position(1), theirs.string_position(1))
    ours, theirs = IndexedCharacters("abcab", bow=False), lime_text.IndexedCharacters("abcab", bow=False)
    assert ours.inverse_removing([1, 3]) == theirs.inverse_removing([1, 3])


def test_segmentation_algorithm_passes_start_label_and_relabels():
    image = np.random.default_rng(0).uniform(size=(32, 32, 3))
    segments = SegmentationAlgorithm("slic", start_label=1, n_segments=20, compactness=10)(image)
    assert segments.min() == 0 and segments.max() == len(np.unique(segments)) - 1
    with pytest.raises(ValueError, match=r"kernel_size is not a valid parameter of slic"):
        SegmentationAlgorithm("slic", kernel_size=4)
    assert isinstance(SegmentationAlgorithm("quickshift", kernel_size=2), BaseWrapper)


def test_segmentation_algorithm_against_lime():
    wrappers = pytest.importorskip("lime.wrappers.scikit_image")
    image = np.random.default_rng(1).uniform(size=(32, 32, 3))
    ours = SegmentationAlgorithm("slic", start_label=1, n_segments=20, compactness=10)(image)
    theirs = wrappers.SegmentationAlgorithm("slic", start_label=1, n_segments=20, compactness=10)(image)
    assert theirs.min() == 1  # lime keeps 1..d, and LIME's feature 0 would never be hidden
    np.testing.assert_array_equal(ours, theirs - 1)


def test_base_wrapper_as_lime_defines_it():
    def target(image, alpha=1, beta=2):
        return image

    wrapper = BaseWrapper(target, alpha=3, gamma=4)
    assert wrapper.filter_params(target) == {"alpha": 3}
    assert wrapper.filter_params(target, {"beta": 5}) == {"alpha": 3, "beta": 5}
    wrapper.set_params(beta=1)
    assert wrapper.target_params == {"beta": 1}
    with pytest.raises(ValueError, match="gamma is not a valid parameter of target"):
        wrapper.set_params(gamma=1)
    with pytest.raises(TypeError, match="list or dictionary"):
        wrapper._check_params("alpha")


def test_multiclass_tutorial_calls(tmp_path):
    docs = DOCS + ["goal match team score", "team won the match"]
    c = make_pipeline(TfidfVectorizer(), MultinomialNB(alpha=0.1)).fit(docs, LABELS + [2, 2])
    explainer = LimeTextExplainer(class_names=["graphics", "christian", "sport"], random_state=0)
    text = "the team prayed in church before the match"
    exp = explainer.explain_instance(text, c.predict_proba, num_features=6, labels=[0, 2], num_samples=300)
    assert sorted(exp.available_labels()) == [0, 2]
    assert dict(exp.as_list(label=2))["match"] > 0
    assert exp.as_pyplot_figure(label=0).axes
    page = exp.as_html(labels=(0,), text=text)
    assert "Words for graphics" in page and "Words for sport" not in page and "highlighted" in page
    top = explainer.explain_instance(text, c.predict_proba, num_features=6, top_labels=2, num_samples=300)
    assert len(top.available_labels()) == 2
