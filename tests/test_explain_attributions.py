"""Attributions without captum: where the mass goes, completeness, and the errors."""
import matplotlib
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
import explain

matplotlib.use("Agg")


class QuadrantModel(nn.Module):
    """Logits that read only the top-left quadrant of the image, through a small smooth net.

    1x1 convolutions, so no pixel outside the quadrant reaches the logits, and
    tanh, so the logit is smooth and Integrated Gradients' quadrature converges.
    """

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 1), nn.Tanh())
        self.head = nn.Linear(4 * 8 * 8, 2)

    def forward(self, x):
        maps = self.features(x)[:, :, :8, :8]
        return self.head(maps.reshape(maps.shape[0], -1))


def quadrant_model():
    tg.manual_seed(0)
    return QuadrantModel().double()


def top_left_share(attribution):
    heat = np.abs(attribution.heatmap())
    return heat[:, :8, :8].sum() / heat.sum()


def images(n=3, seed=0):
    return np.random.default_rng(seed).random((n, 1, 16, 16))


@pytest.mark.parametrize("method", [explain.saliency, explain.integrated_gradients, explain.occlusion,
                                    explain.smoothgrad])
def test_mass_lands_in_the_quadrant_the_logit_reads(method):
    kwargs = {"window": (4, 4), "stride": (4, 4)} if method is explain.occlusion else {}
    attribution = method(quadrant_model(), images(), 1, **kwargs)
    assert attribution.values.shape == (3, 1, 16, 16)
    assert top_left_share(attribution) >= 0.9


def test_grad_cam_follows_the_object_in_the_quadrant():
    tg.manual_seed(1)
    # no biases: the empty background gives zero activations, as a dark photo would
    model = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1, bias=False), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 8, 3, padding=1, bias=False), nn.ReLU(), nn.Flatten(),
                          nn.Linear(8 * 8 * 8, 2)).double()
    x = np.zeros((2, 1, 16, 16))
    x[:, :, 0:4, 0:4] = np.random.default_rng(2).random((2, 1, 4, 4)) + 0.5  # the only object: top left
    cam = explain.grad_cam(model, x, 1, relu=False)
    assert cam.values.shape == (2, 1, 16, 16) and cam.settings["layer_map"].shape == (2, 1, 8, 8)
    assert top_left_share(cam) >= 0.9


def test_integrated_gradients_is_complete():
    model = quadrant_model()
    x = images(2)
    result = explain.integrated_gradients(model, x, 0, steps=50)
    with tg.no_grad():
        gap = model(tg.Tensor(x)).data[:, 0] - model(tg.Tensor(np.zeros_like(x))).data[:, 0]
    assert np.all(np.abs(result.delta) < 1e-3 * np.abs(gap))
    np.testing.assert_allclose(result.values.sum(axis=(1, 2, 3)), gap + result.delta, rtol=1e-10)


def test_integrated_gradients_batching_does_not_change_the_result():
    model, x = quadrant_model(), images(2)
    whole = explain.integrated_gradients(model, x, 1, steps=10, internal_batch_size=None)
    chunked = explain.integrated_gradients(model, x, 1, steps=10, internal_batch_size=3)
    np.testing.assert_allclose(whole.values, chunked.values, rtol=1e-12)


def test_smoothgrad_without_noise_is_saliency():
    model, x = quadrant_model(), images(2)
    np.testing.assert_allclose(explain.smoothgrad(model, x, [0, 1], samples=1, noise=0).values,
                               explain.saliency(model, x, [0, 1]).values, rtol=1e-12)


def test_smoothgrad_is_seeded():
    model, x = quadrant_model(), images(1)
    a = explain.smoothgrad(model, x, 0, samples=4, seed=5).values
    assert np.array_equal(a, explain.smoothgrad(model, x, 0, samples=4, seed=5).values)
    assert not np.array_equal(a, explain.smoothgrad(model, x, 0, samples=4, seed=6).values)


def test_occlusion_batching_and_an_array_baseline():
    model, x = quadrant_model(), images(2)
    a = explain.occlusion(model, x, 1, window=(4, 4), stride=(4, 4), batch_size=1)
    b = explain.occlusion(model, x, 1, window=(4, 4), stride=(4, 4), batch_size=64)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-14)
    # a window that replaces pixels by themselves changes nothing
    same = explain.occlusion(model, x, 1, window=(4, 4), stride=(4, 4), baseline=x)
    np.testing.assert_allclose(same.values, 0, atol=1e-12)


