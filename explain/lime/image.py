"""LimeImageExplainer: which superpixels does this prediction rest on?

The chapter in one screen, for an image x and a classifier f:
    S   = segment(x)                         superpixels 0..d-1       (segmentation.py)
    F   = fill(x, S)                         what hidden looks like  (fills.py)
    Z   = n random on/off rows, Z[0] = 1                              (perturb.py)
    X_i = where(Z_i[S], x, F)                the perturbed images     (perturb.py)
    Y   = f(X)                               (n, K) probabilities, in batches
    pi  = sqrt(exp(-cosine(Z_i, 1)^2 / 0.25^2))                       (distances.py)
    for each label: weighted ridge of Y[:, label] on Z  ->  local_exp  (base.py, ridge.py)

The API is lime's (LimeImageExplainer, explain_instance, get_image_and_mask,
local_exp, intercept, top_labels), so lime code runs unchanged. Differences:
  * one numpy Generator (random_state) seeds the segmentation and draws the samples,
    and the fit is deterministic, so the same seed gives the same explanation;
  * the default segmentation is slic sized to the image (lime: quickshift, 3 superpixels at 64x64);
  * score and local_pred are kept per label (lime overwrote them label by label);
  * grayscale (H, W) and (H, W, 1) work, the classifier sees the layout it was given, float16 comes as float32;
  * hide_color may also be 'mean' (the default) or 'blur'; `explanation.fill` says which.
Read next: explain/lime/text.py (the same algorithm with words as features).
"""
import numpy as np

from .distances import distances_to_original, exponential_kernel
from .fills import make_fill
from .base import explain_labels, record_on
from .checks import check_count_fits, check_explainer_settings, check_finite, check_positive_int
from .perturb import perturbed_images, predict_in_batches, sample_on_off
from .random_state import make_generator
from .segmentation import ALGORITHMS, check_segments, segment


