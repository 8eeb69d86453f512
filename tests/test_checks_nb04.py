"""The exercise checks of notebook 04 pass the reference, say NOT YET for the stubs, and
catch plausible wrong answers with a useful message."""

from cnnedu.exercises.checks import nb04 as check
from cnnedu.topics.collapse import full_convolve2d
from cnnedu.exercises.solutions import nb04 as sol


def stub_raises(*args):
    raise NotImplementedError


def stub_none(*args):
    return None


def test_collapse_two_nodes():
    assert check.collapse_two_nodes(sol.collapse_two_nodes).passed
    assert check.collapse_two_nodes(stub_raises).status == "not yet"
    assert check.collapse_two_nodes(stub_none).status == "not yet"
    # the product in the wrong order: the shapes do not even fit for the 3x2 / 4x3 case
    order = check.collapse_two_nodes(lambda m0, b0, m1, b1: (m0 @ m1, m1 @ b0 + b1))
    assert order.status == "wrong" and "ValueError" in str(order)
    # biases simply added
    plain = check.collapse_two_nodes(lambda m0, b0, m1, b1: (m1 @ m0, b0.sum() + b1))
    assert plain.status == "wrong" and "B for" in str(plain) and "m1 @ b0 + b1" in str(plain)
    # forgot b1
    no_b1 = check.collapse_two_nodes(lambda m0, b0, m1, b1: (m1 @ m0, m1 @ b0))
    assert no_b1.status == "wrong" and "first difference" in str(no_b1)
    single = check.collapse_two_nodes(lambda m0, b0, m1, b1: m1 @ m0)
    assert single.status == "wrong" and "pair (M, B)" in str(single)


def test_combined_kernel():
    assert check.combined_kernel(sol.combined_kernel).passed
    assert check.combined_kernel(stub_raises).status == "not yet"
    assert check.combined_kernel(stub_none).status == "not yet"
    # the full correlation instead of the convolution (k2 flipped)
    corr = check.combined_kernel(lambda k1, k2: full_convolve2d(k1, k2[::-1, ::-1]))
    assert corr.status == "wrong" and "full correlation" in str(corr)
    # the elementwise product of same-size kernels, or the wrong size
    small = check.combined_kernel(lambda k1, k2: k1)
    assert small.status == "wrong" and "shape" in str(small)
    off = check.combined_kernel(lambda k1, k2: full_convolve2d(k1, k2) + 0.5)
    assert off.status == "wrong" and "first difference" in str(off)


def test_predict_saturation():
    assert check.predict_saturation(sol.predict_saturation).passed
    assert check.predict_saturation(lambda: None).status == "not yet"
    assert check.predict_saturation(stub_raises).status == "not yet"
    good = sol.predict_saturation()
    # thinks the sigmoid saturates near 0 (its derivative is small there, but not < 1%)
    wrong = dict(good)
    wrong[(-1, 2)] = {"sigmoid"}
    v = check.predict_saturation(lambda: wrong)
    assert v.status == "wrong" and "(-1, 2)" in str(v) and "sigmoid" in str(v) \
        and "should not be there" in str(v)
    # forgets that ReLU is flat on the negative side
    wrong = dict(good)
    wrong[(-10, -4)] = {"sigmoid", "tanh"}
    v = check.predict_saturation(lambda: wrong)
    assert v.status == "wrong" and "missing ['relu']" in str(v) and "100%" in str(v)
    # leaky ReLU never saturates
    wrong = dict(good)
    wrong[(-5, 1)] = {"relu", "leaky_relu"}
    assert check.predict_saturation(lambda: wrong).status == "wrong"
    # unknown names, missing keys, not a dict
    assert "choose from" in str(check.predict_saturation(lambda: {**good, (4, 10): {"swish"}}))
    partial = {k: v for k, v in good.items() if k != (4, 10)}
    assert check.predict_saturation(lambda: partial).status == "not yet"
    assert check.predict_saturation(lambda: [1, 2]).status == "wrong"


def test_the_truth_is_measured_not_hard_coded():
    assert check.saturated_set(-1, 2) == set()
    assert check.saturated_set(4, 10) == {"sigmoid", "tanh"}
    assert check.saturated_set(-10, -4) == {"relu", "sigmoid", "tanh"}
    assert check.saturated_set(-5, 1) == {"relu"}
    assert check.saturated_set(7, 9) == {"sigmoid", "tanh"}
