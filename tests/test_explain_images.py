"""Reading the report's images and masks (explain/report/images.py): what a folder may hold.

Only regular PNG/JPEG files are read, with one line naming the file for anything
else; pictures up to 2048x2048 (or 8 x --size across) give exactly the numbers of
the direct skimage path; larger ones are shrunk while decoded, in bounded memory;
masks must have their image's size, a cut-out mask is read by its alpha channel.
"""
import os
import signal
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image
from skimage import color, io, transform, util

from explain.report import images as images_module
from explain.report.cli import main
from explain.report.images import UsageError, picture_size, read_mask, read_rgb
from tests.test_explain_cli import arguments, folders  # noqa: F401 (a fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def no_hang():
    """Fail instead of waiting forever (a FIFO read without care blocks until a writer comes)."""
    def give_up(signum, frame):
        raise TimeoutError("reading did not return within 20 s")
    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def refusal(read, path, *args):
    with pytest.raises(UsageError) as caught:
        read(str(path), *args)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def save_rgb(path, height, width, seed=0, **options):
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path, **options)
    return path


def direct_rgb(path, size):
    """Today's path, written out: skimage reads, float64, anti-aliased resize."""
    image = transform.resize(util.img_as_float(io.imread(path)), (size, size), anti_aliasing=True)
    return image.transpose(2, 0, 1).astype(np.float32)


def direct_mask(path, size):
    mask = util.img_as_float(io.imread(path))
    if mask.ndim == 3:
        mask = color.rgb2gray(mask[..., :3]) if mask.shape[2] in (3, 4) else mask[..., 0]
    return transform.resize(mask, (size, size), order=0, anti_aliasing=False) > 0.5


# --------------------------------------------------------------------------- only regular files

def test_a_fifo_a_device_a_link_loop_and_a_folder_are_refused_without_reading(tmp_path, no_hang):
    os.mkfifo(tmp_path / "a.png")
    os.symlink("/dev/zero", tmp_path / "zero.png")
    os.symlink(tmp_path / "loop2.png", tmp_path / "loop1.png")
    os.symlink(tmp_path / "loop1.png", tmp_path / "loop2.png")
    (tmp_path / "x.png").mkdir()
    os.symlink(tmp_path / "absent.png", tmp_path / "dangling.png")
    assert "is not a regular file: a FIFO (named pipe)" in refusal(read_rgb, tmp_path / "a.png", 16)
    assert "is not a regular file: a character device" in refusal(read_rgb, tmp_path / "zero.png", 16)
    assert "cannot read image" in refusal(read_rgb, tmp_path / "loop1.png", 16)
    assert "a symbolic link loop" in refusal(read_rgb, tmp_path / "loop1.png", 16)
    assert "is not a regular file: a folder" in refusal(read_rgb, tmp_path / "x.png", 16)
    assert "No such file or directory" in refusal(read_rgb, tmp_path / "dangling.png", 16)
    assert refusal(read_mask, tmp_path / "a.png", 16).startswith("mask ")


def test_a_fifo_in_the_images_folder_ends_the_command_with_one_line(folders, tmp_path, capsys, no_hang):
    base, images, masks, _ = folders
    hostile = tmp_path / "images"
    hostile.mkdir()
    for name in sorted(os.listdir(images)):
        os.link(images / name, hostile / name)
    os.mkfifo(hostile / "a.png")
    out = tmp_path / "report.html"
    argv = arguments(folders)
    argv[argv.index("--images") + 1] = str(hostile)
    argv[argv.index("--out") + 1] = str(out)
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert f"image {hostile / 'a.png'} is not a regular file: a FIFO" in error
    assert "Traceback" not in error and error.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == ["images"]


def test_a_fifo_or_a_link_loop_among_the_masks_is_named_not_called_missing(folders, tmp_path, capsys, no_hang):
    base, images, masks, _ = folders
    hostile = tmp_path / "masks"
    hostile.mkdir()
    names = sorted(os.listdir(masks))
    for name in names[1:]:
        os.link(masks / name, hostile / name)
    os.mkfifo(hostile / names[0])
    argv = arguments(folders, "--masks", str(hostile))
    argv[argv.index("--out") + 1] = str(tmp_path / "report.html")
    assert main(argv) == 2
    assert f"mask {hostile / names[0]} is not a regular file: a FIFO" in capsys.readouterr().err
    os.remove(hostile / names[0])
    os.symlink(hostile / names[0], hostile / names[0])
    assert main(argv) == 2
    assert "a symbolic link loop" in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


# --------------------------------------------------------------------------- not an image

