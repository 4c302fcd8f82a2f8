"""Forward hooks and Sequential surgery, with PyTorch's meanings."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


def small_net():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def test_hook_sees_inputs_and_output():
    model = small_net()
    seen = {}

    def hook(module, inputs, output):
        seen["module"], seen["inputs"], seen["output"] = module, inputs, output

    model[1].register_forward_hook(hook)
    x = tg.Tensor(np.random.default_rng(0).normal(size=(5, 4)), dtype=np.float32)
    model(x)
    assert seen["module"] is model[1]
    assert isinstance(seen["inputs"], tuple) and len(seen["inputs"]) == 1
    np.testing.assert_array_equal(seen["output"].data, np.maximum(seen["inputs"][0].data, 0))


def test_returned_value_replaces_output_and_remove_detaches():
    model = small_net()
    x = tg.Tensor(np.random.default_rng(1).normal(size=(2, 4)), dtype=np.float32)
    plain = model(x).data.copy()
    handle = model[1].register_forward_hook(lambda module, inputs, output: output * 0.0)
    patched = model(x).data
    np.testing.assert_allclose(patched, np.broadcast_to(model[2].bias.data, patched.shape))
    handle.remove()
    np.testing.assert_array_equal(model(x).data, plain)


def test_hook_returning_none_keeps_output_and_gradient_flows_through_replacement():
    model = small_net()
    x = tg.Tensor(np.ones((2, 4), dtype=np.float32), requires_grad=True)
    model[0].register_forward_hook(lambda m, i, o: None)
    model[2].register_forward_hook(lambda m, i, o: o * 2.0)
    model(x).sum().backward()
    doubled = x.grad.copy()
    x.grad = None
    model[2]._forward_hooks.clear()
    model(x).sum().backward()
    np.testing.assert_allclose(doubled, 2 * x.grad)


def test_hook_must_be_callable():
    with pytest.raises(TypeError, match="callable hook"):
        nn.ReLU().register_forward_hook(3)


def test_setitem_replaces_head_and_keeps_keys():
    model = small_net()
    keys = list(model.state_dict())
    model[-1] = nn.Linear(8, 5)
    assert list(model.state_dict()) == keys
    assert model(tg.Tensor(np.zeros((1, 4), dtype=np.float32))).shape == (1, 5)
    assert model[2] is model[-1]


def test_slice_is_sequential_sharing_layers():
    model = small_net()
    body = model[:2]
    assert isinstance(body, nn.Sequential) and len(body) == 2
    assert body[0] is model[0]
    assert list(body.state_dict()) == ["0.weight", "0.bias"]
    x = tg.Tensor(np.random.default_rng(2).normal(size=(3, 4)), dtype=np.float32)
    np.testing.assert_array_equal(model[2](body(x)).data, model(x).data)


def test_insert_and_append_renumber_like_torch():
    model = small_net()
    model.insert(1, nn.Dropout(0.5))
    model.append(nn.Softmax(dim=1))
    assert [type(m).__name__ for m in model] == ["Linear", "Dropout", "ReLU", "Linear", "Softmax"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    del model[1]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(model) == 4


def test_surgery_errors_name_what_was_wrong():
    model = small_net()
    with pytest.raises(IndexError, match="index 3 is out of range for Sequential of length 3"):
        model[3]
    with pytest.raises(TypeError, match="Sequential holds Modules, got int"):
        model[0] = 5
    with pytest.raises(TypeError, match="indices must be integers or slices, got str"):
        model["0"]
