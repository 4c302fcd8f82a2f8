"""Hostile input to the explain API (issue 22): NaN and inf, empty batches, bad counts, memory bounds.

Every mistake is one line naming the function, the argument and what came; the
model comes back as it was; valid input keeps its numbers (test_explain_vs_captum.py
and the seeded tests of the other files).
"""
import re
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
import explain
import explain.lime.checks as checks
from explain.learned.activations import activations
from explain.lime.checks import check_finite, format_bytes, memory_budget
from explain.report.enrichment import object_enrichment
from explain.report.methods import explain_images

ROOT = Path(__file__).resolve().parents[1]
GiB = 2**30


def small_convnet(dropout=False):
    tg.manual_seed(0)
    layers = [nn.Conv2d(3, 4, 3, padding=1), nn.ReLU()] + ([nn.Dropout(0.5)] if dropout else [])
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(4 * 8 * 8, 3))


def images(n=2, seed=0):
    return np.random.default_rng(seed).random((n, 3, 8, 8)).astype(np.float32)


def with_bad_value(value, where=(1, 2, 3, 4)):
    x = images()
    x[where] = value
    return x


def modes_and_flags(model):
    return [m.training for m in model.modules()], [(p.requires_grad, p.grad) for p in model.parameters()]


METHODS = {
    "saliency": lambda model, x: explain.saliency(model, x, 0),
    "smoothgrad": lambda model, x: explain.smoothgrad(model, x, 0, samples=2),
    "integrated_gradients": lambda model, x: explain.integrated_gradients(model, x, 0, steps=4),
    "grad_cam": lambda model, x: explain.grad_cam(model, x, 0),
    "occlusion": lambda model, x: explain.occlusion(model, x, 0, window=4, stride=4),
    "activations": lambda model, x: activations(model, x),
    "randomization_check": lambda model, x: explain.randomization_check(model, x, 0, explain.saliency),
}


# --------------------------------------------------------------------------- NaN and inf

@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_x_is_refused_by_name_with_its_place(name, value):
    model = small_convnet()
    model.train()
    before = modes_and_flags(model)
    x = with_bad_value(value)
    message = rf"^{name}: x contains NaN or inf in 1 of 384 values, the first at x\[1, 2, 3, 4\] = {value!r}; "
    with pytest.raises(ValueError, match=message):
        METHODS[name](model, x)
    assert modes_and_flags(model) == before   # the mode and the gradient flags are as they were


@pytest.mark.parametrize("x, dtype", [(np.full((1, 3, 8, 8), "a"), "<U1"),
                                      (np.zeros((1, 3, 8, 8), complex), "complex128")])
def test_x_that_holds_no_real_numbers_is_named(x, dtype):
    with pytest.raises(ValueError, match=rf"^saliency: x must hold real numbers, got dtype {dtype}$"):
        explain.saliency(small_convnet(), x, 0)
    with pytest.raises(ValueError, match=rf"image must hold numbers \(float or uint8\); got dtype {dtype}"):
        explain.LimeImageExplainer().explain_instance(x[0].transpose(1, 2, 0), lambda b: np.ones((len(b), 1)))


def test_a_value_that_overflows_the_models_dtype_is_caught_after_the_cast():
    x = images().astype(np.float64)
    x[0, 0, 0, 0] = 1e300   # finite as float64, inf as the model's float32
    with pytest.raises(ValueError, match=r"saliency: x contains NaN or inf .* x\[0, 0, 0, 0\] = inf"):
        explain.saliency(small_convnet(), x, 0)


@pytest.mark.parametrize("method", ["integrated_gradients", "occlusion"])
def test_nan_or_inf_in_a_baseline_is_refused(method):
    model, x = small_convnet(), images()
    call = getattr(explain, method)
    with pytest.raises(ValueError, match=rf"^{method}: baseline is nan; expected a finite number$"):
        call(model, x, 0, baseline=np.nan)
    baseline = np.zeros((3, 8, 8))
    baseline[2, 5, 1] = np.inf
    with pytest.raises(ValueError, match=rf"^{method}: baseline contains NaN or inf in 1 of 192 values, "
                                         r"the first at baseline\[2, 5, 1\] = inf"):
        call(model, x, 0, baseline=baseline)
    with pytest.raises(ValueError, match=rf"{method}: baseline must be a number or an array .* got None"):
        call(model, x, 0, baseline=None)


