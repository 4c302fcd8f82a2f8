"""The lecture demos (demos/*.py) run end to end in --fast mode and show what they claim.

Each test runs one script on a fixed seed, checks that its figure was written,
and asserts the point the figure makes with a margin that a broken
implementation (a convnet that does not slide, pooling that is not a max, a
policy that lets 180 degrees through, frozen weights that move) would miss.
"""
import numpy as np

from tinygrad_edu.io.datasets import read_idx


def _png(path):
    return path.read_bytes()[:4] == b"\x89PNG"


def _write_idx(path, array):
    """A tiny IDX file (unsigned bytes), as the MNIST files are laid out."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.tobytes())


# -- 4. digits -----------------------------------------------------------------------------------------------

def test_shifted_digits_sit_at_different_places_on_the_canvas():
    from demos.common import shifted_digits

    x_train, y_train, _, _ = shifted_digits(50, 10, seed=0)
    assert x_train.shape == (50, 1, 28, 28) and y_train.shape == (50,)
    rows_with_ink = [np.flatnonzero(image[0].sum(axis=1))[0] for image in x_train]
    assert len(set(rows_with_ink)) > 5  # not all centred


def test_digits_convnet_beats_the_dense_net_on_shifted_digits(tmp_path, capsys):
    from demos import digits

    accuracies = digits.main(["--fast", "--out", str(tmp_path)])
    assert accuracies["convnet"] > accuracies["dense 784-512-10"] + 0.2
    assert accuracies["convnet"] > 0.6
    assert _png(tmp_path / "digits_shifted.png")
    assert "test accuracy" in capsys.readouterr().out


def test_digits_reads_mnist_idx_files(tmp_path):
    from demos import digits

    rng = np.random.default_rng(0)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for prefix, n in (("train", 40), ("t10k", 20)):
        labels = np.arange(n) % 10
        images = (rng.random((n, 28, 28)) * 40).astype(np.uint8)
        for i, label in enumerate(labels):  # a bright bar whose row is the label: learnable, not trivial
            images[i, 2 + 2 * label, 4:24] = 255
        _write_idx(folder / f"{prefix}-images-idx3-ubyte", images)
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels)
    assert read_idx(folder / "t10k-labels-idx1-ubyte").shape == (20,)
    accuracies = digits.main(["--fast", "--out", str(tmp_path), "--mnist", str(folder)])
    assert {"mnist dense 784-512-10", "mnist Keras-book convnet"} <= set(accuracies)
    assert _png(tmp_path / "digits_mnist.png")


def test_main_job_calls_its_held_out_digits_test_not_validation(tmp_path, monkeypatch):
    import tinygrad_edu as tg
    from demos import main as main_job

    figures = []
    original = tg.plot_history
    monkeypatch.setattr(tg, "plot_history", lambda *a, **k: figures.append(original(*a, **k)) or figures[-1])
    main_job.main(["--epochs", "2", "--out", str(tmp_path)])
    legend = [text.get_text() for text in figures[0].axes[0].get_legend().get_texts()]
    assert legend == ["training loss", "test loss"]


# -- 2. gradient_descent -------------------------------------------------------------------------------------

def test_skier_stuck_escapes_diverges(tmp_path):
    from demos import gradient_descent as gd

    results = gd.main(["--fast", "--out", str(tmp_path)])
    stuck, escapes, diverges, other_start = results["skiers"]
    assert abs(stuck[-1] - gd.LOCAL_MINIMUM) < 1e-2            # the skier from w = -3 stops in the local minimum
    assert abs(escapes[-1] - gd.BETTER_MINIMUM) < 5e-2         # momentum carries it over the hill
    assert abs(diverges[-1]) > 10                              # lr 1.5 blows up
    assert abs(other_start[-1] - gd.BETTER_MINIMUM) < 5e-2     # another start, the better valley
    assert gd.LOCAL_MINIMUM < gd.HILLTOP < gd.BETTER_MINIMUM and abs(gd.slope_1d(gd.LOCAL_MINIMUM)) < 1e-9
    assert gd.loss_1d(gd.BETTER_MINIMUM) < gd.loss_1d(gd.LOCAL_MINIMUM) - 2
    for name, path in results["paths_2d"].items():
        assert gd.valley(*path[-1]) < 0.8 * gd.valley(*path[0]), name  # every optimizer goes downhill
    assert gd.valley(*results["paths_2d"]["Adam (lr 0.05)"][-1]) < 0.05
    assert _png(tmp_path / "gradient_descent_skier.png") and _png(tmp_path / "gradient_descent_2d.png")


def test_skier_steps_are_plain_gradient_descent():
    from demos import gradient_descent as gd

    path = gd.ski(-3.0, 0.05, 0.0, steps=5)
    expected = [-3.0]
    for _ in range(5):
        expected.append(expected[-1] - 0.05 * gd.slope_1d(expected[-1]))  # w <- w - lr * dL/dw by hand
    np.testing.assert_allclose(path, expected, rtol=1e-12)


# -- 3. convolution ------------------------------------------------------------------------------------------

def test_convolution_kernels_layer_and_pooling_shift(tmp_path):
    from demos import convolution as conv

    results = conv.main(["--fast", "--out", str(tmp_path)])
    photo = results["photo"]
    # the blur is the mean of each 3x3 window; the edge kernel is (top row) - (bottom row)
    np.testing.assert_allclose(results["blurred"][10, 20], photo[10:13, 20:23].mean(), rtol=1e-4)
    np.testing.assert_allclose(results["edges"][5, 7], photo[5, 7:10].sum() - photo[7, 7:10].sum(), atol=1e-5)
    assert results["feature_map"].shape == (4, photo.shape[0] - 2, int(photo.shape[0] * 451 / 300) - 2)
    assert results["feature_map"].min() >= 0  # after ReLU
    np.testing.assert_array_equal(conv.max_pool(conv.POOLING_EXAMPLE), [[9, 2], [6, 3]])
    pooled = results["pooled"]
    np.testing.assert_array_equal(pooled["shifted by 1 pixel"], pooled["original"])       # small shift: same
    assert not np.array_equal(pooled["shifted by 2 pixels"], pooled["original"])           # big shift: changed
    for name in ("convolution_kernels.png", "convolution_layer.png", "convolution_pooling.png"):
        assert _png(tmp_path / name)


# -- 9. fine_tuning ------------------------------------------------------------------------------------------

def test_fine_tuning_replaces_the_head_and_keeps_the_frozen_convolutions(tmp_path, monkeypatch):
    from demos import fine_tuning

    snapshots = {}
    original_fine_tune = fine_tuning.fine_tune

    def spy(model, *args):  # the convolution weights right after pretraining
        snapshots["before"] = [p.data.copy() for p in model[:-1].parameters()]
        return original_fine_tune(model, *args)

    monkeypatch.setattr(fine_tuning, "fine_tune", spy)
    results = fine_tuning.main(["--fast", "--out", str(tmp_path)])
    model = results["model"]
    assert model[-1].weight.shape == (5, fine_tuning.FEATURES)
    assert all(not p.requires_grad for p in model[:-1].parameters()) and model[-1].weight.requires_grad
    for before, after in zip(snapshots["before"], model[:-1].parameters()):
        np.testing.assert_array_equal(before, after.data)  # frozen means unchanged
    tuned, scratch = results["fine-tuned"], results["from scratch"]
    # the frozen features give a head start: 30-50 updates into the 50 examples, the new head reads far more
    early = slice(2, 5)
    assert tuned[50]["curves"][:, early].mean() > scratch[50]["curves"][:, early].mean() + 0.08
    assert tuned[10]["accuracy"].min() > 0.45                           # chance is 20%
    # after the whole budget, 50 examples: learning the features from scratch wins; the demo says so
    assert scratch[50]["accuracy"].mean() > tuned[50]["accuracy"].mean() + 0.08
    assert tuned[50]["curves"].shape == (3, fine_tuning.CURVE_POINTS)   # 3 draws
    assert list(tuned[10]["updates"]) == list(tuned[50]["updates"])     # the same budget at every size
    assert _png(tmp_path / "fine_tuning.png")


def test_fine_tuning_draws_differ_and_the_tasks_do_not_overlap():
    from demos import fine_tuning

    old_task, pool, test = fine_tuning.split_tasks(0)
    assert set(old_task[1]) == {0, 1, 2, 3, 4} and set(pool[1]) == set(test[1]) == {0, 1, 2, 3, 4}
    assert old_task[0].shape[1:] == (1, 28, 28)
    first, second = fine_tuning.draw_examples(pool, 10, 0), fine_tuning.draw_examples(pool, 10, 1)
    assert not np.array_equal(first[0], second[0])


# -- 7. batch_size -------------------------------------------------------------------------------------------

def test_batch_size_more_steps_per_epoch_learn_more_per_epoch(tmp_path):
    from demos import batch_size

    runs = batch_size.main(["--fast", "--out", str(tmp_path)])
    assert [run["steps_per_epoch"] for run in runs.values()] == [400, 25, 4, 1]  # ceil(n / b), n = 400
    final = [run["loss"][-1] for run in runs.values()]
    assert final[0] < final[1] < final[2] < final[3]            # per epoch: smaller batches, lower loss
    assert final[0] < 0.5 * runs["full batch"]["loss"][0]        # SGD learned; the full batch barely moved
    assert runs["full batch"]["loss"][-1] > 0.9 * runs["full batch"]["loss"][0]
    assert _png(tmp_path / "batch_size.png")


# -- 8. augmentation -----------------------------------------------------------------------------------------

def test_augmentation_refuses_180_degrees_and_180_degrees_would_hurt(tmp_path):
    from demos import augmentation

    results = augmentation.main(["--fast", "--out", str(tmp_path)])
    assert "exceeds policy DIGITS" in results["refusal"] and "RandomRotation" in results["refusal"]
    centred, shifted = results["results"]["centred 8x8 digits"], results["results"]["shifted 28x28 digits"]
    mean = lambda run: run["accuracy"].mean()  # noqa: E731
    assert all(len(run["accuracy"]) == 3 for run in shifted.values())  # three seeds
    # digits anywhere on the canvas, 100 examples: the safe shifts help a lot, in every seed
    assert mean(shifted["safe"]) > mean(shifted["no augmentation"]) + 0.2
    assert shifted["safe"]["accuracy"].min() > shifted["no augmentation"]["accuracy"].max()
    # centred 8x8 digits: safe augmentation does not hurt; the rotations DIGITS refuses cost a lot,
    # and they are the reason sixes and nines get swapped
    assert mean(centred["safe"]) >= mean(centred["no augmentation"]) - 0.02
    assert mean(centred["unsafe"]) < mean(centred["no augmentation"]) - 0.1
    assert centred["unsafe"]["six_nine_swaps"].mean() > centred["safe"]["six_nine_swaps"].mean() + 3
    original, mirrored, _ = augmentation.cat_copies(48)
    np.testing.assert_allclose(mirrored, original[:, :, ::-1], atol=1e-6)
    assert _png(tmp_path / "augmentation_cat.png") and _png(tmp_path / "augmentation_digits.png")


def test_augmentation_safe_pipeline_on_the_canvas_shifts_and_stays_within_digits():
    import augment
    from demos import augmentation

    pipelines = augmentation.safe_and_unsafe(shifted=True)
    assert pipelines["no augmentation"] is None
    assert pipelines["safe"].policy is augment.DIGITS and pipelines["unsafe"].policy is None
    assert any(isinstance(t, augment.RandomTranslate) for t in pipelines["safe"].children)
    assert not any(isinstance(t, augment.RandomTranslate) for t in augmentation.safe_and_unsafe(False)["safe"].children)


# -- 1. function_approximation -------------------------------------------------------------------------------

def test_function_approximation_slide_nets_and_depth(tmp_path):
    from demos import function_approximation as fa

    rng = np.random.default_rng(0)
    net = fa.SingleLayer(rng)
    x = rng.normal(size=(2, 5))
    logits = net.W.data @ x + net.b.data  # the slide's numpy, by hand
    expected = np.exp(logits) / np.exp(logits).sum(axis=0)
    np.testing.assert_allclose(net.f(fa.tg.Tensor(x)).data, expected, rtol=1e-10)

    results = fa.main(["--fast", "--out", str(tmp_path)])
    single, two = results["slide_accuracy"]
    assert single < 0.75 and two > 0.95      # a straight boundary cannot enclose the circle; one ReLU layer can
    one, two_deep, three = results["mse"]
    assert three < one / 3 and two_deep < one  # same width, more depth, better fit (seed 0)
    assert _png(tmp_path / "function_approximation.png")
