r"""Gradient checking for the conv layer: a sweep, float32, ReLU kinks, a second opinion.

Built on :mod:`cnnedu.nn.gradcheck` (float64 central differences, the CS231n relative error):

- :func:`random_cases` / :func:`gradcheck_case` / :func:`gradcheck_sweep`: ``dx``, ``dw``,
  ``db`` of :func:`cnnedu.nn.conv.conv2d_backward` against finite differences on random
  shapes, strides and paddings;
- :func:`step_size_sweep`: the error of the finite-difference estimate as a function of
  the step ``h``, in float64 and in float32 (float32 is off by percents at float64's step
  and, at its own best step, still about a million times worse than float64);
- :func:`relu_kink_case`: a pre-activation sitting on the ReLU kink spoils the check;
- :func:`second_opinion`: PyTorch autograd when torch is installed, finite differences
  otherwise; the summary names the oracle that ran (without torch it is the same oracle as
  the sweep, so it is no second opinion, and it says so).

torch is never imported at module level.

>>> case = random_cases(1, seed=0)[0]
>>> errors = gradcheck_case(case)
>>> print(all(e.norm < 1e-7 for e in errors.values()))
True
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from cnnedu.nn.activations import relu, tanh, tanh_grad
from cnnedu.nn.conv import conv2d, conv2d_backward
from cnnedu.nn.gradcheck import check_gradient, rel_error

__all__ = ["GradError", "norm_rel_error", "ConvCase", "random_cases", "gradcheck_case", "gradcheck_sweep",
           "numerical_gradient_as", "step_size_sweep", "relu_kink_case", "SecondOpinion",
           "second_opinion"]


class GradError(NamedTuple):
    """Three ways to compare an analytic gradient with a numerical one."""

    norm: float   #: ``||a - n|| / (||a|| + ||n||)``: the whole array at once
    entry: float  #: the largest plain per-entry error ``|a - n| / (|a| + |n|)`` (CS231n divides by the max)
    scaled: float = float("nan")  #: :func:`cnnedu.nn.gradcheck.check_gradient`'s error
    passed: bool = True           #: :func:`cnnedu.nn.gradcheck.check_gradient`'s verdict


def norm_rel_error(a, b) -> float:
    r"""Relative error of two whole arrays,
    :math:`\lVert a - b \rVert / (\lVert a \rVert + \lVert b \rVert)` (0 for two zeros).

    Unlike the per-entry error it is not inflated by entries whose true value is tiny
    compared with the rest (there the finite-difference noise, ~1e-9 absolute, dominates).

    >>> print(norm_rel_error([1.0, 2.0], [1.0, 2.0]))
    0.0
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if den == 0 else float(np.linalg.norm(a - b) / den)


@dataclass(frozen=True)
class ConvCase:
    """One conv layer setting: ``x (N, C, H, W)``, ``w (F, C, k, k)``, stride, padding."""

    N: int
    C: int
    H: int
    W: int
    F: int
    k: int
    stride: int
    padding: int
    seed: int

    def label(self) -> str:
        return (f"x{(self.N, self.C, self.H, self.W)} w{(self.F, self.C, self.k, self.k)} "
                f"s={self.stride} p={self.padding}")

    def arrays(self):
        """Seeded float64 ``x``, ``w``, ``b`` and an upstream gradient ``dy``."""
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((self.N, self.C, self.H, self.W))
        w = rng.standard_normal((self.F, self.C, self.k, self.k))
        b = rng.standard_normal(self.F)
        y = conv2d(x, w, b, stride=self.stride, padding=self.padding)
        dy = rng.standard_normal(y.shape)
        return x, w, b, dy


