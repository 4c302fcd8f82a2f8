"""Benchmark: explain's attributions against captum's on the identical network.

The network is the wolves-vs-huskies convnet (conv 3->16 and 16->32, 3x3, padding
1, ReLU, 2x2 pools, a linear head to 2 logits) at 64x64, batch 16, float32, with
the same weights on both sides. Timed: saliency, Integrated Gradients (50 steps,
Gauss-Legendre), Grad-CAM on the last conv, occlusion (8x8 window, stride 4).

Two settings:
    defaults   each library at its own defaults: captum's Occlusion with
               perturbations_per_eval=1 (one occluded copy of the 16 images per
               forward) and IntegratedGradients with internal_batch_size=None
               (all 800 path points in one forward); ours with 64 rows per
               forward for both
    batched    the same batching, 64 rows per forward on both sides: captum's
               perturbations_per_eval=4 (4 windows x 16 images) and
               internal_batch_size=64. Saliency and Grad-CAM take one batch of
               16 on both sides in either setting, so they are timed once.

Each library runs in its OWN process (in one process the idle thread pools of
the two slow each other by up to 10x), both with the same thread count; the
sides alternate for ROUNDS rounds, each round a median of REPEATS timings after
a warm-up, and the table gives the median of the round medians with the spread.
The machine is printed first; the results also go to benchmarks/results/attributions_<threads>threads.json.

Run from the repository root:  python -m benchmarks.bench_attributions [--threads 2] [--rounds 3]
"""
import argparse
import json
import os
import tempfile

import numpy as np

from benchmarks.common import machine, median_seconds, print_machine, run_worker, write_results

METHODS = ["saliency", "integrated_gradients", "grad_cam", "occlusion"]
SETTINGS = ["defaults", "batched"]
BATCH, SIZE, REPEATS = 16, 64, 3
ROWS_PER_FORWARD = 64  # our defaults for occlusion and IG


# --------------------------------------------------------------------------- the two sides

def ours_timings(weights_path, setting, repeats):
    import explain
    from tinygrad_edu import nn

    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 16 * 16, 2))
    model.load_state_dict(dict(np.load(weights_path, allow_pickle=False)))
    x = images()
    calls = {
        "saliency": lambda: explain.saliency(model, x, 1),
        "integrated_gradients": lambda: explain.integrated_gradients(model, x, 1, steps=50,
                                                                     internal_batch_size=ROWS_PER_FORWARD),
        "grad_cam": lambda: explain.grad_cam(model, x, 1),
        "occlusion": lambda: explain.occlusion(model, x, 1, window=(8, 8), stride=(4, 4), batch_size=ROWS_PER_FORWARD),
    }
    return {name: median_seconds(call, repeats=repeats) for name, call in calls.items() if name in methods_for(setting)}


def captum_timings(weights_path, setting, repeats):
    import torch
    from captum.attr import IntegratedGradients, LayerGradCam, Occlusion, Saliency

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(32 * 16 * 16, 2)).eval()
    model.load_state_dict({k: torch.tensor(v) for k, v in np.load(weights_path, allow_pickle=False).items()})
    x = torch.tensor(images())
    per_eval, ig_batch = (1, None) if setting == "defaults" else (ROWS_PER_FORWARD // BATCH, ROWS_PER_FORWARD)
    calls = {
        "saliency": lambda: Saliency(model).attribute(x.clone().requires_grad_(), target=1),
        "integrated_gradients": lambda: IntegratedGradients(model).attribute(x, target=1, n_steps=50,
                                                                             internal_batch_size=ig_batch),
        "grad_cam": lambda: captum_grad_cam(model, LayerGradCam, x),
        "occlusion": lambda: Occlusion(model).attribute(x, target=1, sliding_window_shapes=(3, 8, 8),
                                                        strides=(3, 4, 4), perturbations_per_eval=per_eval),
    }
    return {name: median_seconds(call, repeats=repeats) for name, call in calls.items() if name in methods_for(setting)}


def methods_for(setting):
    return METHODS if setting == "defaults" else ["integrated_gradients", "occlusion"]


def captum_grad_cam(model, layer_grad_cam, x):
    """Grad-CAM as a captum user writes it: the layer map, then upsampled to the input."""
    from captum.attr import LayerAttribution

    layer_map = layer_grad_cam(model, model[3]).attribute(x, target=1, relu_attributions=True)
    return LayerAttribution.interpolate(layer_map, x.shape[2:], interpolate_mode="bilinear")


def images():
    return np.random.default_rng(0).random((BATCH, 3, SIZE, SIZE)).astype(np.float32)


# --------------------------------------------------------------------------- the driver

def write_weights(folder):
    """Random weights, shared by both sides through a plain .npz (no pickle)."""
    import tinygrad_edu as tg
    from tinygrad_edu import nn

    tg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 16 * 16, 2))
    path = os.path.join(folder, "weights.npz")
    np.savez(path, **model.state_dict())
    return path


