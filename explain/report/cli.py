"""python -m explain report: the explanation report for your own saved model and a folder of images.

    python -m explain report --model CKPT.npz --arch MODULE:FACTORY --images DIR \\
        --classes wolf,husky [--masks DIR] [--methods lime,gradcam,ig,occlusion] \\
        [--size 64] [--seed 0] --out report.html [--json numbers.json]

The model is rebuilt by calling FACTORY() from MODULE (the untrained architecture),
then the checkpoint (tinygrad_edu.save's .npz) is loaded into it. Images are
PNG/JPEG files (images.py reads them: regular files only, at most 100 megapixels),
scaled to [0, 1] and resized to --size x --size.
They must be RGB: a greyscale or RGBA file is refused, not converted, because
inventing or dropping colour would silently change what a colour model sees
(snow is bluish-white). With --masks (same file names, white = object) the
object enrichment of every method is measured. Every mistake in the input gives
one clear line and exit status 2, never a traceback, and is found before any work:
an output never replaces an input or the other output. Ctrl-C exits with 130.
This is the last file of the reading order.
"""
import argparse
import importlib
import json
import os
import stat
import sys
import tempfile
import time

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.io.atomic import atomic_write_text, resolve_target, temporary_prefix
from tinygrad_edu.io.checkpoint import ArraySpec, load_shapes
from tinygrad_edu.nn import Linear, Module

from .build import explanation_report
from .images import UsageError, load_data
from .methods import check_methods, lime_fill_value

MAX_SIZE = 1024              # pixels a side: 12 MiB per image as float32
MAX_LIME_SAMPLES = 100_000   # LIME's design matrix: 38 MiB per image at 50 segments
LIME_SEGMENTS = 50           # superpixels per LIME explanation (explanation_report's default, passed explicitly)
# Sizes tried when --size does not fit the model, to tell the user which one does.
PROBE_SIZES = (8, 16, 24, 28, 32, 48, 56, 64, 96, 112, 128, 160, 192, 224, 256, 299, 320, 384, 448, 512)


def printable(text):
    """``text`` with every character a terminal would obey (escape sequences, bells, newlines) spelled out.

    A file named "\\x1b]0;PWNED\\x07x.png" would otherwise retitle the user's terminal when printed.
    """
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def say(message):
    print(f"python -m explain report: {printable(message)}", file=sys.stderr)


