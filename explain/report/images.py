"""The user's images and masks: only regular PNG/JPEG files, decoded within a bound.

A folder may hold anything with a .png name: a FIFO (reading it waits forever for a
writer), a link to /dev/zero (endless), a folder, a text file, an 8000x8000 photo.
So a file is opened without blocking and refused unless it is a regular file; its
header must say PNG or JPEG and at most MAX_PIXELS (100 megapixels), all before a
pixel is decoded. Pictures of at most 2048x2048 pixels, or at most 8 x --size across,
take the direct path: float, then an anti-aliased resize (about 60 bytes a pixel).
Larger ones are shrunk while decoded, in whole-number steps that keep at least
4 x --size across: JPEG's own reduced decoding (Pillow's draft), then box averages
of f x f pixels in uint8 (Image.reduce), and only then the float resize. So an
8000x8000 PNG costs its uint8 pixels (190 MB), not 3.7 GB of float64 copies.
Masks have their image's size (a mask of another size is refused, not stretched);
white (> half the maximum) is the object, or, when the mask has a transparent pixel,
its opaque part (a cut-out); a mask that marks nothing or everything at --size is refused.
Read next: explain/report/cli.py (the command that reads them and writes the report).
"""
import contextlib
import errno
import os
import stat
import warnings

import numpy as np
from PIL import Image
from skimage import color, transform, util

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")
MAX_PIXELS = 100_000_000       # 100 megapixels: 300 MB of RGB uint8 while decoding
DIRECT_PIXELS = 2048 * 2048   # pictures this small take the direct path whatever --size (~250 MB)
SHRINK_ABOVE = 8              # and so do those up to 8 x --size across
KEEP = 4                      # shrinking keeps at least 4 x --size pixels across
NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


class UsageError(Exception):
    """A problem with the command's input, reported as one line without a traceback."""


# --------------------------------------------------------------------------- opening

def _not_regular(mode):
    """None for a regular file, else what the file is ("a FIFO (named pipe)")."""
    if stat.S_ISREG(mode):
        return None
    return next((name for is_kind, name in NOT_REGULAR if is_kind(mode)), "not a file")


def open_regular_file(path, what):
    """The file opened for reading in binary; anything but a regular file is refused unread."""
    try:
        kind = _not_regular(os.stat(path).st_mode)   # before opening: opening a device can do things
        if kind is None:
            # O_NONBLOCK: if a FIFO took the file's place since the stat, opening it does not wait
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            kind = _not_regular(os.fstat(descriptor).st_mode)
            if kind is not None:
                os.close(descriptor)
    except OSError as error:
        reason = "a symbolic link loop" if error.errno == errno.ELOOP else error.strerror
        raise UsageError(f"cannot read {what} {path}: {reason}") from None
    if kind is not None:
        raise UsageError(f"{what} {path} is not a regular file: {kind}")
    return os.fdopen(descriptor, "rb")


@contextlib.contextmanager
def open_picture(path, what):
    """A Pillow image with only its header read: a still PNG or JPEG of at most MAX_PIXELS."""
    with open_regular_file(path, what) as file:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)   # MAX_PIXELS is checked below
                picture = Image.open(file, formats=["PNG", "JPEG", "MPO"])
        except Image.DecompressionBombError as error:   # far above MAX_PIXELS
            raise UsageError(f"{what} {path} has more than the limit of {MAX_PIXELS // 10**6} megapixels "
                             f"({error})") from None
        except MemoryError:
            raise
        except Exception:   # Pillow says "cannot identify image file" in many ways
            raise UsageError(f"{what} {path} is not an image (PNG or JPEG)") from None
        with picture:
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise UsageError(f"{what} {path} is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels), "
                                 f"more than the limit of {MAX_PIXELS // 10**6} megapixels "
                                 "(MAX_PIXELS in explain/report/images.py)")
            if picture.format == "PNG" and getattr(picture, "n_frames", 1) > 1:
                raise UsageError(f"{what} {path} is an animation of {picture.n_frames} frames; "
                                 "expected one still image")
            yield picture


def picture_size(path, what="image"):
    """(width, height) from the file's header, nothing decoded."""
    with open_picture(path, what) as picture:
        return picture.size


# --------------------------------------------------------------------------- decoding

def _bands(picture):
    """The channels the pixels will have: a palette image shows its palette's colours."""
    return picture.palette.mode if picture.mode == "P" else picture.getbands()


