"""Lecture: "Convolution", "Convolution layer", "Pooling": what a convnet's two building blocks compute.

Convolution slides a small kernel over the image and takes a dot product at
every position: out[i, j] = sum_{a, b} kernel[a, b] * image[i + a, j + b].
Without padding the output is smaller: (H - 2) x (W - 2) for a 3x3 kernel.

1. The slide's two hand-made kernels on a real photo: the 1/9 box blur and a
   horizontal-edge kernel (rows 1 1 1 / 0 0 0 / -1 -1 -1: bright above, dark below).
2. A conv layer: k kernels of size 3x3xd on an RGB image (depth d = 3), each
   giving one output image after ReLU; stacked, they form the (k, H-2, W-2)
   "feature map". Here the k = 4 kernels are set by hand (edges, one colour)
   so the output can be read; in a trained layer they are learned.
3. 2x2 max pooling on a 4x4 example: each output pixel is the max of one 2x2 window.
4. Shift invariance, as the slides draw it: a bright pixel moved by one pixel
   inside its pooling window gives the same pooled output; moved by two it
   lands in another window and the output changes.

    python -m demos.convolution [--fast]   (out/convolution_kernels.png, out/convolution_layer.png,
                                            out/convolution_pooling.png)

Read demos/digits.py next: the same blocks trained on digits.
"""
import matplotlib.pyplot as plt
import numpy as np
from skimage import data, transform

import tinygrad_edu as tg
from demos.common import demo_arguments, save
from tinygrad_edu import functional as F

BLUR = np.full((3, 3), 1 / 9)
HORIZONTAL_EDGES = np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], dtype=float)
POOLING_EXAMPLE = np.array([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]], dtype=float)


def convolve(images, kernels):
    """conv2d without padding: images (N, d, H, W), kernels (k, d, 3, 3) -> (N, k, H-2, W-2)."""
    return F.conv2d(tg.Tensor(np.asarray(images, np.float32)), tg.Tensor(np.asarray(kernels, np.float32))).data


def max_pool(image, size=2):
    """2x2 max pooling of one (H, W) image with the engine's max_pool2d."""
    return F.max_pool2d(tg.Tensor(np.asarray(image, np.float32)[None, None]), size).data[0, 0]


def shifted_pixel(row, col, shape=(4, 4), value=1.0):
    image = np.zeros(shape)
    image[row, col] = value
    return image


def show_numbers(axis, array, title, cmap="Greys", fmt="{:.3g}", limits=None):
    """An array as an image with its values written in the cells (for kernels and tiny examples)."""
    low, high = limits if limits is not None else (min(array.min(), 0), max(array.max(), 1e-9))
    image = axis.imshow(array, cmap=cmap, vmin=low, vmax=high)
    diverging = limits is not None and low < 0
    for (i, j), value in np.ndenumerate(array):
        shade = image.norm(value)
        dark = abs(shade - 0.5) > 0.3 if diverging else shade > 0.6
        axis.text(j, i, fmt.format(value), ha="center", va="center", fontsize=11,
                  color="white" if dark else "black")
    axis.set_xticks(range(array.shape[1]))
    axis.set_yticks(range(array.shape[0]))
    axis.set_xlabel("column")
    axis.set_ylabel("row")
    axis.set_title(title, fontsize=10)


def plot_kernels(photo, outputs, out):
    figure, axes = plt.subplots(2, 3, figsize=(13, 8.4), gridspec_kw={"width_ratios": [0.8, 1, 1]})
    for row, (kernel, name, output) in enumerate(zip((BLUR, HORIZONTAL_EDGES), ("blur: every weight 1/9",
                                                     "horizontal edges"), outputs)):
        show_numbers(axes[row, 0], kernel, f"3x3 kernel, {name}", cmap="RdBu_r", fmt="{:.2f}",
                     limits=(-1, 1))
        axes[row, 1].imshow(photo, cmap="gray", vmin=0, vmax=1)
        axes[row, 1].set_title(f"input photo {photo.shape[0]}x{photo.shape[1]}")
        cmap, limits = ("gray", (0, 1)) if row == 0 else ("RdBu_r", (-1.5, 1.5))
        shown = axes[row, 2].imshow(output, cmap=cmap, vmin=limits[0], vmax=limits[1])
        figure.colorbar(shown, ax=axes[row, 2], label="output value")
        axes[row, 2].set_title(f"output {output.shape[0]}x{output.shape[1]} (no padding: 2 px smaller)")
        for axis in axes[row, 1:]:
            axis.set_xlabel("column (pixels)")
            axis.set_ylabel("row (pixels)")
    figure.suptitle("Convolution: slide the kernel, take a dot product at every position\n"
                    "(edge kernel: red = bright above dark, blue = dark above bright)", fontsize=12)
    figure.tight_layout()
    return save(figure, out, "convolution_kernels.png")


