"""Tests for tinygrad_edu.optim: the update rules against their algorithm boxes and torch.optim."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.nn import Parameter
from tinygrad_edu.optim import SGD, Adadelta, Adam, Optimizer, RMSprop

SHAPES = [(3, 4), (5,), (2, 1, 3)]


def random_params(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.normal(size=shape).astype(dtype)) for shape in SHAPES]


def random_grads(rng, dtype=np.float64):
    return [rng.normal(size=shape).astype(dtype) for shape in SHAPES]


# -- same numbers as torch.optim --------------------------------------------------
TORCH_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.8, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.5, weight_decay=0.1)),
    ("SGD", dict()),  # torch 2.x default lr=1e-3
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9)),
    ("RMSprop", dict(lr=0.01, eps=1e-3, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.7)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.8, momentum=0.5, centered=True, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-3)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Adadelta", dict(rho=0.95, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.5, 0.9), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.7), amsgrad=True, weight_decay=0.05, maximize=True)),
]
OURS = {"SGD": SGD, "RMSprop": RMSprop, "Adadelta": Adadelta, "Adam": Adam}


def run_both(torch, name, options, groups_of, steps=6, skip=None):
    """Step our optimizer and torch's on identical params and grads; return both param lists."""
    ours = random_params(seed=1)
    theirs = [torch.tensor(p.data.copy(), requires_grad=True) for p in ours]
    our_opt = OURS[name](groups_of(ours), **options)
    their_opt = getattr(torch.optim, name)(groups_of(theirs), **options)
    rng = np.random.default_rng(2)
    for step in range(steps):
        for index, (mine, their, grad) in enumerate(zip(ours, theirs, random_grads(rng))):
            skipped = skip is not None and skip(step, index)
            mine.grad = None if skipped else grad.copy()
            their.grad = None if skipped else torch.tensor(grad)
        our_opt.step()
        their_opt.step()
    return ours, theirs, our_opt, their_opt


@pytest.mark.parametrize("name, options", TORCH_CASES, ids=[f"{n}-{o}" for n, o in TORCH_CASES])
def test_matches_torch(name, options):
    torch = pytest.importorskip("torch")
    ours, theirs, _, _ = run_both(torch, name, options, groups_of=list)
    for mine, their in zip(ours, theirs):
        np.testing.assert_allclose(mine.data, their.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adadelta", "Adam"])
def test_matches_torch_with_param_groups_and_missing_grads(name):
    """Groups with their own lr/weight_decay; a param with no grad on some steps keeps its own step count."""
    torch = pytest.importorskip("torch")
    options = dict(lr=0.05) if name != "SGD" else dict(lr=0.05, momentum=0.9)

    def groups_of(params):
        return [{"params": params[:1], "lr": 0.2, "weight_decay": 0.1}, {"params": params[1:]}]

    ours, theirs, our_opt, their_opt = run_both(
        torch, name, options, groups_of, steps=7, skip=lambda step, index: index == 2 and step in (1, 4))
    for mine, their in zip(ours, theirs):
        np.testing.assert_allclose(mine.data, their.detach().numpy(), rtol=1e-12, atol=1e-14)
    if name != "SGD":
        assert our_opt.state[ours[2]]["step"] == int(their_opt.state[theirs[2]]["step"]) == 5


@pytest.mark.parametrize("name, options", [c for c in TORCH_CASES if c[1]][::3])
def test_state_matches_torch(name, options):
    """The running averages themselves (not just the params) agree, under torch's names."""
    torch = pytest.importorskip("torch")
    ours, theirs, our_opt, their_opt = run_both(torch, name, options, groups_of=list, steps=3)
    for mine, their in zip(ours, theirs):
        our_state, their_state = our_opt.state[mine], their_opt.state[their]
        assert set(our_state) == set(their_state)
        for key, value in our_state.items():
            np.testing.assert_allclose(value, np.asarray(their_state[key]), rtol=1e-12, atol=1e-14)


# -- first steps computed from the algorithm boxes (no torch needed) --------------------
def one_param(seed=0, shape=(4, 3), dtype=np.float64):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=shape).astype(dtype)
    grads = [rng.normal(size=shape).astype(dtype) for _ in range(3)]
    return Parameter(theta.copy()), theta, grads


def take_steps(optimizer, param, grads):
    for grad in grads:
        param.grad = grad.copy()
        optimizer.step()


