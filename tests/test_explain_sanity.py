"""The randomisation check (explain/trust), model_fn (explain/model_adapter.py); LIME's heatmap and curve inputs."""
import numpy as np
import pytest
from skimage import filters

import explain
import tinygrad_edu as tg
from explain import Attribution, LimeImageExplainer, deletion_curve, insertion_curve, model_fn, randomization_check
from explain.trust.stability import spearman
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.models import digits_convnet
from tinygrad_edu.engine.rng import default_generator
from demos.main import load_digit_split


@pytest.fixture(scope="module")
def trained():
    """The digits convnet after two quick epochs, and eight test digits with their labels."""
    x_train, y_train, x_test, y_test = load_digit_split(0)
    tg.manual_seed(0)
    model = digits_convnet()
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), x_train.reshape(-1, 1, 8, 8),
           y_train, epochs=2, batch_size=32, seed=0, verbose=0)
    return model, x_test[:8].reshape(-1, 1, 8, 8), y_test[:8]


def input_gradient(model, x, target):
    """|d logit[target] / d x|: saliency written out here, so this file checks the check on its own."""
    inputs = tg.Tensor(x, requires_grad=True)
    logits = model(inputs)
    (logits * np.eye(logits.shape[1])[target]).sum().backward()
    return Attribution(np.abs(inputs.grad), "input_gradient", target, signed=False)


def last_conv_cam(model, x, target):
    """Grad-CAM on the last Conv2d (weights = spatial mean of the gradient), nearest-upsampled."""
    conv = [m for m in model.modules() if isinstance(m, nn.Conv2d)][-1]
    kept = {}
    handle = conv.register_forward_hook(lambda module, inputs, output: kept.update(a=output) or output.retain_grad())
    try:
        logits = model(tg.Tensor(x))
    finally:
        handle.remove()
    (logits * np.eye(logits.shape[1])[target]).sum().backward()
    activation, grad = kept["a"].data, kept["a"].grad
    cam = np.maximum((grad.mean(axis=(2, 3), keepdims=True) * activation).sum(axis=1, keepdims=True), 0)
    scale = x.shape[2] // cam.shape[2]
    return Attribution(cam.repeat(scale, axis=2).repeat(scale, axis=3), "last_conv_cam", target, signed=False)


def edge_detector(model, x, target):
    """An 'explanation' that never asks the model: the image's Sobel edges."""
    return Attribution(np.stack([[filters.sobel(image[0])] for image in x]), "edge_detector", target)


@pytest.mark.parametrize("method", [input_gradient, last_conv_cam, explain.saliency, explain.grad_cam])
def test_gradient_maps_decorrelate_once_the_first_conv_is_reinitialised(trained, method):
    model, x, y = trained
    result = randomization_check(model, x, y, method, seed=0)
    assert result.layers == ["7", "3", "0"]       # the Linear, then the second conv, then the first
    assert len(result.correlations) == 3
    assert result.correlations[-1] < 0.5
    assert result.passed and result.threshold == 0.5
    assert result.maps[0].shape == (8, 8, 8)


def test_a_map_that_ignores_the_model_stays_near_one_and_fails(trained):
    model, x, y = trained
    result = randomization_check(model, x, y, edge_detector)
    np.testing.assert_allclose(result.correlations, 1.0, atol=1e-12)
    assert not result.passed
    ax = result.plot()
    assert "FAILED" in ax.get_legend().get_texts()[0].get_text()
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_correlations_are_the_mean_rank_correlation_of_absolute_maps(trained):
    model, x, y = trained
    result = randomization_check(model, x[:2], y[:2], input_gradient, seed=3)
    original, last = result.maps[0], result.maps[-1]
    expected = np.mean([spearman(np.abs(a).ravel(), np.abs(b).ravel()) for a, b in zip(original, last)])
    assert result.correlations[-1] == pytest.approx(expected)
    again = randomization_check(model, x[:2], y[:2], input_gradient, seed=3)
    np.testing.assert_array_equal(again.correlations, result.correlations)


