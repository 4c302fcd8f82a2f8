"""The scalar engine: every op against central differences, stability, a tiny MLP, the graph picture."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Value, draw_graph
from tinygrad_edu.engine.value import MLP, dot

UNARY = {
    "exp": (lambda v: v.exp(), math.exp),
    "log": (lambda v: v.log(), math.log),
    "tanh": (lambda v: v.tanh(), math.tanh),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0)),
    "neg": (lambda v: -v, lambda x: -x),
    "square": (lambda v: v ** 2, lambda x: x ** 2),
    "inverse": (lambda v: 1 / v, lambda x: 1 / x),
    "sqrt": (lambda v: v ** 0.5, math.sqrt),
}

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b),
}


def central_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=30, deadline=None)
@given(x=st.floats(0.1, 3.0))
def test_unary_op_gradient(name, x):
    op, reference = UNARY[name]
    if name == "relu" and abs(x) < 1e-3:
        return
    v = Value(x)
    out = op(v)
    out.backward()
    assert out.data == pytest.approx(reference(x), rel=1e-12)
    assert v.grad == pytest.approx(central_difference(reference, x), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=30, deadline=None)
@given(a=st.floats(0.2, 3.0), b=st.floats(0.2, 3.0))
def test_binary_op_gradients(name, a, b):
    op, reference = BINARY[name]
    va, vb = Value(a), Value(b)
    op(va, vb).backward()
    assert va.grad == pytest.approx(central_difference(lambda x: reference(x, b), a), rel=1e-6, abs=1e-8)
    assert vb.grad == pytest.approx(central_difference(lambda y: reference(a, y), b), rel=1e-6, abs=1e-8)


def test_relu_on_negative_input_passes_no_gradient():
    v = Value(-2.0)
    v.relu().backward()
    assert v.grad == 0.0


def test_mixed_numbers_on_either_side():
    a = Value(2.0)
    y = 3 + a * 2 - 1 / a + 2 ** a - 1
    y.backward()
    assert y.data == pytest.approx(3 + 4 - 0.5 + 4 - 1)
    assert a.grad == pytest.approx(2 + 1 / 4 + 4 * math.log(2))


def test_extremes_stay_finite():
    assert Value(1000).tanh().data == 1.0
    assert Value(-1000).tanh().data == -1.0
    assert Value(-1000).sigmoid().data == 0.0
    assert Value(1000).sigmoid().data == 1.0
    s = Value(-1000.0)
    s.sigmoid().backward()
    assert math.isfinite(s.grad)


def test_log_of_non_positive_is_a_clear_error():
    with pytest.raises(ValueError, match=r"log of a non-positive Value \(-1.0\)"):
        Value(-1.0).log()


def test_a_tiny_mlp_learns_xor():
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(40, 2))
    labels = np.where(points[:, 0] * points[:, 1] > 0, 1.0, -1.0)
    model = MLP(2, [8, 8, 1], seed=1)
    for step in range(60):
        scores = [model([Value(a), Value(b)]) for a, b in points]
        loss = sum((1 + -y * s).relu() for y, s in zip(labels, scores)) * (1.0 / len(points))
        model.zero_grad()
        loss.backward()
        learning_rate = 0.3 - 0.25 * step / 60
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    accuracy = np.mean([(s.data > 0) == (y > 0) for s, y in zip(scores, labels)])
    assert accuracy >= 0.9


def test_draw_graph_shows_data_and_grad_and_saves_a_png(tmp_path):
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a).tanh()
    c.backward()
    path = tmp_path / "graph.png"
    figure = draw_graph(c, path=path)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert any("a | data 2" in t and f"grad {a.grad:.4g}" in t for t in texts)
    assert any(t == "tanh" for t in texts) and any(t == "*" for t in texts)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_draw_graph_refuses_an_unreadably_large_graph():
    y = Value(1.0)
    for _ in range(300):
        y = y + 1
    with pytest.raises(ValueError, match="more than max_nodes=200"):
        draw_graph(y)


def test_fused_dot_gives_the_same_value_and_gradients_as_composed_nodes():
    rng = np.random.default_rng(0)
    w_data, x_data = rng.normal(size=5), rng.normal(size=5)
    results = []
    for fused in (True, False):
        w = [Value(v) for v in w_data]
        x = [Value(v) for v in x_data]
        b = Value(0.3)
        out = dot(w, x, b) if fused else sum((wi * xi for wi, xi in zip(w, x)), b)
        (out * out).backward()
        results.append([out.data] + [v.grad for v in w + x + [b]])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_fused_and_composed_mlps_agree():
    fused, composed = MLP(2, [4, 1], seed=3), MLP(2, [4, 1], seed=3, fused=False)
    for model in (fused, composed):
        model([Value(0.5), Value(-1.5)]).backward()
    np.testing.assert_allclose([p.grad for p in fused.parameters()], [p.grad for p in composed.parameters()])


def test_dot_length_mismatch():
    with pytest.raises(ValueError, match="dot: 2 weights but 3 inputs"):
        dot([1.0, 2.0], [1.0, 2.0, 3.0])


EDGE_CASES = [  # (op, x): negative inputs, saturation, near-zero and large magnitudes
    ("tanh", -2.5), ("tanh", 8.0), ("tanh", -8.0), ("tanh", 1e-9),
    ("exp", -30.0), ("exp", 700.0), ("exp", 0.0),
    ("log", 1e-4), ("log", 1e6), ("log", 1.0),
    ("relu", -1e-6), ("relu", 1e-6), ("relu", -5.0), ("relu", 5.0),
    ("sigmoid", -30.0), ("sigmoid", 30.0),
    ("square", -3.0), ("inverse", -1e-3), ("sqrt", 1e-6), ("sqrt", 1e8),
]


@pytest.mark.parametrize("name, x", EDGE_CASES)
def test_unary_gradient_at_edge_cases_matches_central_differences(name, x):
    op, reference = UNARY[name]
    # a step the function is smooth over: relative to x when x is tiny, so sqrt(1e-6) is not stepped past 0
    eps = 1e-7 * max(1.0, abs(x)) if abs(x) > 1e-5 or x == 0 else abs(x) * 1e-4
    v = Value(x)
    out = op(v)
    out.backward()
    assert out.data == pytest.approx(reference(x), rel=1e-12, abs=1e-300)
    scale = max(1.0, abs(central_difference(reference, x, eps)))
    assert v.grad == pytest.approx(central_difference(reference, x, eps), rel=1e-5, abs=1e-9 * scale)


@pytest.mark.parametrize("base, exponent", [(-2.0, 3), (-1.5, 2), (-0.5, -3), (0.0, 2), (0.0, 1), (4.0, 0.5),
                                            (1e-3, -1.5), (2.0, 0)])
def test_constant_power_gradient_at_edge_cases(base, exponent):
    v = Value(base)
    out = v ** exponent
    out.backward()
    assert out.data == pytest.approx(base ** exponent, rel=1e-12)
    eps = 1e-7 * max(1.0, abs(base)) if base != 0 else 1e-7
    assert v.grad == pytest.approx(central_difference(lambda x: x ** exponent, base, eps), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("base, exponent", [(0.3, -2.5), (5.0, 1.7), (1.0, 3.0), (2.0, -0.5)])
def test_value_exponent_gradients_for_both_inputs(base, exponent):
    b, p = Value(base), Value(exponent)
    (b ** p).backward()
    assert b.grad == pytest.approx(central_difference(lambda x: x ** exponent, base), rel=1e-6)
    assert p.grad == pytest.approx(central_difference(lambda y: base ** y, exponent), rel=1e-6, abs=1e-9)


def test_relu_at_zero_and_nan_follow_torch():
    zero, nan = Value(0.0), Value(math.nan)
    zero.relu().backward()
    nan_out = nan.relu()
    assert zero.grad == 0.0 and math.isnan(nan_out.data)


def test_exp_overflow_is_inf_and_nan_stays_nan():
    assert Value(800.0).exp().data == math.inf
    assert math.isnan(Value(math.nan).exp().data)


@pytest.mark.parametrize("number", [3, True, np.float32(0.25), np.float64(-1.5), np.int64(7), 2.5])
def test_any_real_number_is_stored_as_a_plain_float(number):
    v = Value(number)
    assert type(v.data) is float and v.data == float(number)


@pytest.mark.parametrize("bad", ["3", b"3", None, [1.0], 1 + 2j])
def test_a_value_refuses_what_is_not_a_real_number(bad):
    with pytest.raises(TypeError, match=f"Value expected a real number \\(int or float\\), got {type(bad).__name__}"):
        Value(bad)


def test_a_deep_micrograd_graph_of_100k_nodes_backpropagates_to_every_input():
    # a running sum over 50,000 products: 100,000 nodes deep, each input reached once
    xs = [Value(0.001 * i) for i in range(50_000)]
    ws = [Value(1.0 - 0.00001 * i) for i in range(50_000)]
    total = sum((w * x for w, x in zip(ws, xs)), Value(0.0))
    total.backward()
    assert [x.grad for x in xs[::5000]] == [w.data for w in ws[::5000]]
    assert [w.grad for w in ws[::5000]] == [x.data for x in xs[::5000]]
