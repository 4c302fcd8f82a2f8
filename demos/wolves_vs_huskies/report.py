"""The story's HTML report: explain.report.Report filled with this demo's figures and tables.

Every number printed here is read from the results dict that is also written
as JSON, so a reader can check any figure's numbers against the file. The
sections follow the story: verdict, data, training, per-image explanations,
enrichment and the background-swap test, settings.

Read next: explain/report/enrichment.py (the measure, then the generic report builder).
"""
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from explain.report import (METHOD_TITLES, QUALITY_HEADER, Report, enrichment_words, format_number, mean_sd_text,
                            quality_rows, randomization_figure)

from .scenes import BACKGROUNDS, CLASS_NAMES, HUSKY, WOLF  # noqa: E402
from .story import METHODS  # noqa: E402

MODEL_NAMES = {"biased": "biased model", "debiased": "background-randomised model"}
# (split, class, background) of the scenes shown one per row
EXAMPLES = (("swapped_test", HUSKY, "snow"), ("swapped_test", WOLF, "grass"), ("swapped_test", WOLF, "forest"),
            ("swapped_test", HUSKY, "snow"), ("biased_test", WOLF, "snow"), ("biased_test", HUSKY, "grass"))


def choose_examples(data):
    """Indices of the EXAMPLES scenes: the first (then the next) matching scene in each split."""
    used, chosen = set(), []
    for split, label, kind in EXAMPLES:
        scenes = data[split]
        matching = np.flatnonzero((scenes.labels == label) & (scenes.backgrounds == kind))
        fresh = [int(i) for i in matching if (split, int(i)) not in used]
        if fresh:
            used.add((split, fresh[0]))
            chosen.append((split, fresh[0]))
    return chosen


def sample_grid(data):
    """Two training-style scenes for every class x background, from both test sets."""
    figure, axes = plt.subplots(len(CLASS_NAMES), 2 * len(BACKGROUNDS), figsize=(10, 4.6))
    for row, name in enumerate(CLASS_NAMES):
        for col, kind in enumerate(BACKGROUNDS):
            found = [scenes.images[i] for scenes in (data["biased_test"], data["swapped_test"])
                     for i in np.flatnonzero((scenes.labels == row) & (scenes.backgrounds == kind))][:2]
            for k in range(2):
                axis = axes[row, 2 * col + k]
                axis.set_xticks([]), axis.set_yticks([])
                if k < len(found):
                    axis.imshow(found[k].transpose(1, 2, 0))
                axis.set_title(f"{name} on {kind}", fontsize=8)
    figure.suptitle("Test scenes: each class on each background (the training set pairs wolves with snow only)")
    figure.tight_layout()
    return figure


def history_figure(results):
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(9, 3.2))
    for name, numbers in results["models"].items():
        epochs = np.arange(1, len(numbers["history"]["loss"]) + 1)
        loss_axis.plot(epochs, numbers["history"]["loss"], marker="o", label=MODEL_NAMES[name])
        accuracy_axis.plot(epochs, numbers["history"]["accuracy"], marker="o", label=MODEL_NAMES[name])
    for axis, label in ((loss_axis, "training loss (cross-entropy)"), (accuracy_axis, "training accuracy")):
        axis.set_xlabel("epoch"), axis.set_ylabel(label), axis.legend(fontsize=8)
        axis.xaxis.get_major_locator().set_params(integer=True)
    figure.suptitle("Training curves of both models (on their own, possibly augmented, training batches)")
    figure.tight_layout()
    return figure


def explanation_figure(model_name, examples, maps, data):
    """Rows: the chosen scenes; columns: the scene, then each method's map (brighter = more attribution)."""
    methods = list(maps)
    figure, axes = plt.subplots(len(examples), 1 + len(methods), figsize=(2.0 * (1 + len(methods)),
                                                                          2.1 * len(examples)))
    axes = np.atleast_2d(axes)
    for row, example in enumerate(examples):
        scenes = data[example["split"]]
        image = scenes.images[example["index"]].transpose(1, 2, 0)
        axes[row, 0].imshow(image)
        axes[row, 0].set_title(f"{example['label']} on {example['background']}\n"
                               f"says {example[model_name]['target']} "
                               f"(p={format_number(example[model_name]['probability'])})", fontsize=8)
        for col, method in enumerate(methods, start=1):
            heat = maps[method][row]
            axes[row, col].imshow(image.mean(axis=2), cmap="gray", alpha=0.6)
            shown = axes[row, col].imshow(heat, cmap="inferno", alpha=0.7, vmin=0, vmax=max(heat.max(), 1e-12))
            axes[row, col].contour(scenes.animal_masks[example["index"]], levels=[0.5], colors="cyan",
                                   linewidths=0.6)
            axes[row, col].set_title(METHOD_TITLES[method], fontsize=8)
            figure.colorbar(shown, ax=axes[row, col], fraction=0.046, pad=0.02)
        for axis in axes[row]:
            axis.set_xticks([]), axis.set_yticks([])
    figure.suptitle(f"{MODEL_NAMES[model_name]}: where each method looks (cyan: the animal's outline)")
    figure.tight_layout()
    return figure


