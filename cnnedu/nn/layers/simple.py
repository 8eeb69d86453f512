"""The parameter-free elementwise and reshaping layers: :class:`Activation` and
:class:`Flatten`.

The public face is :mod:`cnnedu.nn.layers`, which re-exports both.

>>> import numpy as np
>>> Flatten().forward(np.zeros((2, 3, 4))).shape
(2, 12)
"""
from __future__ import annotations

from cnnedu.nn import activations as _activations
from cnnedu.nn.layers._base import Layer
from cnnedu._validate import as_float_array

__all__ = ["Activation", "Flatten"]


class Activation(Layer):
    """An elementwise activation as a layer: ``y = f(x)``, ``dx = dy * f'(x)``.

    Parameters
    ----------
    name : str or cnnedu.nn.activations.Activation
        One of :data:`cnnedu.nn.activations.NAMES` (``"relu"``, ``"tanh"``, ...).
    **params
        E.g. ``alpha`` for ``"leaky_relu"``.

    >>> import numpy as np
    >>> act = Activation("leaky_relu", alpha=0.1)
    >>> act, act.forward(np.array([[-1.0, 2.0]]))
    (Activation('leaky_relu', alpha=0.1), array([[-0.1,  2. ]]))
    """

    def __init__(self, name="relu", **params):
        super().__init__()
        self.activation = _activations._resolve(name, params, "Activation")

    def __repr__(self) -> str:
        return repr(self.activation)

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        y = self.activation.forward(x)
        return y, (x, y.shape)

    def _backward(self, dy, cache):
        x, _ = cache
        return dy * self.activation.grad(x)


class Flatten(Layer):
    """Reshape ``(N, C, H, W)`` (or any ``(N, ...)``) to ``(N, C*H*W)``; backward reshapes back.

    >>> import numpy as np
    >>> Flatten().forward(np.zeros((2, 3, 4, 4))).shape
    (2, 48)
    """

    def __repr__(self) -> str:
        return "Flatten()"

    def _forward(self, x):
        x = as_float_array(x, "x", repr(self))
        if x.ndim < 2:
            raise self._bad_input(x, "(N, ...) with at least 2 axes")
        # a copy, not a view: changing y must not change x (nor the gradient check's x)
        y = x.reshape(x.shape[0], -1).copy()
        return y, (x.shape, y.shape)

    def _backward(self, dy, cache):
        return dy.reshape(cache[0])
