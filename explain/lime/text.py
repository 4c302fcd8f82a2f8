"""LimeTextExplainer: which words does this prediction rest on?

The same algorithm as for images (base.py), with words as the features:
    * split the text into tokens with a regex naming the separators (r'\\W+' by
      default) or a callable returning the words; the tokens that are words become
      features. With bow=True a feature is a distinct word and hiding it removes
      every occurrence; with bow=False each position is its own feature and hiding
      it writes mask_string ('UNKWORDZ') in its place.
    * a sample hides a uniformly random number 1..d of the d words (lime's scheme,
      so short and long deletions are equally common), chosen without replacement;
    * distance = 100 x cosine distance to the all-ones row, kernel width 25;
    * the classifier receives lists of strings, batch_size at a time.
Building the strings is the one Python loop left: a join per sample; which words
each sample keeps is still decided for the whole batch at once by a lookup.
API and names follow lime (explain_instance, as_list, as_map, local_exp,
intercept, score, local_pred, top_labels).
Read next: explain/lime/text_page.py (the page that as_html writes).
"""
import re
from itertools import compress

import numpy as np

from .distances import distances_to_original, exponential_kernel
from .base import explain_labels, record_on
from .checks import check_count_fits, check_explainer_settings, check_positive_int
from .perturb import predict_in_batches
from .random_state import make_generator
from . import text_page


class IndexedString:
    """A string cut into tokens, with the word features indexed (lime's IndexedString)."""

    def __init__(self, raw_string, split_expression=r"\W+", bow=True, mask_string=None, char_level=False):
        self.raw = raw_string
        self.bow = bow
        self.mask_string = ("\x00" if char_level else "UNKWORDZ") if mask_string is None else mask_string
        if not isinstance(raw_string, str):
            raise TypeError(f"IndexedString expects a str, got {type(raw_string).__name__}")
        self.tokens, is_word = self._tokenize(raw_string, split_expression, char_level)
        self.as_list = self.tokens             # lime's names for the token list (separators included)
        self.as_np = np.array(self.tokens)
        self.string_start = np.concatenate([[0], np.cumsum([len(t) for t in self.tokens])[:-1]]).astype(int) \
            if self.tokens else np.zeros(0, dtype=int)
        self.inverse_vocab = []          # feature id -> word
        self.positions = []              # feature id -> token indices holding it
        # token index -> feature id, or -1 for separators (which are never hidden)
        self.token_feature = np.full(len(self.tokens), -1, dtype=np.int64)
        vocab = {}
        for index, (token, word) in enumerate(zip(self.tokens, is_word)):
            if not word:
                continue
            if bow and token in vocab:
                feature = vocab[token]
            else:
                feature = vocab[token] = len(self.inverse_vocab)
                self.inverse_vocab.append(token)
                self.positions.append([])
            self.positions[feature].append(index)
            self.token_feature[index] = feature

    @staticmethod
    def _tokenize(raw, split_expression, char_level):
        if char_level:
            return list(raw), [True] * len(raw)
        splitter = check_split_expression(split_expression)
        if callable(splitter):
            words = _words_from_callable(splitter, raw)
            tokens = _segment_with_tokens(raw, words)
            word_set = set(words)
            return tokens, [t in word_set for t in tokens]
        tokens = [t for t in splitter.split(raw) if t]
        return tokens, [not splitter.match(t) for t in tokens]

    def raw_string(self):
        return self.raw

    def num_words(self):
        return len(self.inverse_vocab)

    def word(self, id_):
        return self.inverse_vocab[id_]

    def string_position(self, id_):
        """Character offsets of every occurrence of feature id_."""
        return self.string_start[self.positions[id_]]

    def keep_tokens(self, samples):
        """(b, tokens) booleans: separators always kept, words kept when their feature is on."""
        samples_with_always_on = np.hstack([samples.astype(bool), np.ones((len(samples), 1), bool)])
        return samples_with_always_on[:, self.token_feature]   # feature -1 -> the always-on column

    def strings_for(self, samples):
        """The perturbed text for each on/off row of `samples`."""
        if self.bow:
            return ["".join(compress(self.tokens, keep)) for keep in self.keep_tokens(samples)]
        masked = [self.mask_string] * len(self.tokens)
        return ["".join(t if k else m for t, k, m in zip(self.tokens, keep, masked))
                for keep in self.keep_tokens(samples)]

    def inverse_removing(self, words_to_remove):
        """lime's name: the text with the given feature ids hidden."""
        row = np.ones((1, self.num_words()), dtype=np.int8)
        row[0, list(words_to_remove)] = 0
        return self.strings_for(row)[0]


class IndexedCharacters(IndexedString):
    """lime's IndexedCharacters: every character is a feature (hidden ones become chr(0) with bow=False)."""

    def __init__(self, raw_string, bow=True, mask_string=None):
        super().__init__(raw_string, bow=bow, mask_string=mask_string, char_level=True)


SPLIT_EXPRESSION_EXPECTED = ("split_expression must be a regex string naming the separators (such as r'\\W+') "
                             "or a callable that takes the text and returns its words as a list of str")


