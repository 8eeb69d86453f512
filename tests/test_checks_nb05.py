"""Each check of notebook 05 passes the reference, says NOT YET for a stub, names every
classic mistake (one mutant solution per mistake), and gives a clear verdict, never an
exception, for code that raises, returns the wrong type, NaN, inf or complex values, loops
forever or prints a lot."""
import numpy as np
import pytest

from cnnedu.exercises.checks import nb05 as check
from cnnedu.exercises.checks import _nb05_gradcheck as gk
from cnnedu.exercises.checks import _nb05_mistakes as mk
from cnnedu.exercises.solutions import nb05 as sol
from cnnedu.nn.conv import conv2d_backward, convolve2d, correlate2d, rot180
from cnnedu.nn.gradcheck import check_gradient, numerical_gradient
from cnnedu.nn.layers import MaxPool2D

EXERCISES = ["dw_loops", "dx_loops", "conv_backward", "max_pool_backward",
             "numerical_gradient", "gradient_check"]


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_passes_and_stub_is_not_yet(name):
    chk = getattr(check, name)
    v = chk(getattr(sol, name))
    assert v.passed, str(v)
    assert not v.notes, v.notes                      # the reference writes its own loops
    assert chk(stub).status == "not yet" and "NOT YET" in str(chk(stub))
    assert chk(lambda *a: None).status == "not yet"


def _forever(*args):
    while True:
        pass


def _chatty(*args):
    for i in range(100_000):
        print("debug line", i)
    return "not an array"


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("bad, expect", [
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    (lambda *a: "abc", ""),
    (lambda *a: {"a": 1}, ""),
    (_forever, "did not return"),
    (_chatty, ""),
    (42, "expected a function"),
])
def test_robust_to_bad_code(name, bad, expect):
    v = getattr(check, name)(bad, time_limit=0.3)
    assert v.status == "wrong", str(v)
    assert expect in str(v)
    assert len(str(v)) < 2000


def _shaped(name, fill):
    """An answer of the right shape, filled with ``fill`` (NaN, inf, complex)."""
    def dw(x, dy):
        return np.full((x.shape[0] - dy.shape[0] + 1, x.shape[1] - dy.shape[1] + 1), fill)

    def dx(dy, w):
        return np.full((dy.shape[0] + w.shape[0] - 1, dy.shape[1] + w.shape[1] - 1), fill)

    def conv(dy, x, w, s, p):
        return (np.full(x.shape, fill), np.full(w.shape, fill), np.full(w.shape[0], fill))

    def pool(dy, x, size, s):
        return np.full(x.shape, fill)

    def grad(f, x, df):
        return np.full(x.shape, fill)

    def gcheck(f, x, a, df):
        return fill

    return {"dw_loops": dw, "dx_loops": dx, "conv_backward": conv, "max_pool_backward": pool,
            "numerical_gradient": grad, "gradient_check": gcheck}[name]


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("fill", [np.nan, np.inf, 1 + 2j])
def test_nan_inf_complex_are_wrong(name, fill):
    v = getattr(check, name)(_shaped(name, fill))
    assert v.status == "wrong", str(v)


# --------------------------------------------------------------------------- exercises 1, 2

def test_dw_mistakes():
    v = check.dw_loops(lambda x, dy: rot180(sol.dw_loops(x, dy)))
    assert v.status == "wrong" and "rotated by 180" in v.mistake and "no rotation" in str(v)
    v = check.dw_loops(lambda x, dy: convolve2d(x, dy, "valid"))
    assert v.status == "wrong" and "convolved" in v.mistake
    v = check.dw_loops(lambda x, dy: sol.dw_loops(x, dy)[:-1])
    assert v.status == "wrong" and "shape" in str(v)
    v = check.dw_loops(lambda x, dy: sol.dw_loops(x, dy) * 0.5)
    assert v.status == "wrong" and "first difference" in str(v)