def random_cases(n: int = 6, seed: int = 0) -> list[ConvCase]:
    """``n`` random small settings (sizes 1..3 for N, C, F; 4..8 for H, W; kernel sizes
    2, 3, 4 in turn; stride 1..3; padding 0..2), every one a valid conv.

    Kernels are at least 2x2 (a 1x1 kernel is its own rot180, so a missing rotation would
    go unseen) and standard-normal, hence not symmetric.

    >>> [c.label() for c in random_cases(2, seed=1)][0][:2]
    'x('
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 100:
        raise ValueError(f"random_cases: n must be an integer in 1..100; got {n!r}")
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n:
        N, C, F = (int(v) for v in rng.integers(1, 4, size=3))
        H, W = (int(v) for v in rng.integers(4, 9, size=2))
        k = 2 + len(cases) % 3                # 2, 3, 4, 2, 3, 4, ...
        s, p = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        if k > min(H, W) + 2 * p:
            continue
        cases.append(ConvCase(N, C, H, W, F, k, s, p, seed=int(rng.integers(2**31))))
    return cases


def gradcheck_case(case: ConvCase) -> dict[str, GradError]:
    """Relative errors of ``dx``, ``dw``, ``db`` (conv2d_backward vs finite differences).

    The scalar checked is ``L = sum(conv2d(x, w, b) * dy)``, so ``dL/dy = dy``.
    """
    x, w, b, dy = case.arrays()
    kw = {"stride": case.stride, "padding": case.padding}
    dx, dw, db = conv2d_backward(dy, x, w, **kw)
    out = {}
    for name, arg, grad in (("dx", x, dx), ("dw", w, dw), ("db", b, db)):
        fn = {"dx": lambda v: conv2d(v, w, b, **kw), "dw": lambda v: conv2d(x, v, b, **kw),
              "db": lambda v: conv2d(x, w, v, **kw)}[name]
        res = check_gradient(fn, arg, grad, df=dy)
        out[name] = GradError(norm_rel_error(res.analytic, res.numerical),
                              rel_error(res.analytic, res.numerical, rel_floor=0.0),
                              res.max_rel_error, bool(res.passed))
    return out


def gradcheck_sweep(n: int = 6, seed: int = 0):
    """:func:`gradcheck_case` on :func:`random_cases`: a list of ``(case, errors)``."""
    return [(case, gradcheck_case(case)) for case in random_cases(n, seed)]


def numerical_gradient_as(f, x, df, h: float, dtype) -> np.ndarray:
    """Central differences computed entirely in ``dtype`` (float32 allowed, on purpose).

    :func:`cnnedu.nn.gradcheck.numerical_gradient` refuses float32; this one exists to show
    why. ``x`` is not modified (a copy in ``dtype`` is perturbed).
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"numerical_gradient_as: dtype must be a float type; got {dtype}")
    xs = np.array(x, dtype=dtype)
    dfa = np.asarray(df, dtype=dtype)
    hh = dtype.type(h)
    grad = np.zeros(xs.shape, dtype=np.float64)
    for idx in np.ndindex(xs.shape):
        old = xs[idx]
        xs[idx] = old + hh
        fp = np.asarray(f(xs), dtype=dtype)
        xs[idx] = old - hh
        fm = np.asarray(f(xs), dtype=dtype)
        xs[idx] = old
        step = float((old + hh) - (old - hh))  # the step actually taken, after rounding
        # a step below the precision of x[idx] does not move it at all: the estimate is 0
        grad[idx] = float(np.sum((fp - fm) * dfa, dtype=dtype)) / step if step else 0.0
    return grad


def step_size_sweep(hs=None, seed: int = 0):
    """Relative error (:func:`norm_rel_error`) of ``dw`` estimated by finite differences,
    for each step ``h``, in float64 and in float32.

    The function is ``L(w) = sum(tanh(conv2d(x, w, b, padding=1)) * dy)``, so both error
    sources show: truncation (``~h**2``, from the curvature of tanh) wins for large ``h``,
    rounding (``~eps |L| / h``) for small ``h``. float64's ``eps`` is 2.2e-16, float32's
    1.2e-7. Measured (default ``hs``, 19 steps from 1e-10 to 0.1, seed 0; ranges over
    OpenBLAS kernel types, since float32 rounding noise depends on the order of the sums):
    float64 reaches about 2e-11 near ``h = 3e-6`` and stays below 1e-7 for ``h`` from 1e-9
    to 3e-4 (6e-11 at ``h = 1e-6``); float32 is off by 3e-2 to 5e-2 at ``h = 1e-6``, and
    its best, 8e-6 to 1.6e-5 near ``h = 3e-3`` (close to ``eps**(1/3) = 4.9e-3``), is still
    4e5 to 8e5 times float64's.

    Returns
    -------
    hs, err64, err32 : ndarray, shape (len(hs),)
    """
    hs = np.logspace(-10, -1, 19) if hs is None else np.asarray(hs, dtype=np.float64)
    case = ConvCase(1, 2, 6, 6, 2, 3, 1, 1, seed=seed)
    x, w, b, dy = case.arrays()
    z = conv2d(x, w, b, padding=1)
    _, dw, _ = conv2d_backward(dy * tanh_grad(z), x, w, padding=1)
    err = {}
    for dtype in (np.float64, np.float32):
        xd, bd = x.astype(dtype), b.astype(dtype)
        f = lambda v, xd=xd, bd=bd: tanh(conv2d(xd, v, bd, padding=1))  # noqa: E731
        err[dtype] = np.array([norm_rel_error(numerical_gradient_as(f, w, dy, h, dtype), dw)
                               for h in hs])
    return hs, err[np.float64], err[np.float32]


