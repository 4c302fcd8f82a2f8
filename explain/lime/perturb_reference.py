"""Building perturbed images, from the definition: the reference for perturb.py.

A sample is a binary vector z (superpixel j on or off); its image keeps the on
superpixels' pixels and shows the fill F (fills.py) elsewhere. As lime reads:

    for z in samples:
        image = copy of x
        for each superpixel j with z[j] = 0:
            image[S == j] = F[S == j]

With the segment map S (H, W) holding each pixel's superpixel, z[S] is an
(H, W) mask saying, per pixel, whether its superpixel is on; for a whole batch
Z (b, d) one fancy-indexing lookup does every sample at once:

    keep  = Z[:, S]                                  (b, H, W)
    batch = where(keep[..., None], x, F)             (b, H, W, C)

The lookup has no Python loop (lime's loop was most of its run time); perturb.py
runs it pixel by pixel in compiled code, as where() loops over only C = 3 values.
Read next: explain/lime/perturb.py (the fast version, tested against these two, and the sampling).
"""
import numpy as np


def perturbed_images_loop(image_hwc, fill_hwc, segments, samples):
    """The algorithm as it reads: for each sample, hide its off superpixels one by one."""
    images = []
    for row in samples:
        image = image_hwc.copy()
        for superpixel in np.flatnonzero(row == 0):
            hidden = segments == superpixel
            image[hidden] = fill_hwc[hidden]
        images.append(image)
    return np.stack(images)


def perturbed_images_lookup(image_hwc, fill_hwc, segments, samples):
    """The same in numpy: one fancy-indexing lookup for the whole batch, then where()."""
    keep = samples.astype(bool)[:, segments]
    return np.where(keep[..., None], image_hwc, fill_hwc.astype(image_hwc.dtype, copy=False))
