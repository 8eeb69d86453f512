"""cnnedu: how convolutional layers really work, in small tested numpy.

The package is grouped by layer: ``cnnedu.nn`` (the numerics taught), ``cnnedu.data``,
``cnnedu.topics`` (the studies the notebooks show), ``cnnedu.viz`` (drawing),
``cnnedu.widgets`` and ``cnnedu.exercises``. Import what you use by its path; the
subpackages load on first use, so importing ``cnnedu`` is cheap and has no side effects.

>>> from cnnedu.nn.conv import output_size
>>> output_size(32, 3, stride=1, padding=1)
32
>>> import cnnedu
>>> cnnedu.data.list_images()[:2]  # a subpackage, loaded on first access
['astronaut', 'chelsea']
"""
from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

__all__ = ["__version__"]


def __getattr__(name: str):
    """Load a subpackage on first access (``cnnedu.nn``, ``cnnedu.data``, ...)."""
    if not name.startswith("_"):
        try:
            return import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'cnnedu' has no attribute {name!r}")
