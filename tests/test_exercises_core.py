"""The verdict engine (cnnedu.exercises._core): whatever the learner's code does, a check
ends in a clear verdict, never in an exception.

Every robustness case the exercise frame lists is here: a function that raises, returns
the wrong type, NaN or inf, a complex number, a string, a boolean, a ragged list, prints a
lot, never returns (stopped by the time limit), or recurses without end.
"""
import math

import numpy as np
import pytest

from cnnedu.exercises import _core
from cnnedu.exercises._core import (Verdict, as_array, call, compare, compare_shape,
                                    compare_value, diagnose, not_yet, passed, run_all,
                                    watch_calls, wrong)
from cnnedu.nn.conv import convolve2d, correlate2d

LIMIT = 0.2   # seconds: small, so the endless-loop tests are quick


def expected_y():
    return np.arange(6.0).reshape(2, 3)


def check(fn):
    """A minimal check, written as the notebooks' checks are: call, then compare."""
    got = call(fn, time_limit=LIMIT)
    if isinstance(got, Verdict):
        return got
    return compare(got, expected_y(), "y",
                   mistakes={"the output is transposed": expected_y().T,
                             "every value is doubled": 2 * expected_y()})


# ------------------------------------------------------------------------ the verdict

def test_verdict_text_and_truth():
    v = wrong("y is off.", hint="look at row 0", details=["first difference at [0]"],
              mistake="m")
    assert not v and v.status == "wrong" and v.mistake == "m"
    assert str(v) == "WRONG: y is off.\n  first difference at [0]\n  hint: look at row 0"
    assert repr(v) == str(v)
    p = passed("fine.", notes=["you called x"])
    assert p and p.passed and str(p) == "PASSED: fine.\n  note: you called x"
    n = not_yet("stub.", hint="write it")
    assert not n and str(n).startswith("NOT YET: stub.")
    assert "hint: write it" in str(n)


def test_hint_is_not_shown_on_a_pass():
    v = passed("ok")
    v.hint = "never shown"
    assert "never shown" not in str(v)


def test_run_all_returns_the_first_failure_or_one_summary():
    assert str(run_all([passed("a"), passed("b")], "all good")) == "PASSED: all good"
    first = wrong("first")
    assert run_all([passed("a"), first, wrong("second")], "x") is first


# ------------------------------------------------------------------------ calling

def test_the_reference_passes():
    v = check(expected_y)
    assert v.passed and "matches the reference" in str(v)


@pytest.mark.parametrize("stub", [lambda: None])
def test_return_none_is_not_yet(stub):
    v = check(stub)
    assert v.status == "not yet" and "returned None" in str(v)


def test_raise_not_implemented_is_not_yet():
    def stub():
        raise NotImplementedError
    v = check(stub)
    assert v.status == "not yet" and "NotImplementedError" in str(v)


def test_an_exception_is_reported_by_type_and_first_line():
    def boom():
        print("debug line")
        raise IndexError("index 9 is out of bounds\nsecond line never shown")
    v = check(boom)
    assert v.status == "wrong"
    assert "boom raised IndexError: index 9 is out of bounds" in str(v)
    assert "second line" not in str(v)
    assert "it printed 11 characters before that" in str(v)


def test_an_exception_without_a_message():
    def boom():
        raise ValueError()
    v = check(boom)
    assert v.status == "wrong" and str(v).startswith("WRONG: boom raised ValueError\n")


def test_an_endless_loop_is_stopped_by_the_time_limit():
    def forever():
        while True:
            pass
    v = check(forever)
    assert v.status == "wrong" and "did not return within 0.2 s" in str(v)
    assert "endless loop" in str(v)


def test_an_endless_loop_that_catches_every_exception_is_still_stopped():
    def stubborn():
        while True:
            try:
                while True:
                    pass
            except Exception:       # a learner's broad except cannot swallow the stop
                pass
    v = check(stubborn)
    assert v.status == "wrong" and "did not return" in str(v)