class Parser(argparse.ArgumentParser):
    """argparse, whose own error lines (they quote what the user typed) are made printable too."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


def build_parser():
    parser = Parser(prog="python -m explain", description="Explanation tools of tinygrad-edu.")
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
    check_fits(read_checkpoint(load_shapes, checkpoint), model, spec, checkpoint)  # headers only: nothing inflated
    state = read_checkpoint(tg.load, checkpoint)
    check_finite(state)
    try:
        model.load_state_dict(state)
    except KeyError as error:
        raise UsageError(f"--model: the checkpoint does not fit {spec}(): {error.args[0]}") from None
    model.eval()
    return model


def read_checkpoint(reader, checkpoint):
    try:
        return reader(checkpoint)
    except Exception as error:   # CheckpointError names the problem; anything else is still the file's
        raise UsageError(f"--model: cannot read {checkpoint}: {error}") from None


def check_fits(shapes, model, spec, checkpoint):
    """The checkpoint's keys and shapes (from its .npy headers) against the model's, before any array is read."""
    if not isinstance(shapes, dict) or not all(isinstance(value, ArraySpec) for value in shapes.values()):
        what = (f"a general checkpoint (keys {', '.join(map(str, list(shapes)[:5]))})" if isinstance(shapes, dict)
                else f"a {type(shapes).__name__}")
        raise UsageError(f"--model: {checkpoint} holds {what}; expected a state_dict (name -> array), "
                         "as tg.save(model.state_dict(), path) writes")
    expected = model.state_dict()
    problems = [f"'{name}' is {tuple(shapes[name].shape)} in the checkpoint, the model expects {array.shape}"
                for name, array in expected.items() if name in shapes and tuple(shapes[name].shape) != array.shape]
    missing = [name for name in expected if name not in shapes]
    unexpected = [name for name in shapes if name not in expected]
    problems += [f"{what} keys: {few(names)}" for what, names in (("missing", missing), ("unexpected", unexpected))
                 if names]
    if problems:
        raise UsageError(f"--model: the checkpoint does not fit {spec}(): {' | '.join(problems)}")


def few(names, shown=5):
    more = f" ... ({len(names) - shown} more)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def check_finite(state):
    """NaN or inf weights make every prediction NaN: name the first such array, not a symptom downstream."""
    for name, array in state.items():
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            bad = "NaN" if np.isnan(array).any() else "inf"
            raise UsageError(f"--model: the checkpoint holds {bad} in '{name}' (did the training diverge?)")


def input_problem(model, size):
    """None if the model takes a batch of zeros (1, 3, size, size), else what went wrong."""
    try:
        with tg.no_grad():
            model(tg.Tensor(np.zeros((1, 3, size, size), model.dtype)))
    except Exception as error:   # the model is the user's: anything it raises is an answer
        return f"{type(error).__name__}: {error}"
    return None


def check_size(model, size):
    """Try --size on the model before any image is read; if it does not fit, find a size that does."""
    problem = input_problem(model, size)
    if problem is None:
        return
    fitting = next((s for s in PROBE_SIZES if s != size and input_problem(model, s) is None), None)
    if fitting is None:
        raise UsageError(f"--arch: the model fails on a batch of zeros (1, 3, {size}, {size}), and at every size "
                         f"from {PROBE_SIZES[0]} to {PROBE_SIZES[-1]}: {problem}")
    linear = next((module for module in model.modules() if isinstance(module, Linear)), None)
    needs = f" (its first Linear needs {linear.in_features} features)" if linear is not None else ""
    raise UsageError(f"--size {size} does not fit the model: it expects {fitting}x{fitting} inputs{needs}")


def parse_list(text, flag):
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise UsageError(f"{flag} needs a comma-separated list, got {text!r}")
    twice = [item for i, item in enumerate(items) if item in items[:i]]
    if twice:
        raise UsageError(f"{flag} names {twice[0]!r} twice; give each once")
    return items


def human_bytes(count):
    for unit, size in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if count >= size:
            return f"{count / size:.0f} {unit}"
    return f"{count} bytes"


def check_flags(args):
    """Every flag that needs no file, before anything is read: the classes and methods, as lists."""
    classes = parse_list(args.classes, "--classes")
    if len(classes) < 2:
        raise UsageError(f"--classes needs at least 2 names, got {classes}")
    methods = parse_list(args.methods, "--methods")
    try:
        check_methods(methods)
    except ValueError as error:
        raise UsageError(f"--methods: {error}") from None
    try:
        if "lime" in methods:
            lime_fill_value(args.lime_fill)
    except ValueError as error:
        raise UsageError(f"--lime-fill: {error}") from None
    if args.size < 8:
        raise UsageError(f"--size must be at least 8 pixels, got {args.size}")
    if args.size > MAX_SIZE:
        raise UsageError(f"--size {args.size} would make each image {args.size}x{args.size}x3 float32 = "
                         f"{human_bytes(args.size ** 2 * 3 * 4)}; at most {MAX_SIZE}")
    if args.seed < 0:
        raise UsageError(f"--seed must be 0 or more, got {args.seed}")
    if args.lime_samples < 2:
        raise UsageError(f"--lime-samples must be at least 2 (the image itself and one perturbation), "
                         f"got {args.lime_samples}")
    if args.lime_samples > MAX_LIME_SAMPLES:
        raise UsageError(f"--lime-samples {args.lime_samples} would make LIME's {args.lime_samples}x{LIME_SEGMENTS} "
                         f"float64 design matrix = {human_bytes(args.lime_samples * LIME_SEGMENTS * 8)} per image; "
                         f"at most {MAX_LIME_SAMPLES}")
    return classes, methods


# --------------------------------------------------------------------------- outputs

def check_outputs(args):
    """Before any work: no output is a folder, an input (checkpoint, image, mask) or the other output."""
    outputs = [("--out", args.out)] + ([("--json", args.json)] if args.json is not None else [])
    inputs = [("--model", args.model)] + files_in(args.images, "--images") + files_in(args.masks, "--masks")
    for flag, path in outputs:
        check_writable(flag, path)
        for input_flag, input_path in inputs:
            if os.path.exists(path) and same_file(path, input_path):
                raise UsageError(f"{flag} {path} is {input_flag} {input_path}: writing there would "
                                 "replace it; choose another file name")
    if len(outputs) == 2 and same_file(args.out, args.json):
        raise UsageError(f"--json {args.json} is the same file as --out {args.out}: the numbers would replace "
                         "the report; choose another file name")


def files_in(folder, flag):
    if folder is None or not os.path.isdir(folder):
        return []   # a missing folder is reported, with its flag, when it is read
    return [(flag, os.path.join(folder, name)) for name in sorted(os.listdir(folder))]


def same_file(path, other):
    """Same file, however spelled: ./r.html, a symlink, a hard link. Paths not yet written compare by real path."""
    try:
        return os.path.samefile(path, other)
    except OSError:
        return os.path.realpath(path) == os.path.realpath(other)


def check_writable(flag, path):
    """The path names a regular file (or nothing yet) in an existing folder we can create files in."""
    if not path:
        raise UsageError(f"{flag} needs a file name, got an empty one")
    target = resolve_target(path)     # what the atomic write replaces: a symlink's target
    if os.path.isdir(target):
        raise UsageError(f"{flag} {path} is a folder; expected a file name, e.g. {os.path.join(path, 'report.html')}")
    if os.path.exists(target) and not stat.S_ISREG(os.stat(target).st_mode):
        raise UsageError(f"{flag} {path} is not a regular file (a device, pipe or socket); expected a file name")
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise UsageError(f"{flag}: the folder of {path} does not exist ({folder})")
    if not os.access(folder, os.W_OK | os.X_OK) or not can_create_in(folder, target):
        raise UsageError(f"{flag}: cannot create files in {folder} (read-only or no permission)")


def can_create_in(folder, target):
    """os.access answers from the permission bits; this asks the file system (read-only mounts, quotas)."""
    try:
        descriptor, probe = tempfile.mkstemp(dir=folder, prefix=temporary_prefix(target) + f"{os.getpid()}-")
    except OSError:
        return False
    os.close(descriptor)
    os.unlink(probe)
    return True


# --------------------------------------------------------------------------- the command

def run_report(args, written):
    started = time.perf_counter()
    classes, methods = check_flags(args)
    check_outputs(args)
    model = build_model(args.arch, args.model)
    check_size(model, args.size)
    names, images, masks = load_data(args)
    try:
        model_name = os.path.splitext(os.path.basename(args.model))[0]
        report = explanation_report(
            {model_name: model}, images, classes, masks=masks, methods=methods, seed=args.seed, lime_samples=args.lime_samples,
            lime_fill=args.lime_fill, lime_segments=LIME_SEGMENTS, title=args.title, object_name=args.object,
            image_names=names, chosen=range(min(6, len(images))),
            settings={"model": args.model, "arch": args.arch, "images_folder": args.images,
                      "masks_folder": args.masks or "none", "size": args.size,
                      "files_shown": ", ".join(names[:6])})
    except ValueError as error:   # e.g. the model's class count against --classes
        raise UsageError(str(error)) from None
    report.numbers["files"] = names
    report.numbers["runtime_s"] = round(time.perf_counter() - started, 2)
    report.write(args.out)
    written.append(args.out)
    if args.json:
        atomic_write_text(args.json, json.dumps(report.numbers, indent=2, allow_nan=False))
        written.append(args.json)
    print(printable(f"wrote {args.out} ({len(images)} images, methods {', '.join(methods)}, "
                    f"{report.numbers['runtime_s']:.1f} s)"))
    for sentence in report.verdict_texts:
        print(" ", printable(sentence))


def main(argv=None):
    """The exit status: 0 done, 2 a mistake in the input (one line), 130 interrupted (Ctrl-C)."""
    written = []
    try:
        args = build_parser().parse_args(argv)
        if args.command == "report":
            run_report(args, written)
    except UsageError as error:
        say(f"error: {error}")
        return 2
    except KeyboardInterrupt:   # the atomic writes removed their temporaries; say what is on disk
        say(f"interrupted; {' and '.join(written)} written, nothing else" if written else "interrupted; nothing written")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
