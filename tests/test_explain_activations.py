"""explain.learned: hooks-based activations and Chollet's display, filters, maximal activation."""
import numpy as np
import pytest

import tinygrad_edu as tg
from explain import activations
from explain import maximize_activation, plot_activations, plot_filter_patterns, plot_filters
from explain.learned.activations import chollet_display
from tinygrad_edu import nn
from tinygrad_edu.models import digits_convnet

HORIZONTAL_EDGES = np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], dtype=np.float32)


@pytest.fixture
def model():
    tg.manual_seed(0)
    return digits_convnet()


def images(n=3, seed=0):
    return np.random.default_rng(seed).random((n, 1, 8, 8)).astype(np.float32)


def test_activations_equal_a_manual_forward_of_each_prefix(model):
    x = images()
    acts = activations(model, x)
    assert list(acts) == [str(i) for i in range(len(model))]
    for i in range(len(model)):
        expected = model[:i + 1](tg.Tensor(x)).data
        np.testing.assert_array_equal(acts[str(i)], expected)
    assert all(not m._forward_hooks for m in model.modules())


def test_activations_of_named_layers_only_and_nested_names():
    tg.manual_seed(0)
    net = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), nn.Flatten(), nn.Linear(2 * 6 * 6, 3))
    names = [name for name, _ in net.named_modules() if name]
    assert "0.1" in names
    x = images(2)
    acts = activations(net, x, layers=["0.1", "2"])
    assert list(acts) == ["0.1", "2"]
    np.testing.assert_array_equal(acts["0.1"], net[0](tg.Tensor(x)).data)
    np.testing.assert_array_equal(acts["2"], net(tg.Tensor(x)).data)


def test_activations_remove_hooks_even_when_the_forward_fails(model):
    with pytest.raises(ValueError, match="Conv2d expected input with 1 channel"):
        activations(model, np.zeros((1, 3, 8, 8), np.float32))
    assert all(not m._forward_hooks for m in model.modules())


def test_activations_bad_inputs_have_clear_messages(model):
    with pytest.raises(KeyError, match="layer '9' is not in the model; available layers: 0, 1, 2"):
        activations(model, images(), layers=["9"])
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got shape \(8, 8\)"):
        activations(model, np.zeros((8, 8)))


def test_chollet_display_and_dead_channels(model):
    channel = np.array([[0.0, 1.0], [2.0, 3.0]])
    z = (channel - 1.5) / channel.std()
    np.testing.assert_allclose(chollet_display(channel), np.clip(z * 64 + 128, 0, 255))
    assert chollet_display(np.zeros((4, 4))) is None
    acts = activations(model, images(1))
    acts["1"][0, 5] = 0.0    # a dead channel after ReLU
    figure = plot_activations(acts, image=images(1)[0], max_channels=8)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert texts.count("dead") >= 1
    shown = [im.get_array() for ax in figure.axes for im in ax.get_images()]
    assert all(0 <= np.min(a) and np.max(a) <= 255 for a in shown)
    with pytest.raises(ValueError, match="max_channels must be at least 1"):
        plot_activations(acts, max_channels=0)


def test_plot_filters_is_centred_on_zero_with_a_colour_bar(model):
    figure = plot_filters(model[0])
    image = figure.axes[0].get_images()[0]
    low, high = image.get_clim()
    assert low == -high == -np.abs(model[0].weight.data).max()
    assert any(ax.get_label() == "<colorbar>" for ax in figure.axes)
    rgb = plot_filters(nn.Conv2d(3, 4, 3))
    assert rgb.axes[0].get_images()[0].get_array().shape == (3, 3, 3)
    with pytest.raises(TypeError, match="expected a Conv2d layer"):
        plot_filters(nn.ReLU())


def edge_model():
    conv = nn.Conv2d(1, 1, 3, bias=False)
    conv.weight.data = HORIZONTAL_EDGES[None, None].copy()
    return nn.Sequential(conv, nn.ReLU())


def best_grating_correlation(image, horizontal):
    """Largest |correlation| of the image with a sinusoidal grating (stripes along x if horizontal)."""
    size = image.shape[0]
    coordinate = np.arange(size)[:, None] * np.ones((1, size))
    if not horizontal:
        coordinate = coordinate.T
    best = 0.0
    for period in (2, 3, 4, 5, 6, 8):
        for phase in np.linspace(0, np.pi, 6, endpoint=False):
            grating = np.cos(2 * np.pi * coordinate / period + phase)
            best = max(best, abs(np.corrcoef(image.ravel(), grating.ravel())[0, 1]))
    return best


def test_maximal_activation_of_a_horizontal_edge_filter_is_horizontal_stripes():
    model = edge_model()
    pattern = maximize_activation(model, "1", 0, (1, 16, 16), steps=40)
    image = pattern.image[0]
    assert best_grating_correlation(image, True) > best_grating_correlation(image, False) + 0.2
    history = pattern.history
    assert len(history) == 41
    assert all(history[t + 5] > history[t] for t in range(len(history) - 5))
    assert history[-1] > 10 * max(history[0], 1e-3)


def test_maximize_activation_leaves_the_model_as_it_was(model):
    model.train()
    before = model.state_dict()
    pattern = maximize_activation(model, model[3], 2, (1, 1, 12, 12), steps=5, jitter=1, tv_weight=0.1,
                                  l2_weight=0.01)
    assert pattern.image.shape == (1, 12, 12) and np.all(np.isfinite(pattern.image))
    assert all(m.training for m in model.modules())
    assert all(p.grad is None and p.requires_grad for p in model.parameters())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_maximize_activation_bad_inputs(model):
    with pytest.raises(ValueError, match="steps must be at least 1, got 0"):
        maximize_activation(model, "0", 0, (1, 8, 8), steps=0)
    with pytest.raises(ValueError, match="channel 16 is out of range: the layer has 16 channels"):
        maximize_activation(model, "0", 16, (1, 8, 8), steps=1)
    with pytest.raises(ValueError, match=r"input_shape must be \(C, H, W\)"):
        maximize_activation(model, "0", 0, (8, 8), steps=1)
    with pytest.raises(KeyError, match="available layers"):
        maximize_activation(model, "conv1", 0, (1, 8, 8), steps=1)


def test_plot_filter_patterns_draws_one_tile_per_channel(model):
    figure = plot_filter_patterns(model, "0", [0, 3, 5], input_shape=(1, 10, 10), steps=3)
    titled = [ax.get_title() for ax in figure.axes if ax.get_images()]
    assert len(titled) == 3 and titled[1].startswith("ch 3")


def test_activations_accept_a_tensor_and_a_single_layer_name(model):
    x = images(2)
    acts = activations(model, tg.Tensor(x), layers="1")
    assert list(acts) == ["1"]
    np.testing.assert_array_equal(acts["1"], model[:2](tg.Tensor(x)).data)