def test_dx_mistakes():
    v = check.dx_loops(lambda dy, w: sol.dx_loops(dy, rot180(w)))   # kernel not flipped
    assert v.status == "wrong" and "not rotated" in v.mistake
    v = check.dx_loops(lambda dy, w: correlate2d(dy, rot180(w), "same"))
    assert v.status == "wrong" and "shape" in str(v) and "full" in str(v)


def test_package_calls_pass_with_a_note():
    v = check.dw_loops(lambda x, dy: correlate2d(x, dy, "valid"))
    assert v.passed and "you called" in str(v) and "correlate2d" in str(v)
    v = check.conv_backward(lambda dy, x, w, s, p: conv2d_backward(dy, x, w, stride=s,
                                                                   padding=p))
    assert v.passed and "conv2d_backward" in str(v)
    v = check.max_pool_backward(_pool_pkg)
    assert v.passed and "you called" in str(v)
    v = check.numerical_gradient(
        lambda f, x, df: numerical_gradient(f, x, df) if x.dtype == np.float64
        else sol.numerical_gradient(f, x, df))
    assert v.passed and "numerical_gradient" in str(v)
    v = check.gradient_check(lambda f, x, a, df: check_gradient(f, x, a, df=df).passed)
    assert v.passed and "check_gradient" in str(v)


def _pool_pkg(dy, x, k, s):
    pool = MaxPool2D(k, s)
    pool.forward(x)
    return pool.backward(dy)


# --------------------------------------------------------------------------- exercise 3

def conv_mutant(kind):
    """The reference loops with one classic mistake, written as a learner would."""
    def fn(dy, x, w, s, p):
        N, C, H, W = x.shape
        F, _, kh, kw = w.shape
        Ho, Wo = dy.shape[2:]
        st = 1 if kind == "no stride" else s
        x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        dx_pad = np.zeros(x_pad.shape)
        dw = np.zeros(w.shape)
        for n in range(N):
            for f in range(F):
                for i in range(Ho):
                    for j in range(Wo):
                        r, c = slice(i * st, i * st + kh), slice(j * st, j * st + kw)
                        if kind == "dw =":
                            dw[f] = dy[n, f, i, j] * x_pad[n, :, r, c]
                        else:
                            dw[f] += dy[n, f, i, j] * x_pad[n, :, r, c]
                        k = {"rot": w[f, :, ::-1, ::-1], "swap": w[:, f]}.get(kind, w[f])
                        if kind == "dx =":
                            dx_pad[n, :, r, c] = dy[n, f, i, j] * k
                        else:
                            dx_pad[n, :, r, c] += dy[n, f, i, j] * k
        dx = {"no crop": dx_pad, "crop start": dx_pad[:, :, :H, :W],
              "crop end": dx_pad[:, :, 2 * p:, 2 * p:]}.get(kind, dx_pad[:, :, p:p + H, p:p + W])
        db = {"db batch": dy.sum(axis=(2, 3)), "db space": dy.sum(axis=0),
              "db first": dy[0].sum(axis=(1, 2)), "db mean": dy.mean(axis=(0, 2, 3))
              }.get(kind, dy.sum(axis=(0, 2, 3)))
        if kind == "dw mean":
            dw = dw / N
        return dx, dw, db
    return fn


@pytest.mark.parametrize("kind, mistake", [
    ("rot", mk.ROT), ("swap", mk.SWAP), ("db batch", mk.DB_BATCH), ("db space", mk.DB_SPACE),
    ("db first", mk.DB_FIRST), ("db mean", mk.DB_MEAN), ("dw mean", mk.DW_MEAN),
    ("no crop", mk.NO_CROP), ("crop start", mk.CROP_ONE_SIDE),
    ("crop end", mk.CROP_OTHER_SIDE), ("no stride", mk.NO_STRIDE), ("dx =", mk.ASSIGN_DX),
    ("dw =", mk.ASSIGN_DW)])
