"""The lecture's vision networks: shapes, PyTorch-compatible weights, and the 8x8-digits convnet learning."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, models
from tinygrad_edu import functional as F


def torch_keras_convnet(torch):
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 10))


def test_keras_convnet_shapes_follow_the_book():
    model = models.keras_mnist_convnet()
    x = Tensor(np.zeros((2, 1, 28, 28), np.float32))
    sizes = []
    for layer in model:
        x = layer(x)
        sizes.append(x.shape[1:])
    assert sizes[:6] == [(32, 26, 26), (32, 26, 26), (32, 13, 13), (64, 11, 11), (64, 11, 11), (64, 5, 5)]
    assert sizes[-1] == (10,)


def test_keras_convnet_matches_torch_outputs_and_every_gradient():
    torch = pytest.importorskip("torch")
    tg.manual_seed(0)
    ours = models.keras_mnist_convnet()
    theirs = torch_keras_convnet(torch)
    theirs.load_state_dict({key: torch.tensor(value) for key, value in ours.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.random((4, 1, 28, 28), dtype=np.float32)
    y = np.array([3, 1, 4, 1])

    loss = F.cross_entropy(ours(Tensor(x)), y)
    loss.backward()
    expected = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    their_parameters = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad, their_parameters[name].grad.numpy(),
                                   rtol=1e-3, atol=1e-6, err_msg=name)


def test_state_dict_keys_and_shapes_match_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    twins = [
        (models.keras_mnist_convnet(), torch_keras_convnet(torch)),
        (models.mnist_mlp(), nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))),
        (models.digits_convnet(),
         nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                       nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 10))),
    ]
    for ours, theirs in twins:
        assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]


def test_mlp_takes_flat_vectors_or_images():
    model = models.mnist_mlp()
    images = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    from_images = model(Tensor(images))
    from_vectors = model(Tensor(images.reshape(3, 784)))
    assert from_images.shape == (3, 10)
    np.testing.assert_array_equal(from_images.data, from_vectors.data)


def test_digits_convnet_reaches_97_percent_with_fit():
    datasets = pytest.importorskip("sklearn.datasets")
    from sklearn.model_selection import train_test_split

    from tinygrad_edu.optim import Adam
    from tinygrad_edu.training.loop import evaluate, fit

    digits = datasets.load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8) in [0, 1]
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
    tg.manual_seed(0)
    model = models.digits_convnet()
    history = fit(model, F.cross_entropy, Adam(model.parameters(), lr=5e-3), x_train, y_train,
                  epochs=15, batch_size=32, seed=0, verbose=0)
    _, accuracy = evaluate(model, F.cross_entropy, x_test, y_test)
    assert accuracy >= 0.97, f"test accuracy {accuracy:.4f} after training; history {history}"