def test_methods_leave_the_model_as_they_found_it():
    model = quadrant_model()
    model.train()
    explain.grad_cam(model, images(1), 0)
    explain.saliency(model, images(1), 0)
    assert model.training and all(p.requires_grad and p.grad is None for p in model.parameters())


def test_heatmap_sums_channels_and_plot_draws_a_colour_bar():
    values = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    attribution = explain.Attribution(values, "test", np.array([0, 1]))
    np.testing.assert_array_equal(attribution.heatmap(), values.sum(axis=1))
    ax = attribution.plot(np.zeros((3, 4, 5)), index=1)
    assert len(ax.figure.axes) == 2 and "target class 1" in ax.get_title()
    with pytest.raises(ValueError, match=r"image must be \(C, H, W\), \(H, W, C\) with C in \(1, 3\), or \(H, W\), with \(H, W\) = \(4, 5\)"):
        attribution.plot(np.zeros((7, 7)))


def test_plot_reads_channels_first_channels_last_and_grey_images_alike():
    attribution = explain.Attribution(np.random.default_rng(0).normal(size=(1, 3, 4, 5)), "test", np.array([0]))
    rgb = np.random.default_rng(1).random((3, 4, 5))
    shown = [attribution.plot(image).images[0].get_array() for image in (rgb, rgb.transpose(1, 2, 0))]
    np.testing.assert_allclose(shown[0], shown[1])
    assert attribution.plot(rgb[0]).images[0].get_array().shape == (4, 5)
    assert attribution.plot(rgb[:1].transpose(1, 2, 0)).images[0].get_array().shape == (4, 5)


# --------------------------------------------------------------------------- bad input

def test_layer_not_in_the_model():
    with pytest.raises(KeyError, match="layer 'head.9' is not in the model; available layers: features"):
        explain.grad_cam(quadrant_model(), images(1), 0, layer="head.9")
    with pytest.raises(KeyError, match="layer Conv2d is not a module of this model"):
        explain.grad_cam(quadrant_model(), images(1), 0, layer=nn.Conv2d(1, 1, 3))


def test_grad_cam_needs_a_conv_layer():
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    with pytest.raises(ValueError, match="grad_cam needs a Conv2d"):
        explain.grad_cam(model, np.zeros((1, 1, 4, 4)), 0)


@pytest.mark.parametrize("target, message", [
    (2, r"target 2 is out of range for a model with 2 classes \(0..1\)"),
    (-1, r"target -1 is out of range"),
    ([0, 1], r"one int per row \(3 rows\), got 2 targets"),
    ("cat", r"target must be an int or one int per row, got 'cat'"),
])
def test_bad_targets(target, message):
    with pytest.raises((ValueError, TypeError), match=message):
        explain.saliency(quadrant_model(), images(3), target)


def test_x_must_be_four_dimensional():
    with pytest.raises(ValueError, match=r"x must be a batch of images \(N, C, H, W\), got shape \(16, 16\)"):
        explain.integrated_gradients(quadrant_model(), np.zeros((16, 16)), 0)


def test_model_output_must_be_rows_of_class_scores():
    model = nn.Sequential(nn.Conv2d(1, 2, 3))
    with pytest.raises(ValueError, match=r"scores of shape \(N, classes\) = \(1, classes\), got \(1, 2, 2, 2\)"):
        explain.saliency(model, np.zeros((1, 1, 4, 4)), 0)


def test_steps_window_stride_and_method_are_checked():
    model, x = quadrant_model(), images(1)
    with pytest.raises(ValueError, match="steps must be an integer >= 1, got 0"):
        explain.integrated_gradients(model, x, 0, steps=0)
    with pytest.raises(ValueError, match="method must be one of riemann_left, .*gausslegendre, got 'simpson'"):
        explain.integrated_gradients(model, x, 0, method="simpson")
    with pytest.raises(ValueError, match=r"window \(20, 4\) is larger than the image \(16, 16\)"):
        explain.occlusion(model, x, 0, window=(20, 4))
    with pytest.raises(ValueError, match=r"stride \(5, 2\) must not exceed the window \(4, 4\)"):
        explain.occlusion(model, x, 0, window=(4, 4), stride=(5, 2))
    with pytest.raises(ValueError, match="baseline must be a number or an array that broadcasts"):
        explain.integrated_gradients(model, x, 0, baseline=np.zeros(3))
