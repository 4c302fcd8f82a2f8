"""Lecture: "Image analysis with convolutional neural nets".

1. Convolution is a sliding dot product. The lecture's two hand-made filters,
   a 3x3 blur (every weight 1/9) and a horizontal-edge detector
   (rows -1 -1 -1 / 2 2 2 / -1 -1 -1), applied with conv2d to scikit-image's
   bundled camera photo.
2. In a convolution layer the filters are not hand-made but learned: a small
   convnet trained with fit() on the 8x8 digits, its test accuracy next to
   the dense network of the main job, then the 16 filters it learned and the
   feature maps they produce for one digit.

    python -m demos.convnets        (writes out/convolution_filters.png, out/convnet_features.png)
"""
import os

import matplotlib.pyplot as plt
import numpy as np
from skimage import data, transform

import tinygrad_edu as tg
from demos.main import load_digit_split
from tinygrad_edu import functional as F
from tinygrad_edu import optim
from tinygrad_edu.models import digits_convnet
from tinygrad_edu.io.atomic import save_figure

BLUR = np.full((3, 3), 1 / 9)
HORIZONTAL_EDGES = np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], dtype=float)


def apply_filters(image, filters):
    """conv2d of one grayscale image (H, W) with each 3x3 filter; 'same' padding keeps the size."""
    weight = tg.Tensor(np.stack(filters)[:, None].astype(np.float32))  # (out=len(filters), in=1, 3, 3)
    batch = tg.Tensor(image[None, None].astype(np.float32))            # (N=1, C=1, H, W)
    return F.conv2d(batch, weight, padding=1).data[0]


def show_hand_made_filters(out):
    photo = transform.resize(data.camera(), (128, 128), anti_aliasing=True)
    blurred, edges = apply_filters(photo, [BLUR, HORIZONTAL_EDGES])
    figure, axes = plt.subplots(1, 3, figsize=(9, 3.3))
    for axis, picture, title in zip(axes, (photo, blurred, np.abs(edges)),
                                    ("input", "blur (all weights 1/9)", "|horizontal edges|")):
        axis.imshow(picture, cmap="gray")
        axis.set_title(title)
        axis.axis("off")
    save_figure(figure, os.path.join(out, "convolution_filters.png"))


def show_learned_features(model, digit, out):
    conv, relu = model[0], model[1]
    maps = relu(conv(tg.Tensor(digit[None]))).data[0]          # (16, 8, 8)
    filters = conv.weight.data[:, 0]                           # (16, 3, 3)
    figure, axes = plt.subplots(3, 16, figsize=(16, 3.4))
    axes[0, 0].imshow(digit[0], cmap="gray")
    largest = np.abs(filters).max()
    for column in range(16):
        axes[1, column].imshow(filters[column], cmap="RdBu_r", vmin=-largest, vmax=largest)  # white = 0
        axes[2, column].imshow(maps[column], cmap="magma")
    for axis in axes.ravel():
        axis.axis("off")
    axes[0, 0].set_title("input", fontsize=8)
    axes[1, 0].set_title("learned 3x3 filters", fontsize=8, loc="left")
    axes[2, 0].set_title("feature maps (after ReLU)", fontsize=8, loc="left")
    save_figure(figure, os.path.join(out, "convnet_features.png"))


def main(out="out", seed=0, epochs=15):
    os.makedirs(out, exist_ok=True)
    show_hand_made_filters(out)

    x_train, y_train, x_test, y_test = load_digit_split(seed)
    x_train, x_test = x_train.reshape(-1, 1, 8, 8), x_test.reshape(-1, 1, 8, 8)
    tg.manual_seed(seed)
    model = digits_convnet()
    tg.summary(model, (1, 8, 8))
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), x_train, y_train,
           epochs=epochs, batch_size=32, validation_data=(x_test, y_test), seed=seed)
    _, accuracy = tg.evaluate(model, F.cross_entropy, x_test, y_test)
    print(f"convnet test accuracy: {accuracy:.2%} on {len(x_test)} held-out digits")
    show_learned_features(model, x_test[0], out)
    print(f"saved {out}/convolution_filters.png and {out}/convnet_features.png")
    return accuracy


if __name__ == "__main__":
    main()
