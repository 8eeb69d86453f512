"""The exercise checks of notebook 04: the reference passes, a stub is NOT YET, every named
mistake is recognised by a mutant of the reference, and no answer (raising, wrong type,
NaN, complex, endless, chatty) makes a check raise."""
import numpy as np
import pytest

from cnnedu.exercises.checks import nb04 as check
from cnnedu.exercises.solutions import nb04 as sol
from cnnedu.topics import collapse
from cnnedu.topics.collapse import dilate_kernel, full_convolve2d

EXERCISES = ["collapse_two_nodes", "combined_kernel", "combine", "combine_strided",
             "border_mask", "break_collapse", "predict_saturation"]


def flip(k):
    return np.asarray(k)[..., ::-1, ::-1]


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_passes_and_stubs_are_not_yet(name):
    v = getattr(check, name)(getattr(sol, name))
    assert v.passed and not v.notes, str(v)
    assert getattr(check, name)(stub).status == "not yet"
    assert getattr(check, name)(lambda *a: None).status == "not yet"


def forever(*args):
    while True:
        pass


def chatty(*args):
    for i in range(20000):
        print("debug", i)
    return np.full((3, 3), np.nan)


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("bad,words", [
    (lambda *a: 1 / 0, "ZeroDivisionError"),
    (lambda *a: "an answer", ""),
    (lambda *a: 3 + 2j, ""),
    (lambda *a: (np.full((2, 2), np.nan), np.inf), ""),
    (lambda *a: (np.ones((2, 2)) * 1j, np.ones(2) * 1j), ""),
    (lambda *a: [[1, 2], [3]], ""),
    (forever, "did not return within"),
    (chatty, ""),
    (lambda *a: check, ""),        # a module
])
def test_no_answer_makes_a_check_raise(name, bad, words):
    v = getattr(check, name)(bad, time_limit=0.3)
    assert v.status in ("wrong", "not yet") and words in str(v), str(v)
    assert len(str(v)) < 1500


def test_a_learner_who_calls_the_package_passes_and_is_told():
    for name, fn in [("combined_kernel", full_convolve2d),
                     ("combine", collapse.compose_conv),
                     ("combine_strided",
                      lambda k1, k2, s1, s2: (full_convolve2d(k1, dilate_kernel(k2, s1)),
                                              s1 * s2))]:
        v = getattr(check, name)(fn)
        assert v.passed and "you called" in str(v) and "write the sums" in str(v), str(v)


# ------------------------------------------------------------------- the named mistakes

def named(v, words):
    return v.status == "wrong" and words in v.mistake and "this is what you get" in str(v)


@pytest.mark.parametrize("mutant,words", [
    (lambda m0, b0, m1, b1: (m0 @ m1, m1 @ b0 + b1), "wrong order"),
    (lambda m0, b0, m1, b1: (m1 @ m0, b0 + b1), "b0 does not go through m1"),
    (lambda m0, b0, m1, b1: (m1 @ m0, m1 @ b0), "b1 is forgotten"),
    (lambda m0, b0, m1, b1: (m1 @ m0, m1 @ b1 + b0), "swap roles"),
])
def test_collapse_two_nodes_names_mistakes(mutant, words):
    assert named(check.collapse_two_nodes(mutant), words)


def test_collapse_two_nodes_other_wrong_answers():
    assert "pair (M, B)" in str(check.collapse_two_nodes(lambda m0, b0, m1, b1: m1 @ m0))
    v = check.collapse_two_nodes(lambda m0, b0, m1, b1: (m1 @ m0, m1 @ b0 + b1 + 0.5))
    assert v.status == "wrong" and "first difference" in str(v)


@pytest.mark.parametrize("mutant,words", [
    (lambda k1, k2: full_convolve2d(k1, flip(k2)), "k2 is not rotated"),
    (lambda k1, k2: full_convolve2d(flip(k1), k2), "k1 was rotated"),
    (lambda k1, k2: flip(full_convolve2d(k1, k2)), "rotated by 180"),
])
def test_combined_kernel_names_mistakes(mutant, words):
    assert named(check.combined_kernel(mutant), words)


def test_combined_kernel_wrong_size():
    v = check.combined_kernel(lambda k1, k2: np.asarray(k1))
    assert v.status == "wrong" and "shape" in str(v)


