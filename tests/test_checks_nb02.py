"""The checks of notebook 02: the reference passes, a stub is NOT YET, every named mistake
gets its verdict (from a mutant solution that makes it), and nothing the learner's code does
(raise, loop forever, print a lot, return NaN, a string or a complex array) escapes."""
import math

import numpy as np
import pytest

from cnnedu.exercises.checks import nb02 as check
from cnnedu.exercises.solutions import nb02 as sol
from cnnedu.nn.conv import conv2d

NAMES = ["output_size", "param_count", "weight_shape", "conv_forward", "max_pool_forward",
         "receptive_field", "window_matrix"]
FAST = 0.5   # seconds: the time limit in these tests


def stub(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("name", NAMES)
def test_reference_passes_without_a_note_and_stub_is_not_yet(name):
    v = getattr(check, name)(getattr(sol, name))
    assert v.passed and not v.notes, str(v)
    v = getattr(check, name)(stub)
    assert v.status == "not yet" and "NotImplementedError" in str(v)
    assert getattr(check, name)(lambda *a, **k: None).status == "not yet"


def forever(*args, **kwargs):
    while True:
        pass


def chatty(*args, **kwargs):
    for i in range(5_000):
        print("debug", i)
    raise ValueError("oops")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad,words", [
    (lambda *a, **k: 1 / 0, "ZeroDivisionError"),
    (forever, "did not return within"),
    (chatty, "ValueError: oops"),
    (lambda *a, **k: "forty", ""),
    (lambda *a, **k: float("nan"), ""),
    (lambda *a, **k: float("inf"), ""),
    (lambda *a, **k: 3 + 2j, ""),
    (lambda *a, **k: np.full((2, 3), np.nan), ""),
    (lambda *a, **k: np.ones((2, 2)) * 1j, ""),
    (lambda *a, **k: [1, [2, 3]], ""),
    (lambda *a, **k: True, ""),
    (lambda *a, **k: {"a": 1}, ""),
])
def test_robust_to_anything_the_learner_returns(name, bad, words):
    v = getattr(check, name)(bad, time_limit=FAST)
    assert v.status == "wrong", str(v)
    assert words in str(v)
    assert len(str(v)) < 1200


def test_a_number_instead_of_a_function():
    assert check.conv_forward(42).status == "wrong"


# ----------------------------------------------------------------------- warm-up mutants

