"""python -m explain report: the explanation report for your own saved model and a folder of images.

    python -m explain report --model CKPT.npz --arch MODULE:FACTORY --images DIR \\
        --classes wolf,husky [--masks DIR] [--methods lime,gradcam,ig,occlusion] \\
        [--size 64] [--seed 0] --out report.html [--json numbers.json]

The model is rebuilt by calling FACTORY() from MODULE (the untrained architecture),
then the checkpoint (tinygrad_edu.save's .npz) is loaded into it. Images are
PNG/JPEG, read by scikit-image, scaled to [0, 1] and resized to --size x --size.
They must be RGB: a greyscale or RGBA file is refused, not converted, because
inventing or dropping colour would silently change what a colour model sees
(snow is bluish-white). With --masks (same file names, white = object) the
object enrichment of every method is measured. Every mistake in the input gives
one clear line and exit status 2, never a traceback.
This is the last file of the reading order.
"""
import argparse
import importlib
import json
import os
import sys
import time

import tinygrad_edu as tg
from tinygrad_edu.io.atomic import atomic_write_text
from tinygrad_edu.nn import Module

from .build import explanation_report
from .images import UsageError, image_files, load_data, read_mask, read_rgb  # noqa: F401
from .methods import check_methods


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m explain", description="Explanation tools of tinygrad-edu.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report", help="write a self-contained HTML explanation report for a saved model",
        description="Explain a saved model's predictions on a folder of images with LIME, Grad-CAM, "
                    "Integrated Gradients and occlusion, measure how far to trust each explanation, and "
                    "write one self-contained HTML file (no script, no external file).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    report.add_argument("--model", required=True, metavar="CKPT.npz",
                        help="checkpoint written by tinygrad_edu.save(model.state_dict(), path)")
    report.add_argument("--arch", required=True, metavar="MODULE:FACTORY",
                        help="a function building the untrained model, e.g. demos.wolves_vs_huskies.model:convnet; "
                             "MODULE must be importable from the current folder")
    report.add_argument("--images", required=True, metavar="DIR",
                        help="folder of RGB .png/.jpg/.jpeg images (sorted by file name)")
    report.add_argument("--classes", required=True, metavar="NAMES",
                        help="comma-separated class names in the model's output order, e.g. wolf,husky")
    report.add_argument("--masks", metavar="DIR", default=None,
                        help="folder of object masks with the same file names as the images (white = object); "
                             "turns on the object enrichment")
    report.add_argument("--methods", default="lime,gradcam,ig,occlusion", metavar="LIST",
                        help="comma-separated methods: lime, gradcam, ig, occlusion, saliency, smoothgrad")
    report.add_argument("--size", type=int, default=64, help="images are resized to SIZE x SIZE pixels")
    report.add_argument("--seed", type=int, default=0, help="seed of LIME's sampling and of the randomisation check")
    report.add_argument("--lime-samples", type=int, default=300, help="perturbed images per LIME explanation")
    report.add_argument("--lime-fill", default="grey", help="what a hidden superpixel shows: grey, black, mean, blur")
    report.add_argument("--title", default="Explanation report", help="the report's title")
    report.add_argument("--object", default="object", metavar="NAME",
                        help="what the masks outline, for the verdict's words (e.g. animal)")
    report.add_argument("--out", required=True, metavar="report.html", help="the HTML file to write (atomically)")
    report.add_argument("--json", default=None, metavar="numbers.json",
                        help="also write every number the report shows to this JSON file")
    return parser


# --------------------------------------------------------------------------- loading

def load_factory(spec):
    module_name, colon, factory_name = spec.partition(":")
    if not colon or not module_name or not factory_name:
        raise UsageError(f"--arch must look like MODULE:FACTORY (e.g. mypackage.models:convnet), got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())   # as `python -m` does: the user's modules beside them
    try:
        module = importlib.import_module(module_name)
    except Exception as error:        # any failure while importing the user's file is theirs to see
        raise UsageError(f"--arch: cannot import module {module_name!r}: {type(error).__name__}: {error}") from None
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise UsageError(f"--arch: module {module_name!r} has no function {factory_name!r}")
    return factory


def build_model(spec, checkpoint):
    factory = load_factory(spec)
    try:
        model = factory()
    except Exception as error:
        raise UsageError(f"--arch: {spec}() failed: {type(error).__name__}: {error}") from None
    if not isinstance(model, Module):
        raise UsageError(f"--arch: {spec}() must build a tinygrad_edu.nn.Module, it returned "
                         f"{type(model).__name__}")
    if not os.path.isfile(checkpoint):
        raise UsageError(f"--model: no checkpoint file at {checkpoint}")
    try:
        state = tg.load(checkpoint)
    except Exception as error:
        raise UsageError(f"--model: cannot read {checkpoint}: {error}") from None
    try:
        model.load_state_dict(state)
    except KeyError as error:
        raise UsageError(f"--model: the checkpoint does not fit {spec}(): {error.args[0]}") from None
    model.eval()
    return model


def parse_list(text, flag):
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise UsageError(f"{flag} needs a comma-separated list, got {text!r}")
    return items


# --------------------------------------------------------------------------- the command

def run_report(args):
    started = time.perf_counter()
    classes = parse_list(args.classes, "--classes")
    if len(classes) < 2:
        raise UsageError(f"--classes needs at least 2 names, got {classes}")
    methods = parse_list(args.methods, "--methods")
    try:
        check_methods(methods)
    except ValueError as error:
        raise UsageError(f"--methods: {error}") from None
    if not os.path.isdir(os.path.dirname(os.path.abspath(args.out))):
        raise UsageError(f"--out: the folder of {args.out} does not exist")
    model = build_model(args.arch, args.model)
    names, images, masks = load_data(args)
    try:
        model_name = os.path.splitext(os.path.basename(args.model))[0]
        report = explanation_report(
            {model_name: model}, images, classes, masks=masks, methods=methods, seed=args.seed, lime_samples=args.lime_samples,
            lime_fill=args.lime_fill, title=args.title, object_name=args.object, image_names=names, chosen=range(min(6, len(images))),
            settings={"model": args.model, "arch": args.arch, "images_folder": args.images,
                      "masks_folder": args.masks or "none", "size": args.size,
                      "files_shown": ", ".join(names[:6])})
    except ValueError as error:   # e.g. the model's class count against --classes
        raise UsageError(str(error)) from None
    report.numbers["files"] = names
    report.numbers["runtime_s"] = round(time.perf_counter() - started, 2)
    report.write(args.out)
    if args.json:
        atomic_write_text(args.json, json.dumps(report.numbers, indent=2, allow_nan=False))
    print(f"wrote {args.out} ({len(images)} images, methods {', '.join(methods)}, "
          f"{report.numbers['runtime_s']:.1f} s)")
    for sentence in report.verdict_texts:
        print(" ", sentence)


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.command == "report":
            run_report(args)
    except UsageError as error:
        print(f"python -m explain report: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
