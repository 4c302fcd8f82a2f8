"""Optimizers: the rules that turn gradients into weight updates, like ``torch.optim``.

Every optimizer is used the same way:

    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

Reading order: optimizer.py (what they share: param groups, state, zero_grad),
sgd.py, rmsprop.py, adadelta.py, adam.py. Each class docstring holds its
update rule as an algorithm box and its ``_update`` follows the box line by line.
"""
from .adadelta import Adadelta
from .adam import Adam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adadelta", "Adam"]
