"""Old import paths: where each module lived before the folder tree became the table of contents.

Code written against an earlier version (``from tinygrad_edu.tensor import
Tensor``, ``import tinygrad_edu.kernels.conv``) keeps working: an import of an
old path finds the module at its new place, and both names then refer to the
same module object. A module that was split points at the package that
re-exports its names. Nothing here is part of the textbook; read the new
modules instead, starting at tinygrad_edu/engine/autograd.py.

Read next: augment/random.py.
"""
import importlib
import importlib.abc
import importlib.util
import sys

MOVED = {
    "augment.transforms": "augment",
    "explain.activations": "explain.learned.activations",
    "explain.attribution": "explain.attributions.result",
    "explain.distances": "explain.lime.distances",
    "explain.feature_selection": "explain.lime.feature_selection",
    "explain.fills": "explain.lime.fills",
    "explain.html_report": "explain.lime.text_page",
    "explain.lime_base": "explain.lime",
    "explain.lime_checks": "explain.lime.checks",
    "explain.lime_image": "explain.lime.image",
    "explain.lime_text": "explain.lime.text",
    "explain.perturb": "explain.lime.perturb",
    "explain.perturb_reference": "explain.lime.perturb_reference",
    "explain.plots": "explain.lime.plots",
    "explain.quality": "explain",
    "explain.random_state": "explain.lime.random_state",
    "explain.ridge": "explain.lime.ridge",
    "explain.sanity": "explain",
    "explain.segmentation": "explain.lime.segmentation",
    "tinygrad_edu.autograd": "tinygrad_edu.engine.autograd",
    "tinygrad_edu.data": "tinygrad_edu.io.datasets",
    "tinygrad_edu.distributions": "tinygrad_edu.functional.distributions",
    "tinygrad_edu.files": "tinygrad_edu.io.atomic",
    "tinygrad_edu.functional.conv": "tinygrad_edu.conv.op",
    "tinygrad_edu.functional.pooling": "tinygrad_edu.pooling.op",
    "tinygrad_edu.functional.recurrent": "tinygrad_edu.recurrent.op",
    "tinygrad_edu.gradcheck": "tinygrad_edu.engine.gradcheck",
    "tinygrad_edu.kernels.activations": "tinygrad_edu.recurrent.fast_tanh",
    "tinygrad_edu.kernels.conv": "tinygrad_edu.conv.fast",
    "tinygrad_edu.kernels.conv_direct": "tinygrad_edu.conv.direct",
    "tinygrad_edu.kernels.conv_reference": "tinygrad_edu.conv.reference",
    "tinygrad_edu.kernels.gru": "tinygrad_edu.recurrent.gru",
    "tinygrad_edu.kernels.gru_reference": "tinygrad_edu.recurrent.gru_reference",
    "tinygrad_edu.kernels.im2col": "tinygrad_edu.conv.im2col",
    "tinygrad_edu.kernels.im2col_reference": "tinygrad_edu.conv.im2col_reference",
    "tinygrad_edu.kernels.lstm": "tinygrad_edu.recurrent.lstm",
    "tinygrad_edu.kernels.lstm_reference": "tinygrad_edu.recurrent.lstm_reference",
    "tinygrad_edu.kernels.numba_setup": "tinygrad_edu.runtime.numba_setup",
    "tinygrad_edu.kernels.pool": "tinygrad_edu.pooling.fast",
    "tinygrad_edu.kernels.pool_reference": "tinygrad_edu.pooling.reference",
    "tinygrad_edu.kernels.rnn": "tinygrad_edu.recurrent.rnn",
    "tinygrad_edu.kernels.rnn_reference": "tinygrad_edu.recurrent.rnn_reference",
    "tinygrad_edu.kernels.rnn_threads": "tinygrad_edu.runtime.threads",
    "tinygrad_edu.nn.conv": "tinygrad_edu.conv.layer",
    "tinygrad_edu.nn.pooling": "tinygrad_edu.pooling.layer",
    "tinygrad_edu.nn.rnn": "tinygrad_edu.recurrent.layer",
    "tinygrad_edu.nn.sparse": "tinygrad_edu.nn.embedding",
    "tinygrad_edu.plotting": "tinygrad_edu",
    "tinygrad_edu.random": "tinygrad_edu.engine.rng",
    "tinygrad_edu.serialization": "tinygrad_edu.io.checkpoint",
    "tinygrad_edu.summary": "tinygrad_edu.training.summary",
    "tinygrad_edu.tensor": "tinygrad_edu.engine.tensor",
    "tinygrad_edu.tensor_elementwise": "tinygrad_edu.engine.elementwise",
    "tinygrad_edu.tensor_matmul": "tinygrad_edu.engine.matmul",
    "tinygrad_edu.tensor_reductions": "tinygrad_edu.engine.reductions",
    "tinygrad_edu.tensor_shape": "tinygrad_edu.engine.shape",
    "tinygrad_edu.tensor_versions": "tinygrad_edu.engine.inplace",
    "tinygrad_edu.value": "tinygrad_edu.engine.value",
}
# Old folders with no module of their own now: importing one gives an empty package whose
# attributes are its old modules, so `from tinygrad_edu.kernels import conv` still works.
OLD_FOLDERS = {"tinygrad_edu.kernels"}


class _Alias(importlib.abc.Loader):
    """Loads an old name as the module already living at its new one."""

    def __init__(self, new_name):
        self.new_name = new_name

    def create_module(self, spec):
        module = importlib.import_module(self.new_name)
        self.new_spec = module.__spec__
        return module

    def exec_module(self, module):
        # The module ran its own code when it was imported under its new name; the import
        # system has just given it the old name's spec, so it gets its own back.
        module.__spec__ = self.new_spec


class _OldFolder(importlib.abc.Loader):
    """Loads an old folder as a package with no code, whose attributes import its old modules."""

    def exec_module(self, module):
        def old_module(name):
            try:
                return importlib.import_module(f"{module.__name__}.{name}")
            except ModuleNotFoundError:
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}") from None
        module.__getattr__ = old_module


class OldPathFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in OLD_FOLDERS:
            return importlib.util.spec_from_loader(name, _OldFolder(), is_package=True)
        if name in MOVED:
            return importlib.util.spec_from_loader(name, _Alias(MOVED[name]), is_package=False)
        return None


def install():
    """Let old paths import (once per process)."""
    if not any(isinstance(finder, OldPathFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, OldPathFinder())  # first: a stale folder of the old name must not win


def bind_loaded():
    """Give every already-imported new module its old name too, without going through an import.

    An import through the finder would end by setting the old name on the parent package
    (``tinygrad_edu.gradcheck = <module>``), hiding the function a package exports under that
    name (``tg.gradcheck``, ``tg.summary``, ``explain.activations``). Bound here, the old name
    is found in sys.modules and the parent is left alone, as before the move.
    """
    for old, new in MOVED.items():
        if new in sys.modules and old not in sys.modules:
            sys.modules[old] = sys.modules[new]
