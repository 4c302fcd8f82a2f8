"""Module, Parameter, Linear and friends: the torch.nn surface and its conventions."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn


def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = mlp()
        self.head = nn.Linear(3, 2, bias=False)

    def forward(self, x):
        return self.head(self.features(x).tanh())


def test_dtype_is_the_parameters_dtype():
    net = Net()
    assert net.dtype == np.float32
    assert net.double().dtype == np.float64 and net.float().dtype == np.float32
    assert nn.ReLU().dtype == np.float32  # no parameters: the default


def test_parameters_are_found_through_the_module_tree():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias", "head.weight"]
    assert [type(c).__name__ for c in net.children()] == ["Sequential", "Linear"]
    assert len(net.parameters()) == 5 and net.head.bias is None


def test_state_dict_keys_and_shapes_match_pytorch():
    torch = pytest.importorskip("torch")
    ours = Net()

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                                                torch.nn.Linear(8, 3))
            self.head = torch.nn.Linear(3, 2, bias=False)

    theirs = TorchNet()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    # weights copied from torch give torch's outputs
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    theirs.eval(), ours.eval()
    expected = theirs.head(torch.tanh(theirs.features(torch.from_numpy(x)))).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


def test_linear_forward_and_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(5, 3).double()
    ours = nn.Linear(5, 3).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(1).normal(size=(2, 7, 5))
    x_t = torch.tensor(x, requires_grad=True)
    theirs(x_t).pow(2).sum().backward()
    x_o = Tensor(x, requires_grad=True)
    (ours(x_o) ** 2).sum().backward()
    np.testing.assert_allclose(x_o.grad, x_t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-10)


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    tg.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    assert layer.weight.dtype == np.float32
    for values in (layer.weight.data, layer.bias.data):
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.95 * bound  # it really spans the range
    # a uniform on [-b, b] has standard deviation b / sqrt(3)
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)


def test_manual_seed_makes_initialisation_repeatable():
    tg.manual_seed(3)
    first = nn.Linear(3, 3).weight.data.copy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(3, 3).weight.data, first)


def test_train_and_eval_switch_dropout():
    net = mlp()
    x = Tensor(np.ones((64, 4), dtype=np.float32))
    net.eval()
    assert not any(m.training for m in net.modules())
    np.testing.assert_array_equal(net(x).data, net(x).data)
    net.train()
    assert all(m.training for m in net.modules())
    assert not np.array_equal(net[2](x).data, x.data)


def test_zero_grad_and_freezing():
    net = Net()
    net(Tensor(np.ones((2, 4), dtype=np.float32))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.features.requires_grad_(False)
    net(Tensor(np.ones((2, 4), dtype=np.float32))).sum().backward()
    assert all(p.grad is None for p in net.features.parameters())
    assert net.head.weight.grad is not None


def test_double_and_float_cast_every_parameter():
    net = Net().double()
    assert all(p.dtype == np.float64 for p in net.parameters())
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_load_state_dict_names_missing_unexpected_and_mis_shaped_keys():
    net = Net()
    state = net.state_dict()
    del state["head.weight"]
    state["extra.weight"] = np.zeros(3)
    state["features.0.bias"] = np.zeros(9)
    with pytest.raises(KeyError) as error:
        net.load_state_dict(state)
    message = str(error.value)
    assert "missing keys: head.weight" in message
    assert "unexpected keys: extra.weight" in message
    assert "features.0.bias: checkpoint (9,) vs model (8,)" in message


def test_load_state_dict_non_strict_reports_but_loads_what_fits():
    net = Net()
    state = {"head.weight": np.full((2, 3), 7.0, dtype=np.float32), "other": np.zeros(1)}
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert unexpected == ["other"] and "features.0.weight" in missing
    np.testing.assert_array_equal(net.head.weight.data, 7.0)


def test_save_and_load_roundtrip_a_model(tmp_path):
    net = Net()
    path = tmp_path / "net.npz"
    tg.save(net.state_dict(), path)
    other = Net()
    other.load_state_dict(tg.load(path))
    for (name, a), (_, b) in zip(net.state_dict().items(), other.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_linear_rejects_the_wrong_feature_count():
    with pytest.raises(ValueError, match=r"Linear expected input with 4 features .* got shape \(2, 5\)"):
        nn.Linear(4, 2)(Tensor(np.ones((2, 5), dtype=np.float32)))


def test_module_subclass_that_forgets_super_init_gets_told():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"must call super\(\).__init__\(\)"):
        Broken()


def test_repr_reads_like_pytorch():
    text = repr(mlp())
    assert "(0): Linear(in_features=4, out_features=8, bias=True)" in text
    assert "(2): Dropout(p=0.2)" in text


def test_flatten_and_activation_layers():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4) - 12)
    assert nn.Flatten()(x).shape == (2, 12)
    with pytest.raises(IndexError, match="flatten: dim 5 is out of range"):  # as torch, not wrapped around
        nn.Flatten(5)(x)
    with pytest.raises(ValueError, match="start_dim 2 comes after end_dim 0"):
        nn.Flatten(2, 0)(x)
    np.testing.assert_array_equal(nn.ReLU()(x).data, np.maximum(x.data, 0))
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).data.sum(axis=1), 1.0)
