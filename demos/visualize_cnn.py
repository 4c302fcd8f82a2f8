"""Lecture: "visualization is crucial": three ways to see what a convnet learned.

The digits convnet (tinygrad_edu.models.digits_convnet) is trained briefly on
scikit-learn's 8x8 digits, then looked at from every side explain/ offers:

1. every layer's feature maps for one digit (Chollet's display), and the
   filters of both convolution layers (red > 0, blue < 0, white = 0);
2. what maximally activates each filter of the second conv layer: gradient
   ascent from grey noise (for the first layer the filters themselves are the answer);
3. which pixels a decision rests on: saliency, SmoothGrad, Integrated
   Gradients, Grad-CAM, occlusion and LIME side by side on the same digits;
4. whether those maps mean anything: the cascading randomisation check
   (Adebayo et al. 2018) for saliency and Grad-CAM, against an "explanation"
   that ignores the model (Sobel edges), which must fail.

    python -m demos.visualize_cnn [--fast] [--out out]
    (writes out/visualize_cnn_{activations,filters_conv1,filters_conv2,patterns_conv2,
     attributions,randomization}.png)
"""
import argparse
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from skimage import filters  # noqa: E402

import explain  # noqa: E402
import tinygrad_edu as tg  # noqa: E402
from demos.main import load_digit_split  # noqa: E402
from tinygrad_edu import functional as F  # noqa: E402
from tinygrad_edu import optim  # noqa: E402
from tinygrad_edu.models import digits_convnet  # noqa: E402
from tinygrad_edu.io.atomic import save_figure  # noqa: E402

FEATURE_LAYERS = ["0", "1", "2", "3", "4", "5"]   # conv, relu, pool, conv, relu, pool
LIME_BLOCKS = 2                                     # LIME's superpixels: 2x2 blocks of the 8x8 digit


def train(seed, epochs):
    x_train, y_train, x_test, y_test = load_digit_split(seed)
    x_train, x_test = x_train.reshape(-1, 1, 8, 8), x_test.reshape(-1, 1, 8, 8)
    tg.manual_seed(seed)
    model = digits_convnet()
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), x_train, y_train,
           epochs=epochs, batch_size=32, seed=seed, verbose=0)
    _, accuracy = tg.evaluate(model, F.cross_entropy, x_test, y_test)
    return model.eval(), accuracy, x_test, y_test


def show_maps_and_filters(model, digit, out):
    acts = explain.activations(model, digit[None], layers=FEATURE_LAYERS)
    save_figure(explain.plot_activations(acts, image=digit), os.path.join(out, "visualize_cnn_activations.png"))
    save_figure(explain.plot_filters(model[0]), os.path.join(out, "visualize_cnn_filters_conv1.png"))
    save_figure(explain.plot_filters(model[3], max_filters=8), os.path.join(out, "visualize_cnn_filters_conv2.png"))
    plt.close("all")


def show_patterns(model, steps, out):
    histories = {}
    # The ReLU after the second conv, as Keras' conv layers include their activation. The first
    # layer is left out on purpose: the input maximising the MEAN of relu(w * x + b) over a map is
    # a flat image (the filter's weights summed), which says nothing; its filters say it all.
    figure = explain.plot_filter_patterns(model, "4", range(16), input_shape=(1, 16, 16), steps=steps)
    save_figure(figure, os.path.join(out, "visualize_cnn_patterns_conv2.png"))
    for channel in (0, 1):
        histories[channel] = explain.maximize_activation(model, "4", channel, (1, 16, 16), steps=steps).history
    plt.close("all")
    return histories


