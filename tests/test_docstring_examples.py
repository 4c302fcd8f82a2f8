"""Every nn layer and optimizer documents itself like torch.nn, and its Example really runs.

The class docstrings are part of the textbook: a one-line summary, the math,
then Args (every constructor argument), Shape (for layers) and an Example
written as a doctest. Running the examples here keeps them true: an example
whose printed result no longer matches the code fails this test, naming the
class and the line.
"""
import doctest
import importlib
import inspect
import pkgutil
import re

import pytest

import tinygrad_edu.nn as nn
import tinygrad_edu.optim as optim
import tinygrad_edu.engine.rng as tg_random

# Containers and the base class have no fixed input and output: no Shape section.
NO_SHAPE_SECTION = {"Module", "ModuleList", "Parameter"}


def _submodules(package):
    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)]


def _public_classes(package, names):
    """The classes the package exports, each once (aliases such as SimpleRNN = RNN fold together)."""
    classes = {}
    for name in names:
        value = getattr(package, name)
        if inspect.isclass(value) and value.__module__.startswith("tinygrad_edu."):
            classes.setdefault(value, name)
    return sorted(classes, key=lambda cls: cls.__name__)


NN_CLASSES = _public_classes(nn, [name for name in dir(nn) if not name.startswith("_")])
OPTIM_CLASSES = _public_classes(optim, optim.__all__)
ALL_CLASSES = NN_CLASSES + OPTIM_CLASSES


def _sections(docstring):
    """{'Args': text, 'Shape': text, 'Example': text}: the indented block under each header line."""
    sections = {}
    lines = inspect.cleandoc(docstring).splitlines()
    for index, line in enumerate(lines):
        match = re.fullmatch(r"(Args|Shape|Example):", line)
        if match:
            body = []
            for following in lines[index + 1:]:
                if following and not following.startswith(" "):
                    break
                body.append(following)
            sections[match.group(1)] = "\n".join(body)
    return sections


def _constructor_arguments(cls):
    """The names a user passes to the constructor (private ones such as _weight excluded)."""
    signature = inspect.signature(cls.__init__)
    return [name for name in list(signature.parameters)[1:] if not name.startswith("_")]


def test_the_packages_export_the_expected_classes():
    names = {cls.__name__ for cls in ALL_CLASSES}
    assert {"Module", "Sequential", "ModuleList", "Linear", "Conv2d", "LSTM", "CrossEntropyLoss"} <= names
    assert {"Optimizer", "SGD", "RMSprop", "Adadelta", "Adam"} <= names


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda cls: cls.__name__)
def test_class_docstring_has_summary_and_sections(cls):
    doc = cls.__doc__
    assert doc, f"{cls.__name__} has no docstring"
    summary = inspect.cleandoc(doc).splitlines()[0]
    assert summary.endswith("."), f"{cls.__name__}: the first line should be a one-sentence summary, got {summary!r}"
    sections = _sections(doc)
    assert "Example" in sections, f"{cls.__name__}: no 'Example:' section"
    arguments = _constructor_arguments(cls)
    if arguments:
        assert "Args" in sections, f"{cls.__name__}: no 'Args:' section for {arguments}"
        undocumented = [name for name in arguments if not re.search(rf"^\s*\*?{name}\b", sections["Args"], re.M)]
        assert not undocumented, f"{cls.__name__}: Args does not describe {undocumented}"
    if cls in NN_CLASSES and cls.__name__ not in NO_SHAPE_SECTION:
        assert "Shape" in sections, f"{cls.__name__}: no 'Shape:' section"


@pytest.mark.parametrize("cls", [cls for cls in OPTIM_CLASSES if cls is not optim.Optimizer],
                         ids=lambda cls: cls.__name__)
def test_optimizer_docstring_has_its_algorithm_box(cls):
    doc = inspect.cleandoc(cls.__doc__)
    assert re.search(r"^\s*-{20,}\n(.*\n)*?\s*for t = 1, 2, \.\.\.:\n(.*\n)*?\s*-{20,}$", doc, re.M), (
        f"{cls.__name__}: expected an algorithm box: a line of dashes, 'for t = 1, 2, ...:', the update, dashes")


def _examples(module):
    """The doctests of the classes (and their methods) defined in this module."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module, module.__name__, globs={})
            if test.examples and test.name != module.__name__]


MODULES = sorted({inspect.getmodule(cls) for cls in ALL_CLASSES}, key=lambda module: module.__name__)
EXAMPLES = [test for module in MODULES for test in _examples(module)]


def test_every_public_class_has_a_runnable_example():
    with_examples = {test.name.split(".")[-1] for test in EXAMPLES}
    missing = [cls.__name__ for cls in ALL_CLASSES if cls.__name__ not in with_examples]
    assert not missing, f"classes without a doctest Example: {missing}"


@pytest.mark.parametrize("test", EXAMPLES, ids=lambda test: test.name)
def test_docstring_example_runs(test):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    saved_generator = tg_random._state["generator"]  # an example may reseed; the rest of the suite must not notice
    try:
        test.globs = {}  # each example imports what it uses, so it can be pasted anywhere
        runner.run(test, out=report.append, clear_globs=True)
    finally:
        tg_random._state["generator"] = saved_generator
    assert runner.failures == 0, f"{test.name} (line {test.lineno}):\n" + "".join(report)
