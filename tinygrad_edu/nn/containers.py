"""Containers: a list of layers registered as children "0", "1", ..., as in PyTorch.

A Module finds its children by looking at its attributes, so a plain Python
list of layers would hide them from parameters() and state_dict(). A
container registers each layer under its position instead:

    ModuleList([a, b, c])     children "0", "1", "2"; the owner decides how to call them
    Sequential(a, b, c)(x)    = c(b(a(x))): the network as a composition of layers

so the keys of state_dict() are "0.weight", "2.bias", ..., the same as the
PyTorch model built from the same list.

Read next: tinygrad_edu/nn/init.py (where the parameters start).
"""
import numpy as np

from .module import Module


class ModuleList(Module):
    """A list of modules registered as children "0", "1", ... (for stacked layers).

    A plain Python list of layers would hide them from ``parameters()`` and
    ``state_dict()``; a ModuleList registers each one under its position.
    It behaves like a Python list: ``len``, iteration, ``m[i]``, ``m[i] = layer``
    (replace a layer, e.g. a new head for fine-tuning), ``m[a:b]`` (a new
    container that shares the layers), ``append``, ``extend``, ``insert`` and
    ``del m[i]``. Children are renumbered after an insert or a deletion, so
    ``state_dict`` keys stay "0.weight", ... as PyTorch would name the same list.
    It has no ``forward``: the owner decides how to call the layers.

    Args:
        modules: an iterable of Modules to hold, in order. Default: empty.

    Example:
        >>> from tinygrad_edu import nn
        >>> layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        >>> len(layers), list(layers.state_dict())[:2]
        (3, ['0.weight', '0.bias'])
        >>> layers.insert(1, nn.ReLU())
        >>> [type(layer).__name__ for layer in layers]
        ['Linear', 'ReLU', 'Linear', 'Linear']
        >>> list(layers.state_dict())[2:4]   # renumbered: the second Linear is now "2"
        ['2.weight', '2.bias']
    """

    def __init__(self, modules=()):
        super().__init__()
        for module in modules:
            self.append(module)

    def _check_module(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__} holds Modules, got {type(module).__name__}")
        return module

    def _index(self, index):
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"{type(self).__name__} indices must be integers or slices, got {type(index).__name__}")
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of length {len(self)}")
        return int(index) % len(self)

    def _renumber(self, modules):
        for name in list(self._modules):
            self.__dict__.pop(name, None)
        self._modules.clear()
        for module in modules:
            self.append(module)

    @classmethod
    def _sharing(cls, modules):
        """A new container holding these same module objects (no copies)."""
        return ModuleList(modules)

    def append(self, module):
        setattr(self, str(len(self._modules)), self._check_module(module))
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        modules = list(self._modules.values())
        modules.insert(index, self._check_module(module))
        self._renumber(modules)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._sharing(list(self._modules.values())[index])
        return self._modules[str(self._index(index))]

    def __setitem__(self, index, module):
        setattr(self, str(self._index(index)), self._check_module(module))

    def __delitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._index(index)]
        self._renumber(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class Sequential(ModuleList):
    """Modules applied one after another; children are named "0", "1", ... as in PyTorch.

        Sequential(f_1, ..., f_k)(x) = f_k(... f_2(f_1(x)) ...)

    A ModuleList with a ``forward``: ``model[a:b]`` is a Sequential sharing the
    same layers (a feature extractor ``model[:-1]``), and
    ``model[-1] = nn.Linear(...)`` swaps the head.

    Args:
        *modules: the layers, in the order they are applied.

    Shape:
        - Input: whatever the first module accepts.
        - Output: whatever the last module returns.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        >>> model(Tensor(np.zeros((5, 64), np.float32))).shape
        (5, 10)
        >>> model[:-1](Tensor(np.zeros((5, 64), np.float32))).shape   # the features before the head
        (5, 32)
        >>> list(model.state_dict())[-1]
        '2.bias'
    """

    def __init__(self, *modules):
        super().__init__(modules)

    @classmethod
    def _sharing(cls, modules):
        return Sequential(*modules)

    def forward(self, x):
        for module in self:
            x = module(x)
        return x
