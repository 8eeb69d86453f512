"""Receptive field: the formula against an independent count (gradients through the stack)."""
import numpy as np
import pytest

from cnnedu.topics.receptive_field import paths_to_output, receptive_field, receptive_field_table


@pytest.mark.parametrize("layers,expected", [
    ([(3, 1)], 3), ([(3, 1)] * 3, 7), ([(3, 2), (3, 2), (3, 1)], 15), ([(5, 1), (2, 2)], 6),
    ([(2, 2), (2, 2), (2, 2)], 8), ([(3, 1, 2), (3, 1, 4)], 13), ([(7, 2), (3, 2), (3, 1)], 19),
])
def test_formula(layers, expected):
    assert receptive_field(layers) == expected


@pytest.mark.parametrize("layers", [[(3, 1)] * 3, [(3, 2), (3, 2), (3, 1)], [(5, 1), (2, 2)],
                                    [(3, 1, 2), (3, 1, 4)], [(2, 2), (3, 1), (3, 2)]])
def test_formula_matches_paths(layers):
    r = receptive_field(layers)
    m = paths_to_output(layers, 2 * r + 7)
    rows, cols = np.nonzero(m.sum(axis=1))[0], np.nonzero(m.sum(axis=0))[0]
    # with dilation the field has holes inside; its extent is still r
    assert rows[-1] - rows[0] + 1 == r and cols[-1] - cols[0] + 1 == r


def test_table_jump_and_paths_peak_in_the_middle():
    rows = receptive_field_table([(3, 2), (3, 2), (3, 1)])
    assert [r.jump for r in rows] == [1, 2, 4] and [r.field for r in rows] == [3, 7, 15]
    m = paths_to_output([(3, 1)] * 3, 11)
    assert m.max() == m[5, 5] == 49 and m.sum() == 3 ** 6


@pytest.mark.parametrize("layers,err,words", [
    ([], ValueError, "empty"), ([(3,)], TypeError, "(kernel, stride)"),
    ([(3, 0)], ValueError, "stride"), (5, TypeError, "list of"),
])
def test_bad_input(layers, err, words):
    with pytest.raises(err) as info:
        receptive_field(layers)
    assert words in str(info.value)


def test_too_small_input():
    with pytest.raises(ValueError, match="too small"):
        paths_to_output([(3, 1)] * 3, 5)