def _combine_mutant(kernel_op=None, reduce="sum", bias=None):
    def fn(w1, b1, w2, b2):
        pairs = np.array([[[kernel_op(w1[m, i], w2[o, m]) for i in range(w1.shape[1])]
                           for m in range(w1.shape[0])] for o in range(w2.shape[0])])
        W = {"sum": pairs.sum(axis=1), "none": pairs, "first": pairs[:, 0],
             "mean": pairs.mean(axis=1)}[reduce]
        B = (bias or (lambda b1, w2, b2: b2 + w2.sum(axis=(2, 3)) @ b1))(b1, w2, b2)
        return W, B
    return fn


GOOD_K = full_convolve2d


@pytest.mark.parametrize("mutant,words", [
    (_combine_mutant(lambda a, c: full_convolve2d(a, flip(c))), "correlated instead of convolving"),
    (_combine_mutant(lambda a, c: full_convolve2d(flip(a), c)), "w1's kernels were rotated"),
    (_combine_mutant(lambda a, c: flip(full_convolve2d(a, c))), "rotated by 180"),
    (_combine_mutant(GOOD_K, "none"), "middle channels m are not summed"),
    (_combine_mutant(GOOD_K, "first"), "only the first middle channel"),
    (_combine_mutant(GOOD_K, "mean"), "averaged"),
    (_combine_mutant(GOOD_K, bias=lambda b1, w2, b2: b2 + b1.sum()), "b1 does not go through w2"),
    (_combine_mutant(GOOD_K, bias=lambda b1, w2, b2: b2), "b1 is forgotten"),
    (_combine_mutant(GOOD_K, bias=lambda b1, w2, b2: b2 + w2[:, :, 0, 0] @ b1), "only one tap"),
    (_combine_mutant(GOOD_K, bias=lambda b1, w2, b2: b2[:, None] + w2.sum(axis=(2, 3)) * b1),
     "not summed in the bias"),
])
def test_combine_names_mistakes(mutant, words):
    assert named(check.combine(mutant), words), str(check.combine(mutant))


def test_combine_names_b1_plus_b2_on_the_case_where_it_fits():
    def b1_plus_b2(w1, b1, w2, b2):
        W, B = sol.combine(w1, b1, w2, b2)
        return W, (b1 + b2 if b1.shape == b2.shape else B)
    assert named(check.combine(b1_plus_b2), "B = b1 + b2")


def _strided_mutant(K=None, stride=None):
    def fn(k1, k2, s1, s2):
        good = sol.combine_strided(k1, k2, s1, s2)
        return (K(k1, k2, s1, s2) if K else good[0]), (stride(s1, s2) if stride else good[1])
    return fn


@pytest.mark.parametrize("mutant,words", [
    (_strided_mutant(lambda k1, k2, s1, s2: full_convolve2d(k1, k2)), "not spread out"),
    (_strided_mutant(lambda k1, k2, s1, s2: full_convolve2d(dilate_kernel(k1, s1), k2)),
     "k1 is dilated"),
    (_strided_mutant(lambda k1, k2, s1, s2: full_convolve2d(k1, dilate_kernel(k2, s2))
                     if s2 > 1 else sol.combine_strided(k1, k2, s1, s2)[0]), "dilated by s2"),
    (_strided_mutant(lambda k1, k2, s1, s2: full_convolve2d(k1, dilate_kernel(k2, s1 * s2))
                     if s2 > 1 else sol.combine_strided(k1, k2, s1, s2)[0]), "s1 * s2 instead"),
    (_strided_mutant(lambda k1, k2, s1, s2: full_convolve2d(k1, flip(dilate_kernel(k2, s1)))),
     "correlated, not convolved"),
    (_strided_mutant(stride=lambda s1, s2: s1 + s2), "added"),
    (_strided_mutant(stride=lambda s1, s2: s1), "only the first stride"),
    (_strided_mutant(stride=lambda s1, s2: s2), "only the second stride"),
])
def test_combine_strided_names_mistakes(mutant, words):
    assert named(check.combine_strided(mutant), words), str(check.combine_strided(mutant))


def test_combine_strided_stride_as_a_pair_or_not_whole():
    assert check.combine_strided(_strided_mutant(stride=lambda s1, s2: (s1 * s2, s1 * s2))).passed
    v = check.combine_strided(_strided_mutant(stride=lambda s1, s2: s1 * s2 + 0.5))
    assert v.status == "wrong" and "whole number" in str(v)


