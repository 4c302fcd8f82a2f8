"""Sanity checks for explanations: does the map depend on what the model learned?

Adebayo et al. 2018, "Sanity Checks for Saliency Maps", cascading model
parameter randomisation: re-initialise the layers with parameters one at a
time from the output down (the last layer, then the last two, ...), and after
each step recompute the explanation. A map that explains the *model* must
change once the weights it rests on are destroyed; a map that looks the same
(an edge detector in disguise) explains the image, not the model. Per step:

    rho_k = mean over rows n of Spearman(|m_n^orig|, |m_n^(k)|)     (rank correlation of the flattened maps)

and the check passes when rho after re-initialising every layer is below a
threshold (0.5). The user's model is never touched: the steps run on a copy.
Read next: explain/report/enrichment.py (every measure, in one report).
"""
import copy
from dataclasses import dataclass, field

import numpy as np

from tinygrad_edu.engine.rng import default_generator
from tinygrad_edu.nn import init

from ..attributions.result import Attribution
from ..model_adapter import as_batch
from .stability import spearman


class seeded_engine_rng:
    """Inside: the engine's generator restarts from ``seed``; after: it continues where it was.

    The layers' reset_parameters draw from the engine's default generator, so
    this makes the check repeatable without moving the caller's random stream.
    """

    def __init__(self, seed):
        self.seed = seed

    def __enter__(self):
        self.bit_generator = default_generator().bit_generator
        self.saved = self.bit_generator.state
        self.bit_generator.state = type(self.bit_generator)(self.seed).state

    def __exit__(self, *exc_info):
        self.bit_generator.state = self.saved


@dataclass
class RandomizationResult:
    method: str
    layers: list              # names re-initialised, cumulative from the output down
    correlations: np.ndarray  # (len(layers),) mean Spearman rho of |map| with the original
    threshold: float
    maps: list = field(default_factory=list, repr=False)  # heat maps (N, H, W): the original, then each step

    @property
    def passed(self):
        """True when the map no longer resembles the original once every layer is re-initialised."""
        return bool(self.correlations[-1] < self.threshold)

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(1.0 + 0.7 * len(self.layers), 3.4))
        steps = np.arange(len(self.layers))
        ax.plot(steps, self.correlations, "o-", label=f"{self.method} ({'passed' if self.passed else 'FAILED'})")
        if not any(line.get_gid() == "threshold" for line in ax.lines):   # several checks may share one axis
            ax.axhline(self.threshold, color="grey", linestyle="--", label=f"threshold {self.threshold}",
                       gid="threshold")
        ax.set_xticks(steps)
        ax.set_xticklabels([f"down to '{name}'" for name in self.layers], rotation=30, ha="right", fontsize=8,
                           parse_math=False)
        lowest = min(float(np.min(line.get_ydata())) for line in ax.lines)
        ax.set_ylim(min(-0.1, lowest - 0.05), 1.05)
        ax.set_xlabel("layers re-initialised (cascading, from the output)")
        ax.set_ylabel("Spearman rho of |map| with original")
        ax.set_title("Randomisation check (Adebayo et al. 2018)")
        for label in ax.legend(fontsize=8).get_texts():
            label.set_parse_math(False)  # method names are text, never mathtext
        return ax


def parameterised_layers(model):
    """[(name, module)] of the modules that own parameters themselves, in forward (named_modules) order."""
    return [(name, module) for name, module in model.named_modules() if name and module._parameters]


def reinitialise(module):
    """Fresh weights from the engine's own initialisation (the layer's reset_parameters if it has one)."""
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()
    elif getattr(module, "weight", None) is not None and module.weight.ndim >= 2:
        init.default_layer_init_(module.weight, getattr(module, "bias", None))   # Linear, as PyTorch does
    else:
        raise TypeError(f"randomization_check does not know how to re-initialise {type(module).__name__}; "
                        "give it a reset_parameters() method")


def _heatmap(attribution, method_name):
    if isinstance(attribution, Attribution):
        return np.asarray(attribution.heatmap(), dtype=np.float64)
    raise TypeError(f"method {method_name} must return an explain.Attribution, got {type(attribution).__name__}")


def _mean_spearman(original, changed):
    return float(np.mean([spearman(np.abs(a).ravel(), np.abs(b).ravel()) for a, b in zip(original, changed)]))


def randomization_check(model, x, target, method, seed=0, threshold=0.5):
    """Cascading parameter randomisation (Adebayo et al. 2018) of `method` on a copy of `model`.

    method(model, x, target) -> Attribution, e.g. explain.saliency or explain.grad_cam.
    Layers with parameters are re-initialised by their own reset_parameters (PyTorch's
    defaults, init.py), last layer first, cumulatively; after step k
        rho_k = mean_n Spearman(|heatmap_n(original)|, |heatmap_n(k layers re-initialised)|)
    (Adebayo et al. 2018, "Sanity Checks for Saliency Maps", NeurIPS). passed: rho_last < threshold.
    Returns a RandomizationResult with .layers, .correlations, .passed, .threshold, .plot().
    """
    if not callable(method):
        raise TypeError(f"method must be a callable (model, x, target) -> Attribution, got {type(method).__name__}")
    x = as_batch(x, "randomization_check")
    name = getattr(method, "__name__", type(method).__name__)
    copied = copy.deepcopy(model)            # the user's model keeps its weights, grads and hooks
    copied.load_state_dict(model.state_dict())
    layers = parameterised_layers(copied)
    if not layers:
        raise ValueError("randomization_check needs a model with parameters; this one has none")
    original = _heatmap(method(copied, x, target), name)
    maps, names, correlations = [original], [], []
    with seeded_engine_rng(seed):
        for layer_name, module in reversed(layers):
            reinitialise(module)
            changed = _heatmap(method(copied, x, target), name)
            names.append(layer_name)
            correlations.append(_mean_spearman(original, changed))
            maps.append(changed)
    return RandomizationResult(name, names, np.array(correlations), float(threshold), maps)