def relu_kink_case(seed: int = 0, shift: float = 0.0):
    """Check ``dx`` of ``relu(conv2d(x, w, b))`` where one pre-activation is 0 (the kink).

    The bias of the 1x4x4 input's 2x2-output conv is set so that ``z[0, 0, 1, 1]`` is
    (up to rounding) 0, plus ``shift``. Finite differences step over the kink and see
    the average slope; the analytic gradient takes one side. With ``shift=1e-3`` (far
    from the kink compared with ``h = 1e-6``) the check passes again.

    Returns
    -------
    (GradCheckResult, z_at_kink : float)
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, 1, 4, 4))
    w = rng.standard_normal((1, 1, 3, 3))
    z0 = conv2d(x, w)
    b = np.array([-z0[0, 0, 1, 1] + float(shift)])
    dy = rng.standard_normal(z0.shape)
    z = conv2d(x, w, b)
    dz = dy * (z > 0)
    dx, _, _ = conv2d_backward(dz, x, w)
    res = check_gradient(lambda v: relu(conv2d(v, w, b)), x, dx, df=dy)
    return res, float(z[0, 0, 1, 1])


@dataclass(frozen=True)
class SecondOpinion:
    """Outcome of :func:`second_opinion`; ``summary`` names the oracle."""

    agrees: bool
    cases: int
    oracle: str  # "pytorch" or "finite differences"

    @property
    def summary(self) -> str:
        if self.oracle == "pytorch":
            who = "PyTorch autograd (float64), an independent implementation,"
        else:
            who = ("float64 finite differences (PyTorch is not installed: the same oracle "
                   "as the sweep, not a second opinion),")
        return (f"conv2d_backward (dx, dw, db) agrees with {who} on {self.cases} random "
                f"settings: {self.agrees}")

    def __repr__(self) -> str:
        return self.summary


def _torch_grads(case: ConvCase, torch):
    x, w, b, dy = case.arrays()
    tx, tw, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    y = torch.nn.functional.conv2d(tx, tw, tb, stride=case.stride, padding=case.padding)
    y.backward(torch.tensor(dy, dtype=torch.float64))
    return tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()


def second_opinion(n: int = 4, seed: int = 1, use_torch: bool = True) -> SecondOpinion:
    """Compare :func:`cnnedu.nn.conv.conv2d_backward` with PyTorch autograd (float64) if torch
    can be imported (and ``use_torch``), else with float64 finite differences.

    Either way the oracle is independent of the code it checks; the summary says which one
    ran.
    """
    torch = None
    if use_torch:
        try:
            import torch  # noqa: F811 (lazy, optional)
        except ImportError:
            torch = None
    cases = random_cases(n, seed)
    ok = True
    for case in cases:
        if torch is not None:
            x, w, b, dy = case.arrays()
            ours = conv2d_backward(dy, x, w, stride=case.stride, padding=case.padding)
            theirs = _torch_grads(case, torch)
            ok &= all(rel_error(a, t) < 1e-10 for a, t in zip(ours, theirs))
        else:
            ok &= all(e.norm < 1e-7 for e in gradcheck_case(case).values())
    return SecondOpinion(bool(ok), len(cases), "pytorch" if torch is not None
                         else "finite differences")
