"""The exercise checks of notebook 01: the reference passes, a stub says NOT YET, every
listed mistake gets the verdict that names it, a call to the package's own function passes
with a note, and whatever the learner's code does ends in a verdict."""
import sys

import numpy as np
import pytest
import scipy.signal

from cnnedu.exercises import _core
from cnnedu.exercises.checks import nb01 as check
from cnnedu.exercises.solutions import nb01 as sol
from cnnedu.nn.conv import convolve2d, correlate2d, rot180
from cnnedu.topics import kernels, templates
from cnnedu.topics.filter_response import diagonal_edge_tiles

loops, flip_conv = sol.correlate2d_loops, sol.convolve2d_by_flipping


def stub_raises(*args, **kwargs):
    raise NotImplementedError


def stub_none(*args, **kwargs):
    return None


# ------------------------------------------------------------ robustness, every exercise

CHECKS = [(check.correlate2d_loops, 2), (check.convolve2d_by_flipping, 2),
          (check.ncc_loops, 2), (check.diagonal_edge_kernel, 0), (check.learn_kernel, 4)]


def _with_arity(body, n):
    if n == 0:
        return lambda: body()
    return lambda *args, **kwargs: body()


def _forever():
    while True:
        pass


def _recurse():
    return _recurse()


def _chatty():
    for i in range(5000):
        print("debugging", i)
    return np.zeros((2, 2)) + np.nan


ROBUST = {
    "raises": (lambda: 1 / 0, "ZeroDivisionError"),
    "wrong type": (lambda: "done", "got a str"),
    "ragged": (lambda: [[1, 2], [3]], "numpy cannot turn"),
    "bool": (lambda: np.ones((3, 3), dtype=bool), "True/False"),
    "complex": (lambda: np.ones((3, 3)) + 1j, "complex"),
    "nan": (lambda: np.full((3, 3), np.nan), "WRONG"),
    "inf": (lambda: np.full((3, 3), np.inf), "WRONG"),
    "recursion": (_recurse, "RecursionError"),
    "exit": (lambda: sys.exit(1), "SystemExit"),
    "prints a lot": (_chatty, "WRONG"),
}


