"""The version counter: data changed between forward and backward is an error, not a wrong gradient.

Each op records the version of every tensor whose data its backward reads;
an edit that goes through the Tensor (``.data =``, ``x.data -= ...``,
``x[i] = v``, zero_/fill_/copy_, an optimizer step) bumps it, and backward
refuses a stale graph, as PyTorch does. Raw numpy writes into the array are
caught under detect_anomaly(), which keeps a copy.
"""
import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, nn
from tinygrad_edu.optim import SGD, Adadelta, Adam, RMSprop

STALE = "modified by an in-place operation"


def _leaf(values=(1.0, 2.0, 3.0)):
    return Tensor(np.array(values), requires_grad=True)


def _assign(x):
    x.data = np.zeros(3)


def _augmented_add(x):
    x.data += 1


def _augmented_sub(x):
    x.data -= 0.5 * np.ones(3)


def _augmented_mul(x):
    x.data *= 2


def _index_write(x):
    with tg.no_grad():
        x[0] = 5.0


def _zero(x):
    with tg.no_grad():
        x.zero_()


def _fill(x):
    with tg.no_grad():
        x.fill_(7.0)


def _copy(x):
    with tg.no_grad():
        x.copy_(np.arange(3.0))


EDITS = [_assign, _augmented_add, _augmented_sub, _augmented_mul, _index_write, _zero, _fill, _copy]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__.strip("_"))
def test_editing_an_input_that_backward_reads_makes_backward_raise(edit):
    x = _leaf()
    y = (x * x).sum()
    edit(x)
    with pytest.raises(RuntimeError, match=rf"{STALE}: input 0 of op 'mul' \(a float64 tensor of shape \(3,\)\) "
                                           r"is at version 1; expected version 0"):
        y.backward()


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__.strip("_"))
def test_editing_a_constant_that_backward_reads_makes_backward_raise(edit):
    x, weights = _leaf(), Tensor(np.array([1.0, -1.0, 2.0]))
    y = (x * weights).sum()
    edit(weights)
    with pytest.raises(RuntimeError, match=rf"{STALE}: input 1 of op 'mul'"):
        y.backward()


@pytest.mark.parametrize("op, build", [
    ("exp", lambda x: x.exp()),
    ("sqrt", lambda x: x.sqrt()),
    ("tanh", lambda x: x.tanh()),
    ("sigmoid", lambda x: x.sigmoid()),
])
def test_editing_an_output_its_own_backward_reads_makes_backward_raise(op, build):
    x = _leaf()
    y = build(x)
    y.data += 1
    with pytest.raises(RuntimeError, match=rf"{STALE}: the output of op '{op}'.*version 1; expected version 0"):
        y.sum().backward()


@pytest.mark.parametrize("op, build, position", [
    ("log", lambda x, c: x.log() * 1.0, 0),
    ("abs", lambda x, c: x.abs() * 1.0, 0),
    ("relu", lambda x, c: x.relu() * 1.0, 0),
    ("div", lambda x, c: x / c, 1),
    ("pow", lambda x, c: x ** 3, 0),
    ("max", lambda x, c: x.amax(), 0),
    ("matmul", lambda x, c: x @ c, 1),
])
def test_every_op_that_reads_its_inputs_checks_them(op, build, position):
    x, c = _leaf(), Tensor(np.array([0.5, 2.0, 4.0]))
    y = build(x, c)
    with tg.no_grad():
        (x, c)[position].fill_(1.5)
    with pytest.raises(RuntimeError, match=rf"{STALE}: input {position} of op '{op}'"):
        y.sum().backward()


@pytest.mark.parametrize("make_view", [
    lambda c: c.reshape(3, 1),
    lambda c: c.T,
    lambda c: c[1:],
    lambda c: c.detach(),
], ids=["reshape", "T", "slice", "detach"])
def test_an_edit_through_a_view_is_an_edit_of_the_memory_it_shares(make_view):
    x, c = _leaf(), Tensor(np.array([1.0, 2.0, 3.0]))
    y = (x * c).sum()
    with tg.no_grad():
        make_view(c).fill_(0.0)
    with pytest.raises(RuntimeError, match=rf"{STALE}: input 1 of op 'mul'"):
        y.backward()
    # and the other way round: editing the base invalidates graphs that read the view
    view = make_view(Tensor(np.array([1.0, 2.0, 3.0])))
    z = (view * _leaf(np.ones(view.shape))).sum()
    view.data += 0  # counts as an edit: the setter cannot tell that nothing changed
    with pytest.raises(RuntimeError, match=STALE):
        z.backward()


