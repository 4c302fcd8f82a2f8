"""micrograd.engine's name for the scalar engine; the code is in tinygrad_edu/value.py."""
from ..value import Value

__all__ = ["Value"]