def test_sgd_plain_step_is_theta_minus_lr_g():
    param, theta, grads = one_param()
    take_steps(SGD([param], lr=0.3), param, grads[:1])
    np.testing.assert_allclose(param.data, theta - 0.3 * grads[0], rtol=1e-14)


def test_sgd_momentum_first_step_has_no_dampening_then_dampens():
    lr, mu, tau = 0.1, 0.9, 0.4
    param, theta, (g1, g2, _) = one_param()
    optimizer = SGD([param], lr=lr, momentum=mu, dampening=tau)
    take_steps(optimizer, param, [g1])
    b = g1  # the buffer starts as the gradient itself
    theta = theta - lr * b
    np.testing.assert_allclose(param.data, theta, rtol=1e-14)
    take_steps(optimizer, param, [g2])
    b = mu * b + (1 - tau) * g2
    theta = theta - lr * b
    np.testing.assert_allclose(param.data, theta, rtol=1e-13)
    np.testing.assert_allclose(optimizer.state[param]["momentum_buffer"], b, rtol=1e-13)


def test_sgd_nesterov_and_weight_decay_first_step():
    lr, mu, weight_decay = 0.1, 0.9, 0.01
    param, theta, (g1, _, _) = one_param()
    take_steps(SGD([param], lr=lr, momentum=mu, nesterov=True, weight_decay=weight_decay), param, [g1])
    g = g1 + weight_decay * theta
    b = g
    np.testing.assert_allclose(param.data, theta - lr * (g + mu * b), rtol=1e-13)


def test_sgd_momentum_buffer_is_not_the_grad_array():
    """The buffer starts as a copy of g: changing p.grad afterwards must not change it."""
    param, _, (g1, _, _) = one_param()
    optimizer = SGD([param], lr=0.1, momentum=0.9)
    param.grad = g1.copy()
    optimizer.step()
    param.grad += 100.0
    np.testing.assert_allclose(optimizer.state[param]["momentum_buffer"], g1)


@pytest.mark.parametrize("centered", [False, True])
def test_rmsprop_first_step(centered):
    lr, alpha, eps = 0.01, 0.9, 1e-8
    param, theta, (g, _, _) = one_param()
    take_steps(RMSprop([param], lr=lr, alpha=alpha, eps=eps, centered=centered), param, [g])
    v = (1 - alpha) * g**2
    v_tilde = v - ((1 - alpha) * g) ** 2 if centered else v
    np.testing.assert_allclose(param.data, theta - lr * g / (np.sqrt(v_tilde) + eps), rtol=1e-13)


def test_rmsprop_momentum_two_steps():
    lr, alpha, eps, mu = 0.01, 0.99, 1e-8, 0.6
    param, theta, (g1, g2, _) = one_param()
    take_steps(RMSprop([param], lr=lr, alpha=alpha, eps=eps, momentum=mu), param, [g1, g2])
    v = (1 - alpha) * g1**2
    b = g1 / (np.sqrt(v) + eps)
    theta = theta - lr * b
    v = alpha * v + (1 - alpha) * g2**2
    b = mu * b + g2 / (np.sqrt(v) + eps)
    theta = theta - lr * b
    np.testing.assert_allclose(param.data, theta, rtol=1e-13)


def test_adadelta_first_step():
    lr, rho, eps = 1.0, 0.9, 1e-6
    param, theta, (g, _, _) = one_param()
    optimizer = Adadelta([param], lr=lr, rho=rho, eps=eps)
    take_steps(optimizer, param, [g])
    v = (1 - rho) * g**2
    delta = np.sqrt(0 + eps) / np.sqrt(v + eps) * g
    np.testing.assert_allclose(param.data, theta - lr * delta, rtol=1e-13)
    np.testing.assert_allclose(optimizer.state[param]["acc_delta"], (1 - rho) * delta**2, rtol=1e-13)


def test_adam_first_step_moves_every_weight_by_about_lr():
    """After one step the bias corrections give m_hat = g and v_hat = g^2."""
    lr, eps = 0.01, 1e-8
    param, theta, (g, _, _) = one_param()
    take_steps(Adam([param], lr=lr, eps=eps), param, [g])
    np.testing.assert_allclose(param.data, theta - lr * g / (np.abs(g) + eps), rtol=1e-12)


@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=3),
       seed=st.integers(0, 2**16), beta2=st.floats(0.1, 0.99))
