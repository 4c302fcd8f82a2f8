"""summary(model, input_shape): a Keras-style table of layers, output shapes and parameter counts.

A dummy batch of one example flows through the model while a forward hook
(Module.register_forward_hook) on every module without children records the
shape it returns. Parameter counts are what an optimizer will learn: a
Linear(784, 512) holds 784*512 weights + 512 biases.

Read next: tinygrad_edu/training/plotting.py (the loss and accuracy curves of a training run).
"""
import numpy as np

from ..engine.autograd import no_grad
from ..engine.tensor import Tensor


def _shape_of(output):
    """(None, ...) for a tensor; tuples of tensors (e.g. an LSTM's) are shown one by one."""
    if isinstance(output, Tensor):
        return "(None, " + ", ".join(str(n) for n in output.shape[1:]) + ")"
    if isinstance(output, (tuple, list)):
        return "[" + ", ".join(_shape_of(item) for item in output) + "]"
    return type(output).__name__


def _record_leaf_outputs(model, rows):
    """Hook each leaf module to log (name, type, output shape, params); returns the hooks' handles."""
    handles = []
    for name, module in model.named_modules():
        if next(module.children(), None) is not None:
            continue  # containers show up through their leaves

        def record(module, inputs, output, _name=name):
            own = sum(p.numel() for p in module._parameters.values())
            rows.append((_name or type(module).__name__, type(module).__name__, _shape_of(output), own))

        handles.append(module.register_forward_hook(record))
    return handles


def summary(model, input_shape, dtype=None, print_fn=print):
    """Print (and return) the table for one input of ``input_shape`` (without the batch axis)."""
    rows = []
    handles = _record_leaf_outputs(model, rows)
    dtype = dtype or model.dtype
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(Tensor(np.zeros((1,) + tuple(input_shape), dtype=dtype)))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return _format_table(rows, model.parameters(), print_fn)


def _format_table(rows, parameters, print_fn):
    header = ("Layer (type)", "Output Shape", "Param #")
    lines = [(f"{name} ({kind})", shape, f"{count:,}") for name, kind, shape, count in rows]
    widths = [max(len(row[i]) for row in lines + [header]) + 3 for i in range(3)]
    total = sum(p.numel() for p in parameters)
    trainable = sum(p.numel() for p in parameters if p.requires_grad)
    rule = "=" * sum(widths)
    table = [rule, "".join(text.ljust(width) for text, width in zip(header, widths)), rule]
    table += ["".join(text.ljust(width) for text, width in zip(row, widths)) for row in lines]
    table += [rule, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}", rule]
    text = "\n".join(table)
    if print_fn is not None:
        print_fn(text)
    return text
