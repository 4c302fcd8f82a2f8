"""One adapter between a tinygrad_edu model and every explanation method.

LIME and the deletion/insertion curves treat the model as a black box: a
function from a batch of images to class probabilities,

    classifier_fn(images) = softmax(f(x)),   softmax(z)_k = exp(z_k - max z) / sum_j exp(z_j - max z)

where x is the batch moved to the model's layout (N, C, H, W) and float dtype,
and f runs in eval mode without a graph, in batches: tinygrad_edu's predict.
model_fn builds that function (softmax=False: the raw logits f(x)); the images
arrive in LIME's layout (N, H, W, C) unless told otherwise.

The gradient methods and the looks inside a network need the model itself.
They share the small helpers below: the batch as (N, C, H, W) floats (cast
to ``model.dtype``), a layer found by its name, the first Conv2d, and `frozen`,
which puts the model in eval mode with its parameter gradients off and
restores every flag afterwards. Every image that comes in and every score
that comes out is checked to be finite (lime/checks.py's check_finite).
Read next: explain/attributions/result.py (what the gradient methods return).
"""
from collections import OrderedDict

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu.nn import Conv2d

from .lime.checks import check_finite

LAYOUTS = ("NHWC", "NCHW")


# --------------------------------------------------------------------------- the model as a black box

def model_fn(model, layout="NHWC", softmax=True, batch_size=64):
    """A classifier_fn for LIME and the curves: images in `layout` -> (N, classes) probabilities.

    Images keep their range (scale them as the model was trained); they are
    cast to the model's float dtype, run through tinygrad_edu's predict in
    batches of `batch_size` (eval mode, no graph; each module's training flag
    restored after), and turned into probabilities by softmax (softmax=False:
    raw logits). Both come back as float64.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    conv = first_conv(model)
    channels = conv.in_channels if conv is not None else None
    dtype = model.dtype

    def classifier_fn(images):
        images = _to_nchw(check_finite(np.asarray(images), "model_fn", "images"), layout, channels).astype(dtype)
        with modes_kept(model):   # predict leaves every module in the root's mode
            logits = _check_output(tg.predict(model, images, int(batch_size))).astype(np.float64)
        return F.softmax(tg.Tensor(logits), axis=1).data if softmax else logits

    return classifier_fn


def _to_nchw(images, layout, channels):
    """images in `layout` -> (N, C, H, W); a grayscale (N, H, W) batch gets its channel axis."""
    if images.ndim == 3:
        images = images[:, None] if layout == "NCHW" else images[..., None]
    if images.ndim != 4:
        raise ValueError(f"model_fn expected a batch of images in layout {layout}, got shape {images.shape}")
    channel_axis = 1 if layout == "NCHW" else 3
    if channels is not None and images.shape[channel_axis] != channels:
        other = "NHWC" if layout == "NCHW" else "NCHW"
        hint = (f"; the images look {other}, pass layout='{other}'"
                if images.shape[4 - channel_axis] == channels else "")
        raise ValueError(f"model_fn(layout='{layout}') expected images with {channels} channels on axis "
                         f"{channel_axis} (the model's first Conv2d takes {channels}), got shape {images.shape}{hint}")
    return images if layout == "NCHW" else np.transpose(images, (0, 3, 1, 2))


def _check_output(values):
    if values.ndim != 2:
        raise ValueError(f"model_fn needs a model whose output is (N, classes), got shape {values.shape}")
    check_model_finite(values, "model_fn")
    return values


def check_model_finite(scores, function, images=None):
    """The model's scores (rows, classes) when finite; else one line naming the image (images[row] if given).

    The images were checked first, so NaN or inf here comes from the model itself.
    """
    finite = np.isfinite(scores).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        image = row if images is None else int(images[row])
        raise ValueError(f"{function}: the model returned NaN or inf for image {image} "
                         "(do its weights hold NaN?)")
    return scores


# --------------------------------------------------------------------------- the model as a model

def as_batch(x, function, what="x", dtype=None):
    """x as a float ndarray (N, C, H, W) of finite numbers, N >= 1, with a clear error for anything else.

    `dtype` (e.g. the model's) is cast to before the check, so a value that overflows it is caught too.
    """
    array = np.asarray(x.data if isinstance(x, tg.Tensor) else x)
    if array.ndim != 4:
        raise ValueError(f"{function}: {what} must be a batch of images (N, C, H, W), got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{function}: {what} is an empty batch (shape {array.shape}); give at least one image")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{function}: {what} must hold real numbers, got dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(np.float32)
    if dtype is not None:
        with np.errstate(over="ignore"):   # an overflow becomes inf, which check_finite names
            array = array.astype(dtype, copy=False)
    return check_finite(array, function, what)


def named_layers(model):
    """{name: module} for every module below the root, names as in named_modules()."""
    return OrderedDict((name, module) for name, module in model.named_modules() if name)


def resolve_layer(model, layer):
    """(name, module) for a layer given by its name or as a module of the model."""
    layers = named_layers(model)
    if isinstance(layer, str):
        if layer not in layers:
            raise KeyError(f"layer '{layer}' is not in the model; available layers: {', '.join(layers)}")
        return layer, layers[layer]
    for name, module in layers.items():
        if module is layer:
            return name, module
    raise KeyError(f"layer {type(layer).__name__} is not a module of this model; "
                   f"available layers: {', '.join(layers)}")


def first_conv(model):
    """The first Conv2d in named_modules() order, or None."""
    return next((m for _, m in model.named_modules() if isinstance(m, Conv2d)), None)


class modes_kept:
    """Every module's training flag as it was before, whatever happens inside."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.modes = [(m, m.training) for m in self.model.modules()]

    def __exit__(self, *exc_info):
        for module, mode in self.modes:
            object.__setattr__(module, "training", mode)


class frozen(modes_kept):
    """Evaluate mode and no parameter gradients for the duration; every flag restored after."""

    def __enter__(self):
        super().__enter__()
        self.flags = [(p, p.requires_grad, p.grad) for p in self.model.parameters()]
        self.model.eval()
        self.model.requires_grad_(False)

    def __exit__(self, *exc_info):
        super().__exit__(*exc_info)
        for parameter, flag, grad in self.flags:
            parameter.requires_grad_(flag)
            parameter.grad = grad
