"""The tree became the table of contents without breaking anyone's code or checkpoints.

Modules moved into chapter folders (tinygrad_edu/tensor.py -> tinygrad_edu/engine/tensor.py,
explain/sanity.py -> explain/trust/randomization.py, ...). Code written against
the old paths still imports, and gets the very module at the new place; the public
names of every package are still there; a checkpoint saved before the move loads.
Each import check runs in a fresh interpreter, so no earlier import can make it pass.
"""
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.models import digits_convnet
from tinygrad_edu.runtime.old_paths import MOVED

ROOT = Path(__file__).resolve().parent.parent


def run_fresh(code):
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                         "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_old_path_imports_as_the_module_at_its_new_place():
    out = run_fresh(f"""
        import importlib
        moved = {dict(MOVED)!r}
        for old, new in moved.items():
            module = importlib.import_module(old)
            assert module is importlib.import_module(new), (old, new)
            assert module.__spec__.name == new, (old, module.__spec__.name)  # the module keeps its own identity
        print(len(moved))
    """)
    assert int(out) == len(MOVED)


def test_old_spellings_of_imports_from_the_readme_era_still_work():
    run_fresh("""
        from tinygrad_edu.tensor import Tensor, unbroadcast
        from tinygrad_edu.training import fit, evaluate, predict
        from tinygrad_edu.serialization import CheckpointError
        from tinygrad_edu.plotting import draw_graph, plot_history
        from tinygrad_edu.kernels import conv
        import tinygrad_edu.kernels.lstm as lstm
        from explain.sanity import model_fn, randomization_check
        from explain.report import explanation_report, object_enrichment
        from explain.lime_image import LimeImageExplainer
        import tinygrad_edu, explain
        assert Tensor is tinygrad_edu.Tensor and LimeImageExplainer is explain.LimeImageExplainer
        assert conv.conv2d_forward.__module__ == "tinygrad_edu.conv.fast"
        assert lstm.__name__ == "tinygrad_edu.recurrent.lstm"
    """)


def test_an_unknown_module_is_still_an_import_error():
    with pytest.raises(ModuleNotFoundError):
        __import__("tinygrad_edu.no_such_module")


def test_a_checkpoint_saved_before_the_move_loads_into_todays_model():
    # Written by the code before the move: a digits convnet after one Adam step, with its optimizer.
    checkpoint = tg.load(ROOT / "tests" / "data" / "digits_convnet_before_the_tree.npz")
    model = digits_convnet()
    model.load_state_dict(checkpoint["model"])
    assert checkpoint["epoch"] == 1
    assert set(checkpoint["optimizer"]) == {"state", "param_groups"}
    logits = model.eval()(tg.Tensor(checkpoint["input"])).data
    np.testing.assert_allclose(logits, checkpoint["logits"], rtol=1e-6, atol=1e-6)


def test_importing_an_old_path_keeps_the_function_its_package_exports_under_that_name():
    # tg.gradcheck, tg.summary and explain.activations are functions named like the old modules
    run_fresh("""
        import tinygrad_edu.gradcheck, tinygrad_edu.summary, explain.activations, explain.sanity
        import tinygrad_edu, explain
        assert callable(tinygrad_edu.gradcheck) and callable(tinygrad_edu.summary), "engine functions hidden"
        assert callable(explain.activations), "explain.activations hidden by its old module"
        from explain.sanity import model_fn
        from explain.quality import deletion_curve, stability
    """)