@pytest.mark.parametrize("curve", [explain.deletion_curve, explain.insertion_curve])
def test_curves_refuse_a_nan_attribution_and_a_nan_baseline(curve):
    image = images(1)[0].transpose(1, 2, 0)
    classifier = explain.model_fn(small_convnet())
    name = curve.__name__
    with pytest.raises(ValueError, match=rf"^{name}: attribution contains NaN or inf in 64 of 64 values, "
                                         r"the first at attribution\[0, 0\] = nan"):
        curve(image, classifier, np.full((8, 8), np.nan), 0)
    nan_in_attribution = explain.saliency(small_convnet(), images(1), 0)
    nan_in_attribution.values[0, 1, 2, 3] = np.nan
    with pytest.raises(ValueError, match=rf"{name}: attribution contains NaN or inf in 1 of 64 .*\[2, 3\] = nan"):
        curve(image, classifier, nan_in_attribution, 0)
    with pytest.raises(ValueError, match=rf"^{name}: baseline is nan; expected a finite number"):
        curve(image, classifier, np.ones((8, 8)), 0, baseline=np.nan)
    with pytest.raises(ValueError, match=rf"^{name}: image contains NaN or inf"):
        curve(np.where(image > 0.5, np.inf, image), classifier, np.ones((8, 8)), 0)


def test_object_enrichment_refuses_nan_and_names_the_pixel():
    heatmap = np.ones((4, 4))
    heatmap[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"^object_enrichment: heatmap contains NaN or inf in 1 of 16 values, "
                                         r"the first at heatmap\[3, 1\] = nan"):
        object_enrichment(heatmap, np.eye(4, dtype=bool))


def test_explain_images_refuses_nan_images_and_an_empty_batch_before_any_work():
    model = small_convnet()
    with pytest.raises(ValueError, match=r"^explain_images: images contains NaN or inf .* images\[1, 2, 3, 4\]"):
        explain_images(model, with_bad_value(np.nan), ["a", "b", "c"])
    with pytest.raises(ValueError, match=r"^explain_images: images is an empty batch \(shape \(0, 3, 8, 8\)\)"):
        explain_images(model, images()[:0], ["a", "b", "c"])
    with pytest.raises(TypeError, match=r"target must be an int or one int per row, got 1.5"):
        explain_images(model, images(), ["a", "b", "c"], methods=("lime",), targets=1.5)


def nan_weights(model):
    model[-1].weight.data[:] = np.nan
    return model


def test_a_model_with_nan_weights_is_named_as_the_model_not_the_classifier_fn():
    model = nan_weights(small_convnet())
    message = r"the model returned NaN or inf for image 0 \(do its weights hold NaN\?\)$"
    with pytest.raises(ValueError, match="^model_fn: " + message):
        explain.model_fn(model, layout="NCHW")(images())
    with pytest.raises(ValueError, match="^model_fn: " + message) as error:
        explain.LimeImageExplainer(random_state=0).explain_instance(
            images(1)[0].transpose(1, 2, 0), explain.model_fn(model), num_samples=10)
    assert "classifier_fn" not in str(error.value)
    for name in ("saliency", "smoothgrad", "integrated_gradients", "grad_cam", "occlusion"):
        with pytest.raises(ValueError, match=f"^{name}: " + message):
            METHODS[name](model, images())


class NaNForBrightImages(nn.Module):
    """A finite model, except that it answers NaN when the first pixel is above 5."""

    def __init__(self):
        super().__init__()
        self.net = small_convnet()

    def forward(self, x):
        bright = np.where(x.data[:, 0, 0, 0] > 5, np.nan, 0.0).astype(np.float32)
        return self.net(x) + tg.Tensor(bright[:, None])


@pytest.mark.parametrize("name", ["saliency", "smoothgrad", "integrated_gradients", "occlusion"])
def test_the_image_whose_score_is_nan_is_named_whichever_batch_it_sat_in(name):
    x = images(3)
    x[2, 0, 0, 0] = 10.0   # image 2's copies, path points and occlusions all reach NaN
    call = {"saliency": lambda m: explain.saliency(m, x, 0),
            "smoothgrad": lambda m: explain.smoothgrad(m, x, 0, samples=3, noise=0.01, batch_size=2),
            "integrated_gradients": lambda m: explain.integrated_gradients(m, x, 0, steps=5, internal_batch_size=4),
            "occlusion": lambda m: explain.occlusion(m, x, 0, window=4, stride=4, batch_size=3)}[name]
    with pytest.raises(ValueError, match=rf"^{name}: the model returned NaN or inf for image 2 "):
        call(NaNForBrightImages())