def lime_heatmaps(model, digits, targets, samples, seed):
    """LIME on 2x2 blocks (16 superpixels) with a black fill, one (8, 8) heat map per digit."""
    blocks = (np.arange(8)[:, None] // LIME_BLOCKS) * (8 // LIME_BLOCKS) + np.arange(8)[None, :] // LIME_BLOCKS
    classifier = explain.model_fn(model)
    maps = []
    for digit, target in zip(digits, targets):
        explainer = explain.LimeImageExplainer(random_state=seed)
        explanation = explainer.explain_instance(digit[0][..., None], classifier, labels=(int(target),),
                                                 top_labels=None, hide_color=0, num_samples=samples,
                                                 segmentation_fn=lambda image: blocks)
        maps.append(explanation.heatmap(int(target)))
    return np.stack(maps)


def attribution_maps(model, digits, targets, fast, seed):
    """{method: (N, 8, 8) heat map} for the six methods, each on the predicted class."""
    results = {
        "saliency": explain.saliency(model, digits, targets),
        "SmoothGrad": explain.smoothgrad(model, digits, targets, samples=10 if fast else 25, seed=seed),
        "Integrated\nGradients": explain.integrated_gradients(model, digits, targets, steps=20 if fast else 50),
        "Grad-CAM\n(last conv)": explain.grad_cam(model, digits, targets),
        "occlusion\n2x2 window": explain.occlusion(model, digits, targets, window=(2, 2), stride=(1, 1)),
    }
    maps = {name: result.heatmap() for name, result in results.items()}
    maps["LIME\n2x2 blocks"] = lime_heatmaps(model, digits, targets, 100 if fast else 300, seed)
    return maps, results["Integrated\nGradients"].delta


def show_attributions(digits, targets, maps, out):
    """Rows: digits; columns: the input, then each method's map scaled by its own max |value|."""
    names = list(maps)
    figure, axes = plt.subplots(len(digits), len(names) + 1, figsize=(1.6 * (len(names) + 1) + 1, 1.7 * len(digits)),
                                squeeze=False)
    for row, (digit, target) in enumerate(zip(digits, targets)):
        axes[row, 0].imshow(digit[0], cmap="gray")
        axes[row, 0].set_ylabel(f"predicted {target}")
        for column, name in enumerate(names, start=1):
            heat = maps[name][row]
            scale = np.abs(heat).max() or 1.0
            shown = axes[row, column].imshow(heat / scale, cmap="RdBu_r", vmin=-1, vmax=1)
            if row == 0:
                axes[row, column].set_title(name, fontsize=9)
    axes[0, 0].set_title("input", fontsize=9)
    for axis in axes.ravel():
        axis.set_xticks([])
        axis.set_yticks([])
    figure.suptitle("Which pixels does the prediction rest on? (red: for the class, blue: against)")
    figure.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.6, label="attribution / max |attribution| of that map")
    save_figure(figure, os.path.join(out, "visualize_cnn_attributions.png"))
    plt.close(figure)


def sobel_edges(model, x, target):
    """A fake explanation that never asks the model: the digit's edges."""
    return explain.Attribution(np.stack([[filters.sobel(image[0])] for image in x]), "sobel_edges", target)


def show_randomization(model, digits, targets, seed, out):
    checks = {name: explain.randomization_check(model, digits, targets, method, seed=seed)
              for name, method in (("saliency", explain.saliency), ("Grad-CAM", explain.grad_cam),
                                   ("Sobel edges", sobel_edges))}
    figure, ax = plt.subplots(figsize=(6.5, 4))
    for check in checks.values():
        check.plot(ax=ax)
    ax.set_title("Randomisation check: a map that explains the model must change")
    figure.tight_layout()
    save_figure(figure, os.path.join(out, "visualize_cnn_randomization.png"))
    plt.close(figure)
    return checks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="default 15 (4 with --fast)")
    parser.add_argument("--fast", action="store_true", help="fewer epochs, steps and samples (for tests)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    model, accuracy, x_test, y_test = train(args.seed, args.epochs or (4 if args.fast else 15))
    print(f"digits convnet test accuracy: {accuracy:.2%} on {len(x_test)} held-out digits")
    _, first_of_each = np.unique(y_test, return_index=True)
    digits = x_test[np.sort(first_of_each)[:5]]       # five different digits
    targets = model(tg.Tensor(digits)).data.argmax(axis=1)

    show_maps_and_filters(model, digits[0], args.out)
    histories = show_patterns(model, 15 if args.fast else 40, args.out)
    maps, delta = attribution_maps(model, digits, targets, args.fast, args.seed)
    show_attributions(digits, targets, maps, args.out)
    checks = show_randomization(model, digits, targets, args.seed, args.out)
    for name, check in checks.items():
        rhos = ", ".join(f"{layer}: {rho:.2f}" for layer, rho in zip(check.layers, check.correlations))
        print(f"randomisation check, {name:11s} {'passed' if check.passed else 'FAILED'}  ({rhos})")
    print(f"Integrated Gradients completeness error |delta|: max {np.abs(delta).max():.2e}")
    print(f"saved the figures to {args.out}/visualize_cnn_*.png")
    return {"accuracy": accuracy, "targets": targets, "maps": maps, "checks": checks,
            "pattern_histories": histories, "ig_delta": delta}


if __name__ == "__main__":
    main()
