"""python -m demos.wolves_vs_huskies [--fast] [--seed S] [--out DIR]: the whole story, one report.

Trains the biased and the background-randomised convnets, explains both, and
writes into DIR (default out/):

    wolves_vs_huskies.html            the self-contained report (open it in a browser)
    wolves_vs_huskies.json            every number the report shows
    wolves_vs_huskies_biased.npz      checkpoints: convnet().load_state_dict(tg.load(path))
    wolves_vs_huskies_debiased.npz

--fast shrinks every count (for tests); the numbers then mean little.

Read next: story.py (the steps), scenes.py (the data).
"""
import argparse
import json
import os
import time

import numpy as np

import tinygrad_edu as tg
from explain.report import format_number, package_versions, shown
from tinygrad_edu.io.atomic import atomic_write_text

from . import report, story
from .scenes import CLASS_NAMES


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m demos.wolves_vs_huskies",
                                     description="Wolves vs huskies: a model that learned snow, caught and fixed.")
    parser.add_argument("--fast", action="store_true", help="small data and few samples (seconds, for tests)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the data, the weights and the explanations")
    parser.add_argument("--out", default="out", help="folder for the report, the JSON and the checkpoints")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def explain_examples(models, data, settings, seed):
    """The chosen scenes' targets, probabilities and maps, per model and method."""
    chosen = report.choose_examples(data)
    examples = [{"split": split, "index": index, "label": CLASS_NAMES[data[split].labels[index]],
                 "background": str(data[split].backgrounds[index])} for split, index in chosen]
    images = np.stack([data[split].images[index] for split, index in chosen])
    maps = {}
    for name, model in models.items():
        probabilities = story.predictions(model, images)
        targets = probabilities.argmax(axis=1)
        for example, target, p in zip(examples, targets, probabilities):
            example[name] = {"target": CLASS_NAMES[target], "probability": shown(p[target])}
        maps[name] = {method: story.attribution_maps(model, images, targets, method, settings, seed)
                      for method in story.METHODS}
    return examples, maps


def headline(results, paths):
    lines = []
    for name in ("biased", "debiased"):
        numbers = results["models"][name]
        e = numbers["enrichment"]
        lines.append(f"{name:>9}: accuracy biased test {format_number(numbers['accuracy']['biased_test'])}, "
                     f"swapped test {format_number(numbers['accuracy']['swapped_test'])}; grey background keeps "
                     f"{format_number(numbers['background_swap_kept'])}; enrichment " +
                     ", ".join(f"{m} {format_number(e[m]['mean'])}±{format_number(e[m]['sd'])}" for m in story.METHODS))
    lines.append(f"run time {format_number(results['runtime_s'])} s; report: {paths['html']}")
    return "\n".join(lines)


def main(argv=None):
    args = parse(argv)
    started = time.perf_counter()
    settings = story.SETTINGS["fast" if args.fast else "full"]
    results, models, data = story.run(settings, args.seed, verbose=0 if args.quiet else 1)
    results["examples"], example_maps = explain_examples(models, data, settings, args.seed)
    results["runtime_s"] = shown(time.perf_counter() - started)

    os.makedirs(args.out, exist_ok=True)
    paths = {"html": os.path.join(args.out, "wolves_vs_huskies.html"),
             "json": os.path.join(args.out, "wolves_vs_huskies.json")}
    for name, model in models.items():
        paths[name] = os.path.join(args.out, f"wolves_vs_huskies_{name}.npz")
        tg.save(model.state_dict(), paths[name])
    report.build(results, data, example_maps, package_versions()).write(paths["html"])
    atomic_write_text(paths["json"], json.dumps(results, indent=1, allow_nan=False))
    print(headline(results, paths))
    return results


if __name__ == "__main__":
    main()