def test_the_users_model_and_random_stream_are_untouched(trained):
    model, x, y = trained
    before = model.state_dict()
    tg.manual_seed(11)
    expected_next = np.random.default_rng(11).random()
    randomization_check(model, x[:2], y[:2], input_gradient)
    assert default_generator().random() == expected_next
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_randomization_check_bad_inputs(trained):
    model, x, y = trained
    with pytest.raises(TypeError, match="method must be a callable"):
        randomization_check(model, x, y, "saliency")
    with pytest.raises(TypeError, match="must return an explain.Attribution, got ndarray"):
        randomization_check(model, x, y, lambda m, xs, t: np.zeros(xs.shape))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\), got shape \(8, 8\)"):
        randomization_check(model, x[0, 0], y[0], input_gradient)
    with pytest.raises(ValueError, match="needs a model with parameters"):
        randomization_check(nn.Sequential(nn.ReLU()), x, y, input_gradient)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_model_fn_is_the_softmax_of_the_model_on_transposed_input(trained):
    model, x, _ = trained
    nhwc = np.transpose(x, (0, 2, 3, 1))
    expected = softmax(model(tg.Tensor(x)).data.astype(np.float64))
    np.testing.assert_allclose(model_fn(model, batch_size=3)(nhwc), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model_fn(model)(nhwc[..., 0]), expected, rtol=1e-6, atol=1e-9)   # (N, H, W)
    np.testing.assert_allclose(model_fn(model, layout="NCHW")(x), expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model_fn(model, softmax=False)(nhwc), model(tg.Tensor(x)).data, rtol=1e-6)


def test_model_fn_restores_training_mode_and_records_no_graph(trained):
    model, x, _ = trained
    model.train()
    model.zero_grad()
    probabilities = model_fn(model)(np.transpose(x, (0, 2, 3, 1)))
    assert isinstance(probabilities, np.ndarray) and probabilities.dtype == np.float64
    assert all(m.training for m in model.modules())
    assert all(p.grad is None for p in model.parameters())


def test_model_fn_layout_errors(trained):
    model, x, _ = trained
    with pytest.raises(ValueError, match=r"layout='NHWC'\) expected images with 1 channels on axis 3.*"
                                         r"the images look NCHW, pass layout='NCHW'"):
        model_fn(model)(np.zeros((2, 1, 8, 3)))
    with pytest.raises(ValueError, match=r"layout='NCHW'\) expected images with 1 channels on axis 1"):
        model_fn(model, layout="NCHW")(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match="layout must be one of"):
        model_fn(model, layout="HWC")
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        model_fn(model, batch_size=0)
    flat = nn.Sequential(nn.Flatten(), nn.Linear(64, 3))
    with pytest.raises(ValueError, match=r"output is \(N, classes\), got shape \(6,\)"):
        model_fn(nn.Sequential(flat, nn.Flatten(start_dim=0)))(np.zeros((2, 8, 8, 1)))


def lime_explanation(model, image_hwc):
    explainer = LimeImageExplainer(random_state=0)
    return explainer.explain_instance(image_hwc, model_fn(model), labels=(0,), top_labels=None,
                                      num_samples=60, segmentation_fn=lambda img: np.arange(64).reshape(8, 8) // 16)


def test_lime_heatmap_gives_each_pixel_its_superpixels_weight(trained):
    model, x, _ = trained
    explanation = lime_explanation(model, x[0, 0][..., None])
    heatmap = explanation.heatmap(0)
    assert heatmap.shape == (8, 8)
    for feature, weight in explanation.local_exp[0]:
        assert np.all(heatmap[explanation.segments == feature] == weight)


def test_curves_take_an_attribution_or_a_lime_heatmap(trained):
    model, x, y = trained
    image = np.transpose(x[0], (1, 2, 0))
    attribution = input_gradient(model, x[:1], y[:1])
    classifier = model_fn(model)
    for curve in (deletion_curve, insertion_curve):
        direct = curve(image, classifier, attribution, label=int(y[0]), num_steps=8)
        by_hand = curve(image, classifier, attribution.heatmap()[0], label=int(y[0]), num_steps=8)
        np.testing.assert_array_equal(direct.scores, by_hand.scores)
    heatmap = lime_explanation(model, image).heatmap(0)
    assert np.isfinite(deletion_curve(image, classifier, heatmap, label=0, num_steps=4).auc)
    with pytest.raises(ValueError, match="take one image's Attribution, got 2 rows"):
        deletion_curve(image, classifier, input_gradient(model, x[:2], y[:2]), label=0)
