"""The gradient-checking demonstrations of notebook 05 compute what they claim."""
import sys

import numpy as np
import pytest

from cnnedu.topics import gradient_checking as gc
from cnnedu.nn.conv import conv2d


def test_sweep_passes_and_cases_are_valid():
    sweep = gc.gradcheck_sweep(4, seed=3)
    assert len(sweep) == 4
    for case, errors in sweep:
        x, w, b, dy = case.arrays()
        assert conv2d(x, w, b, stride=case.stride, padding=case.padding).shape == dy.shape
        assert all(e.norm < 1e-7 for e in errors.values()), (case, errors)


def test_sweep_catches_a_wrong_gradient(monkeypatch):
    """Break conv2d_backward (forget the rotation via a transposed kernel) and see it fail."""
    from cnnedu.nn import conv

    real = conv.conv2d_backward

    def broken(dy, x, w, **kw):
        dx, dw, db = real(dy, x, w[..., ::-1, ::-1], **kw)
        return dx, dw, db

    monkeypatch.setattr(gc, "conv2d_backward", broken)
    case = gc.ConvCase(1, 2, 5, 5, 2, 3, 1, 1, seed=0)
    assert gc.gradcheck_case(case)["dx"].norm > 1e-2


def test_step_sweep_shows_float32_is_worse():
    """The numbers the docstring and notebook 05 quote, with room for OpenBLAS kernels."""
    hs, e64, e32 = gc.step_size_sweep()
    i = int(np.argmin(np.abs(hs - 1e-6)))
    assert e64[i] < 1e-7 < 1e-3 < e32[i]
    assert hs[i] == pytest.approx(1e-6) and 1e-2 < e32[i] < 1e-1
    assert 1e-6 < e32.min() < 1e-4 and 1e-3 < hs[np.argmin(e32)] < 1e-2
    assert e64.min() < 1e-10 and np.all(e64[(hs >= 1e-9) & (hs <= 3.2e-4)] < 1e-7)
    assert e32.min() > 1e4 * e64.min()


def test_random_cases_have_kernels_a_rotation_changes():
    cases = gc.random_cases(20, seed=0)
    assert {c.k for c in cases[:3]} == {2, 3, 4}
    for case in cases:
        assert case.k >= 2
        _, w, _, _ = case.arrays()
        assert not np.allclose(w, w[..., ::-1, ::-1])


def test_relu_kink_fails_and_moving_away_passes():
    res, z = gc.relu_kink_case(seed=0)
    assert abs(z) < 1e-12 and not res.passed and res.worst_index == (0, 0, 3, 3)
    far, _ = gc.relu_kink_case(seed=0, shift=1e-3)
    assert far.passed


def test_norm_rel_error():
    assert gc.norm_rel_error([0.0], [0.0]) == 0.0
    assert gc.norm_rel_error([1.0, 0.0], [0.0, 0.0]) == pytest.approx(1.0)


def test_second_opinion_says_which_oracle_ran(monkeypatch):
    without = gc.second_opinion(n=2, seed=1, use_torch=False)
    assert without.oracle == "finite differences" and without.agrees
    assert "finite differences" in without.summary and "not a second opinion" in without.summary
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    missing = gc.second_opinion(n=2, seed=1)
    assert missing.oracle == "finite differences"
    assert missing.summary == without.summary


def test_second_opinion_with_torch():
    pytest.importorskip("torch")
    with_torch = gc.second_opinion(n=2, seed=1)
    assert with_torch.oracle == "pytorch" and with_torch.agrees
    assert "PyTorch" in with_torch.summary and "finite" not in with_torch.summary


def test_no_torch_import_at_module_level():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(gc))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in top for a in n.names] + [getattr(n, "module", "") or "" for n in top]
    assert not any("torch" in n for n in names)


def test_random_cases_rejects_bad_n():
    with pytest.raises(ValueError, match="n must be an integer in 1..100"):
        gc.random_cases(0)
