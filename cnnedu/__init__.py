"""cnnedu: how convolutional layers really work, in small tested numpy.

Submodules load on first use (``cnnedu.conv``, ``cnnedu.init``, ...), so importing the
package is cheap and has no side effects.

>>> import cnnedu
>>> cnnedu.conv.output_size(32, 3, stride=1, padding=1)
32
"""
from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "checks", "conv", "conv_naive", "data", "gradcheck", "init", "layers",
    "plotting", "render", "series", "solutions", "widgets",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'cnnedu' has no attribute {name!r}")