@pytest.mark.parametrize("check_fn, arity", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_stubs_say_not_yet(check_fn, arity):
    assert check_fn(_with_arity(stub_none, arity)).status == "not yet"

    def raising(*args, **kwargs):
        raise NotImplementedError
    assert check_fn(raising).status == "not yet"


@pytest.mark.parametrize("kind", sorted(ROBUST))
@pytest.mark.parametrize("check_fn, arity", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_robustness_ends_in_a_clear_verdict(check_fn, arity, kind, capsys):
    body, words = ROBUST[kind]
    v = check_fn(_with_arity(body, arity))
    assert v.status == "wrong", str(v)
    assert words in str(v), str(v)
    assert len(str(v)) < 600
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("check_fn, arity", CHECKS, ids=lambda c: getattr(c, "__name__", ""))
def test_an_endless_loop_is_stopped(check_fn, arity):
    # the checks call with the default limit (10 s); a test shortens it
    with _core.capped_time_limit(0.2):
        v = check_fn(_with_arity(_forever, arity))
    assert v.status == "wrong" and "did not return within 0.2 s" in str(v)


# ------------------------------------------------------------ exercise 1a: correlate2d

def test_correlate2d_reference_passes_without_a_note():
    v = check.correlate2d_loops(loops)
    assert v.passed and not v.notes


def _kernel_transposed_loops(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kw + 1, image.shape[1] - kh + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kw, j:j + kh] * kernel.T)
    return out


def _one_short(image, kernel):
    return loops(image, kernel)[:-1, :-1]


CORRELATE_MUTANTS = {
    "the kernel is flipped": lambda im, k: loops(im, k[::-1, ::-1]),
    "the output is transposed": lambda im, k: loops(im, k).T,
    "the kernel is transposed": _kernel_transposed_loops,
    "the output is 'same'": lambda im, k: correlate2d(im, k, mode="same"),
    "the output is 'full'": lambda im, k: scipy.signal.correlate2d(im, k, mode="full"),
    "the loops stop one short": _one_short,
}


@pytest.mark.parametrize("name", sorted(CORRELATE_MUTANTS))
def test_correlate2d_mutants_are_named(name):
    v = check.correlate2d_loops(CORRELATE_MUTANTS[name])
    assert v.status == "wrong" and v.mistake.startswith(name), (name, str(v))
    assert f"this is what you get when {name}" in str(v)


def test_correlate2d_other_wrong_answers():
    off = check.correlate2d_loops(lambda im, k: loops(im, k) + 1e-3)
    assert off.status == "wrong" and "first difference" in str(off) and not off.mistake
    boom = check.correlate2d_loops(lambda im, k: im[100])
    assert boom.status == "wrong" and "IndexError" in str(boom)


@pytest.mark.parametrize("package", [
    lambda im, k: correlate2d(im, k),
    lambda im, k: scipy.signal.correlate2d(im, k, mode="valid"),
])
def test_correlate2d_calling_the_package_passes_with_a_note(package):
    v = check.correlate2d_loops(package)
    assert v.passed and "note: you called" in str(v) and "loops" in str(v)


# ------------------------------------------------------------ exercise 1b: convolution

CONVOLVE_MUTANTS = {
    "the kernel is not flipped": loops,
    "only the rows are reversed": lambda im, k: loops(im, k[::-1]),
    "only the columns are reversed": lambda im, k: loops(im, k[:, ::-1]),
    "the kernel is transposed": lambda im, k: loops(im, np.asarray(k).T),
    "the image is flipped": lambda im, k: loops(im[::-1, ::-1], k),
    "the output is 'same'": lambda im, k: convolve2d(im, k, mode="same"),
}


@pytest.mark.parametrize("name", sorted(CONVOLVE_MUTANTS))
def test_convolve_mutants_are_named(name):
    v = check.convolve2d_by_flipping(CONVOLVE_MUTANTS[name])
    assert v.status == "wrong" and v.mistake.startswith(name), (name, str(v))


def test_convolve_reference_passes_without_a_note():
    v = check.convolve2d_by_flipping(flip_conv)
    assert v.passed and not v.notes


def test_convolve_with_the_package_passes_with_a_note():
    v = check.convolve2d_by_flipping(lambda im, k: convolve2d(im, k))
    assert v.passed and "convolve2d" in str(v) and "the flip" in str(v)
    v = check.convolve2d_by_flipping(lambda im, k: scipy.signal.convolve2d(im, k, "valid"))
    assert v.passed and "note: you called" in str(v)
    # using the package's correlate2d on the flipped kernel is the exercise: no note
    v = check.convolve2d_by_flipping(lambda im, k: correlate2d(im, rot180(k)))
    assert v.passed and not v.notes


def test_the_cases_tell_the_mistakes_apart():
    """Each mistake gives a different answer from the reference on some case."""
    for image, kernel in check.correlation_cases():
        assert not np.allclose(convolve2d(image, kernel), correlate2d(image, kernel))
    assert any(k.shape[0] != k.shape[1] for _, k in check.correlation_cases())


# ------------------------------------------------------------ exercise 2: NCC

def _centred(image, template):
    t = np.asarray(template, dtype=float)
    return correlate2d(image, t - t.mean())


def _naive_parts(image, template, centre_windows, centre_template, norm_windows,
                 norm_template, flat_zero=True, std=False):
    t = np.asarray(template, dtype=float)
    if centre_template:
        t = t - t.mean()
    th, tw = t.shape
    out = np.zeros((image.shape[0] - th + 1, image.shape[1] - tw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            a = image[i:i + th, j:j + tw]
            a = a - a.mean() if centre_windows else a
            d = 1.0
            if norm_windows:
                d *= np.std(a) if std else np.linalg.norm(a)
            if norm_template:
                d *= np.std(t) if std else np.linalg.norm(t)
            if d < 1e-12 and flat_zero:
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                out[i, j] = np.sum(a * t) / d
    return out


def _uncentred_window_norm(image, template):
    t = template - template.mean()
    th, tw = t.shape
    out = np.zeros((image.shape[0] - th + 1, image.shape[1] - tw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            a = image[i:i + th, j:j + tw]
            out[i, j] = np.sum((a - a.mean()) * t) / (np.linalg.norm(a) * np.linalg.norm(t))
    return out


NCC_MUTANTS = {
    "the template is centred but the windows are not normalized (the half-fix":
        _centred,
    "the template is centred and normalized, but the windows are not normalized":
        lambda im, t: _naive_parts(im, t, False, True, False, True),
    "nothing is centred or normalized":
        lambda im, t: templates.sliding_dot(im, t),
    "the means are not subtracted":
        lambda im, t: _naive_parts(im, t, False, False, True, True),
    "the windows are divided by their length before their mean is removed":
        _uncentred_window_norm,
    "only the window's length divides":
        lambda im, t: _naive_parts(im, t, True, True, True, False),
    "it divides by the standard deviations without the factor n":
        lambda im, t: _naive_parts(im, t, True, True, True, True, std=True),
    "the template is flipped":
        lambda im, t: sol.ncc_loops(im, np.asarray(t)[::-1, ::-1]),
    "a flat window divides by zero":
        lambda im, t: _naive_parts(im, t, True, True, True, True, flat_zero=False),
}


@pytest.mark.parametrize("name", sorted(NCC_MUTANTS))
def test_ncc_mutants_are_named(name):
    v = check.ncc_loops(NCC_MUTANTS[name])
    assert v.status == "wrong" and v.mistake.startswith(name), (name, str(v))


def test_ncc_rejects_the_half_fix_that_used_to_pass():
    v = check.ncc_loops(_centred)
    assert not v and "half-fix" in str(v)


def test_ncc_reference_passes_and_the_package_passes_with_a_note():
    v = check.ncc_loops(sol.ncc_loops)
    assert v.passed and not v.notes
    v = check.ncc_loops(templates.ncc)
    assert v.passed and "note: you called cnnedu.topics.templates.ncc" in str(v)


def test_ncc_cases_have_a_flat_band_and_a_dimmed_copy():
    image, template = check.ncc_cases()[1]
    n = templates.ncc(image, template)
    assert np.any(n == 0.0) and np.isclose(n.max(), 1.0)
    assert templates.best_match(templates.sliding_dot(image, template)).col != 1 or \
        templates.best_match(templates.sliding_dot(image, template)).row != 2


# ------------------------------------------------------------ exercise 3: design a filter

DESIGN_MUTANTS = {
    "vertical": kernels.get("sobel_x"),
    "horizontal": kernels.get("sobel_y"),
    "opposite": -sol.diagonal_edge_kernel(),
    "diagonal_135_opposite": sol.diagonal_edge_kernel()[:, ::-1],
    "flat": kernels.get("box_blur"),
    "line": kernels.get("sharpen"),
    "all zeros": np.zeros((3, 3)),
    "not selective": np.array([[0.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]),
}


@pytest.mark.parametrize("name", sorted(DESIGN_MUTANTS))
def test_design_mutants_are_named(name):
    v = check.diagonal_edge_kernel(lambda: DESIGN_MUTANTS[name].copy())
    assert v.status == "wrong" and v.mistake == name, (name, str(v))


def test_design_reference_and_other_good_kernels_pass():
    assert check.diagonal_edge_kernel(sol.diagonal_edge_kernel).passed
    assert check.diagonal_edge_kernel(sol.diagonal_edge_kernel, held_out=False).passed
    simpler = np.array([[-1.0, -1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    assert check.diagonal_edge_kernel(lambda: simpler).passed
    assert check.diagonal_edge_kernel(lambda: simpler.tolist()).passed


def test_design_wrong_shapes_and_values():
    assert "shape (2, 2)" in str(check.diagonal_edge_kernel(lambda: np.eye(2)))
    assert "NaN or inf" in str(check.diagonal_edge_kernel(lambda: np.full((3, 3), np.inf)))


def test_the_held_out_tiles_differ_from_the_shown_ones():
    shown, held = diagonal_edge_tiles(), diagonal_edge_tiles(held_out=True)
    assert list(shown) == list(held)
    assert shown["target"].shape != held["target"].shape
    # equal contrast everywhere: every step is 0.5 high on the held-out tiles
    assert all(np.isclose(np.ptp(t), 0.5) for n, t in held.items() if n != "flat")


# ------------------------------------------------------------ exercise 4: learn a filter

def _learn(images, targets, lr, steps, *, sign=1.0, mean=True, forward=correlate2d,
           transpose=False, update=True):
    H, W = images[0].shape
    Ho, Wo = targets[0].shape
    shape = (H - Ho + 1, W - Wo + 1)
    k = np.zeros(shape[::-1] if transpose else shape)
    n = sum(y.size for y in targets) if mean else 1
    for _ in range(steps):
        g = np.zeros_like(k)
        for x, y in zip(images, targets):
            g += forward(x, k.T if transpose else k).T if transpose else \
                correlate2d(x, forward(x, k) - y)
            if transpose:
                g = np.zeros_like(k)
        new = k - sign * lr * g / n
        if update:
            k = new
    return k


def _flipped(images, targets, lr, steps):
    return _learn(images, targets, lr, steps, forward=convolve2d)


LEARN_MUTANTS = {
    "diverged": lambda *a: _learn(*a, mean=False),
    "ascent": lambda *a: _learn(*a, sign=-1.0),
    "flipped": lambda images, targets, lr, steps: rot180(
        sol.learn_kernel(images, targets, lr, steps)),
    "transposed": lambda *a: sol.learn_kernel(*a).T,
    "no update": lambda *a: _learn(*a, update=False),
    "not converged": lambda images, targets, lr, steps: sol.learn_kernel(
        images, targets, lr, 3),
}


@pytest.mark.parametrize("name", sorted(LEARN_MUTANTS))
def test_learn_mutants_are_named(name):
    with np.errstate(over="ignore", invalid="ignore"):
        v = check.learn_kernel(LEARN_MUTANTS[name])
    assert v.status == "wrong" and v.mistake == name, (name, str(v))


def test_learn_reference_passes_and_hard_coding_sobel_fails():
    v = check.learn_kernel(sol.learn_kernel)
    assert v.passed and "Sobel y" in str(v)
    v = check.learn_kernel(lambda *a, **kw: kernels.get("sobel_y"))
    assert v.status == "wrong"


def test_learning_data_is_what_the_hidden_kernel_makes():
    hidden = kernels.get("sobel_x")
    images, targets = check.learning_data(hidden)
    assert len(images) == 3 and images[0].shape == (8, 10) and targets[0].shape == (6, 8)
    assert np.allclose(targets[1], correlate2d(images[1], hidden))
    k = sol.learn_kernel(images, targets, check.LEARNING_RATE, check.STEPS)
    assert np.abs(k - hidden).max() < 1e-3


def test_learn_takes_lr_and_steps_by_position():
    """The learner may name the parameters as they like."""
    v = check.learn_kernel(lambda ims, tgs, rate, n: sol.learn_kernel(ims, tgs, rate, n))
    assert v.passed
