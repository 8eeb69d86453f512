"""Chaining layers: :class:`Sequential` runs them forward in order and backward in reverse,
and names their parameters ``"<index>.<name>"``.

The public face is :mod:`cnnedu.nn.layers`, which re-exports :class:`Sequential`.
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn.layers._base import Layer
from cnnedu._validate import as_float_array, describe, integer

__all__ = ["Sequential"]


class Sequential(Layer):
    """Layers applied one after another; backward runs them in reverse.

    ``Sequential(a, b, c)`` or ``Sequential([a, b, c])``. Parameters are named
    ``"<index>.<name>"`` (``"0.w"``, ``"0.b"``, ``"4.w"``, ...) in ``params`` and ``grads``.

    >>> from cnnedu.nn.layers import Dense, Flatten
    >>> model = Sequential(Flatten(), Dense(4, 2, rng=0))
    >>> list(model.params), len(model), model.n_params
    (['1.w', '1.b'], 2, 10)
    >>> model.predict(np.zeros((3, 1, 2, 2))).shape
    (3,)
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential: layer {i} must be a cnnedu layer (Conv2D, Dense, "
                                f"...); got {describe(layer)}")
        self.layers = list(layers)
        self.needs_input_grad = False

    @property
    def needs_input_grad(self) -> bool:
        """Whether :meth:`backward` returns the gradient with respect to the model's input.

        False by default: training needs only the parameter gradients, and the first
        layer's ``dx`` (for a Conv2D, a GEMM and a col2im: about half its backward) is
        then not computed; :meth:`backward` returns ``None`` when the first layer has
        parameters. Set True to get ``dx`` (saliency maps, gradient checks).
        """
        return self._needs_input_grad

    @needs_input_grad.setter
    def needs_input_grad(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"Sequential: needs_input_grad must be True or False; got "
                            f"{describe(value)}")
        self._needs_input_grad = bool(value)
        if self.layers:
            self.layers[0].needs_input_grad = bool(value)

    def __repr__(self) -> str:
        body = "".join(f"  ({i}): {layer!r}\n" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{body})"

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __iter__(self):
        return iter(self.layers)

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": p for i, layer in enumerate(self.layers)
                for k, p in layer.params.items()}

    @params.setter
    def params(self, value):  # Layer.__init__ assigns {}; the real dict is computed
        pass

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": g for i, layer in enumerate(self.layers)
                for k, g in layer.grads.items()}

    @grads.setter
    def grads(self, value):
        pass

    def parameters(self):
        return [(f"{i}.{k}", p, g) for i, layer in enumerate(self.layers)
                for k, p, g in layer.parameters()]

    def zero_grad(self) -> None:
        for layer in self.layers:
            layer.zero_grad()

    def astype(self, dtype):
        for layer in self.layers:
            layer.astype(dtype)
        return self

    def forward(self, x) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, dy) -> np.ndarray | None:
        """Backward through every layer in reverse; the gradient with respect to the
        input, or ``None`` (see :attr:`needs_input_grad`)."""
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    def predict(self, x, batch_size: int | None = None) -> np.ndarray:
        """The class with the largest score for each sample, shape ``(N,)`` int64."""
        return self.predict_scores(x, batch_size).argmax(axis=1)

    def predict_scores(self, x, batch_size: int | None = None) -> np.ndarray:
        """The model's output for ``x``, computed in batches (``None``: all at once)."""
        x = as_float_array(x, "x", "Sequential.predict")
        if batch_size is not None:
            batch_size = integer(batch_size, "batch_size", "Sequential.predict", minimum=1,
                                 expected="a positive integer or None")
        if batch_size is None or batch_size >= len(x):
            return self.forward(x)
        return np.concatenate([self.forward(x[i:i + batch_size])
                               for i in range(0, len(x), batch_size)])

    def summary(self, input_shape) -> str:
        """A table of each layer's output shape and parameter count for one input of
        shape ``input_shape`` (without the batch axis).

        >>> from cnnedu.nn.layers import Conv2D, Flatten
        >>> print(Sequential(Conv2D(1, 4, 3, rng=0), Flatten()).summary((1, 8, 8)))
        layer                                       output shape  params
        Conv2D(C=1, F=4, k=3, stride=1, padding=0)  (4, 6, 6)         40
        Flatten()                                   (144,)             0
        total                                                         40
        """
        x = np.zeros((1, *input_shape))
        rows = []
        for layer in self.layers:
            x = layer.forward(x)
            rows.append((repr(layer), str(x.shape[1:]), layer.n_params))
            layer._cache = None
        w1 = max(len("layer"), *(len(r[0]) for r in rows)) + 2
        w2 = max(len("output shape"), *(len(r[1]) for r in rows)) + 2
        lines = [f"{'layer':{w1}s}{'output shape':{w2}s}{'params':>6s}"]
        lines += [f"{a:{w1}s}{b:{w2}s}{c:6d}" for a, b, c in rows]
        lines.append(f"{'total':{w1 + w2}s}{self.n_params:6d}")
        return "\n".join(lines)

    def _forward(self, x):  # not used: forward is overridden
        raise NotImplementedError

    def _backward(self, dy, cache):
        raise NotImplementedError
