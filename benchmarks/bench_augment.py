"""Benchmark: flip + rotate +-15 degrees + translate +-3 px, augment vs scikit-image.

    python -m benchmarks.bench_augment [--threads 2] [--rounds 3]

Ours: one Compose, per-sample parameters, one fused affine matrix per image, one
Numba resampling pass over the whole (N, C, H, W) batch (single thread).
Baseline: a plain scikit-image per-image loop: flip, skimage.transform.rotate,
then skimage.transform.warp for the translation (two bilinear passes per image).
Each side runs in its own process (benchmarks/common.py says why), alternating
for --rounds rounds; a figure is the median over rounds of the median of
--repeats calls after one warm-up call (which also loads the Numba kernel).
"""
import numpy as np

from benchmarks.common import compare_main, median_seconds

CASES = {  # workload -> (N, C, H, W)
    "1,000 x 28x28 gray": (1000, 1, 28, 28),
    "256 x 64x64 RGB": (256, 3, 64, 64),
}


def batch_of(shape):
    return np.random.default_rng(1).random(shape).astype(np.float32)


def ours(batch):
    from augment import Compose, RandomHorizontalFlip, RandomRotation, RandomTranslate

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


def worker(side, args):
    make = ours if side == "augment" else scikit_image
    return {label: median_seconds(make(batch_of(shape)), repeats=args.repeats) for label, shape in CASES.items()}


def main(argv=None):
    summary = compare_main("benchmarks.bench_augment", "augment", __doc__.splitlines()[0],
                           ["augment", "scikit-image"], "scikit-image", worker, argv)
    if summary:
        for label, row in summary.items():
            n = CASES[label][0]
            print(f"{label}: augment {1e3 * n / row['augment']['ms']:,.0f} images/s, "
                  f"scikit-image {1e3 * n / row['scikit-image']['ms']:,.0f} images/s, "
                  f"augment {1 / row['augment/scikit-image']:.1f}x faster")


if __name__ == "__main__":
    main()
