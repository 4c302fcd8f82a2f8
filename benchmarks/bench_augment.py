"""Benchmark: images per second for flip + rotate +-15 degrees + translate +-3 px.

    python -m benchmarks.bench_augment

Ours: one Compose, per-sample parameters, one fused affine matrix per image, one
Numba resampling pass over the whole (N, C, H, W) batch (single thread).
Baseline: a plain scikit-image per-image loop: flip, skimage.transform.rotate,
then skimage.transform.warp for the translation (two bilinear passes per image).
torchvision.transforms.v2 (per-image RandomHorizontalFlip + RandomAffine) is
timed when it is installed, and skipped otherwise.

Each figure is the median of REPEATS timed runs after one warm-up run (which
also compiles or loads the Numba kernel; that time is printed separately).
"""
import time

import numpy as np

from augment import Compose, RandomHorizontalFlip, RandomRotation, RandomTranslate
from benchmarks.common import median_seconds, print_table

REPEATS = 7
CASES = [  # (label, N, C, H, W)
    ("1,000 x 28x28 gray", 1000, 1, 28, 28),
    ("256 x 64x64 RGB", 256, 3, 64, 64),
]


def ours(batch):
    pipeline = Compose([RandomHorizontalFlip(p=0.5), RandomRotation(degrees=15),
                        RandomTranslate(translate_px=3)])
    rng = np.random.default_rng(0)
    return lambda: pipeline(batch, rng)


def scikit_image(batch):
    from skimage.transform import AffineTransform, rotate, warp

    images = np.ascontiguousarray(batch.transpose(0, 2, 3, 1))  # skimage wants (H, W, C)
    rng = np.random.default_rng(0)

    def run():
        out = np.empty_like(images)
        for i, image in enumerate(images):
            if rng.random() < 0.5:
                image = image[:, ::-1]
            image = rotate(image, rng.uniform(-15, 15), order=1, mode="constant", cval=0.0)
            shift = AffineTransform(translation=rng.uniform(-3, 3, 2))
            out[i] = warp(image, shift.inverse, order=1, mode="constant", cval=0.0)
        return out
    return run


def torchvision_v2(batch):
    try:
        import torch
        from torchvision.transforms import v2
    except ImportError:
        return None
    height, width = batch.shape[2:]
    pipeline = v2.Compose([v2.RandomHorizontalFlip(p=0.5),
                           v2.RandomAffine(degrees=15, translate=(3 / width, 3 / height),
                                           interpolation=v2.InterpolationMode.BILINEAR)])
    tensors = torch.from_numpy(batch)
    torch.manual_seed(0)
    # v2 draws one set of parameters per call, so per-image parameters need one call per image.
    return lambda: torch.stack([pipeline(image) for image in tensors])


def first_call_seconds(batch):
    pipeline = Compose([RandomRotation(degrees=15)])
    start = time.perf_counter()
    pipeline(batch[:1], 0)
    return time.perf_counter() - start


def main():
    print(__doc__.strip().splitlines()[0])
    compile_time = first_call_seconds(np.zeros((1, 1, 8, 8), np.float32))
    rows = []
    for label, n, channels, height, width in CASES:
        batch = np.random.default_rng(1).random((n, channels, height, width)).astype(np.float32)
        ours_rate = n / median_seconds(ours(batch), repeats=REPEATS)
        skimage_rate = n / median_seconds(scikit_image(batch), repeats=5)
        torch_run = torchvision_v2(batch)
        torch_rate = None if torch_run is None else n / median_seconds(torch_run, repeats=5)
        rows.append([label, f"{ours_rate:,.0f}", f"{skimage_rate:,.0f}", f"{ours_rate / skimage_rate:.1f}x",
                     "not installed" if torch_rate is None else f"{torch_rate:,.0f}",
                     "-" if torch_rate is None else f"{ours_rate / torch_rate:.1f}x"])
    print_table(f"images/s, float32 (N, C, H, W); median of {REPEATS} runs (augment), 5 runs (baselines), "
                f"after one warm-up run each",
                ["batch", "augment", "scikit-image", "vs skimage", "torchvision v2", "vs tv2"], rows)
    print(f"\nfirst call in this process (numba compile, or load from its disk cache): {compile_time:.2f} s")


if __name__ == "__main__":
    main()
