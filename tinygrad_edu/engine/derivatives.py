"""Every Tensor op on one page: its forward and its local derivative.

You have now read each op beside its backward. Here they are side by side, as
tinygrad keeps all its derivatives in one table. Each row is (op names,
forward, local derivative), in the order the files define the ops. The
formulas are numpy code in the op's own variables: g = dL/dy is the gradient
arriving at the output y, and grad_a is what the backward hands input a (in
y's shape; Tensor's ``_backward`` then unbroadcasts it). "none" marks an op
no gradient flows through.

Because the formulas are code, tests/test_tensor_basics.py runs every row on
random float64 inputs and compares it with the op's own forward and
backward: a row that does not say what the code computes fails there.
Read next: tinygrad_edu/engine/gradcheck.py (the derivative's definition, checked numerically).
"""

DERIVATIVES = {
    "tensor.py": (
        # to an integer dtype no gradient flows: rounding is flat almost everywhere
        ("astype", "y = x.astype(dtype)", "grad_x = g.astype(x.dtype)"),
    ),
    "elementwise.py": (  # the operands are broadcast first
        ("add", "y = a + b", "grad_a = g; grad_b = g"),
        ("sub", "y = a - b", "grad_a = g; grad_b = -g"),
        ("mul", "y = a * b", "grad_a = g * b; grad_b = g * a"),
        ("div", "y = a / b", "grad_a = g / b; grad_b = -g * a / b**2"),
        ("pow", "y = x ** p", "grad_x = g * p * x ** (p - 1); grad_p = g * y * np.log(x)"),
        ("neg", "y = -x", "grad_x = -g"),
        ("exp", "y = np.exp(x)", "grad_x = g * y"),
        ("log", "y = np.log(x)", "grad_x = g / x"),
        ("sqrt", "y = np.sqrt(x)", "grad_x = g / (2 * y)"),
        ("abs", "y = np.abs(x)", "grad_x = g * np.sign(x)"),
        ("clip", "y = np.clip(x, lo, hi)", "grad_x = g * ((lo <= x) & (x <= hi))"),
        ("relu", "y = np.maximum(x, 0)", "grad_x = g * (x > 0)"),
        ("sigmoid", "y = 1 / (1 + np.exp(-x))", "grad_x = g * y * (1 - y)"),
        ("tanh", "y = np.tanh(x)", "grad_x = g * (1 - y**2)"),
        ("equal, not_equal, less, less_equal, greater, greater_equal",
         "y = a == b, a != b, a < b, a <= b, a > b, a >= b", "none: a comparison is a constant mask"),
        ("where", "y = np.where(c, a, b)", "grad_a = g * c; grad_b = g * (1 - c)"),
    ),
    "matmul.py": (  # batched over leading axes; .mT transposes the last two
        ("matmul", "y = a @ b", "grad_a = g @ b.mT; grad_b = a.mT @ g"),
    ),
    "reductions.py": (  # without keepdims, g first gets the reduced axis back
        ("sum", "y = x.sum(axis, keepdims=True)", "grad_x = np.broadcast_to(g, x.shape)"),
        ("mean", "y = x.mean(axis, keepdims=True)", "grad_x = np.broadcast_to(g, x.shape) / x.shape[axis]"),
        # tied largest entries share g equally
        ("amax", "y = x.max(axis, keepdims=True)", "grad_x = g * (x == y) / (x == y).sum(axis, keepdims=True)"),
        ("amin", "y = x.min(axis, keepdims=True)", "grad_x = g * (x == y) / (x == y).sum(axis, keepdims=True)"),
        # torch.max(x, dim): the values and their indices; only the picked index gets g
        ("max", "y, i = x.max(axis, keepdims=True), x.argmax(axis, keepdims=True)",
         "grad_x = np.zeros_like(x); np.put_along_axis(grad_x, i, g, axis)"),
        ("min", "y, i = x.min(axis, keepdims=True), x.argmin(axis, keepdims=True)",
         "grad_x = np.zeros_like(x); np.put_along_axis(grad_x, i, g, axis)"),
        ("argmax, argmin, all, any", "y = x.argmax(axis), x.argmin(axis), x.all(), x.any()",
         "none: an index or a truth value is a constant"),
    ),
    "shape.py": (  # the same numbers moved: the backward moves g back
        ("reshape, view, flatten, squeeze, unsqueeze", "y = x.reshape(shape)", "grad_x = g.reshape(x.shape)"),
        ("transpose, permute", "y = x.transpose(axes)", "grad_x = g.transpose(np.argsort(axes))"),
        # add.at, not assignment: an element picked twice gets both gradients
        ("getitem", "y = x[index]", "grad_x = np.zeros_like(x); np.add.at(grad_x, index, g)"),
        ("concatenate", "y = np.concatenate([a, b], axis)", "grad_a, grad_b = np.split(g, [a.shape[axis]], axis)"),
        ("stack", "y = np.stack([a, b], axis)", "grad_a, grad_b = np.take(g, 0, axis), np.take(g, 1, axis)"),
    ),
    "inplace.py": (
        ("setitem, zero_, fill_, copy_", "x[index] = v, x[...] = 0, x[...] = v, x[...] = source",
         "none: an edit in place, outside the graph; the version bumps"),
        # inside a graph (x requires grad, no no_grad()): x = x + y, a new node, differentiated as add
        ("__iadd__, __isub__, __imul__, __itruediv__", "x += y, x -= y, x *= y, x /= y",
         "none: an edit in place under no_grad(); the version bumps"),
    ),
}
