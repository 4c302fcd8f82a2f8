"""What each layer of a convnet computes: its activations, in Chollet's display (§5.4.1).

Run one image through the net and keep every layer's output A_l (N, C, H, W),
with forward hooks, in one pass. Channel k of layer l is a map of "where in the
image does filter k respond". Raw activations differ in scale from channel to
channel, so Chollet's display standardises each one before drawing it:

    a' = clip((a - mean(a)) / std(a) * 64 + 128, 0, 255)

and every channel uses the whole colour range. A channel with std 0 (after a
ReLU: all zero) carries no information about this image: it is drawn "dead".
The pass runs in eval mode (Dropout is the identity there), as
every other method does, and every module's mode is restored afterwards.
The next two files show the other two pictures of what a network learned: the
filters themselves, and the input each filter responds to most.
Read next: explain/learned/filters.py (a layer's weights as small images).
"""
from collections import OrderedDict

import numpy as np

import tinygrad_edu as tg

from ..model_adapter import as_batch, frozen, named_layers, resolve_layer

CHOLLET_SCALE, CHOLLET_CENTRE = 64.0, 128.0


def activations(model, x, layers=None):
    """{layer name: ndarray} of every layer's output (or only `layers`), from one forward pass.

    Names are those of ``model.named_modules()`` ("0", "3", "features.1", ...).
    The hooks are always removed, even if the forward pass fails. x is an
    (N, C, H, W) array or Tensor; the pass runs in eval mode under no_grad,
    and the model's modes and parameter flags are as before afterwards. (Chollet,
    "Deep Learning with Python", 1st ed., §5.4.1: a model that returns every
    layer's output; here the hooks do that for any Module.)
    """
    batch = as_batch(x, "activations")
    chosen = named_layers(model) if layers is None else OrderedDict(
        resolve_layer(model, layer) for layer in ([layers] if isinstance(layers, str) else layers))
    recorded = OrderedDict((name, None) for name in chosen)
    handles = []

    def recorder(name):
        def hook(module, inputs, output):
            recorded[name] = np.array(output.data if isinstance(output, tg.Tensor) else output)
        return hook

    try:
        for name, module in chosen.items():
            handles.append(module.register_forward_hook(recorder(name)))
        with frozen(model), tg.no_grad():
            model(tg.Tensor(batch))
    finally:
        for handle in handles:
            handle.remove()
    # a module the forward never called (e.g. a container's unused branch) has nothing to show
    return OrderedDict((name, value) for name, value in recorded.items() if value is not None)


def chollet_display(channel):
    """(a - mean) / std * 64 + 128 clipped to [0, 255]; None for a dead channel (std 0)."""
    channel = np.asarray(channel, dtype=np.float64)
    std = channel.std()
    if std == 0 or not np.isfinite(std):
        return None
    return np.clip((channel - channel.mean()) / std * CHOLLET_SCALE + CHOLLET_CENTRE, 0, 255)


def _layer_maps(values):
    """The first image's maps as (C, H, W): conv maps as they are, a vector as a 1-row strip."""
    first = np.asarray(values)[0]
    if first.ndim == 3:
        return first
    return first.reshape(1, 1, -1)


def plot_activations(acts, image=None, max_channels=16, columns=8):
    """One grid per layer of the first image's channels, in Chollet's display (§5.4.1).

    Tile k shows clip((a_k - mean(a_k)) / std(a_k) * 64 + 128, 0, 255), so every
    channel uses the whole colour range whatever its scale.

    ``acts`` is what ``activations`` returns. Dead channels (std 0) are drawn
    grey and labelled "dead". Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    if not acts:
        raise ValueError("plot_activations needs at least one layer's activations, got none")
    if int(max_channels) < 1:
        raise ValueError(f"max_channels must be at least 1, got {max_channels}")
    layers = list(acts.items())
    rows_per_layer = [int(np.ceil(min(len(_layer_maps(v)), max_channels) / columns)) for _, v in layers]
    extra = 1 if image is not None else 0
    figure = plt.figure(figsize=(1.3 * columns + 1.2, 1.5 * (sum(rows_per_layer) + extra) + 0.4 * len(layers)))
    parts = figure.subfigures(len(layers) + extra, 1, height_ratios=[1.3] * extra + [r + 0.35 for r in rows_per_layer])
    parts = np.atleast_1d(parts)
    if image is not None:
        _show_input(parts[0], image)
    for part, (name, values), rows in zip(parts[extra:], layers, rows_per_layer):
        _plot_layer_grid(part, name, _layer_maps(values), max_channels, columns, rows)
    return figure


def _show_input(part, image):
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[0] in (1, 3):   # (C, H, W) -> (H, W, C)
        image = np.moveaxis(image, 0, -1)
    axis = part.subplots(1, 1)
    axis.imshow(image.squeeze(), cmap="gray")
    axis.set_title("input image")
    axis.axis("off")


def _plot_layer_grid(part, name, maps, max_channels, columns, rows):
    count = min(len(maps), max_channels)
    axes = np.atleast_1d(part.subplots(rows, columns, squeeze=False)).ravel()
    part.suptitle(f"layer '{name}': {count} of {len(maps)} channels, {maps.shape[1]}x{maps.shape[2]}",
                  fontsize=10, parse_math=False)
    shown = None
    aspect = "auto" if maps.shape[1] == 1 else "equal"   # a dense layer's vector is a long strip
    for index, axis in enumerate(axes):
        axis.set_xticks([])
        axis.set_yticks([])
        if index >= count:
            axis.axis("off")
            continue
        display = chollet_display(maps[index])
        if display is None:
            axis.imshow(np.full(maps[index].shape, 0.5), cmap="gray", vmin=0, vmax=1, aspect=aspect)
            axis.text(0.5, 0.5, "dead", color="red", ha="center", va="center", transform=axis.transAxes)
        else:
            shown = axis.imshow(display, cmap="viridis", vmin=0, vmax=255, aspect=aspect)
        axis.set_xlabel(f"ch {index}", fontsize=7, labelpad=1)
    if shown is not None:
        part.colorbar(shown, ax=list(axes), shrink=0.9, pad=0.01, label="(a-mean)/std*64+128")
