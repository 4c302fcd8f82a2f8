"""micrograd.engine's name for the scalar engine; the code is in tinygrad_edu/engine/value.py."""
from ..engine.value import Value

__all__ = ["Value"]