def check_image(image, function="LimeImageExplainer.explain_instance"):
    """The image as given (float16 as float32), and an (H, W, C) view of it; clear errors for anything else."""
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (1, 3)):
        raise ValueError(
            f"image must have shape (H, W), (H, W, 1) or (H, W, 3); got shape {image.shape}")
    if image.dtype.kind not in "biuf":   # complex numbers have no order, so no pixel value
        raise ValueError(f"image must hold numbers (float or uint8); got dtype {image.dtype}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(f"image must be at least 2x2 pixels; got shape {image.shape}")
    check_finite(image, function, "image")
    if image.dtype == np.bool_:
        image = image.astype(np.uint8)
    if image.dtype == np.float16:   # lime computes in float too; Numba has no float16
        image = image.astype(np.float32)
    image_hwc = image if image.ndim == 3 else image[..., None]
    return image, image_hwc


def to_rgb(image_hwc):
    """(H, W, 3): grayscale repeated into three channels, colour unchanged."""
    return np.repeat(image_hwc, 3, axis=2) if image_hwc.shape[2] == 1 else image_hwc


class ImageExplanation:
    """The result of LimeImageExplainer.explain_instance (lime's attributes, plus a few)."""

    def __init__(self, image, segments, fill, fill_image):
        self.image = image                  # as given: (H, W), (H, W, 1) or (H, W, 3)
        self.segments = segments            # (H, W) ints 0..d-1
        self.fill = fill                    # 'mean', 'constant' or 'blur'
        self.fill_image = fill_image        # (H, W, C): what hidden superpixels showed
        self.intercept = {}
        self.local_exp = {}
        self.score = {}
        self.local_pred = {}
        self.top_labels = None
        self.predict_proba = None           # the model's probabilities for the image itself
        self.samples = None                 # (n, d) on/off rows; row 0 is the original
        self.sample_predictions = None      # (n, K) the model's probabilities on them
        self.sample_weights = None          # (n,) kernel weights
        self.segmentation_seed = None

    @property
    def num_features(self):
        return int(self.segments.max()) + 1

    def available_labels(self):
        return list(self.top_labels) if self.top_labels else list(self.local_exp)

    def _check_label(self, label):
        if label not in self.local_exp:
            raise KeyError(f"Label {label} not in explanation; explained labels are {list(self.local_exp)}")

    def weights(self, label):
        """Dense (d,) weight per superpixel (0 for superpixels feature selection left out)."""
        self._check_label(label)
        dense = np.zeros(self.num_features)
        for feature, weight in self.local_exp[label]:
            dense[feature] = weight
        return dense

    def heatmap(self, label):
        """(H, W): each pixel gets its superpixel's weight, so LIME feeds the same plots and curves
        as the gradient methods' ``Attribution.heatmap()``."""
        return self.weights(label)[self.segments]

    def attribution_map(self, label):
        """The same as ``heatmap(label)`` (the older name, kept for existing code)."""
        return self.heatmap(label)

    def get_image_and_mask(self, label, positive_only=True, negative_only=False, hide_rest=False,
                           num_features=5, min_weight=0.0):
        """lime's (image, mask) for skimage.segmentation.mark_boundaries.

        The image is RGB (H, W, 3) like lime's (grayscale repeated). mask is 1 on the chosen
        superpixels, or +1 / -1 for positive / negative ones when both signs are asked for;
        with both, lime paints the positive superpixels' green channel (negative: red) at the
        image maximum. hide_rest zeroes everything outside the chosen superpixels.
        """
        self._check_label(label)
        if positive_only and negative_only:
            raise ValueError("positive_only and negative_only cannot both be True")
        image = to_rgb(self.image if self.image.ndim == 3 else self.image[..., None])
        explanation = self.local_exp[label]
        mask = np.zeros(self.segments.shape, self.segments.dtype)
        shown = np.zeros(image.shape) if hide_rest else image.copy()
        if positive_only or negative_only:
            sign = 1 if positive_only else -1
            chosen = [f for f, w in explanation if sign * w > 0 and abs(w) > min_weight][:num_features]
            selected = np.isin(self.segments, chosen)
            shown[selected] = image[selected]
            mask[selected] = 1
            return shown, mask
        for feature, weight in explanation[:num_features]:
            if abs(weight) < min_weight:
                continue
            selected = self.segments == feature
            mask[selected] = -1 if weight < 0 else 1
            shown[selected] = image[selected]
            shown[selected, 0 if weight < 0 else 1] = np.max(image)
        return shown, mask


class LimeImageExplainer:
    """Explains an image classifier's prediction by superpixels (lime's API)."""

    def __init__(self, kernel_width=0.25, kernel=None, verbose=False, feature_selection="auto",
                 random_state=None):
        check_explainer_settings(kernel_width, feature_selection)
        self.kernel_width = float(kernel_width)
        self.kernel = kernel if kernel is not None else exponential_kernel
        self.verbose = verbose
        self.feature_selection = feature_selection
        self.rng = make_generator(random_state)

    def explain_instance(self, image, classifier_fn, labels=(1,), hide_color=None, top_labels=5,
                         num_features=100000, num_samples=1000, batch_size=10, segmentation_fn=None,
                         distance_metric="cosine", model_regressor=None, random_seed=None):
        """Explain classifier_fn's prediction on `image`; returns an ImageExplanation.

        classifier_fn takes a batch (b,) + image.shape in the image's dtype (float32 for float16) and returns (b, K)
        probabilities. segmentation_fn takes the (H, W, 3) image and returns (H, W) labels; it
        may also be 'slic' (default), 'quickshift' or 'felzenszwalb' for our size-scaled
        defaults. random_seed pins the segmentation seed; by default it is drawn from random_state.
        """
        image, image_hwc = check_image(image)
        num_samples = check_positive_int(num_samples, "num_samples", minimum=2)
        batch_size = check_positive_int(batch_size, "batch_size")
        num_features = check_positive_int(num_features, "num_features")
        if random_seed is None:
            random_seed = int(self.rng.integers(0, 2**31 - 1))
        segments = self._segment(image_hwc, segmentation_fn, random_seed)
        num_superpixels = int(segments.max()) + 1
        # the surrogate's fit holds the (num_samples, d) on/off matrix as float64 four times over (measured)
        check_count_fits("LimeImageExplainer.explain_instance", "num_samples", num_samples, 34 * num_superpixels + 128,
                         f"4 float64 copies of the {num_samples}x{num_superpixels} matrix of samples by superpixels",
                         minimum=2)
        fill_image, fill_name = make_fill(image_hwc, segments, hide_color)

        samples = sample_on_off(self.rng, num_samples, num_superpixels)
        distances = distances_to_original(samples, distance_metric)
        kernel_weights = self.kernel(distances, self.kernel_width)

        def make_batch(start, stop):
            batch = perturbed_images(image_hwc, fill_image, segments, samples[start:stop])
            return batch.reshape((stop - start,) + image.shape)   # the layout the caller gave

        predictions = predict_in_batches(make_batch, num_samples, classifier_fn, batch_size)

        fits = explain_labels(samples, predictions, kernel_weights, labels, top_labels, num_features,
                              self.feature_selection, model_regressor, self.verbose)
        explanation = ImageExplanation(image, segments, fill_name, fill_image)
        explanation.segmentation_seed = random_seed
        return record_on(explanation, samples, predictions, kernel_weights, fits)

    @staticmethod
    def _segment(image_hwc, segmentation_fn, seed):
        image_rgb = to_rgb(image_hwc)
        if segmentation_fn is None:
            segmentation_fn = "slic"
        if isinstance(segmentation_fn, str):
            if segmentation_fn not in ALGORITHMS:
                raise ValueError(f"segmentation_fn must be a callable or one of {ALGORITHMS}, "
                                 f"got {segmentation_fn!r}")
            return segment(image_rgb, segmentation_fn, seed=seed)
        if not callable(segmentation_fn):
            raise TypeError(f"segmentation_fn must be callable, got {type(segmentation_fn).__name__}")
        return check_segments(segmentation_fn(image_rgb), image_rgb.shape)
