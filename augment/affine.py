"""Geometric transforms as 3x3 matrices, one per sample.

A pixel at column x, row y is the homogeneous vector p = (x, y, 1). Every
flip, rotation, translation, scaling and shear is a 3x3 matrix M with
p_out = M @ p_in. Rotating about the image centre c = ((W-1)/2, (H-1)/2) is
"move c to the origin, rotate, move back":

    M = T(c) @ R(theta) @ T(-c)

Doing A first and then B is the single matrix B @ A. So a whole pipeline of
geometric transforms collapses into ONE matrix per sample, and the image is
resampled ONCE: fewer passes, and no blur accumulating from repeated
interpolation. To resample we walk over *output* pixels and ask where each came
from, p_in = inv(M) @ p_out: the inverse map is what warp.py (and skimage) take.

Every function here is batched: arguments are arrays of length N, results are
(N, 3, 3). Angles are in degrees; positive rotates counter-clockwise on screen
(rows grow downwards), like skimage.transform.rotate and np.rot90.

Read next: augment/warp_reference.py (resampling, as the formula writes it).
"""
import numpy as np


def identity(n):
    return np.broadcast_to(np.eye(3), (n, 3, 3)).copy()


def _center(height, width):
    return (width - 1) / 2.0, (height - 1) / 2.0


def translation(dx, dy):
    """Move by dx columns (right) and dy rows (down)."""
    dx, dy = np.asarray(dx, float), np.asarray(dy, float)
    matrices = identity(len(dx))
    matrices[:, 0, 2] = dx
    matrices[:, 1, 2] = dy
    return matrices


def about_center(matrices, height, width):
    """Conjugate by the centre shift: T(c) @ M @ T(-c)."""
    cx, cy = _center(height, width)
    n = len(matrices)
    to_origin = translation(np.full(n, -cx), np.full(n, -cy))
    back = translation(np.full(n, cx), np.full(n, cy))
    return back @ matrices @ to_origin


def rotation(degrees, height, width):
    """Rotate counter-clockwise (on screen) about the image centre."""
    theta = np.deg2rad(np.asarray(degrees, float))
    cos, sin = np.cos(theta), np.sin(theta)
    matrices = identity(len(theta))
    # Rows grow downwards, so "counter-clockwise on screen" flips the sign of sin.
    matrices[:, 0, 0], matrices[:, 0, 1] = cos, sin
    matrices[:, 1, 0], matrices[:, 1, 1] = -sin, cos
    return about_center(matrices, height, width)


def scaling(scale, height, width):
    """Zoom about the centre: scale > 1 enlarges the content."""
    scale = np.asarray(scale, float)
    matrices = identity(len(scale))
    matrices[:, 0, 0] = scale
    matrices[:, 1, 1] = scale
    return about_center(matrices, height, width)


def shear(degrees, height, width):
    """Horizontal shear about the centre: x_out = x + tan(angle) * y."""
    tangent = np.tan(np.deg2rad(np.asarray(degrees, float)))
    matrices = identity(len(tangent))
    matrices[:, 0, 1] = tangent
    return about_center(matrices, height, width)


def _mirror(flip, axis, size):
    """Mirror coordinate ``axis`` (0: x, 1: y) where flip is True: out = (size - 1) - in."""
    flip = np.asarray(flip, bool)
    matrices = identity(len(flip))
    matrices[:, axis, axis] = np.where(flip, -1.0, 1.0)
    matrices[:, axis, 2] = np.where(flip, size - 1.0, 0.0)
    return matrices


def horizontal_flip(flip, width):
    """Mirror left <-> right where flip is True: x_out = (W - 1) - x."""
    return _mirror(flip, 0, width)


def vertical_flip(flip, height):
    """Mirror top <-> bottom where flip is True: y_out = (H - 1) - y."""
    return _mirror(flip, 1, height)


def then(first, second):
    """The matrices that apply `first`, then `second` (sample by sample)."""
    return second @ first


def inverse(matrices):
    """inv(M) per sample: maps each output pixel back to where it came from."""
    return np.linalg.inv(matrices)