def test_text_gif_and_truncated_files_are_not_images(tmp_path):
    (tmp_path / "notes.png").write_text("this is not a picture\n")
    message = refusal(read_rgb, tmp_path / "notes.png", 16)
    assert message == f"image {tmp_path / 'notes.png'} is not an image (PNG or JPEG)"
    Image.new("RGB", (20, 20)).save(tmp_path / "animation.png", format="GIF")
    assert "is not an image (PNG or JPEG)" in refusal(read_rgb, tmp_path / "animation.png", 16)
    whole = save_rgb(tmp_path / "whole.png", 40, 40).read_bytes()
    (tmp_path / "cut.png").write_bytes(whole[:len(whole) // 2])
    message = refusal(read_rgb, tmp_path / "cut.png", 16)
    assert "is not an image (PNG or JPEG): its data is damaged" in message and "pyav" not in message
    (tmp_path / "mask.png").write_text("255 255 0\n")
    message = refusal(read_mask, tmp_path / "mask.png", 16)
    assert message == f"mask {tmp_path / 'mask.png'} is not an image (PNG or JPEG)"


def test_greyscale_and_rgba_images_are_refused_from_the_header(tmp_path):
    Image.new("L", (30, 20)).save(tmp_path / "grey.png")
    Image.new("RGBA", (30, 20)).save(tmp_path / "rgba.png")
    Image.new("P", (30, 20)).save(tmp_path / "palette.png")   # a palette of RGB colours is RGB
    assert "has shape (20, 30) (greyscale); expected RGB (H, W, 3)" in refusal(read_rgb, tmp_path / "grey.png", 16)
    assert "has shape (20, 30, 4) (4 channels)" in refusal(read_rgb, tmp_path / "rgba.png", 16)
    assert read_rgb(str(tmp_path / "palette.png"), 16).shape == (3, 16, 16)


# --------------------------------------------------------------------------- the same numbers, bounded work

@pytest.mark.parametrize("height, width, size, suffix", [
    (20, 20, 16, ".png"), (100, 77, 16, ".png"), (127, 127, 16, ".jpg"), (7, 9, 8, ".png"),
    (600, 500, 64, ".png"), (300, 1100, 8, ".jpg")])
def test_pictures_up_to_2048_or_8_times_the_size_give_the_direct_paths_numbers(tmp_path, height, width, size, suffix):
    path = str(save_rgb(tmp_path / f"picture{suffix}", height, width))
    assert np.array_equal(read_rgb(path, size), direct_rgb(path, size))


def test_masks_of_every_kind_give_the_direct_paths_numbers(tmp_path):
    mask = np.zeros((40, 50), np.uint8)
    mask[10:30, 5:25] = 255
    kinds = {"grey": Image.fromarray(mask), "rgb": Image.fromarray(np.stack([mask] * 3, -1)),
             "bilevel": Image.fromarray(mask).convert("1"), "palette": Image.fromarray(mask).convert("P"),
             "sixteen": Image.fromarray(mask.astype(np.uint16) * 257),
             "opaque_rgba": Image.fromarray(np.dstack([mask, mask, mask, np.full_like(mask, 255)]))}
    for name, picture in kinds.items():
        picture.save(tmp_path / f"{name}.png")
        path = str(tmp_path / f"{name}.png")
        assert np.array_equal(read_mask(path, 16), direct_mask(path, 16)), name


def smooth_picture(height, width):
    rows, columns = np.mgrid[0:height, 0:width]
    return np.stack([rows * 255 // (height - 1), columns * 255 // (width - 1),
                     (rows + columns) * 255 // (height + width - 2)], -1).astype(np.uint8)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_large_pictures_are_shrunk_while_decoded_and_stay_close_to_the_full_resize(tmp_path, monkeypatch, suffix):
    path = str(tmp_path / f"smooth{suffix}")
    Image.fromarray(smooth_picture(700, 900)).save(path, quality=95)
    expected = direct_rgb(path, 16)
    monkeypatch.setattr(images_module, "DIRECT_PIXELS", 0)   # as if 700x900 were a large photo
    shapes = []
    shrink = images_module._pixels_shrunk
    monkeypatch.setattr(images_module, "_pixels_shrunk", lambda *a: shapes.append(shrink(*a).shape) or shrink(*a))
    shrunk = read_rgb(path, 16)
    assert shapes and 64 <= min(shapes[0][:2]) < 128, shapes   # at least 4 x --size, far less than 700
    assert not np.array_equal(shrunk, expected) and np.abs(shrunk - expected).max() < 0.02


def write_gradient_png(path, width, height):
    """An RGB PNG written row by row (red down, green across), never held whole in memory."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = np.zeros((width, 3), np.uint8)
    row[:, 1] = np.arange(width) * 255 // (width - 1)
    compressor = zlib.compressobj(1)
    parts = []
    for y in range(height):
        row[:, 0] = y * 255 // (height - 1)
        parts.append(compressor.compress(b"\x00" + row.tobytes()))
    parts.append(compressor.flush())
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        file.write(chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b""))


# Peak memory as the kernel's VmHWM of this process: ru_maxrss would not do, since a child
# started from a big parent (pytest late in the suite) inherits the parent's high-water mark.
READ_AND_MEASURE = """
import re, sys
import numpy as np
def peak_bytes():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1)) * 1024
from explain.report.images import read_rgb
imported = peak_bytes()
image = read_rgb(sys.argv[1], 64)
np.save(sys.argv[2], image)
print(imported, peak_bytes())
"""


def test_an_8000x8000_png_is_read_in_bounded_memory(tmp_path):
    # no speed assertion (speed belongs in benchmarks/); the subprocess timeout only catches a hang
    write_gradient_png(tmp_path / "huge.png", 8000, 8000)
    result = subprocess.run([sys.executable, "-c", READ_AND_MEASURE, str(tmp_path / "huge.png"),
                             str(tmp_path / "read.npy")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    imported, peak = map(float, result.stdout.split())
    # the full float path took 3.7 GiB; the PNG's uint8 pixels are 183 MiB
    assert peak - imported < 350 * 2**20 and peak < 2**30, (
        f"peak {peak / 2**20:.0f} MiB, {imported / 2**20:.0f} MiB of it after the imports")
    image = np.load(tmp_path / "read.npy")
    ramp = (np.arange(64) + 0.5) / 64
    assert image.shape == (3, 64, 64)
    assert np.abs(image[0] - ramp[:, None]).max() < 0.02 and np.abs(image[1] - ramp[None, :]).max() < 0.02


def png_header_only(path, width, height):
    """A PNG that claims width x height: only the header, no pixel data worth decoding."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b""))
    return path


def test_more_than_100_megapixels_is_refused_from_the_header(tmp_path):
    message = refusal(read_rgb, png_header_only(tmp_path / "wide.png", 12000, 10000), 64)
    assert "is 12000x10000 pixels (120 megapixels), more than the limit of 100 megapixels" in message
    message = refusal(read_rgb, png_header_only(tmp_path / "bomb.png", 20000, 10000), 64)   # Pillow's own limit
    assert "has more than the limit of 100 megapixels" in message and "200000000 pixels" in message
    assert picture_size(str(png_header_only(tmp_path / "fine.png", 9000, 9000))) == (9000, 9000)


# --------------------------------------------------------------------------- masks

def save_mask(path, array):
    Image.fromarray(array).save(path)
    return str(path)


def test_a_mask_of_another_size_is_refused_naming_both_sizes(tmp_path):
    image = str(save_rgb(tmp_path / "scene.png", 40, 60))
    mask = np.zeros((20, 30), np.uint8)
    mask[5:15, 5:15] = 255
    path = save_mask(tmp_path / "mask.png", mask)
    message = refusal(read_mask, path, 16, image)
    assert f"mask {path} is 30x20 pixels but its image {image} is 60x40" in message
    assert read_mask(path, 16).any()   # without an image to compare with, it is read


def test_an_rgba_cut_out_is_read_by_its_alpha(tmp_path):
    alpha = np.zeros((32, 32), np.uint8)
    alpha[8:24, 4:20] = 255
    white = np.full((32, 32), 255, np.uint8)
    cut_out = save_mask(tmp_path / "cut.png", np.dstack([white, white, white, alpha]))   # colour says: everything
    expected = np.zeros((16, 16), bool)
    expected[4:12, 2:10] = True
    assert np.array_equal(read_mask(cut_out, 16), expected)
    opaque = save_mask(tmp_path / "opaque.png", np.dstack([alpha, alpha, alpha, white]))   # an ordinary mask
    assert np.array_equal(read_mask(opaque, 16), expected)
    grey_alpha = save_mask(tmp_path / "la.png", np.dstack([white, alpha]))
    assert np.array_equal(read_mask(grey_alpha, 16), expected)


def test_a_mask_that_marks_nothing_or_everything_is_refused(tmp_path, folders, capsys):
    empty = save_mask(tmp_path / "empty.png", np.zeros((20, 20), np.uint8))
    full = save_mask(tmp_path / "full.png", np.full((20, 20), 255, np.uint8))
    assert f"mask {empty} marks no object pixel at 16x16" in refusal(read_mask, empty, 16)
    assert f"mask {full} marks every pixel as the object at 16x16" in refusal(read_mask, full, 16)
    base, images, masks, _ = folders
    hostile = tmp_path / "masks"
    hostile.mkdir()
    names = sorted(os.listdir(masks))
    for name in names:
        os.link(full if name == names[-1] else masks / name, hostile / name)
    argv = arguments(folders, "--masks", str(hostile))
    argv[argv.index("--out") + 1] = str(tmp_path / "report.html")
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert f"mask {hostile / names[-1]} marks every pixel" in error and "Traceback" not in error
    assert not (tmp_path / "report.html").exists()
