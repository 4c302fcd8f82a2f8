"""Grad-CAM: where a convolutional layer saw the evidence for class t.

On a layer's output A (N, K, h, w), with S = f(x)[t] the logit of class t:

    w_k = mean_ij dS/dA_kij                how much channel k matters
    cam = ReLU(sum_k w_k A_k)              (h, w): where the channels that matter fire

The map has the layer's resolution; it is resized to the input (H, W) as
PyTorch's interpolate(mode="bilinear", align_corners=False) does: output pixel
i samples the input at s = (i + 0.5) * h / H - 0.5 (clamped at 0), mixing its
neighbours floor(s) and floor(s) + 1 linearly. That is one matrix R per axis,

    upsampled = R_rows @ cam @ R_columns^T

Selvaraju et al. 2017; captum's LayerGradCam and LayerAttribution.interpolate.
Read next: explain/attributions/perturbation.py (attribution without gradients: occlusion).
"""
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.nn import Conv2d

from ..model_adapter import frozen, resolve_layer
from .result import Attribution
from .scores import batch_and_targets, check_logits


def last_conv_name(model):
    names = [name for name, module in model.named_modules() if isinstance(module, Conv2d)]
    if not names:
        raise ValueError("grad_cam needs a Conv2d in the model (or an explicit layer=); this model has none")
    return names[-1]


def bilinear_matrix(size_in, size_out):
    """R (size_out, size_in) with R @ v = v resized bilinearly, PyTorch's align_corners=False.

    Output pixel i samples the input at s = (i + 0.5) * size_in / size_out - 0.5
    (clamped at 0), mixing its two neighbours floor(s), floor(s) + 1 linearly.
    """
    source = np.maximum((np.arange(size_out) + 0.5) * size_in / size_out - 0.5, 0.0)
    lower = np.minimum(np.floor(source).astype(int), size_in - 1)
    upper = np.minimum(lower + 1, size_in - 1)
    share_upper = source - lower
    resize = np.zeros((size_out, size_in))
    np.add.at(resize, (np.arange(size_out), lower), 1 - share_upper)
    np.add.at(resize, (np.arange(size_out), upper), share_upper)
    return resize


def upsample_bilinear(maps, size):
    """(N, C, h, w) -> (N, C, H, W), as torch.nn.functional.interpolate(mode="bilinear")."""
    rows = bilinear_matrix(maps.shape[2], size[0])
    columns = bilinear_matrix(maps.shape[3], size[1])
    # Two matrix products (rows, then columns): far cheaper than one three-way einsum.
    return (rows.astype(maps.dtype) @ maps @ columns.T.astype(maps.dtype)).astype(maps.dtype, copy=False)


def grad_cam(model, x, target, layer=None, relu=True):
    """ReLU(sum_k w_k A_k), w_k = spatial mean of dS/dA_k (captum ``LayerGradCam``), upsampled.

    A is the output of `layer` (a name from named_modules() or the module
    itself; by default the last Conv2d). The map at the layer's resolution is
    kept in ``settings["layer_map"]``; ``values`` is it resized bilinearly to
    the input, as captum's ``LayerAttribution.interpolate`` does.
    """
    name, module = resolve_layer(model, last_conv_name(model) if layer is None else layer)
    captured = {}

    def cut_here(_module, _inputs, output):
        # A fresh leaf in place of the layer's output: the backward stops here
        # and leaves dS/dA in its .grad.
        captured["A"] = tg.Tensor(output.data, requires_grad=True)
        return captured["A"]

    with frozen(model):
        batch, targets = batch_and_targets(model, x, target, "grad_cam")
        handle = module.register_forward_hook(cut_here)
        try:
            output = model(tg.Tensor(batch))
        finally:
            handle.remove()
        check_logits(output, len(batch), "grad_cam")
        if "A" not in captured:
            raise ValueError(f"layer '{name}' did not run in the model's forward pass")
        activation = captured["A"]
        if activation.ndim != 4:
            raise ValueError(f"grad_cam needs a layer with (N, C, h, w) output; '{name}' gives {activation.shape}")
        output[np.arange(len(batch)), targets].sum().backward()
    weights = activation.grad.mean(axis=(2, 3), keepdims=True)
    layer_map = (weights * activation.data).sum(axis=1, keepdims=True)
    if relu:
        layer_map = np.maximum(layer_map, 0)
    values = upsample_bilinear(layer_map, batch.shape[2:])
    settings = {"layer": name, "relu": relu, "layer_map": layer_map}
    return Attribution(values, "grad_cam", targets, settings, signed=not relu)
