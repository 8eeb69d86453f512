"""The theoretical distribution of an initializer's entries (:func:`describe`).

For "formula vs measured": mean, std and bounds of ``get(name)(shape, rng)`` worked out
from the shape, without drawing, as an :class:`InitStats`. The public face is
:mod:`cnnedu.nn.init`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from cnnedu.nn.init._checks import _POSITIVE, _shape
from cnnedu._validate import check_choice, real
from cnnedu.nn.init.distributions import TRUNCATED_NORMAL_STD_CORRECTION, _uniform_bounds
from cnnedu.nn.init.names import NAMES
from cnnedu.nn.init.schemes import _SCHEMES, _scheme_scale, fans
from cnnedu.nn.init.special import dirac

__all__ = ["describe", "InitStats"]


@dataclass(frozen=True)
class InitStats:
    """The theoretical distribution of an initializer's entries, for "formula vs measured".

    Attributes
    ----------
    name : str
    shape : tuple of int
    fan_in, fan_out : int or None
        None for shapes without fans (1-D).
    mean, std : float
        Of the entries (population std; for ``orthogonal``, the root mean square).
    low, high : float or None
        Bounds every entry lies in (None: unbounded). Truncated normals: mean +- 2
        sigma.
    formula : str
        How ``std`` follows from the shape, e.g. ``"sqrt(2 / fan_in)"``.
    distribution : str
        ``"constant"``, ``"normal"``, ``"uniform"``, ``"truncated normal"``,
        ``"orthogonal"`` or ``"dirac"``.
    """

    name: str
    shape: tuple
    fan_in: Optional[int]
    fan_out: Optional[int]
    mean: float
    std: float
    low: Optional[float]
    high: Optional[float]
    formula: str
    distribution: str

    @property
    def limit(self) -> Optional[float]:
        """The symmetric bound ``high`` when ``low == -high``, else None."""
        if self.high is not None and self.low == -self.high:
            return self.high
        return None

    def __str__(self) -> str:
        parts = [f"{self.name} {self.shape}:"]
        if self.fan_in is not None:
            parts.append(f"fan_in {self.fan_in}, fan_out {self.fan_out},")
        parts.append(f"mean {self.mean:.4g}, std {self.std:.4f}")
        if self.formula:
            parts[-1] += f" = {self.formula}"
        if self.limit is not None:
            bounds = f"+-{self.limit:.4f}"
        elif self.low is not None and self.high is not None:
            bounds = f"[{self.low:.4f}, {self.high:.4f}]"
        else:  # unbounded (a normal, a constant): no interval to print
            bounds = ""
        if self.distribution == "uniform":
            parts[-1] += f", uniform on {bounds}"
        elif self.distribution == "truncated normal":
            parts[-1] += f", truncated at {bounds}"
        elif self.distribution == "orthogonal":
            parts[-1] += f", entries within {bounds}"
        elif self.distribution == "dirac":
            parts[-1] += ", entries 0 or 1"
        return " ".join(parts)


_OPTIONS = {
    "constant": ("value",), "normal": ("mean", "std"), "uniform": ("limit", "low", "high"),
    "truncated_normal": ("std", "mean", "correct"), "orthogonal": ("gain",),
}
_FAN_BASED = (*_SCHEMES, "keras_default", "orthogonal", "dirac")

_UNIFORM_FORMULA = {
    "glorot_uniform": "sqrt(2 / (fan_in + fan_out))",
    "keras_default": "sqrt(2 / (fan_in + fan_out))",
    "he_uniform": "sqrt(2 / fan_in)", "lecun_uniform": "sqrt(1 / fan_in)",
    "pytorch_default": "1 / sqrt(3 * fan_in)",
}


def describe(name: str, shape, **params) -> InitStats:
    """Theoretical mean, std and bounds of ``get(name)(shape, rng, **params)``'s entries.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    shape : tuple of int
    **params
        The initializer's keywords (``std=``, ``limit=``, ``gain=``, ...), defaults as
        in the initializer.

    Returns
    -------
    InitStats
        ``str()`` of it is a one-line summary; ``.limit`` is the uniform bound.

    Notes
    -----
    .. math::

        U(-\\ell, \\ell):\\ \\operatorname{std} = \\ell / \\sqrt{3}; \\qquad
        \\text{truncated normal: bounds } \\pm 2\\sigma = \\pm 2\\,\\text{std} / 0.8796

    Examples
    --------
    >>> s = describe("glorot_uniform", (20, 3, 5, 5))
    >>> print(round(s.std, 4), round(s.limit, 4))
    0.059 0.1022
    >>> print(describe("pytorch_default", (20, 3, 5, 5)))  # doctest: +NORMALIZE_WHITESPACE
    pytorch_default (20, 3, 5, 5): fan_in 75, fan_out 500, mean 0,
        std 0.0667 = 1 / sqrt(3 * fan_in), uniform on +-0.1155
    """
    func = "init.describe"
    check_choice(name, NAMES, "name", func)
    allowed = _OPTIONS.get(name, ())
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise TypeError(
            f"{func}: {name!r} takes options: {', '.join(allowed) or 'none'}; "
            f"got {', '.join(repr(k) for k in unknown)}"
        )
    for key in ("value", "mean", "low", "high"):
        if params.get(key) is not None:
            real(params[key], key, func)
    for key in ("std", "limit", "gain"):
        if params.get(key) is not None:
            real(params[key], key, func, **_POSITIVE)
    if name == "dirac":
        dirac(shape)  # the same shape checks
    dims = _shape(shape, func, min_ndim=2 if name in _FAN_BASED else 1)
    fan_in = fan_out = None
    if len(dims) >= 2:
        fan_in, fan_out = fans(dims)
    C = TRUNCATED_NORMAL_STD_CORRECTION

    def stats(dist, mean, std, low=None, high=None, formula=""):
        return InitStats(name, dims, fan_in, fan_out, float(mean), float(std),
                         None if low is None else float(low),
                         None if high is None else float(high), formula, dist)

    if name in ("zeros", "ones", "constant"):
        value = {"zeros": 0.0, "ones": 1.0}.get(name, params.get("value", 0.0))
        return stats("constant", value, 0.0, value, value, "0")
    if name == "normal":
        return stats("normal", params.get("mean", 0.0), params.get("std", 1.0),
                     formula="std")
    if name == "uniform":
        lo, hi = _uniform_bounds(params.get("limit"), params.get("low"), params.get("high"),
                                 func)
        return stats("uniform", (lo + hi) / 2, (hi - lo) / math.sqrt(12), lo, hi,
                     "(high - low) / sqrt(12)")
    if name == "truncated_normal":
        std, mean = params.get("std", 1.0), params.get("mean", 0.0)
        correct = params.get("correct", True)
        sigma = std / C if correct else std
        return stats("truncated normal", mean, sigma * C, mean - 2 * sigma,
                     mean + 2 * sigma, "std" if correct else "0.8796 * std")
    if name == "orthogonal":
        gain = params.get("gain", 1.0)
        rms = gain / math.sqrt(max(dims[0], math.prod(dims[1:])))
        return stats("orthogonal", 0.0, rms, -gain, gain, "gain / sqrt(max(F, C*kh*kw))")
    if name == "dirac":
        p = min(dims[0], dims[1]) / math.prod(dims)
        return stats("dirac", p, math.sqrt(p * (1 - p)), 0.0, 1.0,
                     "sqrt(p (1 - p)), p = min(F, C) / size")
    scheme = "glorot_uniform" if name == "keras_default" else name
    family, _, _, formula = _SCHEMES[scheme]
    s = _scheme_scale(scheme, dims)
    if family == "uniform":
        return stats("uniform", 0.0, s / math.sqrt(3), -s, s, _UNIFORM_FORMULA[name])
    return stats("truncated normal", 0.0, s, -2 * s / C, 2 * s / C, formula)
