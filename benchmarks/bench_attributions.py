"""Benchmark: explain's attributions against captum on the identical torch network.

The wolves-vs-huskies-sized convnet (conv 3->16 k3, ReLU, maxpool 2, conv 16->32 k3,
ReLU, maxpool 2, flatten, linear -> 2) at 64x64, batch 16, float32: saliency,
Integrated Gradients (50 steps, gausslegendre), Grad-CAM (last conv), occlusion
(8x8 window, stride 4). Two settings:
    defaults   each library's defaults (captum: perturbations_per_eval=1,
               internal_batch_size=None; ours: batch_size=64, internal_batch_size=None)
    same       the same batching (IG 160 rows per pass on both; occlusion 64
               occluded copies of each image per pass on both)
Each side runs in its OWN process (two libraries' thread pools in one process slow
each other), the sides alternate for ROUNDS rounds, both single-threaded (torch
threads and OMP/OPENBLAS/MKL/NUMBA). Prints medians and the spread (min-max) and
writes benchmarks/results/attributions.json (atomically).

Run from the repository root:  python -m benchmarks.bench_attributions
"""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
ROUNDS = 3
BATCH, SIZE, STEPS = 16, 64, 50
METHODS = ("saliency", "integrated_gradients", "grad_cam", "occlusion")
SETTINGS = ("defaults", "same")


def build_ours():
    import tinygrad_edu as tg
    from tinygrad_edu import nn
    tg.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 14 * 14, 2))


def inputs():
    import numpy as np
    return np.random.default_rng(0).random((BATCH, 3, SIZE, SIZE)).astype(np.float32), [0, 1] * (BATCH // 2)


def ours_calls(weights_path):
    import numpy as np
    import explain
    model = build_ours()
    model.load_state_dict(dict(np.load(weights_path)))
    x, target = inputs()
    return {
        "defaults": {
            "saliency": lambda: explain.saliency(model, x, target),
            "integrated_gradients": lambda: explain.integrated_gradients(model, x, target, steps=STEPS),
            "grad_cam": lambda: explain.grad_cam(model, x, target),
            "occlusion": lambda: explain.occlusion(model, x, target, window=(8, 8), stride=(4, 4)),
        },
        "same": {
            "saliency": lambda: explain.saliency(model, x, target),
            "integrated_gradients": lambda: explain.integrated_gradients(model, x, target, steps=STEPS,
                                                                         internal_batch_size=10 * BATCH),
            "grad_cam": lambda: explain.grad_cam(model, x, target),
            "occlusion": lambda: explain.occlusion(model, x, target, window=(8, 8), stride=(4, 4), batch_size=64),
        },
    }


def captum_calls(weights_path):
    import numpy as np
    import torch
    from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Occlusion, Saliency
    torch.set_num_threads(1)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(16, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(32 * 14 * 14, 2))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in np.load(weights_path).items()})
    net.eval()
    x, target = inputs()
    x = torch.from_numpy(x)

    def cam():
        layer_map = LayerGradCam(net, net[3]).attribute(x, target=target, relu_attributions=True)
        return LayerAttribution.interpolate(layer_map, (SIZE, SIZE), interpolate_mode="bilinear")

    def occ(per_eval):
        return lambda: Occlusion(net).attribute(x, sliding_window_shapes=(3, 8, 8), strides=(3, 4, 4), target=target,
                                                perturbations_per_eval=per_eval)

    saliency = lambda: Saliency(net).attribute(x, target=target)
    return {
        "defaults": {"saliency": saliency,
                     "integrated_gradients": lambda: IntegratedGradients(net).attribute(x, target=target, n_steps=STEPS),
                     "grad_cam": cam, "occlusion": occ(1)},
        "same": {"saliency": saliency,
                 "integrated_gradients": lambda: IntegratedGradients(net).attribute(
                     x, target=target, n_steps=STEPS, internal_batch_size=10 * BATCH),
                 "grad_cam": cam, "occlusion": occ(64)},
    }


def run_side(side, weights_path):
    """One process, one library: a warm-up then one timed call per (setting, method); JSON on stdout."""
    calls = (ours_calls if side == "ours" else captum_calls)(weights_path)
    times = {}
    for setting in SETTINGS:
        for method in METHODS:
            calls[setting][method]()  # warm-up (Numba compilation, caches)
            start = time.perf_counter()
            calls[setting][method]()
            times[f"{setting}/{method}"] = time.perf_counter() - start
    print(json.dumps(times))


def machine():
    """CPU model and SIMD flags from /proc/cpuinfo, core count, numpy's BLAS."""
    import numpy as np
    cpu, simd = platform.processor() or "unknown", ""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    simd = " ".join(f for f in line.split(":", 1)[1].split() if f.startswith(("avx", "fma", "sse4")))
                    break
    except OSError:
        pass
    config = getattr(np.__config__, "CONFIG", {})
    blas = config.get("Build Dependencies", {}).get("blas", {})
    return {"cpu": cpu, "simd": simd, "cores": os.cpu_count(), "numpy": np.__version__,
            "blas": f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()}


def write_json(path, payload):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(payload, out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def main():
    import numpy as np
    from benchmarks.common import optional_import, print_table
    if optional_import("captum") is None or optional_import("torch") is None:
        print("bench_attributions: torch and captum are not installed; nothing to compare against")
        return
    env = dict(os.environ, **{variable: "1" for variable in THREAD_VARIABLES})
    with tempfile.TemporaryDirectory() as folder:
        weights_path = os.path.join(folder, "weights.npz")
        np.savez(weights_path, **{k: np.asarray(v) for k, v in build_ours().state_dict().items()})
        runs = {"ours": [], "captum": []}
        for round_index in range(ROUNDS):
            for side in ("ours", "captum") if round_index % 2 == 0 else ("captum", "ours"):
                output = subprocess.run([sys.executable, "-m", "benchmarks.bench_attributions", "--side", side, weights_path],
                                        env=env, capture_output=True, text=True, check=True).stdout
                runs[side].append(json.loads(output.strip().splitlines()[-1]))
    rows, results = [], {}
    for key in runs["ours"][0]:
        ours = [run[key] for run in runs["ours"]]
        theirs = [run[key] for run in runs["captum"]]
        median_ours, median_theirs = float(np.median(ours)), float(np.median(theirs))
        results[key] = {"ours_s": ours, "captum_s": theirs, "ours_median_s": median_ours, "captum_median_s": median_theirs,
                        "ratio_ours_over_captum": median_ours / median_theirs}
        rows.append([key, f"{median_ours:.3f} ({min(ours):.3f}-{max(ours):.3f})",
                     f"{median_theirs:.3f} ({min(theirs):.3f}-{max(theirs):.3f})", f"{median_ours / median_theirs:.2f}"])
    info = machine()
    print(f"machine: {info}")
    print_table(f"attributions, batch {BATCH} x 3 x {SIZE} x {SIZE} float32, 1 thread each, {ROUNDS} rounds, "
                "median (min-max) seconds", ["setting/method", "ours", "captum", "ours/captum"], rows)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "attributions.json")
    write_json(path, {"machine": info, "rounds": ROUNDS, "batch": BATCH, "size": SIZE, "steps": STEPS, "results": results})
    print(f"wrote {path}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--side":
        for variable in THREAD_VARIABLES:
            os.environ.setdefault(variable, "1")
        run_side(sys.argv[2], sys.argv[3])
    else:
        main()