def test_the_time_limit_outside_the_main_thread():
    """Checks run from a thread (some front ends do) use a line tracer instead of a signal."""
    import threading

    out = {}

    def forever():
        while True:
            pass

    t = threading.Thread(target=lambda: out.setdefault("v", check(forever)))
    t.start()
    t.join(10)
    assert not t.is_alive() and "did not return" in str(out["v"])


def test_the_timer_is_cleared_after_a_call():
    """No alarm is left running to interrupt the code after the check."""
    import signal

    check(expected_y)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_endless_recursion():
    def again(n=0):
        return again(n + 1)
    v = check(again)
    assert v.status == "wrong" and "calls itself without end" in str(v)


def test_exit_is_a_verdict_not_the_end_of_the_kernel():
    import sys

    v = check(lambda: sys.exit(3))
    assert v.status == "wrong" and "SystemExit" in str(v)


def test_a_lot_of_printing_is_captured_not_shown(capsys):
    def chatty():
        for i in range(20000):
            print("step", i, "of a very long debugging session")
        return expected_y()
    v = check(chatty)
    assert v.passed
    assert capsys.readouterr().out == ""
    assert len(str(v)) < 200


def test_printing_then_failing_keeps_the_verdict_short(capsys):
    def chatty():
        print("x" * 10**6)
        raise RuntimeError("no")
    v = check(chatty)
    assert v.status == "wrong" and "1000001 characters" in str(v)
    assert len(str(v)) < 300 and capsys.readouterr().out == ""


def test_not_a_function():
    v = call(np.zeros((2, 3)), name="my_fn")
    assert v.status == "wrong" and "expected a function for my_fn" in str(v)
    assert "check(my_fn)" in str(v)


def test_keyword_arguments_and_the_label():
    assert call(lambda a, b=0: a + b, 1, b=2) == 3
    v = call(lambda: None, name="my_conv")
    assert "my_conv returned None" in str(v)


# ------------------------------------------------------------------------ comparing arrays

@pytest.mark.parametrize("answer, words", [
    ("abc", "got a str"),
    (b"abc", "got a bytes"),
    ({"y": 1}, "got a dict"),
    ({1, 2}, "got a set"),
    ([[1, 2, 3], [4, 5]], "numpy cannot turn into one"),
    (np.ones((2, 3), dtype=bool), "True/False"),
    (np.full((2, 3), 1 + 1j), "complex values"),
    (np.array([["a", "b", "c"], ["d", "e", "f"]]), "dtype <U1"),
    (np.array([object(), None], dtype=object), "dtype object"),
    (lambda: 0, "dtype object"),
])
def test_answers_that_are_not_numeric_arrays(answer, words):
    v = check(lambda: answer)
    assert v.status == "wrong" and words in str(v), str(v)


def test_a_complex_answer_with_zero_imaginary_part_is_accepted():
    assert check(lambda: expected_y() + 0j).passed


def test_complex_with_a_real_imaginary_part_is_refused():
    v = check(lambda: expected_y() + 1j)
    assert v.status == "wrong" and "complex" in str(v)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_entries(bad):
    y = expected_y()
    y[1, 2] = bad
    v = check(lambda: y)
    assert v.status == "wrong" and "[1, 2]" in str(v) and "finite number (5)" in str(v)


def test_a_nested_list_of_numbers_is_fine():
    assert check(lambda: [[0, 1, 2], [3, 4, 5]]).passed


def test_a_scalar_where_an_array_was_expected():
    v = check(lambda: 3.0)
    assert v.status == "wrong" and "shape ()" in str(v)


def test_wrong_shape_and_transposed_shape():
    v = compare(np.zeros((4, 2)), np.zeros((2, 4)), "y")
    assert "transposed" in str(v)
    v = compare(np.zeros((3, 3)), np.zeros((2, 4)), "y", hint="H_out rows")
    assert "shape (3, 3); expected shape (2, 4)" in str(v) and "hint: H_out rows" in str(v)
    assert compare_shape(np.zeros((2, 4)), (2, 4), "y") is None