def rgb_kernels():
    """Four 3x3x3 kernels (k, d=3, 3, 3) a student can predict: edges in every channel, and 'redness'."""
    horizontal = np.stack([HORIZONTAL_EDGES] * 3) / 3
    vertical = np.stack([HORIZONTAL_EDGES.T] * 3) / 3
    red = np.zeros((3, 3, 3))
    red[0], red[1], red[2] = 1 / 9, -0.5 / 9, -0.5 / 9
    brightness = np.full((3, 3, 3), 1 / 27)
    return np.stack([horizontal, vertical, red, brightness]), ["horizontal edges", "vertical edges",
                                                               "red minus green and blue", "brightness (blur)"]


def plot_conv_layer(rgb, feature_map, names, out):
    k = len(names)
    figure, axes = plt.subplots(2, (k + 2) // 2, figsize=(15, 8.5))
    axes = axes.ravel()
    for axis in axes[k + 1:]:
        axis.axis("off")
    axes[0].imshow(rgb)
    axes[0].set_title(f"input: {rgb.shape[0]}x{rgb.shape[1]}, depth d = 3 (RGB)", fontsize=9)
    for axis, channel, name in zip(axes[1:], feature_map, names):
        shown = axis.imshow(channel, cmap="magma", vmin=0)
        axis.set_title(f"kernel 3x3x3: {name}\nafter ReLU", fontsize=9)
        figure.colorbar(shown, ax=axis, fraction=0.046, label="activation")
    for axis in axes[:k + 1]:
        axis.set_xlabel("column")
        axis.set_ylabel("row")
    figure.suptitle(f"A conv2d layer with ReLU and k = {k} kernels of 3x3x3: input (3, {rgb.shape[0]}, "
                    f"{rgb.shape[1]})\n-> the k outputs stacked into one feature map {tuple(feature_map.shape)}"
                    " = (k, height-2, width-2)",
                    fontsize=11)
    figure.tight_layout()
    return save(figure, out, "convolution_layer.png")


def pooling_cases():
    """The slides' three inputs: the original, a one-pixel shift (same window), a big shift (next window)."""
    return {"original": shifted_pixel(0, 0), "shifted by 1 pixel": shifted_pixel(1, 1),
            "shifted by 2 pixels": shifted_pixel(2, 2)}


def plot_pooling(out):
    cases = pooling_cases()
    figure, axes = plt.subplots(2, 4, figsize=(15, 7.5))
    show_numbers(axes[0, 0], POOLING_EXAMPLE, "4x4 input (the pooling example)", fmt="{:.0f}")
    show_numbers(axes[1, 0], max_pool(POOLING_EXAMPLE), "2x2 max pooling: max of each 2x2 window", fmt="{:.0f}")
    for column, (name, image) in enumerate(cases.items(), start=1):
        pooled = max_pool(image)
        same = np.array_equal(pooled, max_pool(cases["original"]))
        show_numbers(axes[0, column], image, f"input: {name}", fmt="{:.0f}")
        show_numbers(axes[1, column], pooled, "pooled: " + ("SAME as the original" if same else "CHANGED"),
                     fmt="{:.0f}")
        axes[1, column].title.set_color("green" if same else "red")
    for axis in axes[0]:  # the 2x2 windows
        for line in (1.5,):
            axis.axhline(line, color="tab:orange", lw=3)
            axis.axvline(line, color="tab:orange", lw=3)
    figure.suptitle("Max pooling (orange lines: the 2x2 windows): a small shift inside a window leaves the output "
                    "unchanged, a big shift changes it", fontsize=12)
    figure.tight_layout()
    return save(figure, out, "convolution_pooling.png")


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv)
    size = 64 if args.fast else 128
    photo = transform.resize(data.camera(), (size, size), anti_aliasing=True)
    blurred, edges = convolve(photo[None, None], np.stack([BLUR, HORIZONTAL_EDGES])[:, None])[0]
    print(f"photo {photo.shape} -> blurred {blurred.shape}, edges {edges.shape}; "
          f"strongest edge response {np.abs(edges).max():.2f}")
    plot_kernels(photo, (blurred, edges), args.out)

    rgb = transform.resize(data.chelsea(), (size, int(size * 451 / 300)), anti_aliasing=True)
    kernels, names = rgb_kernels()
    feature_map = np.maximum(convolve(rgb.transpose(2, 0, 1)[None], kernels)[0], 0)  # ReLU
    print(f"conv layer: input (3, {rgb.shape[0]}, {rgb.shape[1]}), kernels {kernels.shape} -> feature map "
          f"{feature_map.shape}")
    plot_conv_layer(rgb, feature_map, names, args.out)

    pooled = {name: max_pool(image) for name, image in pooling_cases().items()}
    for name, output in pooled.items():
        print(f"max pooling, {name:>20}: {output.tolist()}")
    plot_pooling(args.out)
    return {"blurred": blurred, "edges": edges, "feature_map": feature_map, "pooled": pooled,
            "photo": photo}


if __name__ == "__main__":
    main()