def test_maximize_activation_refuses_nan_settings_and_nan_weights():
    model = small_convnet()
    with pytest.raises(ValueError, match=r"^maximize_activation: step_size is nan; expected a finite number"):
        explain.maximize_activation(model, "0", 0, (3, 8, 8), steps=2, step_size=np.nan)
    with pytest.raises(ValueError, match=r"^maximize_activation: tv_weight is inf"):
        explain.maximize_activation(model, "0", 0, (3, 8, 8), steps=2, tv_weight=np.inf)
    with pytest.raises(ValueError, match=r"^maximize_activation: l2_weight must be a number, got 'a'"):
        explain.maximize_activation(model, "0", 0, (3, 8, 8), steps=2, l2_weight="a")
    model[0].weight.data[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^maximize_activation: the channel's mean activation is nan at step 0 "
                                         r"\(do the model's weights hold NaN"):
        explain.maximize_activation(model, "0", 0, (3, 8, 8), steps=2)


def test_check_finite_passes_finite_values_through_untouched():
    x = images()
    assert check_finite(x, "f", "x") is x
    integers = np.arange(3)
    assert check_finite(integers, "f", "x") is integers   # integers are always finite
    with pytest.raises(ValueError, match=r"^f: x is -inf; expected a finite number$"):
        check_finite(-np.inf, "f", "x")


# --------------------------------------------------------------------------- empty batches and bad counts

@pytest.mark.parametrize("name", METHODS)
def test_an_empty_batch_has_its_own_message(name):
    with pytest.raises(ValueError, match=rf"^{name}: x is an empty batch \(shape \(0, 3, 8, 8\)\); "
                                         "give at least one image$"):
        METHODS[name](small_convnet(), images()[:0])


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "8"])
@pytest.mark.parametrize("call, argument", [
    (lambda m, v: explain.smoothgrad(m, images(), 0, samples=2, batch_size=v), "batch_size"),
    (lambda m, v: explain.integrated_gradients(m, images(), 0, steps=2, internal_batch_size=v),
     "internal_batch_size"),
    (lambda m, v: explain.occlusion(m, images(), 0, window=4, stride=4, batch_size=v), "batch_size"),
    (lambda m, v: explain.occlusion(m, images(), 0, window=v, stride=1), "window"),
    (lambda m, v: explain.occlusion(m, images(), 0, window=4, stride=(1, v)), "stride"),
    (lambda m, v: explain.smoothgrad(m, images(), 0, samples=v), "samples"),
    (lambda m, v: explain.integrated_gradients(m, images(), 0, steps=v), "steps"),
    (lambda m, v: explain.LimeImageExplainer(random_state=0).explain_instance(
        images(1)[0].transpose(1, 2, 0), explain.model_fn(m), num_samples=10, batch_size=v), "batch_size"),
    (lambda m, v: explain.LimeImageExplainer(random_state=0).explain_instance(
        images(1)[0].transpose(1, 2, 0), explain.model_fn(m), num_samples=v), "num_samples"),
])
def test_a_count_that_is_not_a_positive_integer_is_named(call, argument, value):
    minimum = 2 if argument == "num_samples" else 1
    message = rf"^{argument} must be an integer >= {minimum}, got {re.escape(repr(value))}$"
    with pytest.raises(ValueError, match=message):
        call(small_convnet(), value)


@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_model_fn_batch_size_is_checked_when_made(value):
    with pytest.raises(ValueError, match=rf"batch_size must be a positive int, got {re.escape(repr(value))}"):
        explain.model_fn(small_convnet(), batch_size=value)


@pytest.mark.parametrize("channel, message", [
    (1.7, r"^channel must be an integer index, got 1.7$"),
    (True, r"^channel must be an integer index, got True \(a bool\)$"),
    ("1", r"^channel must be an integer index, got '1'$"),
])
def test_maximize_activation_refuses_a_non_integer_channel_instead_of_truncating_it(channel, message):
    model = small_convnet()
    model.train()
    before = modes_and_flags(model)
    with pytest.raises(TypeError, match=message):
        explain.maximize_activation(model, "0", channel, (3, 8, 8), steps=1)
    assert modes_and_flags(model) == before
    assert explain.maximize_activation(model, "0", 1.0, (3, 8, 8), steps=1).image.shape == (3, 8, 8)   # whole