@settings(max_examples=25, deadline=None)
def test_adam_amsgrad_keeps_max_of_raw_v(shape, seed, beta2):
    """Two steps with a large then a small gradient: v_max holds the *raw* larger v."""
    lr, beta1, eps = 0.01, 0.9, 1e-8
    param, theta, (g1, g2, _) = one_param(seed, tuple(shape))
    g1, g2 = 10 * g1, 0.1 * g2
    optimizer = Adam([param], lr=lr, betas=(beta1, beta2), eps=eps, amsgrad=True)
    take_steps(optimizer, param, [g1, g2])
    m = v = v_max = 0
    for t, g in enumerate([g1, g2], start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = np.maximum(v_max, v)
        theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v_max / (1 - beta2**t)) + eps)
    np.testing.assert_allclose(param.data, theta, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(optimizer.state[param]["max_exp_avg_sq"], v_max, rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: RMSprop(ps, centered=True),
    lambda ps: Adadelta(ps, weight_decay=0.1),
    lambda ps: Adam(ps, amsgrad=True),
])
def test_maximize_is_a_step_on_the_negated_gradient(make):
    up, _, grads = one_param(seed=3)
    down = Parameter(up.data.copy())
    maximizing, minimizing = make([up]), make([down])
    for group in maximizing.param_groups:
        group["maximize"] = True
    take_steps(maximizing, up, grads)
    take_steps(minimizing, down, [-g for g in grads])
    np.testing.assert_allclose(up.data, down.data, rtol=1e-14)


# -- training behaviour -------------------------------------------------------------
TARGET = np.array([1.0, -2.0, 3.0, 0.5])
CURVATURE = np.array([1.0, 4.0, 0.25, 2.0])  # an elongated bowl: some directions much steeper


@pytest.mark.parametrize("make, steps", [
    (lambda ps: SGD(ps, lr=0.3), 150),
    (lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True), 150),
    (lambda ps: RMSprop(ps, lr=0.01), 500),
    (lambda ps: RMSprop(ps, lr=0.01, momentum=0.5, centered=True), 300),
    (lambda ps: Adadelta(ps, lr=1.0), 1000),
    (lambda ps: Adam(ps, lr=0.05), 300),
    (lambda ps: Adam(ps, lr=0.05, amsgrad=True), 300),
])
def test_converges_on_a_quadratic_through_autograd(make, steps):
    """loss = 0.5 * sum(c * (theta - target)^2), differentiated by the Tensor engine."""
    param = Parameter(np.zeros(4))
    optimizer = make([param])
    for _ in range(steps):
        loss = (((param - Tensor(TARGET)) ** 2) * Tensor(CURVATURE)).sum() * 0.5
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    np.testing.assert_allclose(param.data, TARGET, atol=1e-2)


@pytest.mark.parametrize("cls, options", [
    (SGD, dict(momentum=0.9)), (RMSprop, dict(momentum=0.9, centered=True)), (Adadelta, {}), (Adam, dict(amsgrad=True)),
])
def test_float32_parameters_stay_float32(cls, options):
    param, _, grads = one_param(dtype=np.float32)
    optimizer = cls([param], lr=0.01, weight_decay=0.1, **options)
    take_steps(optimizer, param, grads)
    assert param.data.dtype == np.float32
    arrays = [v for v in optimizer.state[param].values() if isinstance(v, np.ndarray)]
    assert arrays and all(array.dtype == np.float32 for array in arrays)


def test_zero_grad_sets_to_none_or_zeros():
    params = random_params(seed=0)
    optimizer = SGD(params, lr=0.1)
    for p in params[:2]:
        p.grad = np.ones_like(p.data)
    optimizer.zero_grad(set_to_none=False)
    assert all(np.array_equal(p.grad, np.zeros_like(p.data)) for p in params[:2])
    assert params[2].grad is None  # never had one: stays None
    optimizer.zero_grad()
    assert all(p.grad is None for p in params)


def test_param_groups_use_their_own_lr_and_inherit_defaults():
    fast, slow = Parameter(np.zeros(3)), Parameter(np.zeros(3))
    optimizer = SGD([{"params": [fast]}, {"params": [slow], "lr": 0.01}], lr=0.5, momentum=0.0)
    assert optimizer.param_groups[0]["lr"] == 0.5 and optimizer.param_groups[1]["lr"] == 0.01
    assert optimizer.param_groups[1]["momentum"] == 0.0
    fast.grad, slow.grad = np.ones(3), np.ones(3)
    optimizer.step()
    np.testing.assert_allclose(fast.data, -0.5)
    np.testing.assert_allclose(slow.data, -0.01)