def check_split_expression(split_expression):
    """A compiled splitter for a regex string, the callable itself for a callable; clear errors otherwise.

    The regex names the separators, as in lime: re.split(r'(%s)|$' % split_expression, text),
    whose capturing group keeps the separators, so joining the tokens gives back the text.
    """
    if callable(split_expression):
        return split_expression
    if isinstance(split_expression, re.Pattern):
        raise TypeError(f"{SPLIT_EXPRESSION_EXPECTED}; got a compiled pattern: pass its .pattern, "
                        f"{split_expression.pattern!r}")
    if not isinstance(split_expression, str):
        raise TypeError(f"{SPLIT_EXPRESSION_EXPECTED}; got {type(split_expression).__name__} "
                        f"({split_expression!r:.60})")
    try:
        separator = re.compile(split_expression)
    except re.error as error:
        raise ValueError(f"split_expression {split_expression!r} is not a valid regular expression: {error}") from None
    if separator.match("") is not None:
        raise ValueError(f"split_expression {split_expression!r} matches the empty string, so it would cut the "
                         "text between every two characters and leave no words; expected a regex that matches "
                         "at least one character, such as r'\\W+' rather than r'\\W*'")
    try:
        return re.compile(r"(%s)|$" % split_expression)
    except re.error as error:    # e.g. a global flag such as (?i), which must start the whole pattern
        raise ValueError(f"split_expression {split_expression!r} cannot be used inside lime's group "
                         f"'(...)|$': {error}; use a callable tokenizer instead") from None


def _words_from_callable(split_expression, text):
    """The callable's words, as a list; a clear error if it returned anything but strings."""
    name = getattr(split_expression, "__name__", type(split_expression).__name__)
    words = split_expression(text)
    if isinstance(words, (str, bytes)) or not hasattr(words, "__iter__"):
        raise TypeError(f"split_expression ({name}) must return a list of str (the words), got "
                        f"{type(words).__name__} ({words!r:.60}) for the text {text[:40]!r}")
    words = list(words)
    for position, word in enumerate(words):
        if not isinstance(word, str):
            raise TypeError(f"split_expression ({name}) must return a list of str (the words); item {position} "
                            f"is {type(word).__name__} ({word!r:.40}) for the text {text[:40]!r}")
    return words


def _segment_with_tokens(text, words):
    """Tokens from a tokenizer's words, with the text between them kept as separators."""
    tokens, cursor = [], 0
    for word in words:
        found = text.find(word, cursor)
        if found < 0:
            raise ValueError(f"split_expression returned {word!r}, which is not in the text after "
                             f"position {cursor}")
        if found > cursor:
            tokens.append(text[cursor:found])
        tokens.append(word)
        cursor = found + len(word)
    if cursor < len(text):
        tokens.append(text[cursor:])
    return tokens


def sample_word_removals(rng, num_samples, num_words):
    """lime's text sampling: row 0 is all ones; each other row hides k ~ U{1..d} distinct words."""
    samples = np.ones((num_samples, num_words), dtype=np.int8)
    num_hidden = rng.integers(1, num_words + 1, size=num_samples - 1)
    # rank of a random key = a random permutation; the k lowest ranks are a uniform k-subset
    ranks = np.argsort(np.argsort(rng.random((num_samples - 1, num_words)), axis=1), axis=1)
    samples[1:][ranks < num_hidden[:, None]] = 0
    return samples