def run_side(side, weights_path, setting, threads, repeats):
    return run_worker("benchmarks.bench_attributions", side, threads,
                      ["--weights", weights_path, "--setting", setting, "--repeats", str(repeats)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--worker", choices=["ours", "captum"])
    parser.add_argument("--weights")
    parser.add_argument("--setting", choices=SETTINGS, default="defaults")
    args = parser.parse_args(argv)
    if args.worker:
        timings = (ours_timings if args.worker == "ours" else captum_timings)(args.weights, args.setting, args.repeats)
        print(json.dumps(timings))
        return
    try:
        import captum  # noqa: F401  (only to know whether the captum side can run)
    except ImportError:
        print("captum is not installed: nothing to compare with")
        return
    info = machine(args.threads)
    print_machine(info)
    results = {"machine": info, "batch": BATCH, "size": SIZE, "rounds": args.rounds, "settings": {}}
    with tempfile.TemporaryDirectory() as folder:
        weights = write_weights(folder)
        for setting in SETTINGS:
            rounds = {"ours": [], "captum": []}
            for _ in range(args.rounds):
                for side in ("ours", "captum"):  # alternating, so drift hits both alike
                    rounds[side].append(run_side(side, weights, setting, args.threads, args.repeats))
            results["settings"][setting] = summarise(rounds)
            print_setting(setting, results["settings"][setting])
    write_results(f"attributions_{args.threads}threads", results)


def summarise(rounds):
    summary = {}
    for method in rounds["ours"][0]:
        ours = [r[method] for r in rounds["ours"]]
        theirs = [r[method] for r in rounds["captum"]]
        summary[method] = {"ours_ms": 1e3 * float(np.median(ours)), "captum_ms": 1e3 * float(np.median(theirs)),
                           "ours_spread_ms": [1e3 * min(ours), 1e3 * max(ours)],
                           "captum_spread_ms": [1e3 * min(theirs), 1e3 * max(theirs)],
                           "ratio": float(np.median(ours) / np.median(theirs))}
    return summary


def print_setting(setting, summary):
    print(f"\n{setting}: batch {BATCH} x 3 x {SIZE} x {SIZE}, median of round medians (min-max over rounds)")
    print(f"{'method':>22}  {'ours ms':>20}  {'captum ms':>20}  {'ours/captum':>11}")
    for method, row in summary.items():
        ours = f"{row['ours_ms']:.1f} ({row['ours_spread_ms'][0]:.1f}-{row['ours_spread_ms'][1]:.1f})"
        theirs = f"{row['captum_ms']:.1f} ({row['captum_spread_ms'][0]:.1f}-{row['captum_spread_ms'][1]:.1f})"
        print(f"{method:>22}  {ours:>20}  {theirs:>20}  {row['ratio']:>11.2f}")


if __name__ == "__main__":
    main()
