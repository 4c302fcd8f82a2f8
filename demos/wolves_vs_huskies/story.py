"""The story: a model that learned snow, caught by its explanations, and fixed.

1. Train the convnet on scenes where every wolf stands in snow and every husky
   off it (as in Ribeiro et al.'s 20 training photos). It scores high on a
   test set with the same pairing (95% of wolves in snow) and collapses on the
   swapped one (5%): it answers "snow", not "wolf".
2. Explain its predictions (LIME, Grad-CAM, Integrated Gradients, occlusion)
   and measure where they look with the animal enrichment

       E = (sum of the map on the animal / sum of the whole map) / (animal pixels / all pixels)

   E = 1: no more on the animal than chance; E < 1: it looks away from it.
   The background-swap test asks the same in one number: how many predictions
   survive when the background becomes flat grey?
3. De-bias by augmentation: augment.RandomBackground pastes every training
   animal (by its mask) onto a random background, so the background stops
   predicting the class. Retrain the same architecture from the same seed.
4. Explain again: the maps move onto the animal, E rises above 1.

Everything measured goes into one dict (the JSON), rounded as the report
prints it (explain.report.shown), and the HTML is drawn from that dict, so the
two always agree.

Read next: report.py in this folder (the HTML), then explain/report/enrichment.py.
"""
import time

import numpy as np

import explain
import tinygrad_edu as tg
from augment import RandomBackground
from explain.report import mean_sd, object_enrichment, quality_summary, shown
from tinygrad_edu import functional as F
from tinygrad_edu import optim

from .model import convnet
from .scenes import BACKGROUNDS, CLASS_NAMES, background_bank, make_scenes

METHODS = ("lime", "gradcam", "ig", "occlusion")
GREY = 0.5  # LIME's fill, occlusion's baseline and the background-swap test's flat background

SETTINGS = {
    "full": {"train_scenes": 1500, "test_scenes": 200, "epochs": 6, "batch_size": 32, "learning_rate": 5e-4,
             "bank_size": 400, "enrichment_scenes": 50, "lime_scenes": 20, "lime_samples": 400,
             "lime_superpixels": 50, "ig_steps": 20, "occlusion_window": 8, "occlusion_stride": 4,
             "quality_scenes": 4, "quality_lime_scenes": 2, "quality_lime_samples": 150, "curve_scenes": 2,
             "stability_scenes": 1, "randomization_scenes": 1},
    "fast": {"train_scenes": 300, "test_scenes": 60, "epochs": 2, "batch_size": 32, "learning_rate": 2e-3,
             "bank_size": 40, "enrichment_scenes": 8, "lime_scenes": 3, "lime_samples": 100,
             "lime_superpixels": 50, "ig_steps": 8, "occlusion_window": 8, "occlusion_stride": 8,
             "quality_scenes": 2, "quality_lime_scenes": 1, "quality_lime_samples": 50, "curve_scenes": 1,
             "stability_scenes": 1, "randomization_scenes": 1},
}


def data_seeds(seed):
    """Independent seeds for the training, test and bank scenes, all derived from one seed."""
    train, biased_test, swapped_test, bank = np.random.SeedSequence(seed).generate_state(4)
    return {"train": int(train), "biased_test": int(biased_test), "swapped_test": int(swapped_test),
            "bank": int(bank)}


def make_data(settings, seed):
    seeds = data_seeds(seed)
    return {
        # every training wolf in snow, every training husky off it
        "train": make_scenes(settings["train_scenes"], p_snow_given_wolf=1.0, seed=seeds["train"]),
        "biased_test": make_scenes(settings["test_scenes"], p_snow_given_wolf=0.95, seed=seeds["biased_test"]),
        "swapped_test": make_scenes(settings["test_scenes"], p_snow_given_wolf=0.05, seed=seeds["swapped_test"]),
        "bank": background_bank(settings["bank_size"], seed=seeds["bank"]),
    }


def train(train_scenes, settings, seed, bank=None, verbose=1):
    """The convnet trained from `seed`; with a bank, every batch gets random backgrounds."""
    tg.manual_seed(seed)
    model = convnet()
    augment = None if bank is None else RandomBackground(bank)
    masks = None if bank is None else train_scenes.animal_masks
    started = time.perf_counter()
    history = tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=settings["learning_rate"]),
                     train_scenes.images, train_scenes.labels, epochs=settings["epochs"],
                     batch_size=settings["batch_size"], seed=seed, verbose=verbose, augment=augment, masks=masks)
    return model, history.history, time.perf_counter() - started


def predictions(model, images):
    logits = tg.predict(model, images)
    return F.softmax(tg.Tensor(logits), axis=1).data


def confusion(labels, predicted, classes=2):
    """counts[true class][predicted class]."""
    counts = np.zeros((classes, classes), int)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def with_grey_background(scenes):
    return np.where(scenes.animal_masks[:, None], scenes.images, np.float32(GREY))