def test_values_first_difference():
    got = expected_y()
    got[1, 0] += 0.5
    v = check(lambda: got)
    assert v.status == "wrong" and "1 of 6 values differ" in str(v)
    assert "first difference at index [1, 0]: got 3.5, expected 3" in str(v)


def test_named_mistakes():
    v = check(lambda: expected_y().T)
    assert v.mistake == "the output is transposed"
    assert "this is what you get when the output is transposed" in str(v)
    v = check(lambda: 2 * expected_y())
    assert v.mistake == "every value is doubled"


def test_a_mistake_equal_to_the_reference_is_never_named():
    v = compare(expected_y(), expected_y(), "y", mistakes={"nothing": expected_y()})
    assert v.passed and not v.mistake


def test_diagnose_with_a_hint_and_a_missing_mistake():
    e = np.arange(4.0)
    v = diagnose(e[::-1], e, {"skipped": None, "reversed": (e[::-1], "go forwards")}, "y")
    assert v.mistake == "reversed" and v.hint == "go forwards"
    assert diagnose(e + 7, e, {"reversed": e[::-1]}, "y") is None
    assert diagnose(e, e, {"reversed": e[::-1]}, "y") is None


def test_as_array_returns_float64():
    a = as_array([1, 2, 3], "y")
    assert a.dtype == np.float64
    v = wrong("already wrong")
    assert as_array(v, "y") is v


def test_compare_passes_a_verdict_through():
    v = not_yet("stub")
    assert compare(v, np.zeros(2), "y") is v
    assert compare_value(v, 3, "n") is v


# ------------------------------------------------------------------------ comparing values

def test_compare_value_exact_refuses_a_half():
    F, C, k = 8, 3, 5
    v = compare_value((F + 0.5, C, k, k), (F, C, k, k), "w.shape", exact=True)
    assert v.status == "wrong" and "w.shape[0] = 8.5 is not a whole number" in str(v)


def test_compare_value_exact_refuses_off_by_0_9_and_does_not_round():
    v = compare_value(3.9, 3, "H_out", exact=True)
    assert v.status == "wrong" and "not a whole number" in str(v)
    v = compare_value(3.0000001, 3, "H_out", exact=True)
    assert v.status == "wrong"
    assert compare_value(3.0, 3, "H_out", exact=True).passed
    assert compare_value(np.int64(3), 3, "H_out", exact=True).passed
    assert compare_value(np.array(3), 3, "H_out", exact=True).passed


@pytest.mark.parametrize("got", [math.inf, -math.inf, math.nan, np.float64("inf"),
                                 np.float32("nan"), (math.inf, 3), (3, math.nan)])
@pytest.mark.parametrize("exact", [True, False])
def test_compare_value_inf_and_nan_are_wrong_not_an_overflow(got, exact):
    expected = (3, 3) if isinstance(got, tuple) else 3
    v = compare_value(got, expected, "H_out", exact=exact, mistakes={"ceil": (4, 4)
                      if isinstance(got, tuple) else 4})
    assert v.status == "wrong"
    assert "inf" in str(v) or "nan" in str(v)


@pytest.mark.parametrize("exact", [True, False])
def test_compare_value_a_huge_integer_is_wrong_not_an_overflow(exact):
    v = compare_value(10**400, 3, "H_out", exact=exact, mistakes={"ceil": 4})
    assert v.status == "wrong"
    v = compare_value(10**400, 3.5, "H_out", exact=exact)
    assert v.status == "wrong"


