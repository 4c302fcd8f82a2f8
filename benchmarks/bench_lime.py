"""Benchmark: explain.LimeImageExplainer and LimeTextExplainer against the lime package.

    python -m benchmarks.bench_lime [--threads 1] [--rounds 3]

Times explain_instance on skimage's astronaut photo resized to 64x64 and 224x224
RGB (uint8), 1,000 samples, a cheap numpy classifier (5 classes from the mean
colour of a 4x-subsampled thumbnail), top_labels=5 and batch_size=10 as in
lime's defaults. Three settings:
    defaults   each library with its own default segmentation (ours: size-scaled slic,
               lime: quickshift kernel_size=4, max_dist=200, ratio=0.2)
    same seg   both given the same segmentation_fn (lime's default quickshift)
    fixed seg  both given a precomputed segmentation (segmentation cost removed)
and LimeTextExplainer against lime's on a 60-word text, 5,000 samples.
Each library runs in its own process (benchmarks/common.py says why),
alternating for --rounds rounds. Both default to ONE thread: both run many
small BLAS calls (ridge fits on 1000 x d matrices), which multi-threaded BLAS
makes 4-5x slower and erratic on two cores.
"""
import os

os.environ.setdefault("TQDM_DISABLE", "1")   # lime shows a progress bar per call

import numpy as np

from benchmarks.common import compare_main, median_seconds

NUM_SAMPLES = 1000
SIZES = (64, 224)
SETTINGS = ("defaults", "same seg", "fixed seg")


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
    from skimage.segmentation import quickshift

    return quickshift(image, kernel_size=4, max_dist=200, ratio=0.2, rng=0)


def astronaut(size):
    from skimage import data
    from skimage.transform import resize

    return (resize(data.astronaut(), (size, size), anti_aliasing=True) * 255).astype(np.uint8)


def review_text():
    words = ("the movie was good and the plot was bad but the acting felt great while the music "
             "seemed awful to me and my friends who watched it twice in one long rainy weekend at home").split()
    return " ".join((words * 3)[:60])


def text_classifier(strings):
    score = np.array([(s.count("good") + s.count("great") - s.count("bad") + 2) / 5.0 for s in strings])
    score = np.clip(score, 0.0, 1.0)
    return np.stack([1 - score, score], axis=1)


def explainers(side):
    if side == "explain":
        from explain import LimeImageExplainer, LimeTextExplainer
    else:
        from lime.lime_image import LimeImageExplainer
        from lime.lime_text import LimeTextExplainer
    return LimeImageExplainer, LimeTextExplainer


def worker(side, args):
    image_explainer, text_explainer = explainers(side)
    classifier_fn = make_classifier()
    timings = {}
    for size in SIZES:
        image = astronaut(size)
        fixed = lime_quickshift(image)
        options = {"defaults": {}, "same seg": {"segmentation_fn": lime_quickshift},
                   "fixed seg": {"segmentation_fn": lambda img, fixed=fixed: fixed}}
        for setting in SETTINGS:
            def run(kwargs=options[setting]):
                image_explainer(random_state=0).explain_instance(image, classifier_fn, num_samples=NUM_SAMPLES,
                                                                 **kwargs)
            timings[f"image {size}x{size}x3, {setting}"] = median_seconds(run, repeats=args.repeats)
    text = review_text()
    timings["text 60 words, 5000 samples"] = median_seconds(
        lambda: text_explainer(random_state=0).explain_instance(text, text_classifier), repeats=args.repeats)
    return timings


def main(argv=None):
    try:
        import lime  # noqa: F401  (only to know whether the lime side can run)
    except ImportError:
        print("lime is not installed: nothing to compare with")
        return
    summary = compare_main("benchmarks.bench_lime", "lime", __doc__.splitlines()[0], ["explain", "lime"],
                           "lime", worker, argv, threads=1)
    if summary:
        for workload, row in summary.items():
            print(f"{workload}: explain {1 / row['explain/lime']:.1f}x faster than lime")


if __name__ == "__main__":
    main()