@pytest.mark.parametrize("wrong_fn,mistake", [
    (lambda H, k, stride=1, padding=0: math.ceil((H + 2 * padding - k) / stride) + 1, "ceil"),
    (lambda H, k, stride=1, padding=0: (H + padding - k) // stride + 1, "one side only"),
    (lambda H, k, stride=1, padding=0: (H + 2 * padding - k) // stride, "first window"),
])
def test_output_size_names_mistakes(wrong_fn, mistake):
    v = check.output_size(wrong_fn)
    assert v.status == "wrong" and mistake in v.mistake, str(v)


@pytest.mark.parametrize("wrong_fn,words", [
    (lambda H, k, stride=1, padding=0: (H + 2 * padding - k) / stride + 1, "whole number"),
    (lambda H, k, stride=1, padding=0: H - k + 1, "expected"),
])
def test_output_size_other_wrong_answers(wrong_fn, words):
    v = check.output_size(wrong_fn)
    assert v.status == "wrong" and not v.mistake and (words in str(v) or "not right" in str(v))


@pytest.mark.parametrize("wrong_fn,mistake", [
    (lambda C, F, k: F * C * k * k, "biases are forgotten"),
    (lambda C, F, k: F * k * k + F, "only k*k"),
    (lambda C, F, k: F * C * k * k + F * C, "per channel"),
    (lambda C, F, k: F * C * k + F, "k weights"),
    (lambda C, F, k: C * k * k + 1, "one filter"),
])
def test_param_count_names_mistakes(wrong_fn, mistake):
    v = check.param_count(wrong_fn)
    assert v.status == "wrong" and mistake in v.mistake, str(v)


@pytest.mark.parametrize("wrong_fn,mistake", [
    (lambda C, F, k: (C, F, k, k), "channels come first"),
    (lambda C, F, k: (k, k, C, F), "Keras"),
    (lambda C, F, k: (F, k, k), "left out"),
    (lambda C, F, k: (F, k, k, C), "channels come last"),
])
def test_weight_shape_names_mistakes(wrong_fn, mistake):
    v = check.weight_shape(wrong_fn)
    assert v.status == "wrong" and mistake in v.mistake, str(v)


def test_weight_shape_accepts_a_list_and_refuses_a_number():
    assert check.weight_shape(lambda C, F, k: [F, C, k, k]).passed
    assert check.weight_shape(lambda C, F, k: 42).status == "wrong"


# ----------------------------------------------------------------------- conv_forward mutants

def conv_loops(x, w, b, stride=1, padding=0, *, flip=False, ceil=False, pad="both",
               bias="per filter", channels="all", swap_nf=False, step=True, start=True):
    """The reference loops with one classic mistake switched on."""
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    p, s = padding, (stride if step else 1)
    before, after = {"both": (p, p), "before": (p, 0), "after": (0, p)}[pad]
    xp = np.pad(x, ((0, 0), (0, 0), (before, after), (before, after)))
    rnd = math.ceil if ceil else math.floor
    Ho = rnd((xp.shape[2] - kh) / (s if start else stride)) + 1
    Wo = rnd((xp.shape[3] - kw) / (s if start else stride)) + 1
    if ceil:   # zeros for the windows that hang over the edge
        xp = np.pad(xp, ((0, 0), (0, 0), (0, kh), (0, kw)))
    y = np.zeros((N, F, Ho, Wo))
    chans = {"all": range(C), "first": [0], "last": [C - 1]}[channels]
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = (i * s, j * s) if start else (i, j)
                    total = 0.0
                    for c in chans:
                        k = w[f, c, ::-1, ::-1] if flip else w[f, c]
                        prod = np.sum(xp[n, c, r0:r0 + kh, c0:c0 + kw] * k)
                        total = prod if channels == "last" else total + prod
                        if bias == "per channel":
                            total += b[f]
                    y[n, f, i, j] = total + {"per filter": b[f], "none": 0.0, "first": b[0],
                                             "sum": b.sum(), "per channel": 0.0}[bias]
    return y.transpose(1, 0, 2, 3) if swap_nf else y


def test_conv_loops_without_mistakes_passes():
    assert check.conv_forward(conv_loops).passed


@pytest.mark.parametrize("options,mistake", [
    (dict(flip=True), "kernel is flipped"),
    (dict(ceil=True), "rounded up (ceil)"),
    (dict(pad="before"), "one side only (before"),
    (dict(pad="after"), "one side only (after"),
    (dict(bias="none"), "bias is missing"),
    (dict(bias="first"), "b[0]"),
    (dict(bias="sum"), "once for all filters"),
    (dict(bias="per channel"), "once per input channel"),
    (dict(channels="last"), "not summed"),
    (dict(channels="first"), "only channel 0"),
    (dict(swap_nf=True), "N and F axes are swapped"),
    (dict(step=False), "stride is ignored"),
    (dict(start=False), "starts at (i, j)"),
])
def test_conv_forward_names_each_mistake(options, mistake):
    v = check.conv_forward(lambda x, w, b, stride=1, padding=0: conv_loops(
        x, w, b, stride, padding, **options))
    assert v.status == "wrong" and mistake in v.mistake, str(v)


def test_conv_forward_ceil_that_crashes_gets_the_size_hint():
    def crashing(x, w, b, stride=1, padding=0):
        p = padding
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        Ho = math.ceil((xp.shape[2] - w.shape[2]) / stride) + 1
        Wo = math.ceil((xp.shape[3] - w.shape[3]) / stride) + 1
        y = np.zeros((x.shape[0], w.shape[0], Ho, Wo))
        for i in range(Ho):
            for j in range(Wo):
                win = xp[:, :, i * stride:i * stride + w.shape[2], j * stride:j * stride + w.shape[3]]
                y[:, :, i, j] = np.einsum("nchw,fchw->nf", win, w) + b
        return y
    v = check.conv_forward(crashing)
    assert v.status == "wrong" and "ceil" in v.hint, str(v)


def test_conv_forward_calling_the_package_passes_with_a_note():
    v = check.conv_forward(lambda x, w, b, stride=1, padding=0: conv2d(
        x, w, b, stride=stride, padding=padding))
    assert v.passed and "you called cnnedu.nn.conv.conv2d" in str(v)


def test_conv_forward_small_error_shows_first_difference():
    v = check.conv_forward(lambda x, w, b, stride=1, padding=0: sol.conv_forward(
        x, w, b, stride, padding) + 1e-3)
    assert v.status == "wrong" and "first difference" in str(v) and not v.mistake


# ----------------------------------------------------------------------- max_pool mutants

def pool_loops(x, size, stride, *, op="max", zero_start=False, ceil=False, step=True,
               start=True, across=False, squeeze=False):
    N, C, H, W = x.shape
    s = stride if step else 1
    rnd = math.ceil if ceil else math.floor
    Ho, Wo = rnd((H - size) / (s if start else stride)) + 1, rnd((W - size) / (
        s if start else stride)) + 1
    y = np.zeros((N, 1 if squeeze else C, Ho, Wo))
    for n in range(N):
        for c in range(y.shape[1]):
            for i in range(Ho):
                for j in range(Wo):
                    r0, c0 = (i * s, j * s) if start else (i, j)
                    chans = slice(None) if across else c
                    win = x[n, chans, r0:r0 + size, c0:c0 + size]   # shorter at the edge
                    if op == "mean":
                        y[n, c, i, j] = win.mean()
                    else:
                        best = 0.0 if zero_start else -np.inf
                        for v in win.ravel():
                            best = max(best, v)
                        y[n, c, i, j] = best
    return y


@pytest.mark.parametrize("options,mistake", [
    (dict(op="mean"), "average pooling"),
    (dict(zero_start=True), "starts at 0"),
    (dict(ceil=True), "hanging over the edge"),
    (dict(step=False), "stride is ignored"),
    (dict(start=False), "starts at (i, j)"),
    (dict(across=True), "over the channels too"),
    (dict(across=True, squeeze=True), "one map left"),
])
def test_max_pool_names_each_mistake(options, mistake):
    assert check.max_pool_forward(pool_loops).passed
    v = check.max_pool_forward(lambda x, size, stride: pool_loops(x, size, stride, **options))
    assert v.status == "wrong" and mistake in v.mistake, str(v)


# ----------------------------------------------------------------------- receptive field

def rf_loop(layers, *, ignore_stride=False, add_k=False, own=False, multiply=False, one=1):
    r, jump = one, 1
    for k, s in layers:
        if multiply:
            r = r * k if r > 1 else k
            continue
        if own:
            jump *= s
        r += k if add_k else (k - 1) * (1 if ignore_stride else jump)
        if not own:
            jump *= s
    return r - 1 if add_k else r


@pytest.mark.parametrize("options,mistake", [
    (dict(ignore_stride=True), "strides are ignored"),
    (dict(add_k=True), "kernel sizes are added"),
    (dict(own=True), "own stride"),
    (dict(multiply=True), "multiplied"),
    (dict(one=0), "starting 1"),
])
def test_receptive_field_names_each_mistake(options, mistake):
    assert check.receptive_field(rf_loop).passed
    v = check.receptive_field(lambda layers: rf_loop(layers, **options))
    assert v.status == "wrong" and mistake in v.mistake, str(v)


def test_receptive_field_cases_tell_every_mistake_apart():
    for case in check.RF_CASES:
        values = [f(case) for _, f, _ in check.RF_MISTAKES]
        assert all(isinstance(v, int) for v in values)
    # each mistake differs from the right answer in some case, and from every other mistake
    fns = [f for _, f, _ in check.RF_MISTAKES]
    from cnnedu.topics.receptive_field import receptive_field as right
    for a, fa in enumerate(fns):
        assert any(fa(c) != right(c) for c in check.RF_CASES)
        for fb in fns[a + 1:]:
            assert any(fa(c) != fb(c) for c in check.RF_CASES)


# ----------------------------------------------------------------------- window matrix

def windows_loops(x, k, *, order="cuv", flat="row", cols="row", transpose=False, miss=False,
                  first=False):
    C, H, W = x.shape
    Ho, Wo = H - k + 1 - miss, W - k + 1 - miss
    chans = x[:1] if first else x
    M = np.zeros((chans.shape[0] * k * k, Ho * Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = chans[:, i:i + k, j:j + k]
            if order == "uvc":
                win = win.transpose(1, 2, 0)
            if flat == "col":
                win = win.transpose(0, 2, 1)
            M[:, (j * Ho + i) if cols == "col" else (i * Wo + j)] = win.reshape(-1)
    return M.T if transpose else M


@pytest.mark.parametrize("options,mistake", [
    (dict(order="uvc"), "channel last"),
    (dict(flat="col"), "column by column (v before u)"),
    (dict(cols="col"), "j before i"),
    (dict(transpose=True), "transposed"),
    (dict(miss=True), "last window"),
    (dict(first=True), "only channel 0"),
])
def test_window_matrix_names_each_mistake(options, mistake):
    assert check.window_matrix(windows_loops).passed
    v = check.window_matrix(lambda x, k: windows_loops(x, k, **options))
    assert v.status == "wrong" and mistake in v.mistake, str(v)


@pytest.mark.parametrize("name,fn,called", [
    ("max_pool_forward", lambda x, size, stride: __import__("cnnedu.nn.layers", fromlist=["x"])
     .MaxPool2D(size, stride).forward(x), "MaxPool2D"),
    ("max_pool_forward", lambda x, size, stride: __import__(
        "cnnedu.topics.pooling", fromlist=["x"]).max_pool(x, size, stride), "max_pool"),
    ("receptive_field", lambda layers: __import__(
        "cnnedu.topics.receptive_field", fromlist=["x"]).receptive_field(layers),
     "receptive_field"),
    ("window_matrix", lambda x, k: __import__(
        "cnnedu.topics.im2col", fromlist=["x"]).window_matrix(x, k), "window_matrix"),
])
def test_calling_the_package_passes_with_a_note(name, fn, called):
    v = getattr(check, name)(fn)
    assert v.passed and v.notes and called in v.notes[0] and "that passes" in v.notes[0], str(v)


def test_a_wrong_count_says_the_expected_one():
    """A learner can compare a wrong count with the right one by hand (both named or not)."""
    v = check.receptive_field(lambda layers: 3)
    assert v.status == "wrong" and "= 3 is not right (expected 7)" in str(v), str(v)
    v = check.param_count(lambda C, F, k: C * F * k * k)
    assert v.mistake and "(expected 560)" in str(v), str(v)
