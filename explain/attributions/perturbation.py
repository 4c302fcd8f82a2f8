"""Occlusion: attribution by hiding a window, with forward passes only.

Slide a window over x; at each place set it to a baseline (black by default)
and see how far the score S = f(x)[t] drops. Each pixel p gets the mean drop
over the windows that cover it:

    a(p) = mean over windows W containing p of  S(x) - S(x with W set to the baseline)

As captum's Occlusion (Zeiler & Fergus 2014): the window spans every channel,
its starts are 0, stride, ... (ceil((size - window) / stride) + 1 of them) and
the last one is cut at the edge. No gradient is needed, so any model will do,
but every window costs a forward pass; the occluded copies go in batches.
The windows' masks are held at once, so a small stride on a large image is
bounded by the memory they take (lime/checks.py's memory_budget).
Read next: explain/learned/activations.py (inside a convnet: what each layer computes).
"""
import numpy as np

from ..lime.checks import check_memory, check_positive_int
from ..model_adapter import frozen
from .result import Attribution
from .scores import batch_and_targets, broadcast_baseline, target_scores


def _window_starts(size, window, stride):
    """Window starts 0, stride, ... as captum: ceil((size - window) / stride) + 1 of them.

    The last window may run past the edge; it is cut there.
    """
    return np.arange(int(np.ceil((size - window) / stride)) + 1) * stride


def _pair(value, name):
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
    return tuple(check_positive_int(v, name) for v in pair)


def occlusion(model, x, target, window=(8, 8), stride=(4, 4), baseline=0.0, batch_size=64):
    """Mean over covering windows of S(x) - S(x with the window set to baseline) (captum ``Occlusion``).

    The window spans every channel (captum's ``sliding_window_shapes=(C, *window)``);
    `batch_size` occluded copies go through the model at a time.
    """
    window, stride = _pair(window, "window"), _pair(stride, "stride")
    batch_size = check_positive_int(batch_size, "batch_size")
    with frozen(model):
        batch, targets = batch_and_targets(model, x, target, "occlusion")
        height, width = batch.shape[2:]
        if window[0] > height or window[1] > width:
            raise ValueError(f"window {window} is larger than the image ({height}, {width})")
        if stride[0] > window[0] or stride[1] > window[1]:
            # a stride past the window would leave pixels no window covers (0/0)
            raise ValueError(f"stride {stride} must not exceed the window {window}")
        base = broadcast_baseline(baseline, batch, "occlusion")
        rows, columns = _window_starts(height, window[0], stride[0]), _window_starts(width, window[1], stride[1])
        count = len(rows) * len(columns)
        # each window's mask as booleans, and as float64 for the per-pixel sum: 9 bytes a pixel
        check_memory("occlusion", count * height * width * 9,
                     f"window {window} with stride {stride} makes {count} windows, whose masks would hold "
                     f"{count}x{height}x{width} booleans and their float64 copy", "use a larger stride or window")
        corners = [(r, c) for r in rows for c in columns]
        masks = np.zeros((len(corners), height, width), dtype=bool)
        for k, (r, c) in enumerate(corners):
            masks[k, r:r + window[0], c:c + window[1]] = True
        values = np.stack([_occlude_one(model, batch[n], base[n], targets[n], masks, batch_size, n)
                           for n in range(len(batch))])
    settings = {"window": window, "stride": stride, "baseline": baseline if np.ndim(baseline) == 0 else "array",
                "batch_size": batch_size}
    return Attribution(values, "occlusion", targets, settings)


def _occlude_one(model, image, base, target, masks, batch_size, index):
    original = target_scores(model, image[None], np.array([target]), "occlusion", [index])[0]
    drops = np.empty(len(masks))
    for start in range(0, len(masks), batch_size):
        chunk = masks[start:start + batch_size, None]
        occluded = np.where(chunk, base[None], image[None])
        drops[start:start + len(chunk)] = original - target_scores(model, occluded, np.full(len(chunk), target),
                                                                   "occlusion", np.full(len(chunk), index))
    total = np.tensordot(drops, masks.astype(np.float64), axes=1)
    covered = masks.sum(axis=0)
    per_pixel = total / covered
    return np.broadcast_to(per_pixel, image.shape).astype(image.dtype)