def test_maximize_activation_refuses_fractional_steps_and_jitter():
    model = small_convnet()
    with pytest.raises(ValueError, match=r"^steps must be a whole number of ascent steps, got 2.5$"):
        explain.maximize_activation(model, "0", 0, (3, 8, 8), steps=2.5)
    with pytest.raises(ValueError, match=r"^jitter must be a whole number of pixels >= 0, got 0.5$"):
        explain.maximize_activation(model, "0", 0, (3, 8, 8), steps=1, jitter=0.5)


@pytest.mark.parametrize("target, message", [
    (1.5, r"target must be an int or one int per row, got 1.5$"),
    (True, r"target must be an int or one int per row, got True \(a bool is no class index\)$"),
    ([0, np.nan], r"target must be an int or one int per row, got \[0, nan\]$"),
])
def test_a_target_that_is_no_class_index_is_named(target, message):
    with pytest.raises(TypeError, match=message):
        explain.saliency(small_convnet(), images(), target)


def test_lime_and_curve_labels_must_be_whole_numbers():
    image = images(1)[0].transpose(1, 2, 0)
    classifier = explain.model_fn(small_convnet())
    with pytest.raises(TypeError, match=r"^label must be an integer index, got 1.5$"):
        explain.LimeImageExplainer(random_state=0).explain_instance(image, classifier, labels=(1.5,),
                                                                    top_labels=None, num_samples=10)
    with pytest.raises(TypeError, match=r"^label must be an integer index, got True \(a bool\)$"):
        explain.LimeImageExplainer(random_state=0).explain_instance(image, classifier, labels=(True,),
                                                                    top_labels=None, num_samples=10)
    with pytest.raises(TypeError, match=r"^label must be an integer index, got 0.5$"):
        explain.deletion_curve(image, classifier, np.ones((8, 8)), 0.5)
    explanation = explain.LimeImageExplainer(random_state=0).explain_instance(
        image, classifier, labels=(2.0,), top_labels=None, num_samples=10)
    assert list(explanation.local_exp) == [2]


# --------------------------------------------------------------------------- memory

@pytest.fixture
def budget_of_2_gib(monkeypatch):
    """A fixed budget, so the messages and the largest allowed counts are the same on every machine."""
    monkeypatch.setattr(checks, "memory_budget", lambda: 2 * GiB)


BIG = np.zeros((1, 3, 64, 64), np.float32)


def big_convnet():
    tg.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 64 * 64, 3))


def test_smoothgrad_samples_are_bounded_by_the_memory_they_take(budget_of_2_gib):
    # 16 bytes per value of each copy: the float64 noise and its scaled copy while drawn
    with pytest.raises(ValueError, match=re.escape(
            "smoothgrad: samples=10000000 would hold 10000000 noisy copies of the 1x3x64x64 float32 batch and "
            "their gradients at once (1.79 TiB), more than the budget of 2 GiB (half the memory this process "
            f"may use); use samples <= {2 * GiB // (12288 * 16 + 16)}") + "$"):
        explain.smoothgrad(big_convnet(), BIG, 0, samples=10**7)


def test_integrated_gradients_steps_are_bounded_by_the_path_and_by_gauss_legendre(budget_of_2_gib):
    with pytest.raises(ValueError, match=re.escape(
            "integrated_gradients: steps=10000000 would hold 10000000 copies of the 1x3x64x64 float32 batch "
            "(the points on the path) and their gradients at once (1.79 TiB), more than the budget of 2 GiB")):
        explain.integrated_gradients(big_convnet(), BIG, 0, steps=10**7, method="riemann_middle")
    with pytest.raises(ValueError, match=re.escape(
            "integrated_gradients: steps=10000000 would hold a 10000000x10000000 float64 matrix (Gauss-Legendre's "
            "nodes are its eigenvalues) at once (728 TiB)") + r".*use steps <= 16384$"):
        explain.integrated_gradients(big_convnet(), BIG, 0, steps=10**7)