def _shrink_factors(picture, size):
    """Whole-number (x, y) steps that leave at least KEEP * size pixels; (1, 1) on the direct path."""
    width, height = picture.size
    if width * height <= DIRECT_PIXELS:
        return 1, 1
    return tuple(length // (KEEP * size) if length >= SHRINK_ABOVE * size else 1 for length in picture.size)


def _pixels_as_read(picture):
    """The pixels as skimage.io.imread gives them (imageio's Pillow reader), nothing shrunk."""
    if picture.mode == "P":
        picture = picture.convert(picture.palette.mode)
    elif picture.format == "PNG" and picture.mode == "I":
        picture = picture.convert("I;16")
    return np.asarray(picture)


def _pixels_shrunk(picture, size):
    """The pixels shrunk by whole-number box averages while in uint8, never as one float copy."""
    if picture.format in ("JPEG", "MPO"):
        width, height = picture.size
        factor_x, factor_y = _shrink_factors(picture, size)
        picture.draft(picture.mode, (width // factor_x, height // factor_y))   # decode at 1/2, 1/4 or 1/8
    factors = _shrink_factors(picture, size)
    if picture.mode == "P":
        picture = picture.convert(picture.palette.mode)
    sixteen_bit = picture.mode.startswith("I;16") or (picture.format == "PNG" and picture.mode == "I")
    if picture.mode == "1" or sixteen_bit:   # reduce() takes neither; "I" holds 16 bits in int32
        picture = picture.convert("I" if sixteen_bit else "L")
    if factors != (1, 1):
        picture = picture.reduce(factors)
    pixels = np.asarray(picture)
    return pixels.astype(np.uint16) if sixteen_bit else pixels


def decode(picture, size, what, path):
    """The pixels of an opened picture, shrunk first when it is large (module docstring)."""
    try:
        if _shrink_factors(picture, size) == (1, 1):
            return _pixels_as_read(picture)
        return _pixels_shrunk(picture, size)
    except MemoryError:
        raise
    except Exception as error:   # a damaged file: truncated, bad checksum, broken stream
        raise UsageError(f"{what} {path} is not an image (PNG or JPEG): its data is damaged ({error})") from None


# --------------------------------------------------------------------------- images and masks

def image_files(folder, flag):
    if not os.path.isdir(folder):
        raise UsageError(f"{flag}: no folder at {folder}")
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise UsageError(f"{flag}: {folder} holds no .png, .jpg or .jpeg file")
    return names


def _header_shape(picture):
    """The shape skimage would give, (H, W) or (H, W, C), from the header."""
    width, height = picture.size
    channels = len(_bands(picture))
    return (height, width) if channels == 1 else (height, width, channels)


def read_rgb(path, size):
    """(3, size, size) float32 in [0, 1]; greyscale and RGBA files are refused (module docstring)."""
    with open_picture(path, "image") as picture:
        shape = _header_shape(picture)
        if len(shape) != 3 or shape[2] != 3:
            kind = "greyscale" if len(shape) == 2 else f"{shape[2]} channels"
            raise UsageError(f"image {path} has shape {shape} ({kind}); expected RGB (H, W, 3). Convert it "
                             "first, e.g. skimage.color.gray2rgb or rgba2rgb")
        image = decode(picture, size, "image", path)
    image = transform.resize(util.img_as_float(image), (size, size), anti_aliasing=True)
    return image.transpose(2, 0, 1).astype(np.float32)


def _mask_values(mask, has_alpha):
    """(H, W) floats in [0, 1]: the alpha channel of a cut-out, else the grey level."""
    mask = util.img_as_float(mask)
    if mask.ndim == 2:
        return mask
    if has_alpha and mask[..., -1].min() < 1:   # a transparent pixel: the opaque part is the object
        return mask[..., -1]
    return color.rgb2gray(mask[..., :3]) if mask.shape[2] in (3, 4) else mask[..., 0]


def read_mask(path, size, image_path=None):
    """(size, size) bool, True on the object: white (> half the maximum), or opaque in a cut-out.

    With image_path, the mask must have that image's width and height.
    """
    with open_picture(path, "mask") as picture:
        image_size = picture.size if image_path is None else picture_size(image_path)
        if picture.size != image_size:
            (width, height), (image_width, image_height) = picture.size, image_size
            raise UsageError(f"mask {path} is {width}x{height} pixels but its image {image_path} is "
                             f"{image_width}x{image_height}; a mask must have its image's size")
        has_alpha = "A" in _bands(picture)
        mask = decode(picture, size, "mask", path)
    mask = transform.resize(_mask_values(mask, has_alpha), (size, size), order=0, anti_aliasing=False) > 0.5
    if not mask.any():
        raise UsageError(f"mask {path} marks no object pixel at {size}x{size} (white, or opaque in a cut-out)")
    if mask.all():
        raise UsageError(f"mask {path} marks every pixel as the object at {size}x{size}: nothing is left to "
                         "compare it with (white = object, black = the rest)")
    return mask


def load_data(args):
    if args.size < 8:
        raise UsageError(f"--size must be at least 8 pixels, got {args.size}")
    names = image_files(args.images, "--images")
    images = np.stack([read_rgb(os.path.join(args.images, n), args.size) for n in names])
    masks = None
    if args.masks is not None:
        if not os.path.isdir(args.masks):
            raise UsageError(f"--masks: no folder at {args.masks}")
        # lexists: a FIFO or a broken link is there, and read_mask says what is wrong with it
        missing = [n for n in names if not os.path.lexists(os.path.join(args.masks, n))]
        if missing:
            raise UsageError(f"--masks: no mask for {', '.join(missing)} in {args.masks} "
                             "(same file names as the images)")
        masks = np.stack([read_mask(os.path.join(args.masks, n), args.size, os.path.join(args.images, n))
                          for n in names])
    return names, images, masks