def verdict(results):
    biased, debiased = results["models"]["biased"], results["models"]["debiased"]
    lime_b, lime_d = biased["enrichment"]["lime"]["mean"], debiased["enrichment"]["lime"]["mean"]
    relies = "relies on the background" if lime_b < 1 else "does not look away from the animal"
    return (f"The biased model {relies}: LIME enrichment {format_number(lime_b)} "
            f"({enrichment_words(lime_b, 'animal')}); after background randomisation {format_number(lime_d)}. "
            "On swapped scenes (wolves on grass, huskies in snow) its accuracy is "
            f"{format_number(biased['accuracy']['swapped_test'])}, the de-biased model's "
            f"{format_number(debiased['accuracy']['swapped_test'])}. With a flat grey background the biased model "
            f"keeps {format_number(biased['background_swap_kept'])} of its predictions, the de-biased one "
            f"{format_number(debiased['background_swap_kept'])}.")


def enrichment_rows(results):
    rows = []
    for method in METHODS:
        row = [METHOD_TITLES[method]]
        for name in ("biased", "debiased"):
            row.append(mean_sd_text(results["models"][name]["enrichment"][method]))
        rows.append(row)
    return rows


def build(results, data, example_maps, versions):
    """The whole report as a Report (call .write(path))."""
    report = Report("Wolves vs huskies: a model that learned snow, caught and fixed")
    report.verdict(verdict(results))

    report.section("The data", "Synthetic 64x64 scenes: a horse-silhouette animal (a grey-brown wolf, or a grey husky "
                   "with a paler face and belly) on snow, grass or forest floor. In the training set every wolf "
                   "stands in snow and every husky off it.")
    report.figure(sample_grid(data), "Each class on each background, from the two test sets.")
    table = results["train_table"]
    report.table(["class"] + list(BACKGROUNDS), [[name] + [table[name][kind] for kind in BACKGROUNDS]
                                                 for name in CLASS_NAMES],
                 caption="Training scenes by class and background: the background alone tells the classes apart.")

    report.section("Training", "The same convnet and seed, trained twice: on the scenes as they are (biased), and "
                   "with augment.RandomBackground pasting every animal onto a random background (snow, grass, "
                   "forest or noise) in every batch (background-randomised).")
    report.figure(history_figure(results), "Training loss and accuracy per epoch.")
    for name in ("biased", "debiased"):
        numbers = results["models"][name]
        for split, split_name in (("biased_test", "biased test (95% of wolves in snow)"),
                                  ("swapped_test", "swapped test (5% of wolves in snow)")):
            counts = numbers["confusion"][split]
            report.table(["true \\ predicted"] + list(CLASS_NAMES),
                         [[CLASS_NAMES[i]] + list(counts[i]) for i in range(len(CLASS_NAMES))],
                         caption=f"{MODEL_NAMES[name]}, {split_name}: "
                                 f"accuracy {format_number(numbers['accuracy'][split])}")

    report.section("Per-image explanations", "Each row is one test scene; each map explains the class the model "
                   "predicted, with its probability above the scene.")
    for name in ("biased", "debiased"):
        report.figure(explanation_figure(name, results["examples"], example_maps[name], data),
                      f"{MODEL_NAMES[name]}: LIME (positive weights), Grad-CAM, |IG| and |occlusion|.")

    report.section("Where the explanations look: animal enrichment",
                   "E = (attribution on the animal / all attribution) / (animal pixels / all pixels), on swapped "
                   "test scenes, for the predicted class. E = 1 is chance; E < 1 means the method looks away from "
                   "the animal. The background-swap test replaces the background by flat grey and counts the "
                   "predictions that stay the same.")
    report.table(["method", MODEL_NAMES["biased"], MODEL_NAMES["debiased"]], enrichment_rows(results),
                 caption="Animal enrichment, mean ± sd over swapped test scenes.")
    report.table(["model", "kept with a grey background"],
                 [[MODEL_NAMES[name], f"{format_number(results['models'][name]['background_swap_kept'])}"]
                  for name in ("biased", "debiased")], caption="Background-swap test on the swapped test scenes.")

    report.section("How far to trust each method",
                   f"On the first {results['settings']['quality_scenes']} swapped test scenes: deletion and insertion "
                   "AUC, LIME's stability across seeds and fidelity, the randomisation check (the map must change "
                   "when the weights are re-initialised), and IG's completeness delta.")
    rows = [row for name in ("biased", "debiased")
            for row in quality_rows(MODEL_NAMES[name], results["models"][name]["quality"])]
    report.table(QUALITY_HEADER, rows, caption="Quality of the explanations, per model and method.")
    for name in ("biased", "debiased"):
        figure = randomization_figure(results["models"][name]["quality"], f"randomisation check, {MODEL_NAMES[name]}")
        if figure is not None:
            report.figure(figure, f"{MODEL_NAMES[name]}: similarity of each map to the original as layers are "
                                  "re-initialised from the output down; a faithful method falls below the threshold.")

    settings = dict(results["settings"])
    settings.update({"seed": results["seed"], "LIME fill": "grey (0.5)", "LIME segmentation":
                     f"slic, n_segments={settings['lime_superpixels']}", "occlusion baseline": "grey (0.5)",
                     "run time (s)": results["runtime_s"], **versions})
    report.section("Settings")
    report.settings(settings)
    return report
