"""Benchmark: explain.LimeImageExplainer against the lime package (when installed).

Times explain_instance on skimage's astronaut photo resized to 64x64 and 224x224
RGB (uint8), 1,000 samples, a cheap numpy classifier (5 classes from the mean
colour of a 4x-subsampled thumbnail), top_labels=5 and batch_size=10 as in lime's defaults. Three settings:
    defaults   each library with its own default segmentation (ours: size-scaled slic,
               lime: quickshift kernel_size=4, max_dist=200, ratio=0.2)
    same seg   both given the same segmentation_fn (lime's default quickshift)
    fixed seg  both given a precomputed segmentation (segmentation cost removed)
Also times LimeTextExplainer against lime's on a 60-word text, 5,000 samples.
Prints medians over REPEATS runs (after one untimed warm-up each) and the
speed-up lime / ours.

Run from the repository root:  python -m benchmarks.bench_lime
"""
import os
import statistics
import time

os.environ.setdefault("TQDM_DISABLE", "1")   # lime shows a progress bar per call
# Both libraries run many small BLAS calls (ridge fits on 1000 x d matrices). On a shared
# 2-core machine multi-threaded BLAS makes those 4-5x slower and the timings erratic, so
# both get single-threaded BLAS unless these are already set in the environment.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import numpy as np
from skimage import data
from skimage.segmentation import quickshift
from skimage.transform import resize

from explain import LimeImageExplainer, LimeTextExplainer

REPEATS = 5
NUM_SAMPLES = 1000


def make_classifier(num_classes=5, seed=0):
    projection = np.random.default_rng(seed).normal(size=(3, num_classes))

    def classifier_fn(batch):
        # the mean colour of a 4x-subsampled thumbnail: a stand-in model that costs little,
        # so the table measures the explainers rather than the classifier
        thumbnail = batch[:, ::4, ::4].astype(np.float32)
        colour = thumbnail.reshape(len(batch), -1, 3).mean(axis=1) / 255.0
        logits = colour @ projection * 4.0
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)
    return classifier_fn


def lime_quickshift(image):
    return quickshift(image, kernel_size=4, max_dist=200, ratio=0.2, rng=0)


def median_seconds(*runs):
    """Median wall time of each run. Runs are interleaved, so on a shared machine both
    libraries see the same background load; one untimed warm-up each first (imports,
    Numba's compiled-code cache, first-touch memory)."""
    runs = [run for run in runs if run is not None]
    for run in runs:
        run()
    times = [[] for _ in runs]
    for _ in range(REPEATS):
        for run, run_times in zip(runs, times):
            start = time.perf_counter()
            run()
            run_times.append(time.perf_counter() - start)
    medians = [statistics.median(t) for t in times]
    return medians + [None] * (2 - len(medians))


def image_rows(lime_image):
    classifier_fn = make_classifier()
    rows = []
    for size in (64, 224):
        image = (resize(data.astronaut(), (size, size), anti_aliasing=True) * 255).astype(np.uint8)
        fixed = lime_quickshift(image)
        settings = {
            "defaults": {},
            "same seg (lime's quickshift)": {"segmentation_fn": lime_quickshift},
            "fixed seg (precomputed)": {"segmentation_fn": lambda img, fixed=fixed: fixed},
        }
        for name, kwargs in settings.items():
            def ours_run(kwargs=kwargs):
                LimeImageExplainer(random_state=0).explain_instance(
                    image, classifier_fn, num_samples=NUM_SAMPLES, **kwargs)

            def lime_run(kwargs=kwargs):
                lime_image.LimeImageExplainer(random_state=0).explain_instance(
                    image, classifier_fn, num_samples=NUM_SAMPLES, **kwargs)

            ours, theirs = median_seconds(ours_run, lime_run if lime_image is not None else None)
            rows.append((f"image {size}x{size}x3", name, ours, theirs))
    return rows


def text_rows(lime_text):
    words = ("the movie was good and the plot was bad but the acting felt great while the music "
             "seemed awful to me and my friends who watched it twice in one long rainy weekend at home").split()
    text = " ".join((words * 3)[:60])

    def classifier_fn(strings):
        score = np.array([(s.count("good") + s.count("great") - s.count("bad") + 2) / 5.0 for s in strings])
        score = np.clip(score, 0.0, 1.0)
        return np.stack([1 - score, score], axis=1)

    def ours_run():
        LimeTextExplainer(random_state=0).explain_instance(text, classifier_fn)

    def lime_run():
        lime_text.LimeTextExplainer(random_state=0).explain_instance(text, classifier_fn)

    ours, theirs = median_seconds(ours_run, lime_run if lime_text is not None else None)
    return [("text 60 words", "defaults, 5000 samples", ours, theirs)]


def main():
    try:
        from lime import lime_image, lime_text
    except ImportError:
        lime_image = lime_text = None
        print("lime is not installed: timing explain only")
    rows = image_rows(lime_image) + text_rows(lime_text)
    print(f"\nexplain_instance wall time, median of {REPEATS} runs, {NUM_SAMPLES} image samples")
    print(f"{'input':<16} {'setting':<30} {'explain (s)':>12} {'lime (s)':>10} {'speed-up':>9}")
    for subject, setting, ours, theirs in rows:
        lime_column = f"{theirs:10.3f}" if theirs is not None else f"{'-':>10}"
        ratio = f"{theirs / ours:8.1f}x" if theirs is not None else f"{'-':>9}"
        print(f"{subject:<16} {setting:<30} {ours:12.3f} {lime_column} {ratio}")


if __name__ == "__main__":
    main()