@pytest.mark.parametrize("got, words", [
    (3 + 1j, "complex number"), (np.complex128(3), "complex number"),
    ("3", "got '3'"), (True, "a boolean"), (np.bool_(True), "a boolean"),
    ([3], "got [3]"), (None, "got None"), (np.zeros(2), "got array"),
])
def test_compare_value_refuses_what_is_not_a_number(got, words):
    v = compare_value(got, 3, "H_out", exact=True)
    assert v.status == "wrong" and words in str(v), str(v)


def test_compare_value_tuples():
    assert compare_value((2, 3), (2, 3), "shape", exact=True).passed
    assert compare_value(np.array([2, 3]), (2, 3), "shape", exact=True).passed
    assert compare_value([2, 3], (2, 3), "shape", exact=True).passed
    v = compare_value((2, 3, 4), (2, 3), "shape", exact=True)
    assert "tuple of 2 values" in str(v)
    v = compare_value(6, (2, 3), "shape", exact=True)
    assert "tuple of 2 values" in str(v)
    v = compare_value((2, 4), (2, 3), "shape", exact=True)
    assert "shape[1] = 4 is not right" in str(v)


def test_compare_value_mistakes_are_named():
    v = compare_value(4, 3, "H_out", exact=True,
                      mistakes={"ceil is used instead of floor": (4, "use //"),
                                "the padding is counted once": 5})
    assert v.mistake == "ceil is used instead of floor" and v.hint == "use //"
    v = compare_value((8, 3, 5, 5), (8, 3, 5, 5), "w.shape", exact=True,
                      mistakes={"same": (8, 3, 5, 5)})
    assert v.passed
    v = compare_value((3, 8, 5, 5), (8, 3, 5, 5), "w.shape", exact=True,
                      mistakes={"F and C are swapped": (3, 8, 5, 5)})
    assert v.mistake == "F and C are swapped"


def test_compare_value_relative_tolerance():
    assert compare_value(0.1 + 0.2, 0.3, "p").passed
    assert not compare_value(0.31, 0.3, "p")
    assert compare_value(np.float32(0.3), 0.3, "p", rtol=1e-6).passed


# ------------------------------------------------------------------------ watching calls

def test_watch_calls_sees_a_package_function_however_it_was_imported():
    from cnnedu.nn import conv

    with watch_calls(correlate2d, convolve2d) as seen:
        conv.correlate2d(np.ones((3, 3)), np.ones((2, 2)))
    assert seen == {f"{correlate2d.__module__}.{correlate2d.__qualname__}"}


def test_watch_calls_sees_nothing_when_the_learner_writes_loops():
    with watch_calls(correlate2d) as seen:
        sum(i * i for i in range(10))
    assert seen == set()


def test_watch_calls_restores_the_profiler():
    import sys

    before = sys.getprofile()
    with pytest.raises(ZeroDivisionError):
        with watch_calls(correlate2d):
            1 / 0
    assert sys.getprofile() is before


def test_watch_calls_ignores_what_has_no_python_code():
    with watch_calls(np.dot, correlate2d) as seen:
        np.dot(np.ones(2), np.ones(2))
    assert seen == set()


def test_time_limit_default_is_generous():
    assert _core.TIME_LIMIT >= 5


def test_numpy_scalars_are_shown_as_plain_numbers():
    v = compare_value(np.float64(6.5), 3.0, "out")
    assert "out = 6.5 is not right" in str(v)
    v = compare_value((np.int64(2), np.int64(4)), (2, 3), "shape", exact=True,
                      mistakes={"one too many": (2, 4)})
    assert "shape = (2, 4) is not right" in str(v)


def test_capped_time_limit_caps_every_call_and_nests():
    def forever():
        while True:
            pass
    with _core.capped_time_limit(0.3):
        with _core.capped_time_limit(0.1):
            assert "within 0.1 s" in str(call(forever, time_limit=60))
        assert "within 0.3 s" in str(call(forever, time_limit=60))
        assert "within 0.2 s" in str(call(forever, time_limit=0.2))
    assert not _core._TIME_CAP