def test_a_copy_made_by_reshape_or_fancy_indexing_is_not_a_view():
    c = Tensor(np.arange(6.0).reshape(2, 3).T)  # non-contiguous: reshape must copy
    flat, picked = c.reshape(6), c[[0, 2]]
    x, w = _leaf(np.ones(6)), _leaf(np.ones((2, 2)))
    y = (x * flat).sum() + (w * picked).sum()
    with tg.no_grad():
        c.fill_(0.0)
    y.backward()
    original = np.arange(6.0).reshape(2, 3).T  # the values the copies kept
    np.testing.assert_array_equal(x.grad, original.reshape(6))
    np.testing.assert_array_equal(w.grad, original[[0, 2]])


def test_edits_the_backward_does_not_depend_on_are_allowed_as_in_pytorch():
    x, c = _leaf(), Tensor(np.array([1.0, 2.0, 3.0]))
    y = ((x + c) * 2.0).sum()  # add's backward reads neither input
    c.data += 10
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_edits_after_backward_and_a_fresh_forward_are_fine():
    x = _leaf()
    (x * x).sum().backward()
    x.data += 1
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 6.0, 8.0])


def test_in_place_edits_write_the_values_and_return_the_tensor():
    x = Tensor(np.zeros((2, 3)))
    x[0, 1] = 4.0
    x[1] = Tensor(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.data, [[0.0, 4.0, 0.0], [1.0, 2.0, 3.0]])
    assert x.fill_(2.5) is x and np.all(x.data == 2.5)
    assert x.zero_() is x and np.all(x.data == 0)
    assert x.copy_([1.0, 2.0, 3.0]) is x  # broadcast over the rows, as torch's copy_
    np.testing.assert_array_equal(x.data, [[1.0, 2.0, 3.0]] * 2)
    assert x._version[0] == 5


def test_copy_names_both_shapes_when_they_do_not_fit():
    with pytest.raises(ValueError, match=r"copy_: cannot copy shape \(4,\) into a tensor of shape \(2, 3\)"):
        Tensor(np.zeros((2, 3))).copy_(np.ones(4))


@pytest.mark.parametrize("edit", [lambda x: x.__setitem__(0, 1.0), lambda x: x.zero_(),
                                  lambda x: x.fill_(1.0), lambda x: x.copy_(np.ones(3))],
                         ids=["setitem", "zero_", "fill_", "copy_"])
def test_in_place_edits_of_a_tensor_that_requires_grad_need_no_grad(edit):
    for x in (_leaf(), _leaf() * 2):  # a leaf and an intermediate result
        with pytest.raises(RuntimeError, match="cannot be recorded in the graph; make the edit inside no_grad"):
            edit(x)


# -- optimizers and modules ----------------------------------------------------------

OPTIMIZERS = [
    ("SGD", lambda params: SGD(params, lr=0.1)),
    ("SGD momentum", lambda params: SGD(params, lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", lambda params: Adam(params, lr=0.01)),
    ("RMSprop", lambda params: RMSprop(params, lr=0.01, momentum=0.5)),
    ("Adadelta", lambda params: Adadelta(params, lr=1.0)),
]


def _model_and_batch(seed=0):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double()
    x = Tensor(rng.standard_normal((6, 4)))
    labels = rng.integers(0, 3, 6)
    return model, x, labels


@pytest.mark.parametrize("name, make", OPTIMIZERS, ids=[name for name, _ in OPTIMIZERS])
def test_every_optimizer_still_trains_and_a_graph_from_before_its_step_is_refused(name, make):
    model, x, labels = _model_and_batch()
    reference = _model_and_batch()[0]
    reference.load_state_dict(model.state_dict())
    initial = [p.data.copy() for p in model.parameters()]
    optimizer, reference_optimizer = make(model.parameters()), make(reference.parameters())
    for _ in range(3):  # the usual loop: forward, backward, step
        for net, opt in ((model, optimizer), (reference, reference_optimizer)):
            opt.zero_grad()
            F.cross_entropy(net(x), labels).backward()
            opt.step()
    assert all(not np.array_equal(start, p.data) for start, p in zip(initial, model.parameters()))

    loss = F.cross_entropy(model(x), labels)
    optimizer.zero_grad()
    F.cross_entropy(model(x), labels).backward()
    optimizer.step()  # changes the weights that ``loss``'s graph read
    with pytest.raises(RuntimeError, match=rf"{STALE}: input 1 of op 'matmul'"):
        loss.backward()

    # the reference, stepped the same way but never given the stale backward, ends equal
    reference_optimizer.zero_grad()
    F.cross_entropy(reference(x), labels).backward()
    reference_optimizer.step()
    for param, expected in zip(model.parameters(), reference.parameters()):
        np.testing.assert_array_equal(param.data, expected.data)


def test_manual_sgd_through_data_keeps_working():
    """micrograd's ``p.data -= lr * p.grad`` after backward: an edit, but of a finished graph."""
    model, x, labels = _model_and_batch()
    losses = []
    for _ in range(20):
        for p in model.parameters():
            p.grad = None
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_load_state_dict_between_forward_and_backward_is_refused():
    model, x, labels = _model_and_batch()
    loss = F.cross_entropy(model(x), labels)
    model.load_state_dict(_model_and_batch(seed=1)[0].state_dict())
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


# -- raw numpy writes: seen only by detect_anomaly's copies ------------------------------

def test_detect_anomaly_catches_a_raw_numpy_write_into_an_input():
    with tg.detect_anomaly():
        x = _leaf()
        y = (x * x).sum()
        x.data[0] = 5.0
        with pytest.raises(RuntimeError, match=r"raw numpy write: input 0 of op 'mul'.*no longer holds the values"):
            y.backward()


def test_detect_anomaly_catches_a_raw_numpy_write_into_an_output():
    with tg.detect_anomaly():
        x = _leaf()
        y = x.exp()
        np.copyto(y.data, 0.0)
        with pytest.raises(RuntimeError, match=r"raw numpy write: the output of op 'exp'"):
            y.sum().backward()


def test_detect_anomaly_leaves_an_untouched_graph_alone():
    with tg.detect_anomaly():
        x = _leaf()
        (x * x.exp()).sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data) * (1 + x.data))