class TextExplanation:
    """The result of LimeTextExplainer.explain_instance (lime's Explanation for text)."""

    def __init__(self, indexed_string, class_names):
        self.indexed_string = indexed_string
        self.class_names = class_names
        self.local_exp = {}
        self.intercept = {}
        self.score = {}
        self.local_pred = {}
        self.top_labels = None
        self.predict_proba = None
        self.samples = None
        self.sample_predictions = None
        self.sample_weights = None

    def available_labels(self):
        return list(self.top_labels) if self.top_labels else list(self.local_exp)

    def as_map(self):
        """{label: [(feature id, weight)]}, sorted by |weight|."""
        return self.local_exp

    def as_list(self, label=1, positions=False):
        """[(word, weight)] for one label; with positions=True words read 'bad_3-40' (offsets)."""
        if label not in self.local_exp:
            raise KeyError(f"Label {label} not in explanation; explained labels are {list(self.local_exp)}")
        if positions:
            return [("%s_%s" % (self.indexed_string.word(f),
                                "-".join(map(str, self.indexed_string.string_position(f)))), float(w))
                    for f, w in self.local_exp[label]]
        return [(self.indexed_string.word(f), float(w)) for f, w in self.local_exp[label]]

    def weights(self, label):
        """Dense weight per word feature (0 for words left out by feature selection)."""
        dense = np.zeros(self.indexed_string.num_words())
        for feature, weight in self.as_map()[label]:
            dense[feature] = weight
        return dense

    def as_pyplot_figure(self, label=1, **kwargs):
        from .plots import plot_weights
        return plot_weights(self, label, **kwargs)

    def as_html(self, labels=None, predict_proba=True, show_predicted_value=True, text=True, opacity=True,
                **kwargs):
        """One self-contained HTML page (no script): probabilities, word weights per label, the text.

        lime's arguments: ``labels`` (default: every explained label), ``predict_proba``
        (show the class probabilities), ``text`` and ``opacity`` (the highlighted text).
        ``show_predicted_value`` is accepted for lime's regression mode, which text has not.
        """
        if kwargs:
            raise TypeError(f"as_html got unexpected arguments {sorted(kwargs)}; expected labels, predict_proba, "
                            "show_predicted_value, text, opacity")
        labels = self.available_labels() if labels is None else list(labels)
        for label in labels:
            if label not in self.local_exp:
                raise KeyError(f"Label {label} not in explanation; explained labels are {list(self.local_exp)}")
        parts = []
        if predict_proba and self.predict_proba is not None:
            parts.append(text_page.probability_panel(self.class_names, self.predict_proba))
        for label in labels:
            name = self.class_names[label] if label < len(self.class_names) else str(label)
            parts.append(text_page.weights_panel(f"Words for {name}", self.as_list(label)))
        if text and labels:
            indexed = self.indexed_string
            first = labels[0]
            first_name = self.class_names[first] if first < len(self.class_names) else str(first)
            parts.append(text_page.highlighted_text(indexed.tokens, indexed.token_feature,
                                                      self.weights(first), first_name, opacity))
        return text_page.page(parts)

    def save_to_file(self, file_path, labels=None, predict_proba=True, show_predicted_value=True, **kwargs):
        """Write as_html() to ``file_path`` atomically (the page needs no other file)."""
        from tinygrad_edu.io.atomic import atomic_write_text
        atomic_write_text(file_path, self.as_html(labels, predict_proba, show_predicted_value, **kwargs))

    def show_in_notebook(self, labels=None, predict_proba=True, show_predicted_value=True, **kwargs):
        """Display as_html() in a Jupyter notebook (needs IPython, as lime's does)."""
        try:
            from IPython.display import HTML, display
        except ImportError:
            raise ImportError("show_in_notebook needs IPython (pip install ipython); "
                              "use save_to_file(path) or as_html() without it") from None
        display(HTML(self.as_html(labels, predict_proba, show_predicted_value, **kwargs)))


class LimeTextExplainer:
    """Explains a text classifier's prediction by words (lime's API)."""

    def __init__(self, kernel_width=25, kernel=None, verbose=False, class_names=None,
                 feature_selection="auto", split_expression=r"\W+", bow=True, mask_string=None,
                 random_state=None, char_level=False):
        check_explainer_settings(kernel_width, feature_selection)
        check_split_expression(split_expression)
        self.kernel_width = float(kernel_width)
        self.kernel = kernel if kernel is not None else exponential_kernel
        self.verbose = verbose
        self.class_names = class_names
        self.feature_selection = feature_selection
        self.split_expression = split_expression
        self.bow = bow
        self.mask_string = mask_string
        self.char_level = char_level
        self.rng = make_generator(random_state)

    def explain_instance(self, text_instance, classifier_fn, labels=(1,), top_labels=None,
                         num_features=10, num_samples=5000, distance_metric="cosine",
                         model_regressor=None, batch_size=500):
        """Explain classifier_fn's prediction on one string; returns a TextExplanation.

        classifier_fn takes a list of at most batch_size strings and returns (b, K) probabilities.
        """
        if not isinstance(text_instance, str):
            raise TypeError(f"text_instance must be a str, got {type(text_instance).__name__}")
        num_samples = check_positive_int(num_samples, "num_samples", minimum=2)
        batch_size = check_positive_int(batch_size, "batch_size")
        num_features = check_positive_int(num_features, "num_features")
        indexed = IndexedString(text_instance, self.split_expression, self.bow, self.mask_string,
                                self.char_level)
        if indexed.num_words() == 0:
            raise ValueError(f"text has no words to explain with split_expression={self.split_expression!r}: "
                             f"{text_instance[:60]!r} became {len(indexed.tokens)} tokens, all of them "
                             "separators; expected at least one word (the regex names what lies between "
                             "words, e.g. r'\\W+', not the words themselves)")
        check_count_fits("LimeTextExplainer.explain_instance", "num_samples", num_samples,
                         34 * indexed.num_words() + 128,
                         f"4 float64 copies of the {num_samples}x{indexed.num_words()} matrix of samples by words",
                         minimum=2)
        samples = sample_word_removals(self.rng, num_samples, indexed.num_words())
        distances = distances_to_original(samples, distance_metric) * 100
        kernel_weights = self.kernel(distances, self.kernel_width)

        def make_batch(start, stop):
            return indexed.strings_for(samples[start:stop])

        predictions = predict_in_batches(make_batch, num_samples, classifier_fn, batch_size)

        class_names = self.class_names or [str(k) for k in range(predictions.shape[1])]
        fits = explain_labels(samples, predictions, kernel_weights, labels, top_labels, num_features,
                              self.feature_selection, model_regressor, self.verbose)
        explanation = TextExplanation(indexed, class_names)
        return record_on(explanation, samples, predictions, kernel_weights, fits)