def test_add_param_group_later():
    first, later = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    optimizer = Adam([first], lr=0.1)
    optimizer.add_param_group({"params": later, "lr": 0.2})
    later.grad = np.ones(2)
    optimizer.step()
    np.testing.assert_allclose(later.data, -0.2 * 1 / (1 + 1e-8))
    np.testing.assert_array_equal(first.data, 0.0)


@pytest.mark.parametrize("cls", [SGD, RMSprop, Adadelta, Adam])
def test_params_without_grad_or_frozen_are_skipped(cls):
    used, unused, frozen = Parameter(np.ones(3)), Parameter(np.ones(3)), Parameter(np.ones(3))
    optimizer = cls([used, unused, frozen], lr=0.1, weight_decay=0.5)  # decay would move them if touched
    frozen.grad = np.ones(3)
    frozen.requires_grad_(False)
    used.grad = np.ones(3)
    optimizer.step()
    assert not np.array_equal(used.data, np.ones(3))
    np.testing.assert_array_equal(unused.data, np.ones(3))
    np.testing.assert_array_equal(frozen.data, np.ones(3))
    assert unused not in optimizer.state and frozen not in optimizer.state


def test_step_updates_data_in_place_and_returns_closure_loss():
    param = Parameter(np.array([2.0]))
    data_before = param.data
    optimizer = SGD([param], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    assert loss.item() == 4.0
    assert param.data is data_before
    np.testing.assert_allclose(param.data, 2.0 - 0.25 * 2 * 2.0)


# -- state_dict -----------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: RMSprop(ps, momentum=0.3, centered=True),
    lambda ps: Adadelta(ps),
    lambda ps: Adam([{"params": ps[:1], "lr": 0.3}, {"params": ps[1:]}], amsgrad=True),
])
def test_state_dict_round_trip_continues_identically(make):
    rng = np.random.default_rng(5)
    original = random_params(seed=4)
    optimizer = make(original)
    for _ in range(3):
        for p, g in zip(original, random_grads(rng)):
            p.grad = g
        optimizer.step()
    saved = optimizer.state_dict()

    copies = [Parameter(p.data.copy()) for p in original]
    restored = make(copies)
    for group in restored.param_groups:
        group["lr"] = 123.0  # must be overwritten by the checkpoint
    restored.load_state_dict(saved)
    for _ in range(2):
        grads = random_grads(rng)
        for p, q, g in zip(original, copies, grads):
            p.grad, q.grad = g.copy(), g.copy()
        optimizer.step()
        restored.step()
    for p, q in zip(original, copies):
        np.testing.assert_array_equal(p.data, q.data)


def test_state_dict_holds_copies_and_indices():
    params = random_params(seed=0)
    optimizer = Adam(params)
    for p in params:
        p.grad = np.ones_like(p.data)
    optimizer.step()
    saved = optimizer.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1, 2]
    assert saved["state"][1]["step"] == 1
    saved["state"][0]["exp_avg"] += 1000
    assert np.all(optimizer.state[params[0]]["exp_avg"] < 1000)


def test_load_state_dict_errors_name_the_mismatch():
    optimizer = Adam(random_params(seed=0))
    for p in optimizer.param_groups[0]["params"]:
        p.grad = np.ones_like(p.data)
    optimizer.step()
    saved = optimizer.state_dict()
    with pytest.raises(ValueError, match="param group 0 holds 3 parameters in the checkpoint but 2 here"):
        Adam(random_params(seed=0)[:2]).load_state_dict(saved)
    with pytest.raises(ValueError, match="checkpoint has 1 param groups, this optimizer has 2"):
        ps = random_params(seed=0)
        Adam([{"params": ps[:1]}, {"params": ps[1:]}]).load_state_dict(saved)
    reshaped = [Parameter(np.zeros((4, 3))), *random_params(seed=0)[1:]]
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \(3, 4\), the parameter has shape \(4, 3\)"):
        Adam(reshaped).load_state_dict(saved)
    with pytest.raises(ValueError, match="expected a dict with keys 'state' and 'param_groups'"):
        optimizer.load_state_dict({"exp_avg": 1})
    bad_lr = optimizer.state_dict()
    bad_lr["param_groups"][0]["lr"] = -1.0
    state_before = optimizer.state_dict()
    with pytest.raises(ValueError, match="Adam: invalid lr -1.0"):
        optimizer.load_state_dict(bad_lr)
    assert optimizer.param_groups[0]["lr"] == state_before["param_groups"][0]["lr"]