def test_conv_backward_names_each_mistake(kind, mistake):
    v = check.conv_backward(conv_mutant(kind))
    assert v.status == "wrong" and v.mistake == mistake, str(v)
    assert mistake in str(v)


def _formula_route_without_dilation(dy, x, w, s, p):
    """dX and dW from the whole-array formulas of sections 5 and 6, forgetting to dilate dY."""
    N, C, H, W = x.shape
    F = w.shape[0]
    full = np.array([[sum(correlate2d(dy[n, f], rot180(w[f, c]), "full") for f in range(F))
                      for c in range(C)] for n in range(N)])
    dx = full[:, :, p:-p, p:-p] if p else full
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dw = np.array([[sum(correlate2d(x_pad[n, c], dy[n, f]) for n in range(N)) for c in range(C)]
                   for f in range(F)])
    return dx, dw, dy.sum(axis=(0, 2, 3))


def test_conv_backward_names_the_missing_dilation_of_the_formula_route():
    v = check.conv_backward(_formula_route_without_dilation)
    assert v.status == "wrong" and v.mistake == mk.NO_DILATE, str(v)

    def dw_only(dy, x, w, s, p):            # dx right, dW without the dilation
        return (sol.conv_backward(dy, x, w, s, p)[0],
                _formula_route_without_dilation(dy, x, w, s, p)[1], dy.sum(axis=(0, 2, 3)))
    v = check.conv_backward(dw_only)
    assert v.status == "wrong" and v.mistake == mk.NO_DILATE and v.message.startswith("dw"), str(v)


def test_conv_backward_other_wrong_answers():
    assert conv_mutant("none")(*check._conv_case(0))[0].shape == (2, 2, 5, 6)
    v = check.conv_backward(lambda dy, x, w, s, p: conv_mutant("none")(dy, x, w, s, p)[:2])
    assert v.status == "wrong" and "three arrays" in str(v)
    v = check.conv_backward(lambda dy, x, w, s, p: tuple(
        2 * a for a in conv_mutant("none")(dy, x, w, s, p)))
    assert v.status == "wrong" and "differ" in str(v)
    v = check.conv_backward(lambda dy, x, w, s, p: [a.astype(np.float32) for a in
                                                    sol.conv_backward(dy, x, w, s, p)])
    assert v.passed                                  # float32 and lists are fine


# --------------------------------------------------------------------------- exercise 4

def pool_mutant(kind):
    def fn(dy, x, size, stride):
        N, C = x.shape[:2]
        Ho, Wo = dy.shape[2:]
        step = size if kind == "no stride" else stride
        dx = np.zeros(x.shape)
        for n in range(N):
            for c in range(C):
                for i in range(Ho):
                    for j in range(Wo):
                        r0, c0 = i * step, j * step
                        win = x[n, c, r0:r0 + size, c0:c0 + size]
                        if win.shape != (size, size):
                            continue
                        g = dy[n, c, i, j]
                        if kind in ("all", "split"):
                            m = win == win.max()
                            dx[n, c, r0:r0 + size, c0:c0 + size] += m * (
                                g / m.sum() if kind == "split" else g)
                        elif kind == "average":
                            dx[n, c, r0:r0 + size, c0:c0 + size] += g / size ** 2
                        else:
                            if kind == "last":
                                rr, cc = np.argwhere(win == win.max())[-1]
                            else:
                                rr, cc = np.unravel_index(np.argmax(win), win.shape)
                            if kind == "=":
                                dx[n, c, r0 + rr, c0 + cc] = g
                            else:
                                dx[n, c, r0 + rr, c0 + cc] += g
        return dx
    return fn


@pytest.mark.parametrize("kind, mistake", [
    ("all", mk.TIE_ALL), ("split", mk.TIE_SPLIT), ("last", mk.TIE_LAST),
    ("=", mk.ASSIGN_POOL), ("no stride", mk.POOL_NO_STRIDE), ("average", mk.POOL_AVERAGE)])
