"""LimeTextExplainer: words as features, batched calls, lime's API (explain/lime/text.py)."""
import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explain import IndexedString, LimeTextExplainer
from explain.lime.text import sample_word_removals

TEXT = "the food was good but the service was awful and the room was cold"


def keyword_classifier(strings):
    """P(positive) goes up with 'good' and down with 'awful'; nothing else matters."""
    p = np.array([0.5 + 0.3 * ("good" in s.split()) - 0.3 * ("awful" in s.split()) for s in strings])
    return np.stack([1 - p, p], axis=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_two_keywords_rank_top_with_the_right_signs(seed):
    explanation = LimeTextExplainer(random_state=seed).explain_instance(
        TEXT, keyword_classifier, num_samples=500)
    (first, w1), (second, w2) = explanation.as_list(label=1)[:2]
    assert {first: np.sign(w1), second: np.sign(w2)} == {"good": 1.0, "awful": -1.0}
    rest = [abs(w) for _, w in explanation.as_list(label=1)[2:]]
    assert max(rest) < 0.1 * min(abs(w1), abs(w2))


def test_classifier_is_called_in_batches_of_at_most_batch_size():
    sizes = []

    def classifier_fn(strings):
        assert isinstance(strings, list) and all(isinstance(s, str) for s in strings)
        sizes.append(len(strings))
        return keyword_classifier(strings)

    LimeTextExplainer(random_state=0).explain_instance(TEXT, classifier_fn, num_samples=1200, batch_size=500)
    assert sizes == [500, 500, 200]


def test_as_map_as_list_and_label_choice_follow_lime():
    explanation = LimeTextExplainer(random_state=0).explain_instance(
        TEXT, keyword_classifier, num_samples=300, top_labels=2, num_features=3)
    assert explanation.top_labels == [0, 1] or explanation.top_labels == [1, 0]
    assert explanation.available_labels() == explanation.top_labels
    as_map = explanation.as_map()
    assert set(as_map) == {0, 1} and all(len(v) == 3 for v in as_map.values())
    words = explanation.as_list(label=1)
    assert [explanation.indexed_string.word(f) for f, _ in as_map[1]] == [w for w, _ in words]
    positions = dict(explanation.as_list(label=1, positions=True))
    assert f"good_{TEXT.index('good')}" in positions
    assert explanation.local_pred[1] == pytest.approx(explanation.predict_proba[1], abs=0.05)
    with pytest.raises(KeyError, match=r"Label 5 not in explanation"):
        explanation.as_list(label=5)


def test_indexed_string_bag_of_words_and_positions():
    bow = IndexedString("a cat, a dog!")
    assert bow.inverse_vocab == ["a", "cat", "dog"]
    assert bow.inverse_removing([0]) == " cat,  dog!"
    np.testing.assert_array_equal(bow.string_position(0), [0, 7])
    by_position = IndexedString("a cat, a dog!", bow=False)
    assert by_position.num_words() == 4
    assert by_position.inverse_removing([2]) == "a cat, UNKWORDZ dog!"
    assert IndexedString("ab", char_level=True).inverse_vocab == ["a", "b"]
    assert IndexedString("x-y z", split_expression=lambda s: s.split()).inverse_vocab == ["x-y", "z"]


@given(words=st.lists(st.sampled_from(["red", "green", "blue", "cyan"]), min_size=1, max_size=12),
       separators=st.lists(st.sampled_from([" ", ", ", "! ", "  "]), min_size=12, max_size=12))
@settings(max_examples=40, deadline=None)
def test_all_on_row_rebuilds_the_text_and_hiding_removes_every_occurrence(words, separators):
    text = "".join(w + s for w, s in zip(words, separators))
    indexed = IndexedString(text)
    assert indexed.strings_for(np.ones((1, indexed.num_words()), np.int8)) == [text]
    hidden = indexed.inverse_removing([0])
    assert indexed.word(0) == words[0]
    assert re.findall(r"\w+", hidden) == [w for w in words if w != words[0]]


def test_sampling_hides_between_one_and_all_words_uniformly():
    samples = sample_word_removals(np.random.default_rng(0), 6001, 6)
    assert np.all(samples[0] == 1)
    hidden = 6 - samples[1:].sum(axis=1)
    assert hidden.min() == 1 and hidden.max() == 6
    counts = np.bincount(hidden, minlength=7)[1:]
    assert np.all(np.abs(counts / 6000 - 1 / 6) < 0.03)


def test_same_seed_same_explanation():
    a = LimeTextExplainer(random_state=3).explain_instance(TEXT, keyword_classifier, num_samples=200)
    b = LimeTextExplainer(random_state=3).explain_instance(TEXT, keyword_classifier, num_samples=200)
    assert a.as_map() == b.as_map()


def test_bad_input_is_named():
    explainer = LimeTextExplainer(random_state=0)
    with pytest.raises(ValueError, match="text has no words to explain"):
        explainer.explain_instance("?! ...", keyword_classifier)
    with pytest.raises(TypeError, match="text_instance must be a str, got list"):
        explainer.explain_instance(["a text"], keyword_classifier)
    with pytest.raises(ValueError, match="num_samples must be an integer >= 2, got 1"):
        explainer.explain_instance(TEXT, keyword_classifier, num_samples=1)
    with pytest.raises(ValueError, match=r"label 4 is out of range: classifier_fn returned 2 classes"):
        explainer.explain_instance(TEXT, keyword_classifier, num_samples=20, labels=(4,))
    with pytest.raises(ValueError, match=r"given 20 inputs but returned 1 rows"):
        explainer.explain_instance(TEXT, lambda s: np.array([[0.5, 0.5]]), num_samples=20)
    with pytest.raises(ValueError, match="split_expression returned 'zebra', which is not in the text"):
        LimeTextExplainer(split_expression=lambda s: ["zebra"]).explain_instance(TEXT, keyword_classifier)
    with pytest.raises(ValueError, match=r"returned values in \[0, 7\]"):
        explainer.explain_instance(TEXT, lambda s: np.tile([0.0, 7.0], (len(s), 1)), num_samples=20)


def test_agrees_with_the_lime_package_on_the_keywords():
    lime_text = pytest.importorskip("lime.lime_text")
    os.environ.setdefault("TQDM_DISABLE", "1")
    ours = LimeTextExplainer(random_state=0).explain_instance(TEXT, keyword_classifier, num_samples=2000)
    theirs = lime_text.LimeTextExplainer(random_state=0).explain_instance(TEXT, keyword_classifier,
                                                                        num_samples=2000)
    our_weights, their_weights = dict(ours.as_list(1)), dict(theirs.as_list(1))
    assert [w for w, _ in ours.as_list(1)[:2]] == [w for w, _ in theirs.as_list(1)[:2]]
    for word in ("good", "awful"):
        assert our_weights[word] == pytest.approx(their_weights[word], abs=0.02)


# -- split_expression: a regex string naming the separators, or a callable returning the words --------------

@pytest.mark.parametrize("split_expression, error, words", [
    ("(", ValueError, r"split_expression '\(' is not a valid regular expression: missing \), unterminated"),
    ("[a-", ValueError, r"split_expression '\[a-' is not a valid regular expression"),
    (5, TypeError, r"must be a regex string naming the separators .* or a callable .*; got int \(5\)"),
    (None, TypeError, r"or a callable that takes the text and returns its words as a list of str; got NoneType"),
    (re.compile(r"\s+"), TypeError, r"got a compiled pattern: pass its .pattern, '\\\\s\+'"),
    (r"\W*", ValueError, r"split_expression '\\\\W\*' matches the empty string, so it would cut the text"),
    ("", ValueError, r"split_expression '' matches the empty string"),
    (r"(?i)\W+", ValueError, r"cannot be used inside lime's group '\(...\)\|\$': global flags"),
])
def test_a_bad_split_expression_is_refused_when_the_explainer_is_built(split_expression, error, words):
    with pytest.raises(error, match=words):
        LimeTextExplainer(split_expression=split_expression)
    with pytest.raises(error, match=words):
        IndexedString(TEXT, split_expression=split_expression)


@pytest.mark.parametrize("tokenizer, words", [
    (lambda s: s, r"must return a list of str \(the words\), got str \('the food was good"),
    (lambda s: None, r"must return a list of str \(the words\), got NoneType \(None\)"),
    (lambda s: [len(w) for w in s.split()],
     r"must return a list of str \(the words\); item 0 is int \(3\) for the text 'the food"),
    (lambda s: s.split() + [b"bytes"], r"must return a list of str \(the words\); item 14 is bytes \(b'bytes'\)"),
])
def test_a_tokenizer_that_does_not_return_words_is_named(tokenizer, words):
    explainer = LimeTextExplainer(split_expression=tokenizer, random_state=0)
    with pytest.raises(TypeError, match=r"split_expression \(<lambda>\) " + words):
        explainer.explain_instance(TEXT, keyword_classifier, num_samples=20)


def test_a_tokenizer_may_return_any_iterable_of_words():
    from_generator = LimeTextExplainer(split_expression=lambda s: (w for w in s.split()), random_state=0)
    from_list = LimeTextExplainer(split_expression=lambda s: s.split(), random_state=0)
    a = from_generator.explain_instance(TEXT, keyword_classifier, num_samples=100)
    b = from_list.explain_instance(TEXT, keyword_classifier, num_samples=100)
    assert a.as_map() == b.as_map() and "good" in dict(a.as_list())


def test_a_regex_that_leaves_no_words_says_so():
    # r'\w+' names the words, not the separators: on a text without separators nothing is left
    explainer = LimeTextExplainer(split_expression=r"\w+", random_state=0)
    with pytest.raises(ValueError, match=r"text has no words to explain with split_expression='\\\\w\+': "
                                         r"'goodawful' became 1 tokens, all of them separators"):
        explainer.explain_instance("goodawful", keyword_classifier, num_samples=20)