def test_lime_num_samples_are_bounded_by_the_surrogates_matrix(budget_of_2_gib):
    image = np.random.default_rng(0).random((16, 16, 3)).astype(np.float32)
    quarters = (np.arange(16)[:, None] // 8) * 2 + np.arange(16)[None] // 8   # 4 superpixels
    with pytest.raises(ValueError, match=re.escape(
            "LimeImageExplainer.explain_instance: num_samples=1000000000 would hold 4 float64 copies of the "
            "1000000000x4 matrix of samples by superpixels at once (246 GiB)") + r".*use num_samples <= \d+$"):
        explain.LimeImageExplainer(random_state=0).explain_instance(
            image, lambda b: np.full((len(b), 2), 0.5), num_samples=10**9, segmentation_fn=lambda _: quarters)


def test_lime_text_num_samples_are_bounded_by_the_matrix_of_samples_by_words(budget_of_2_gib):
    with pytest.raises(ValueError, match=re.escape(
            "LimeTextExplainer.explain_instance: num_samples=1000000000 would hold 4 float64 copies of the "
            "1000000000x3 matrix of samples by words at once") + r".*use num_samples <= \d+$"):
        explain.LimeTextExplainer(random_state=0).explain_instance(
            "good bad fine", lambda texts: np.full((len(texts), 2), 0.5), num_samples=10**9)


def test_occlusion_counts_the_masks_of_all_its_windows(monkeypatch):
    monkeypatch.setattr(checks, "memory_budget", lambda: 100 * 2**20)
    with pytest.raises(ValueError, match=re.escape(
            "occlusion: window (1, 1) with stride (1, 1) makes 4096 windows, whose masks would hold 4096x64x64 "
            "booleans and their float64 copy at once (144 MiB), more than the budget of 100 MiB (half the memory "
            "this process may use); use a larger stride or window") + "$"):
        explain.occlusion(big_convnet(), BIG, 0, window=1, stride=1)


def test_maximize_activation_input_shape_is_bounded_by_the_memory_it_takes(budget_of_2_gib):
    with pytest.raises(ValueError, match=re.escape(
            "maximize_activation: input_shape (3, 100000, 100000) would hold images of 3x100000x100000 values and "
            "their gradients at once (1.31 TiB), more than the budget of 2 GiB (half the memory this process may "
            "use); use a smaller input_shape") + "$"):
        explain.maximize_activation(big_convnet(), "0", 0, (3, 100000, 100000), steps=1)


def test_the_largest_count_the_message_offers_is_accepted(monkeypatch):
    monkeypatch.setattr(checks, "memory_budget", lambda: 10 * 2**20)
    with pytest.raises(ValueError, match=r"use steps <= (\d+)$") as error:
        explain.integrated_gradients(big_convnet(), BIG, 0, steps=1000, method="riemann_left")
    largest = int(re.search(r"<= (\d+)$", str(error.value)).group(1))
    assert explain.integrated_gradients(big_convnet(), BIG, 0, steps=largest, method="riemann_left",
                                        internal_batch_size=largest).values.shape == BIG.shape
    with pytest.raises(ValueError, match=rf"steps={largest + 1} would hold"):
        explain.integrated_gradients(big_convnet(), BIG, 0, steps=largest + 1, method="riemann_left")


@pytest.mark.parametrize("name, call, limit", [
    ("smoothgrad", lambda m, x: explain.smoothgrad(m, x, 0, samples=60, batch_size=16), 1.05),
    ("integrated_gradients", lambda m, x: explain.integrated_gradients(m, x, 0, steps=60, method="riemann_left"), 1.05),
    ("occlusion", lambda m, x: explain.occlusion(m, x[:1], 0, window=4, stride=2), 1.05),
])
def test_the_memory_a_count_is_charged_covers_what_the_method_holds(monkeypatch, name, call, limit):
    charged = []

    def spy(function, needed, what, advice):
        charged.append(needed)

    monkeypatch.setattr(checks, "memory_budget", lambda: 0)   # every count is charged, and the spy lets it run
    monkeypatch.setattr(checks, "check_memory", spy)
    monkeypatch.setattr(explain.attributions.perturbation, "check_memory", spy)
    model, x = big_convnet(), np.random.default_rng(0).random((2, 3, 64, 64)).astype(np.float32)
    call(model, x)   # a first run compiles what needs compiling
    charged.clear()
    tracemalloc.start()
    try:
        call(model, x)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= limit * max(charged), f"{name} held {format_bytes(peak)}, charged {format_bytes(max(charged))}"


class Charged(Exception):
    pass


def test_every_default_fits_a_2_gib_budget_for_a_batch_of_eight_224x224_colour_images(monkeypatch):
    charged = []

    def stop_at_the_charge(function, needed, what, advice):
        charged.append((function, needed))
        raise Charged

    monkeypatch.setattr(checks, "memory_budget", lambda: 0)   # every count is charged, then the run stops
    monkeypatch.setattr(checks, "check_memory", stop_at_the_charge)
    monkeypatch.setattr(explain.attributions.perturbation, "check_memory", stop_at_the_charge)
    tg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 224 * 224, 3))
    x = np.random.default_rng(0).random((8, 3, 224, 224)).astype(np.float32)
    calls = [lambda: explain.smoothgrad(model, x, 0), lambda: explain.integrated_gradients(model, x, 0),
             lambda: explain.integrated_gradients(model, x, 0, method="riemann_left"),
             lambda: explain.occlusion(model, x, 0),
             lambda: explain.LimeImageExplainer(random_state=0).explain_instance(
                 x[0].transpose(1, 2, 0), explain.model_fn(model))]
    for call in calls:
        with pytest.raises(Charged):
            call()
    assert [function for function, _ in charged] == ["smoothgrad", "integrated_gradients", "integrated_gradients",
                                                     "occlusion", "LimeImageExplainer.explain_instance"]
    assert all(needed <= 2 * GiB for _, needed in charged), charged


