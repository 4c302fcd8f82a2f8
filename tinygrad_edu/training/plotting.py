"""Pictures of learning: the curves of a training History.

``plot_history`` draws the loss and accuracy curves that ``fit`` recorded,
training and validation side by side, one panel per metric, one point per epoch.

Read next: tinygrad_edu/io/atomic.py.
"""
from ..io.atomic import save_figure


def plot_history(history, path=None, validation_label="validation", title=None):
    """Loss (and accuracy, if recorded) per epoch, for training and validation data.

    fit() records whatever it was given as ``validation_data`` under "val_*";
    pass ``validation_label="test"`` when that was the test set, so the
    figure does not call it what it is not.
    """
    curves = history.history if hasattr(history, "history") else history
    panels = [name for name in ("loss", "accuracy") if name in curves]
    import matplotlib.pyplot as plt  # imported on first use: pyplot costs ~1 s at import
    from matplotlib.ticker import MaxNLocator

    figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for axis, name in zip(axes[0], panels):
        epochs = range(1, len(curves[name]) + 1)
        axis.plot(epochs, curves[name], "o-", label=f"training {name}")
        if f"val_{name}" in curves:
            axis.plot(epochs, curves[f"val_{name}"], "s--", label=f"{validation_label} {name}")
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_ylabel(name, parse_math=False)
        axis.grid(alpha=0.3)
        for text in axis.legend().get_texts():   # the labels are drawn as written, never as mathtext
            text.set_parse_math(False)
    if title is not None:
        figure.suptitle(title, parse_math=False)
    figure.tight_layout()
    if path is not None:
        save_figure(figure, path)
    return figure
