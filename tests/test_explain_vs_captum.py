"""Our attributions give captum's numbers on the same network (float64, weights copied)."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
import explain

torch = pytest.importorskip("torch")
captum_attr = pytest.importorskip("captum.attr")


def twin_networks():
    tg.manual_seed(3)
    ours = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 5, 3, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(5 * 4 * 5, 3)).double()
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Conv2d(4, 5, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                                 torch.nn.Linear(5 * 4 * 5, 3)).double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(3, 3, 11, 13))
    return ours, theirs, x, [0, 2, 1]


def as_numpy(tensor):
    return tensor.detach().numpy()


def test_saliency_matches_captum():
    ours, theirs, x, target = twin_networks()
    expected = captum_attr.Saliency(theirs).attribute(torch.tensor(x, requires_grad=True), target=target)
    np.testing.assert_allclose(explain.saliency(ours, x, target).values, as_numpy(expected), atol=1e-12)
    signed = captum_attr.Saliency(theirs).attribute(torch.tensor(x, requires_grad=True), target=target, abs=False)
    np.testing.assert_allclose(explain.saliency(ours, x, target, abs=False).values, as_numpy(signed), atol=1e-12)


@pytest.mark.parametrize("method", explain.attributions.gradients.IG_METHODS)
def test_integrated_gradients_matches_captum_for_every_method(method):
    ours, theirs, x, target = twin_networks()
    baseline = 0.25
    expected, delta = captum_attr.IntegratedGradients(theirs).attribute(
        torch.tensor(x, requires_grad=True), baselines=baseline, target=target, n_steps=24, method=method,
        return_convergence_delta=True)
    result = explain.integrated_gradients(ours, x, target, baseline=baseline, steps=24, method=method)
    # captum keeps its quadrature points and weights in float32, hence 1e-6 and not 1e-12
    np.testing.assert_allclose(result.values, as_numpy(expected), atol=1e-6)
    np.testing.assert_allclose(result.delta, as_numpy(delta), atol=1e-6)


@pytest.mark.parametrize("layer_index", [0, 3])
def test_grad_cam_layer_map_and_upsampled_map_match_captum(layer_index):
    ours, theirs, x, target = twin_networks()
    layer_map = captum_attr.LayerGradCam(theirs, theirs[layer_index]).attribute(
        torch.tensor(x, requires_grad=True), target=target, relu_attributions=True)
    upsampled = captum_attr.LayerAttribution.interpolate(layer_map, x.shape[2:], interpolate_mode="bilinear")
    result = explain.grad_cam(ours, x, target, layer=ours[layer_index])
    np.testing.assert_allclose(result.settings["layer_map"], as_numpy(layer_map), atol=1e-12)
    np.testing.assert_allclose(result.values, as_numpy(upsampled), atol=1e-12)


def test_grad_cam_without_relu_matches_captum_default():
    ours, theirs, x, target = twin_networks()
    layer_map = captum_attr.LayerGradCam(theirs, theirs[3]).attribute(torch.tensor(x), target=target)
    result = explain.grad_cam(ours, x, target, relu=False)  # default layer: the last Conv2d, index 3
    np.testing.assert_allclose(result.settings["layer_map"], as_numpy(layer_map), atol=1e-12)


@pytest.mark.parametrize("window, stride, baseline, batch_size", [((4, 4), (3, 3), 0.0, 64), ((5, 3), (2, 3), 0.5, 7)])
def test_occlusion_matches_captum(window, stride, baseline, batch_size):
    ours, theirs, x, target = twin_networks()
    expected = captum_attr.Occlusion(theirs).attribute(
        torch.tensor(x), target=target, sliding_window_shapes=(3, *window), strides=(3, *stride), baselines=baseline)
    result = explain.occlusion(ours, x, target, window=window, stride=stride, baseline=baseline, batch_size=batch_size)
    np.testing.assert_allclose(result.values, as_numpy(expected), atol=1e-6)


@pytest.mark.parametrize("size_in, size_out", [((3, 5), (11, 13)), ((7, 4), (7, 9)), ((6, 6), (4, 3))])
def test_bilinear_upsample_matches_torch_interpolate(size_in, size_out):
    maps = np.random.default_rng(1).normal(size=(2, 3, *size_in))
    expected = torch.nn.functional.interpolate(torch.tensor(maps), size=size_out, mode="bilinear", align_corners=False)
    np.testing.assert_allclose(explain.attributions.gradcam.upsample_bilinear(maps, size_out), as_numpy(expected), atol=1e-12)
