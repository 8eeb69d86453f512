"""The :class:`Layer` base class (``params``/``grads``, the forward/backward protocol) and
the dtype check the layers share.

The public face is :mod:`cnnedu.nn.layers`, which re-exports :class:`Layer`.
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, describe, float_dtype

__all__ = ["Layer"]


def _float_dtype(dtype, func: str) -> np.dtype:
    return float_dtype(dtype, "dtype", func)


class Layer:
    """Base class: ``params``/``grads`` dicts, ``n_params``, and the forward/backward protocol."""

    #: Whether :meth:`backward` computes the gradient with respect to the input. Layers
    #: with parameters (:class:`Conv2D`, :class:`Dense`) skip it when False and return
    #: ``None``; :class:`Sequential` sets it False for its first layer (nothing upstream
    #: needs it). Parameter-free layers compute it anyway (there is nothing else to do).
    needs_input_grad: bool = True

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None

    # subclasses implement _forward(x) -> (y, cache) and _backward(dy, cache) -> dx
    def forward(self, x) -> np.ndarray:
        """Compute the output for the batch ``x`` and remember what :meth:`backward` needs."""
        y, self._cache = self._forward(x)
        return y

    __call__ = forward

    def backward(self, dy) -> np.ndarray | None:
        """Gradient with respect to the input of the last :meth:`forward`; fills ``grads``.

        Returns ``None`` instead for a layer with parameters whose ``needs_input_grad``
        is False."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}.backward: call forward first (backward needs the "
                               "input of the forward pass)")
        dy = as_float_array(dy, "dy", f"{self!r}.backward")
        if dy.shape != self._cache_out_shape:
            raise ValueError(f"{self!r}.backward: dy must have the shape of the last output, "
                             f"{self._cache_out_shape}; got {describe(dy)}")
        return self._backward(dy, self._cache)

    @property
    def _cache_out_shape(self):
        return self._cache[-1]

    @property
    def n_params(self) -> int:
        """How many numbers ``params`` holds."""
        return int(sum(p.size for p in self.params.values()))

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``[(name, param, grad), ...]``, the arrays themselves (not copies)."""
        return [(k, p, self.grads[k]) for k, p in self.params.items()]

    def zero_grad(self) -> None:
        """Set every gradient to 0."""
        for g in self.grads.values():
            g.fill(0)

    def astype(self, dtype):
        """Convert the parameters (and gradients) to ``dtype``, in place; returns ``self``."""
        dt = _float_dtype(dtype, f"{type(self).__name__}.astype")
        for k in self.params:
            self.params[k] = self.params[k].astype(dt)
            self.grads[k] = np.zeros_like(self.params[k])
        return self

    def _set_params(self, params):
        self.params = params
        self.grads = {k: np.zeros_like(p) for k, p in params.items()}

    def _bad_input(self, x, expected: str, hint: str = ""):
        return ValueError(f"{self!r}: x must have shape {expected}; got {describe(x)}{hint}")
