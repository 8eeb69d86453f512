"""cnnedu: how convolutional layers really work, in small tested numpy.

Submodules load on first use (``cnnedu.nn.conv``, ``cnnedu.nn.init``, ...), so importing the
package is cheap and has no side effects.

>>> import cnnedu
>>> cnnedu.nn.conv.output_size(32, 3, stride=1, padding=1)
32
"""
from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

__all__ = ["__version__"]


def __getattr__(name: str):
    """Load a submodule on first access (``cnnedu.nn.conv``, ``cnnedu.nn.layers``, ...)."""
    if not name.startswith("_"):
        try:
            return import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'cnnedu' has no attribute {name!r}")
