"""Module: a function with learnable parameters, organised as a tree.

A network is a tree of modules. Each module owns some ``Parameter`` tensors
(its learnable weights) and some child modules, found simply by looking at
its attributes. Walking that tree gives everything the training loop needs:

    parameters()      every Parameter in the tree, for the optimizer
    state_dict()      {"0.weight": array, ...}: dotted paths, as in PyTorch,
                      so weights copy across between the two libraries
    train() / eval()  a flag that layers such as Dropout read

Calling a module runs its ``forward``, then any forward hooks: functions that
watch the output (training/summary.py records shapes) or replace it.

Read next: tinygrad_edu/nn/containers.py (Sequential and ModuleList: lists of layers as children).
"""
from collections import OrderedDict

import numpy as np

from ..engine.tensor import Tensor


class Parameter(Tensor):
    """A tensor that a Module learns: always a floating-point copy that requires grad.

    Assigning a Parameter to a Module attribute registers it, so the module's
    ``parameters()`` (what an optimizer updates) and ``state_dict()`` (what a
    checkpoint saves) find it. A plain Tensor attribute is not registered.

    Args:
        data: an array, a list or a Tensor; it is copied, and integer or bool
            data becomes float32 (a weight must be able to take small steps).
        requires_grad: whether backward fills ``.grad``. Default: True.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import nn
        >>> weight = nn.Parameter([[1, 2, 3]])
        >>> weight.shape, weight.dtype, weight.requires_grad
        ((1, 3), dtype('float32'), True)
        >>> nn.Parameter(np.zeros(2)).dtype   # float data keeps its precision
        dtype('float64')
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        array = np.array(data.data if isinstance(data, Tensor) else data)
        if array.dtype.kind != "f":
            array = array.astype(np.float32)
        super().__init__(array, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and network: a function with learnable parameters.

    A subclass calls ``super().__init__()`` first, assigns its Parameters and
    child Modules as attributes (which registers them), and defines ``forward``.
    Calling the module runs ``forward`` and then any forward hooks. For the
    tree of modules this builds,

        parameters()   the module's own Parameters, then each child's, depth first
        state_dict()   {dotted path: numpy array}, e.g. "hidden.weight", PyTorch's keys
        train(mode)    sets ``training`` on every module of the tree (eval() = train(False))

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(4, 8)
        ...         self.out = nn.Linear(8, 2)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> model = TwoLayer()
        >>> list(model.state_dict())
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
        >>> sum(p.numel() for p in model.parameters())   # 4*8 + 8 + 8*2 + 2
        58
        >>> model(Tensor(np.zeros((3, 4), np.float32))).shape
        (3, 2)
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_hooks", OrderedDict())

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}.__init__ must call super().__init__() before assigning '{name}'")
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, array):
        """A saved array that is not learned (e.g. running statistics)."""
        self._buffers[name] = array
        object.__setattr__(self, name, array)

    def register_parameter(self, name, parameter):
        """Add a parameter (or None, meaning 'this layer has none', e.g. bias=False)."""
        if parameter is None:
            object.__setattr__(self, name, None)
            return
        setattr(self, name, parameter)

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs, **kwargs):
        output = self.forward(*inputs, **kwargs)
        for hook in list(self._forward_hooks.values()):
            replacement = hook(self, inputs, output)
            if replacement is not None:
                output = replacement
        return output

    def register_forward_hook(self, hook):
        """Call ``hook(module, inputs, output)`` after every forward, as PyTorch does.

        A hook that returns something other than None replaces the output, so
        it can both watch (record a layer's activation) and intervene (patch
        it). The returned handle's ``remove()`` detaches the hook.
        """
        if not callable(hook):
            raise TypeError(f"register_forward_hook expected a callable hook(module, inputs, output), got {type(hook).__name__}")
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # -- walking the tree ------------------------------------------------------
    def named_children(self):
        return iter(self._modules.items())

    def children(self):
        return (module for _, module in self.named_children())

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return (module for _, module in self.named_modules())

    def named_parameters(self, prefix=""):
        seen = set()
        for module_name, module in self.named_modules(prefix):
            for name, parameter in module._parameters.items():
                if id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self):
        return [parameter for _, parameter in self.named_parameters()]

    def named_buffers(self):
        for module_name, module in self.named_modules():
            for name, array in module._buffers.items():
                yield (f"{module_name}.{name}" if module_name else name), array

    # -- modes and gradients -------------------------------------------------------
    def train(self, mode=True):
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self):
        for parameter in self.parameters():
            parameter.grad = None

    def requires_grad_(self, requires_grad=True):
        """Freeze (False) or unfreeze (True) every parameter in the tree."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def _cast(self, dtype):
        for parameter in self.parameters():
            parameter.data = parameter.data.astype(dtype)
            parameter.grad = None if parameter.grad is None else parameter.grad.astype(dtype)
        for module in self.modules():
            for name, array in list(module._buffers.items()):
                if array is not None and np.asarray(array).dtype.kind == "f":
                    module.register_buffer(name, np.asarray(array).astype(dtype))
        return self

    def double(self):
        return self._cast(np.float64)

    def float(self):
        return self._cast(np.float32)

    @property
    def dtype(self):
        """The dtype of the parameters: what inputs are cast to (float32 after .float(), float64 after .double()).

        A module with no parameters (ReLU, Flatten) says float32, the default.
        If the dtypes were mixed by hand, the first of parameters() decides.
        """
        parameters = self.parameters()
        return parameters[0].dtype if parameters else np.dtype(np.float32)

    # -- saving and loading ----------------------------------------------------
    def state_dict(self):
        """Every parameter and buffer by dotted path, as numpy arrays (copies)."""
        state = OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())
        state.update((name, np.array(b)) for name, b in self.named_buffers() if b is not None)
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays into this tree; every missing, unexpected and mis-shaped key is named."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict expected a dict of name -> numpy array (from state_dict()), "
                            f"got {type(state_dict).__name__}")
        tensors = sorted(name for name, value in state_dict.items() if isinstance(value, Tensor))
        if tensors:
            raise TypeError(f"load_state_dict expected numpy arrays as values, got Tensors for {tensors}; "
                            "pass state_dict() (arrays) or use .data")
        own = dict(self.named_parameters())
        own_buffers = dict(self.named_buffers())
        expected = set(own) | set(own_buffers)
        missing = sorted(expected - set(state_dict))
        unexpected = sorted(set(state_dict) - expected)
        mis_shaped = [
            f"{name}: checkpoint {tuple(np.shape(state_dict[name]))} vs model {tuple(np.shape(target))}"
            for name, target in list(own.items()) + list(own_buffers.items())
            if name in state_dict and np.shape(state_dict[name]) != np.shape(getattr(target, "data", target))
        ]
        problems = []
        if mis_shaped:
            problems.append("size mismatch for " + "; ".join(mis_shaped))
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if problems:
            raise KeyError(f"load_state_dict into {type(self).__name__} failed: " + " | ".join(problems))
        for name, parameter in own.items():
            if name in state_dict:
                parameter.data = np.array(state_dict[name], dtype=parameter.data.dtype)
        for name, _ in own_buffers.items():
            if name in state_dict:
                module_path, _, buffer_name = name.rpartition(".")
                owner = self.get_submodule(module_path)
                owner.register_buffer(buffer_name, np.array(state_dict[name]))
        return missing, unexpected

    def get_submodule(self, path):
        module = self
        for part in filter(None, path.split(".")):
            module = module._modules[part]
        return module

    # -- printing ----------------------------------------------------------------
    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in self._modules.items():
            child_lines = repr(child).split("\n")
            lines.append(f"  ({name}): " + "\n  ".join(child_lines))
        return lines[0] + ")" if len(lines) == 1 else "\n".join(lines) + "\n)"


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``remove()`` detaches that hook."""

    _next_id = 0

    def __init__(self, hooks):
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self.hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()