def test_format_bytes_and_the_budget():
    assert [format_bytes(n) for n in (10, 1536, 458 * GiB, 3000 * 2**40)] == ["10 B", "1.5 KiB", "458 GiB",
                                                                               "3000 TiB"]
    assert 0 < memory_budget()


def test_a_limited_address_space_lowers_the_budget_and_big_counts_still_get_one_line():
    script = textwrap.dedent("""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))
        import numpy as np
        import tinygrad_edu as tg
        from tinygrad_edu import nn
        import explain
        from explain.lime.checks import memory_budget
        print(memory_budget())
        tg.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(3, 2, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 64 * 64, 3))
        try:
            explain.smoothgrad(model, np.zeros((1, 3, 64, 64), np.float32), 0, samples=10**6)
        except ValueError as error:
            print(error)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    budget, message = done.stdout.strip().splitlines()
    assert int(budget) <= 3 * GiB
    assert message.startswith("smoothgrad: samples=1000000 would hold 1000000 noisy copies")
    assert message.endswith(f"use samples <= {int(budget) // (12288 * 16 + 16)}")


# --------------------------------------------------------------------------- LIME and float16

def test_a_float16_image_gives_the_explanation_of_its_float32_cast():
    image16 = np.random.default_rng(1).random((16, 16, 3)).astype(np.float16)
    kept = image16.copy()
    seen = []

    def classifier(batch):
        seen.append(batch.dtype)
        bright = batch.reshape(len(batch), -1).astype(np.float64).mean(axis=1)
        return np.stack([bright, 1 - bright], axis=1)

    explain16 = explain.LimeImageExplainer(random_state=3).explain_instance(image16, classifier, num_samples=40,
                                                                             top_labels=None, labels=(0, 1))
    explain32 = explain.LimeImageExplainer(random_state=3).explain_instance(image16.astype(np.float32), classifier,
                                                                             num_samples=40, top_labels=None,
                                                                             labels=(0, 1))
    assert set(seen) == {np.dtype(np.float32)}
    np.testing.assert_array_equal(explain16.segments, explain32.segments)
    assert explain16.local_exp == explain32.local_exp and explain16.intercept == explain32.intercept
    np.testing.assert_array_equal(explain16.sample_predictions, explain32.sample_predictions)
    np.testing.assert_array_equal(image16, kept)   # the caller's image is not touched


# --------------------------------------------------------------------------- activations in eval mode

@pytest.mark.parametrize("training", [True, False])
def test_activations_run_in_eval_mode_and_restore_the_mode(training):
    model = small_convnet(dropout=True)
    model.train(training)
    before = modes_and_flags(model)
    x = images()
    first, second = activations(model, x), activations(model, x)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])   # Dropout did not draw
    np.testing.assert_array_equal(first["2"], first["1"])          # Dropout is the identity in eval mode
    assert modes_and_flags(model) == before
    with pytest.raises(ValueError, match="Conv2d expected input with 3 channels"):
        activations(model, np.zeros((1, 1, 8, 8), np.float32))
    assert modes_and_flags(model) == before
    assert all(not m._forward_hooks for m in model.modules())