# -- bad input -------------------------------------------------------------------------
def param_list():
    return [Parameter(np.zeros(2))]


@pytest.mark.parametrize("make, message", [
    (lambda: SGD(param_list(), lr=-0.1), r"SGD: invalid lr -0.1: must be >= 0"),
    (lambda: SGD(param_list(), lr=math.nan), r"SGD: invalid lr nan"),
    (lambda: SGD(param_list(), lr="0.1"), r"SGD: lr must be a number, got str"),
    (lambda: SGD(param_list(), momentum=-0.5), r"SGD: invalid momentum -0.5"),
    (lambda: SGD(param_list(), weight_decay=-1), r"SGD: invalid weight_decay -1"),
    (lambda: SGD(param_list(), nesterov=True), r"nesterov=True needs momentum > 0 and dampening = 0, got momentum=0"),
    (lambda: SGD(param_list(), momentum=0.9, dampening=0.1, nesterov=True), r"got momentum=0.9, dampening=0.1"),
    (lambda: RMSprop(param_list(), lr=-1), r"RMSprop: invalid lr -1"),
    (lambda: RMSprop(param_list(), alpha=-0.1), r"RMSprop: invalid alpha -0.1"),
    (lambda: RMSprop(param_list(), eps=-1e-8), r"RMSprop: invalid eps -1e-08"),
    (lambda: RMSprop(param_list(), momentum=-0.9), r"RMSprop: invalid momentum -0.9"),
    (lambda: Adadelta(param_list(), rho=1.5), r"Adadelta: invalid rho 1.5: must be in \[0, 1\]"),
    (lambda: Adadelta(param_list(), lr=-1.0), r"Adadelta: invalid lr -1.0"),
    (lambda: Adam(param_list(), betas=(1.0, 0.999)), r"Adam: invalid beta parameter at index 0 1.0: must be in \[0, 1\)"),
    (lambda: Adam(param_list(), betas=(0.9, -0.1)), r"Adam: invalid beta parameter at index 1 -0.1"),
    (lambda: Adam(param_list(), betas=0.9), r"betas must be a pair \(beta1, beta2\)"),
    (lambda: Adam(param_list(), eps=-1.0), r"Adam: invalid eps -1.0"),
    (lambda: Adam(param_list(), weight_decay=-0.1), r"Adam: invalid weight_decay -0.1"),
    (lambda: Adam([{"params": param_list(), "lr": -0.5}]), r"Adam: invalid lr -0.5"),
])
def test_bad_hyperparameters_are_named(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_bad_parameter_lists():
    param = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="SGD got an empty parameter list"):
        SGD([])
    with pytest.raises(TypeError, match="got a single Tensor; wrap it in a list"):
        SGD(param)
    with pytest.raises(TypeError, match=r"params\[1\]: expected a Parameter \(or Tensor\), got ndarray"):
        SGD([param, np.zeros(2)])
    with pytest.raises(ValueError, match="some parameters appear more than once"):
        SGD([param, param])
    with pytest.raises(ValueError, match="some parameters appear more than once"):
        SGD([{"params": [param]}, {"params": [param]}])
    with pytest.raises(ValueError, match="can't optimize a non-leaf tensor"):
        SGD([param * 2])
    with pytest.raises(ValueError, match="param group .* has no 'params' key"):
        SGD([{"lr": 0.1}])
    with pytest.raises(TypeError, match="params must be an ordered collection such as a list, got a set"):
        SGD([{"params": {param}}])


def test_grad_of_the_wrong_shape_is_named():
    param = Parameter(np.zeros((2, 3)))
    param.grad = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"params\[0\] has shape \(2, 3\) but its grad has shape \(3, 2\)"):
        Adam([param]).step()


def test_base_optimizer_needs_an_update_rule():
    param = Parameter(np.zeros(2))
    param.grad = np.ones(2)
    with pytest.raises(NotImplementedError, match="must define _update"):
        Optimizer([param], {"lr": 0.1}).step()


def test_repr_lists_hyperparameters():
    text = repr(Adam([Parameter(np.zeros(2))], lr=0.5))
    assert "Adam (" in text and "lr: 0.5" in text and "betas: (0.9, 0.999)" in text