def test_max_pool_names_each_mistake(kind, mistake):
    v = check.max_pool_backward(pool_mutant(kind))
    assert v.status == "wrong" and v.mistake == mistake, str(v)


def test_max_pool_plain_mutant_passes():
    assert check.max_pool_backward(pool_mutant("first")).passed


# --------------------------------------------------------------------------- exercise 5

def grad_mutant(kind, h=None):
    def fn(f, x, df):
        step = h if h is not None else float(np.finfo(x.dtype).eps) ** (1 / 3)
        grad = np.zeros(x.shape)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + step
            plus = np.sum(f(x) * (1 if kind == "no df" else df))
            x[idx] = old - step if kind != "forward" else old
            minus = np.sum(f(x) * (1 if kind == "no df" else df))
            if kind == "backward":
                x[idx] = old
                plus = np.sum(f(x) * df)
                x[idx] = old - step
                minus = np.sum(f(x) * df)
            if kind != "no restore":
                x[idx] = old
            denom = step if kind in ("half", "forward", "backward") else 2 * step
            grad[idx] = (plus - minus) / denom
        return grad
    return fn


@pytest.mark.parametrize("kind, h, mistake", [
    ("no restore", None, gk.NOT_RESTORED), ("forward", None, gk.FORWARD),
    ("backward", None, gk.BACKWARD), ("half", None, gk.HALF), ("no df", None, gk.NO_DF),
    ("central", 1e-6, gk.SMALL_H32)])
def test_numerical_gradient_names_each_mistake(kind, h, mistake):
    v = check.numerical_gradient(grad_mutant(kind, h))
    assert v.status == "wrong" and v.mistake == mistake, str(v)


def test_numerical_gradient_plain_mutant_passes():
    assert check.numerical_gradient(grad_mutant("central")).passed


# --------------------------------------------------------------------------- exercise 6

def _norm_check(threshold):
    def fn(f, x, a, df):
        n = sol.numerical_gradient(f, x, df)
        return bool(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)) < threshold)
    return fn


def _absolute(f, x, a, df):
    return bool(np.max(np.abs(a - sol.numerical_gradient(f, x, df))) < 1e-6)


@pytest.mark.parametrize("fn, mistake", [
    (lambda *a: True, gk.ALWAYS_TRUE), (lambda *a: False, gk.TOO_STRICT),
    (_absolute, gk.ABSOLUTE), (_norm_check(1e-14), gk.TOO_STRICT),
    (_norm_check(0.5), gk.TOO_LOOSE)])
def test_gradient_check_names_each_mistake(fn, mistake):
    v = check.gradient_check(fn)
    assert v.status == "wrong" and v.mistake == mistake, str(v)
    assert "package: " in str(v) and "<- differs" in str(v)


@pytest.mark.parametrize("threshold", [1e-8, 1e-6, 1e-4])
def test_gradient_check_any_sensible_threshold_agrees(threshold):
    assert check.gradient_check(_norm_check(threshold)).passed


def test_gradient_check_package_verdicts_are_clear_cut():
    """The six cases sit far from check_gradient's tolerance, so its verdicts do not
    depend on rounding."""
    for label, f, x, a, df, correct in gk._check_cases():
        res = check_gradient(f, x.copy(), a, df=df)
        assert res.passed == correct, label
        assert (res.max_rel_error < res.tol / 100) if correct else (
            res.max_rel_error > 100 * res.tol), (label, res)


def test_gradient_check_needs_a_bool():
    v = check.gradient_check(lambda *a: 1e-9)
    assert v.status == "wrong" and "True or False" in str(v)


@pytest.mark.parametrize("threshold", [1e-7, 1e-5])
def test_gradient_check_cs231n_per_entry_rule_agrees(threshold):
    def per_entry(f, x, a, df):
        n = sol.numerical_gradient(f, x, df)
        return bool(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))) < threshold)
    assert check.gradient_check(per_entry).passed