def lime_maps(model, images, targets, settings, seed):
    """LIME's positive weights for the target class, spread over their superpixels: (N, H, W)."""
    explainer = explain.LimeImageExplainer(random_state=seed)
    segmentation = explain.SegmentationAlgorithm("slic", random_seed=seed, n_segments=settings["lime_superpixels"])
    classifier = explain.model_fn(model, layout="NHWC")
    maps = []
    for image, target in zip(images, targets):
        explanation = explainer.explain_instance(
            image.transpose(1, 2, 0), classifier, labels=(int(target),), top_labels=None, hide_color=GREY,
            num_samples=settings["lime_samples"], segmentation_fn=segmentation, random_seed=seed)
        maps.append(explanation.heatmap(int(target)))
    return np.clip(np.array(maps), 0, None)


def attribution_maps(model, images, targets, method, settings, seed):
    """Each method's non-negative map (N, H, W), the m of the enrichment."""
    if method == "lime":
        return lime_maps(model, images, targets, settings, seed)
    if method == "gradcam":
        return explain.grad_cam(model, images, targets).values[:, 0]
    if method == "ig":
        attribution = explain.integrated_gradients(model, images, targets, steps=settings["ig_steps"])
    else:
        window, stride = settings["occlusion_window"], settings["occlusion_stride"]
        attribution = explain.occlusion(model, images, targets, window=(window, window),
                                        stride=(stride, stride), baseline=GREY)
    return np.abs(attribution.values).sum(axis=1)


def enrichment(model, scenes, settings, seed):
    """Per method: E's mean, sd and n over the first swapped test scenes (targets: the predicted class)."""
    results, maps = {}, {}
    for method in METHODS:
        count = settings["lime_scenes"] if method == "lime" else settings["enrichment_scenes"]
        images, masks = scenes.images[:count], scenes.animal_masks[:count]
        targets = predictions(model, images).argmax(axis=1)
        maps[method] = attribution_maps(model, images, targets, method, settings, seed)
        values = [object_enrichment(m, mask) for m, mask in zip(maps[method], masks)]
        results[method] = mean_sd(values)  # an all-zero map has no enrichment (nan): left out of n
    return results


def evaluate(model, data, settings, seed):
    """Every number the report shows about one model."""
    numbers = {"accuracy": {}, "confusion": {}}
    for split in ("biased_test", "swapped_test"):
        scenes = data[split]
        predicted = predictions(model, scenes.images).argmax(axis=1)
        numbers["accuracy"][split] = shown(np.mean(predicted == scenes.labels))
        numbers["confusion"][split] = confusion(scenes.labels, predicted).tolist()
    swapped = data["swapped_test"]
    original = predictions(model, swapped.images).argmax(axis=1)
    on_grey = predictions(model, with_grey_background(swapped)).argmax(axis=1)
    numbers["background_swap_kept"] = shown(np.mean(original == on_grey))
    numbers["enrichment"] = enrichment(model, swapped, settings, seed)
    numbers["quality"] = quality(model, swapped, settings, seed)
    return numbers


def quality(model, scenes, settings, seed):
    """How far to trust each method (explain.report.quality_summary) on a few swapped test scenes."""
    count = settings["quality_scenes"]
    return quality_summary(model, scenes.images[:count], CLASS_NAMES, masks=scenes.animal_masks[:count],
                           methods=METHODS, seed=seed, lime_samples=settings["quality_lime_samples"],
                           lime_fill="grey", lime_segments=settings["lime_superpixels"],
                           lime_images=settings["quality_lime_scenes"], curve_images=settings["curve_scenes"],
                           stability_images=settings["stability_scenes"],
                           randomization_images=settings["randomization_scenes"])


def train_table(scenes):
    """Training scenes counted by class x background: the shortcut in one table."""
    return {name: {kind: int(np.sum((scenes.labels == label) & (scenes.backgrounds == kind)))
                   for kind in BACKGROUNDS} for label, name in enumerate(CLASS_NAMES)}


def run(settings, seed, verbose=1):
    """Train both models, measure them; returns (the results dict, the models, the data)."""
    started = time.perf_counter()
    data = make_data(settings, seed)
    results = {"seed": seed, "settings": dict(settings), "data_seeds": data_seeds(seed),
               "p_snow_given_wolf": {"train": 1.0, "biased_test": 0.95, "swapped_test": 0.05},
               "class_names": list(CLASS_NAMES), "train_table": train_table(data["train"]), "models": {}}
    models = {}
    for name, bank in (("biased", None), ("debiased", data["bank"])):
        model, history, seconds = train(data["train"], settings, seed, bank=bank, verbose=verbose)
        models[name] = model
        history = {key: [shown(value) for value in values] for key, values in history.items()}
        results["models"][name] = {"train_seconds": shown(seconds), "history": history,
                                   **evaluate(model, data, settings, seed)}
    results["runtime_s"] = shown(time.perf_counter() - started)
    return results, models, data
