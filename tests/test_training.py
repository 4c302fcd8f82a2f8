"""fit / evaluate / predict / summary / plot_history on the 8x8 digits bundled with scikit-learn."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1400], order[1400:]
    return x[train], data.target[train], x[test], data.target[test]


def two_layer_mlp():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def test_a_two_layer_mlp_reaches_95_percent_on_the_digits(digits):
    x_train, y_train, x_test, y_test = digits
    model = two_layer_mlp()
    history = tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=1e-2), x_train, y_train,
                     epochs=12, batch_size=32, validation_data=(x_test, y_test), seed=0, verbose=0)
    loss, accuracy = tg.evaluate(model, F.cross_entropy, x_test, y_test)
    assert accuracy >= 0.95
    assert history.history["val_accuracy"][-1] == pytest.approx(accuracy)
    assert history["loss"][-1] < history["loss"][0]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == list(range(12))


def test_the_same_seed_gives_the_same_history(digits):
    x_train, y_train, _, _ = digits

    def run():
        model = two_layer_mlp()
        return tg.fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                      x_train[:300], y_train[:300], epochs=2, batch_size=50, seed=5, verbose=0).history

    assert run() == run()


def test_augment_is_applied_to_training_batches_only(digits):
    x_train, y_train, x_test, y_test = digits
    calls = []

    def recording_augment(x_batch, rng):
        calls.append((x_batch.shape, type(rng)))
        return x_batch

    model = two_layer_mlp()
    tg.fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), x_train[:100], y_train[:100],
           epochs=3, batch_size=32, validation_data=(x_test, y_test), augment=recording_augment, verbose=0)
    assert len(calls) == 3 * 4  # 4 batches (32+32+32+4) per epoch, never the validation data
    assert all(rng is np.random.Generator for _, rng in calls)
    assert sorted({shape[0] for shape, _ in calls}) == [4, 32]


def test_an_augmentation_that_destroys_the_input_stops_learning(digits):
    x_train, y_train, x_test, y_test = digits
    model = two_layer_mlp()
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=1e-2), x_train, y_train, epochs=3,
           batch_size=64, augment=lambda x, rng: np.zeros_like(x), verbose=0)
    _, accuracy = tg.evaluate(model, F.cross_entropy, x_test, y_test)
    assert accuracy < 0.3


def test_progress_bar_is_shown_per_epoch(digits, capsys):
    x_train, y_train, _, _ = digits
    model = two_layer_mlp()
    tg.fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), x_train[:64], y_train[:64],
           epochs=2, batch_size=32, verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 1/2" in err and "Epoch 2/2" in err and "accuracy" in err


def test_predict_and_evaluate_leave_the_training_mode_alone(digits):
    _, _, x_test, y_test = digits
    model = two_layer_mlp()
    outputs = tg.predict(model, x_test, batch_size=100)
    assert outputs.shape == (len(x_test), 10) and model.training
    loss, accuracy = tg.evaluate(model, F.cross_entropy, x_test, y_test)
    expected = np.mean(outputs.argmax(axis=1) == y_test)
    assert accuracy == pytest.approx(expected) and model.training


def test_binary_classifier_accuracy_uses_the_sign_of_the_logit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    tg.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 1), nn.Flatten(0))
    history = tg.fit(model, F.binary_cross_entropy_with_logits, optim.Adam(model.parameters(), lr=0.05),
                     x, y, epochs=20, batch_size=50, verbose=0)
    assert history["accuracy"][-1] > 0.95


def test_fit_rejects_mismatched_data():
    model = two_layer_mlp()
    with pytest.raises(ValueError, match="10 inputs but 9 targets"):
        tg.fit(model, F.cross_entropy, optim.SGD(model.parameters()), np.zeros((10, 64)), np.zeros(9, int))
    with pytest.raises(ValueError, match="batch_size >= 1"):
        tg.fit(model, F.cross_entropy, optim.SGD(model.parameters()), np.zeros((10, 64)), np.zeros(10, int),
               batch_size=0)


def test_summary_lists_layers_shapes_and_parameter_counts():
    model = two_layer_mlp()
    lines = []
    text = tg.summary(model, (64,), print_fn=lines.append)
    assert lines == [text]
    assert "0 (Linear)" in text and "(None, 64)" in text and "4,160" in text
    assert "2 (Linear)" in text and "(None, 10)" in text and "650" in text
    assert "Total params: 4,810" in text and "Non-trainable params: 0" in text
    model[0].requires_grad_(False)
    assert "Non-trainable params: 4,160" in tg.summary(model, (64,), print_fn=None)
    assert "forward" not in model[0].__dict__  # summary never patches forward
    assert all(not module._forward_hooks for module in model.modules())  # its recording hooks are removed


def test_plot_history_draws_training_and_validation_curves(tmp_path):
    history = tg.History()
    for epoch in range(3):
        history.record(epoch, {"loss": 1.0 / (epoch + 1), "accuracy": 0.5 + 0.1 * epoch,
                               "val_loss": 1.2 / (epoch + 1), "val_accuracy": 0.4 + 0.1 * epoch})
    figure = tg.plot_history(history, path=tmp_path / "history.png")
    assert [axis.get_ylabel() for axis in figure.axes] == ["loss", "accuracy"]
    assert len(figure.axes[0].lines) == 2
    np.testing.assert_allclose(figure.axes[1].lines[1].get_ydata(), [0.4, 0.5, 0.6])
    assert (tmp_path / "history.png").read_bytes()[:4] == b"\x89PNG"


def test_fit_with_an_augment_pipeline_is_repeatable_and_differs_from_no_augmentation(digits):
    import augment

    x_train, y_train, _, _ = digits
    images = x_train[:256].reshape(-1, 1, 8, 8)
    pipeline = augment.Compose([augment.RandomRotation(degrees=15)], policy=augment.DIGITS)

    def run(augmentation):
        tg.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        return tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=1e-2), images, y_train[:256],
                      epochs=2, batch_size=64, seed=1, augment=augmentation, verbose=0).history

    assert run(pipeline) == run(pipeline)
    assert run(pipeline) != run(None)


def test_plot_history_names_the_held_out_curve_as_told():
    history = tg.History()
    for epoch in range(2):
        history.record(epoch, {"loss": 1.0, "val_loss": 1.1})
    figure = tg.plot_history(history, validation_label="test", title="t")
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend == ["training loss", "test loss"]
    assert figure._suptitle.get_text() == "t"
