"""Private argument checks shared by every initializer of :mod:`cnnedu.nn.init`.

Shapes, ``rng``, ``dtype``, positive options and fan-ins are checked here, so each
initializer fails at the door with a message that names what was expected and what
arrived. The public face is :mod:`cnnedu.nn.init`.
"""
from __future__ import annotations

import numbers

import numpy as np

from cnnedu._validate import describe as _describe_value


def _shape(shape, func: str, min_ndim: int = 1) -> tuple:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(
            f"{func}: shape must be a tuple of positive integers; got {_describe_value(shape)}"
        )
    dims = []
    for d in shape:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral):
            raise TypeError(
                f"{func}: shape must be a tuple of positive integers; got {tuple(shape)!r}"
            )
        dims.append(int(d))
    dims = tuple(dims)
    if any(d < 1 for d in dims):
        raise ValueError(
            f"{func}: shape must be a tuple of positive integers; got {dims!r}"
        )
    if len(dims) < min_ndim:
        raise ValueError(
            f"{func}: shape must have at least {min_ndim} dimensions, (out, in) for a "
            f"dense weight or (F, C, kh, kw) for a conv weight; got {dims!r} "
            f"({len(dims)}-D){_BIAS_HINT if len(dims) == 1 else ''}"
        )
    return dims


_BIAS_HINT = (
    ". A 1-D shape is a bias: it has no fan-in of its own (it is the layer's weight that "
    "has one); use init_bias(name, n_out, fan_in, rng)"
)


def _rng(rng, func: str, required: bool = True):
    if rng is None and not required:
        return None
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{func}: rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
            f"got {_describe_value(rng)}"
        )
    return rng


def _dtype(dtype, func: str) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{func}: dtype must be a float dtype; got {dtype!r}") from None
    if dt.kind != "f":
        raise TypeError(f"{func}: dtype must be a float dtype such as np.float32; got {dt}")
    return dt


#: Keywords of :func:`cnnedu._validate.real` for a strictly positive option (std, gain, ...).
_POSITIVE = dict(minimum=0, strict=True, expected="a positive finite number")


def _fan(fan_in, func: str) -> int:
    if isinstance(fan_in, (bool, np.bool_)) or not isinstance(fan_in, numbers.Integral):
        raise TypeError(
            f"{func}: fan_in must be a positive integer; got {_describe_value(fan_in)}"
        )
    if fan_in < 1:
        raise ValueError(f"{func}: fan_in must be a positive integer; got {fan_in!r}")
    return int(fan_in)