def _ring(size, kh, kw):
    H, W = size
    m = np.zeros((H, W), dtype=bool)
    m[:kh // 2] = m[H - kh // 2:] = True
    m[:, :kw // 2] = m[:, W - kw // 2:] = True
    return m


@pytest.mark.parametrize("mutant,words", [
    (lambda size, k1, k2: _ring(size, *k1), "first layer's padding"),
    (lambda size, k1, k2: _ring(size, k1[0] + k2[0] - 1, k1[1] + k2[1] - 1), "both paddings"),
    (lambda size, k1, k2: _ring(size, 2 * k2[0] - 1, 2 * k2[1] - 1), "k2 - 1 wide"),
    (lambda size, k1, k2: _ring(size, k2[1], k2[0]), "rows and columns are swapped"),
    (lambda size, k1, k2: ~_ring(size, *k2), "True and False are swapped"),
])
def test_border_mask_names_mistakes(mutant, words):
    assert named(check.border_mask(mutant), words), str(check.border_mask(mutant))


def test_border_mask_accepts_ones_and_zeros_and_refuses_other_numbers():
    assert check.border_mask(lambda size, k1, k2: sol.border_mask(size, k1, k2).astype(int)).passed
    v = check.border_mask(lambda size, k1, k2: sol.border_mask(size, k1, k2) * 2.0)
    assert v.status == "wrong" and "True/False" in str(v)


def test_the_border_truth_is_measured_and_is_the_ring():
    for size, k1, k2 in check._border_cases():
        np.testing.assert_array_equal(collapse.measured_border(size, k1, k2),
                                      collapse.border_ring(size, k1, k2))


def edge(sign=1.0):
    x = np.full((8, 8), -1.0)
    x[:, 4:] = 1.0
    return sign * x


@pytest.mark.parametrize("mutant,words", [
    (lambda: (edge(), np.zeros((8, 8))), "all zeros"),
    (lambda: (edge(), 0.5 * edge()), "positive multiple"),
    (lambda: (np.full((8, 8), 0.5) * np.arange(8) / 8, edge()), "same sign"),
])
def test_break_collapse_names_mistakes(mutant, words):
    v = check.break_collapse(mutant)
    assert v.status == "wrong" and words in str(v) and v.mistake, str(v)


def test_break_collapse_other_answers():
    small = check.break_collapse(lambda: (0.1 * edge(), -0.1 * edge()))
    assert small.status == "wrong" and "only" in str(small) and "at least 1" in str(small)
    big = check.break_collapse(lambda: (5 * edge(), -5 * edge()))
    assert big.status == "wrong" and "[-1, 1]" in str(big)
    shape = check.break_collapse(lambda: (np.ones((4, 4)), np.ones((4, 4))))
    assert shape.status == "wrong" and "(8, 8)" in str(shape)


def test_superposition_gap_is_zero_for_one_linear_layer_and_not_for_the_stack():
    rng = np.random.default_rng(0)
    xa, xb = rng.uniform(-1, 1, (2, 8, 8))
    assert collapse.superposition_gap(xa, xb) > 0.1
    assert collapse.superposition_gap(np.abs(xa), 0.3 * np.abs(xa)) < 1e-12


def _sat_mutant(key, value):
    return lambda: {**sol.predict_saturation(), key: value}


@pytest.mark.parametrize("mutant,words", [
    (_sat_mutant((-1, 2), {"sigmoid"}), "sigmoid's small derivative"),
    (_sat_mutant((-5, 1), {"relu", "leaky_relu"}), "leaky ReLU's left slope"),
    (_sat_mutant((-10, -4), {"sigmoid", "tanh"}), "exactly 0 for negative inputs"),
])
def test_predict_saturation_names_mistakes(mutant, words):
    v = check.predict_saturation(mutant)
    assert v.status == "wrong" and words in v.mistake and "% of" in str(v), str(v)


def test_predict_saturation_other_answers():
    good = sol.predict_saturation()
    assert "choose from" in str(check.predict_saturation(lambda: {**good, (4, 10): {"swish"}}))
    partial = {k: v for k, v in good.items() if k != (4, 10)}
    assert check.predict_saturation(lambda: partial).status == "not yet"
    assert check.predict_saturation(lambda: {**good, (4, 10): 3}).status == "wrong"
    v = check.predict_saturation(lambda: {**good, (4, 10): {"tanh"}})
    assert v.status == "wrong" and "missing ['sigmoid']" in str(v)


def test_the_saturation_truth_is_measured_not_hard_coded():
    assert check.saturated_set(-1, 2) == set()
    assert check.saturated_set(4, 10) == {"sigmoid", "tanh"}
    assert check.saturated_set(-10, -4) == {"relu", "sigmoid", "tanh"}
    assert check.saturated_set(-5, 1) == {"relu"}
    assert check.saturated_set(7, 9) == {"sigmoid", "tanh"}
