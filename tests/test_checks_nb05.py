"""Each check of notebook 05 passes the reference, says NOT YET for the stub, and fails
plausible wrong answers with a useful message."""
import numpy as np

from cnnedu.exercises.checks import nb05 as check
from cnnedu.nn.conv import convolve2d, correlate2d, rot180
from cnnedu.exercises.solutions import nb05 as sol


def stub(*args):
    raise NotImplementedError


def test_reference_solutions_pass():
    assert check.dw_loops(sol.dw_loops).passed
    assert check.dx_loops(sol.dx_loops).passed
    assert check.gradient_shapes(sol.gradient_shapes).passed


def test_stubs_are_not_yet():
    for fn in (check.dw_loops, check.dx_loops, check.gradient_shapes):
        v = fn(stub)
        assert v.status == "not yet" and "NOT YET" in str(v)
        assert fn(lambda *a: None).status == "not yet"


def test_dw_wrong_answers():
    v = check.dw_loops(lambda x, dy: rot180(sol.dw_loops(x, dy)))  # indices flipped
    assert v.status == "wrong" and "rotated by 180" in str(v)
    v = check.dw_loops(lambda x, dy: convolve2d(x, dy, "valid"))  # dY flipped
    assert v.status == "wrong" and "convolved" in str(v) and "no rotation" in str(v)
    v = check.dw_loops(lambda x, dy: correlate2d(x, dy, "valid")[:-1])  # wrong shape
    assert v.status == "wrong" and "shape" in str(v)
    v = check.dw_loops(lambda x, dy: correlate2d(x, dy, "valid") * 0.5)
    assert v.status == "wrong" and "first difference" in str(v)
    v = check.dw_loops(lambda x, dy: 1 / 0)
    assert v.status == "wrong" and "ZeroDivisionError" in str(v)


def test_dx_wrong_answers():
    v = check.dx_loops(lambda dy, w: correlate2d(dy, w, "full"))  # forgot the rotation
    assert v.status == "wrong" and "not rotated" in str(v)
    v = check.dx_loops(lambda dy, w: correlate2d(dy, rot180(w), "same"))  # not full
    assert v.status == "wrong" and "shape" in str(v) and "full" in str(v)
    v = check.dx_loops(lambda dy, w: np.full((dy.shape[0] + w.shape[0] - 1,
                                             dy.shape[1] + w.shape[1] - 1), np.nan))
    assert v.status == "wrong" and "finite" in str(v)


def test_shapes_wrong_answers():
    def no_padding(x_shape, w_shape, stride, padding):
        dy, dx, dw, db = sol.gradient_shapes(x_shape, w_shape, stride, 0)
        return dy, x_shape, dw, db

    v = check.gradient_shapes(no_padding)
    assert v.status == "wrong" and "dy shape" in str(v) and "2*padding" in str(v)

    def padded_dx(x_shape, w_shape, stride, padding):
        dy, dx, dw, db = sol.gradient_shapes(x_shape, w_shape, stride, padding)
        N, C, H, W = dx
        return dy, (N, C, H + 2 * padding, W + 2 * padding), dw, db

    v = check.gradient_shapes(padded_dx)
    assert v.status == "wrong" and "cropped" in str(v)

    def db_per_channel(x_shape, w_shape, stride, padding):
        dy, dx, dw, db = sol.gradient_shapes(x_shape, w_shape, stride, padding)
        return dy, dx, dw, (w_shape[1],)

    v = check.gradient_shapes(db_per_channel)
    assert v.status == "wrong" and "one number per filter" in str(v)
    assert check.gradient_shapes(lambda *a: (1, 2)).status == "wrong"
    # lists instead of tuples are fine
    assert check.gradient_shapes(lambda *a: [list(s) for s in sol.gradient_shapes(*a)]).passed
