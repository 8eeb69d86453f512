"""cnnedu.widgets._base.parse_number: what a learner types in a widget's number box."""
import math

import pytest

from cnnedu.widgets._base import parse_number


@pytest.mark.parametrize("text, value", [
    ("\u22122", -2.0),          # matplotlib's minus (U+2212), as tick labels print it
    (" \u22120.5 ", -0.5),
    ("1e\u22123", 1e-3),        # in an exponent too
    ("\u2212\u2009", None),     # a minus alone is still not a number
    ("\u20133", -3.0),          # en dash
    ("\uff0d4", -4.0),          # fullwidth hyphen-minus
    ("-2", -2.0), ("2", 2.0), ("+1.5", 1.5), ("0", 0.0),
])
def test_minus_signs(text, value):
    v, msg = parse_number(text)
    if value is None:
        assert v is None and "not a number" in msg
    else:
        assert v == value and msg == ""


def test_minus_with_bounds():
    assert parse_number("\u22122", minimum=-3, maximum=3) == (-2.0, "")
    v, msg = parse_number("\u22125", minimum=-3)
    assert v is None and "below the minimum -3" in msg


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("   ", "empty"), ("abc", "not a number"), ("1,5", "not a number"),
    ("nan", "not a finite number"), ("\u2212inf", "not a finite number"),
    ("1e999", "not a finite number"),
])
def test_refusals_name_the_problem(text, words):
    v, msg = parse_number(text)
    assert v is None and words in msg


def test_non_string_input():
    assert parse_number(3) == (3.0, "")
    v, msg = parse_number(None)
    assert v is None and "not a number" in msg
    assert math.isclose(parse_number(2.5)[0], 2.5)
