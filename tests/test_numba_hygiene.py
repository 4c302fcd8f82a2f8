"""Numba hygiene for the convolution and pooling kernels, each check in a fresh interpreter.

    - nothing compiles at import time (kernels compile on first call);
    - the package works from a read-only folder (Numba then caches in the user's cache folder);
    - NUMBA_DISABLE_JIT=1 runs the same kernels as plain Python, with the same results.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Runs the fast conv and pool kernels on tiny inputs and compares them with the references.
KERNEL_CHECK = textwrap.dedent("""
    import numpy as np
    import tinygrad_edu
    from tinygrad_edu.conv import fast as conv, reference as conv_reference
    from tinygrad_edu.pooling import fast as pool, reference as pool_reference
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 6, 5)).astype(np.float32)
    weight = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(3).astype(np.float32)
    args = ((2, 1), ((1, 1), (0, 1)), (1, 1))
    out, saved = conv.conv2d_forward(x, weight, bias, *args)
    expected, saved_ref = conv_reference.conv2d_forward(x, weight, bias, *args)
    assert np.allclose(out, expected, atol=1e-5), "conv forward differs"
    grads = conv.conv2d_backward(out, saved, weight, x.shape, *args)
    expected_grads = conv_reference.conv2d_backward(expected, saved_ref, weight, x.shape, *args)
    assert all(np.allclose(a, b, atol=1e-4) for a, b in zip(grads, expected_grads)), "conv backward differs"
    pooled, argmax = pool.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert np.array_equal(pooled, pool_reference.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))[0])
    assert np.array_equal(pool.max_pool2d_backward(pooled, argmax, x.shape),
                          pool_reference.max_pool2d_backward(pooled, argmax, x.shape))
    # the direct path (stride 1, few taps) and a fused LSTM, compiled from the same folder
    x1 = rng.standard_normal((2, 1, 6, 5)).astype(np.float32)
    w1 = rng.standard_normal((3, 1, 3, 3)).astype(np.float32)
    direct_args = ((1, 1), ((1, 1), (1, 1)), (1, 1))
    assert conv.uses_direct_path(w1.shape, direct_args[0])
    out1, _ = conv.conv2d_forward(x1, w1, None, *direct_args)
    assert np.allclose(out1, conv_reference.conv2d_forward(x1, w1, None, *direct_args)[0], atol=1e-5)
    from tinygrad_edu import nn, Tensor
    lstm = nn.LSTM(3, 4)
    output, _ = lstm(Tensor(rng.standard_normal((5, 2, 3)).astype(np.float32)))
    assert output.shape == (5, 2, 4) and np.all(np.isfinite(output.data))
    print("KERNELS OK", tinygrad_edu.__file__)