# -- x -= y: in place where PyTorch is ------------------------------------------------

def test_pytorch_hand_written_sgd_updates_the_parameters_in_place():
    """``with no_grad(): for p in params: p -= lr * p.grad`` must move the parameters, not a loop variable."""
    model, x, labels = _model_and_batch()
    before = [p.data.copy() for p in model.parameters()]
    F.cross_entropy(model(x), labels).backward()
    with tg.no_grad():
        for p in model.parameters():
            p -= 0.5 * p.grad
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old - np.float32(0.5) * p.grad)


@pytest.mark.parametrize("op, expected", [("+=", [3, 4]), ("-=", [-1, 0]), ("*=", [2, 4]), ("/=", [0.5, 1.0])])
def test_augmented_operators_write_into_the_same_tensor_and_bump_its_version(op, expected):
    x = Tensor(np.array([1.0, 2.0]))
    alias, version = x, x._version[0]
    exec(f"x {op} 2", {}, {"x": x})
    np.testing.assert_array_equal(alias.data, expected)
    assert alias._version[0] == version + 1


def test_an_augmented_operator_on_a_leaf_that_requires_grad_is_refused_as_in_pytorch():
    weight = _leaf()
    with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad is used in an in-place operation \(x -= "):
        weight -= 1


def test_an_augmented_operator_inside_a_graph_builds_a_new_node_with_the_right_gradient():
    x = _leaf()
    y = x * 2
    first = y
    y += x  # y is now 3 x; the old node is left as it was
    y.sum().backward()
    assert y is not first
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0])


def test_an_augmented_operator_names_a_shape_or_dtype_it_cannot_keep():
    counts = Tensor(np.array([1, 2, 3]))
    with pytest.raises(TypeError, match=r"result \(float64\) cannot be stored in x's dtype int64"):
        counts += 0.5
    with pytest.raises(ValueError, match=r"y of shape \(2, 3\) does not broadcast to x's shape \(3,\)"):
        counts += np.ones((2, 3), dtype=np.int64)
    np.testing.assert_array_equal(counts.data, [1, 2, 3])


@pytest.mark.parametrize("make_layer, shape, weight", [
    (lambda: nn.Conv2d(2, 3, 3), (1, 2, 5, 5), "weight"),         # the im2col path reads the weight
    (lambda: nn.Conv2d(1, 2, 3), (1, 1, 5, 5), "weight"),         # the direct path reads it too
    (lambda: nn.LSTM(3, 4), (2, 1, 3), "weight_hh_l0"),
    (lambda: nn.GRU(3, 4), (2, 1, 3), "weight_ih_l0"),
])
def test_a_layer_whose_weight_is_stepped_before_backward_refuses_it(make_layer, shape, weight):
    layer = make_layer()
    out = layer(Tensor(np.ones(shape, np.float32), requires_grad=True))
    loss = (out[0] if isinstance(out, tuple) else out).sum()
    with tg.no_grad():
        parameter = getattr(layer, weight)
        parameter -= 1
    with pytest.raises(RuntimeError, match=STALE):
        loss.backward()


@pytest.mark.parametrize("activation", [F.softmax, F.log_softmax])
def test_softmax_outputs_edited_before_backward_are_refused(activation):
    y = activation(_leaf(), axis=0)
    y.data += 1
    with pytest.raises(RuntimeError, match=r"the output of op '(log_)?softmax'"):
        y.sum().backward()