""")


def run_python(code, env_changes, cwd):
    env = {key: value for key, value in os.environ.items() if key not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_nothing_compiles_at_import(tmp_path):
    code = textwrap.dedent("""
        import tinygrad_edu, tinygrad_edu.nn, tinygrad_edu.functional, tinygrad_edu.models
        from tinygrad_edu.conv import im2col
        from tinygrad_edu.pooling import fast as pool
        kernels = [im2col._col2im, pool._max_pool2d_forward, pool._max_pool2x2_forward,
                   pool._max_pool2d_backward]
        compiled = [k.py_func.__name__ for k in kernels if k.signatures]
        assert not compiled, f"compiled at import: {compiled}"
        print("LAZY OK")
    """)
    result = run_python(code, {"PYTHONPATH": str(PROJECT_ROOT)}, tmp_path)
    assert "LAZY OK" in result.stdout, result.stderr


def _set_immutable(directories, immutable):
    """As root, permission bits do not stop writes; the immutable attribute does."""
    flag = "+i" if immutable else "-i"
    subprocess.run(["chattr", flag, *map(str, directories)], check=True, capture_output=True)


def test_package_works_from_a_read_only_folder(tmp_path):
    copy_root = tmp_path / "readonly"
    package = copy_root / "tinygrad_edu"
    shutil.copytree(PROJECT_ROOT / "tinygrad_edu", package, ignore=shutil.ignore_patterns("__pycache__"))
    directories = [copy_root] + [path for path in copy_root.rglob("*") if path.is_dir()]
    for path in copy_root.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    copy_root.chmod(0o555)
    as_root = os.geteuid() == 0
    if as_root:
        try:
            _set_immutable(directories, True)
        except (OSError, subprocess.CalledProcessError):
            pytest.skip("running as root and chattr is unavailable: a read-only folder cannot be simulated")
    home = tmp_path / "home"
    home.mkdir()
    try:
        result = run_python(KERNEL_CHECK, {"PYTHONPATH": str(copy_root), "HOME": str(home),
                                           "PYTHONDONTWRITEBYTECODE": "1"}, tmp_path)
        created = [path for path in package.rglob("*") if path.name == "__pycache__"]
    finally:
        if as_root:
            _set_immutable(directories, False)
        for path in [copy_root] + list(copy_root.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert "KERNELS OK" in result.stdout, result.stderr
    assert str(package) in result.stdout, "the subprocess imported another copy of the package"
    assert not created, f"something was written into the read-only package: {created}"
    # Numba fell back to the user's cache folder and did cache the compiled kernels there.
    assert list((home / ".cache").rglob("*.nbi")), "no Numba cache index in the user cache folder"


def test_disable_jit_gives_the_same_results(tmp_path):
    code = "import numba\nassert numba.config.DISABLE_JIT\n" + KERNEL_CHECK
    result = run_python(code, {"PYTHONPATH": str(PROJECT_ROOT), "NUMBA_DISABLE_JIT": "1"}, tmp_path)
    assert "KERNELS OK" in result.stdout, result.stderr


def _as_nobody(command):
    """`command` run as the unprivileged user nobody (no capability lets it write anyway)."""
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", *command]


def test_import_works_when_package_and_home_are_read_only():
    """No writable source folder, no NUMBA_CACHE_DIR, a read-only home: a warning, not a failure."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the check as an unprivileged user")
    probe = subprocess.run(_as_nobody([sys.executable, "-c", "pass"]), capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"the interpreter {sys.executable} is not reachable by user nobody")
    root = Path(tempfile.mkdtemp(prefix="tinygrad-edu-readonly-"))  # pytest's tmp_path is private to root
    try:
        for name in ("tinygrad_edu", "augment", "explain"):
            shutil.copytree(PROJECT_ROOT / name, root / "packages" / name, ignore=shutil.ignore_patterns("__pycache__"))
        (root / "home").mkdir()
        for path in [root, *root.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)  # owned by root: nobody may read, not write
        code = KERNEL_CHECK + textwrap.dedent("""
            import glob, numba, augment, explain
            explain.LimeImageExplainer(random_state=0).explain_instance(
                np.random.default_rng(0).random((16, 16, 3)), lambda b: b.mean(axis=(1, 2)), top_labels=1,
                num_samples=20)  # runs the perturbation kernel, compiled into the fallback cache
            assert glob.glob(numba.config.CACHE_DIR + "/**/*.nbi", recursive=True), "nothing cached in the fallback"
            print("AUGMENT OK")
        """)
        env = {key: value for key, value in os.environ.items() if key not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
        env.update({"PYTHONPATH": str(root / "packages"), "HOME": str(root / "home"), "PYTHONDONTWRITEBYTECODE": "1"})
        result = subprocess.run(_as_nobody([sys.executable, "-c", code]), env=env, cwd=str(root), capture_output=True,
                                text=True, timeout=300)
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755)
        shutil.rmtree(root)
    assert "KERNELS OK" in result.stdout and "AUGMENT OK" in result.stdout, result.stderr
    assert result.stderr.count("are cached in") == 1, f"expected exactly one cache warning, got:\n{result.stderr}"
    assert "no locator available" not in result.stderr
