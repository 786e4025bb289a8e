"""Small cells are hidden, and no hidden cell can be worked out from the total and the cells shown."""

from __future__ import annotations

import itertools

import pytest

from engine.services.coordination.suppression import (
    COMPLEMENT,
    SMALL,
    Counts,
    Medians,
    Share,
    build_table,
    protect_counts,
    protect_median,
)


def possible_values(cells, total, threshold=5):
    """Every assignment of the hidden cells consistent with what is shown: what a reader can deduce."""
    ranges = []
    for cell in cells:
        if cell.hidden is None:
            ranges.append([cell.value])
        elif cell.hidden == SMALL:
            ranges.append(range(1, threshold))
        else:
            ranges.append(range(threshold, (total.value or 0) + 1 if total.hidden is None else 60))
    found = set()
    for combination in itertools.product(*ranges):
        if total.hidden is not None or sum(combination) == total.value:
            found.add(combination)
    return found


def test_a_count_under_five_is_shown_as_small():
    cells, total = protect_counts([12, 3, 20], 35)
    assert [c.hidden for c in cells][1] == SMALL
    assert cells[1].shown is None


def test_a_single_small_cell_takes_a_complement_so_the_total_does_not_give_it_back():
    cells, total = protect_counts([12, 3, 20], 35)
    assert cells[0].hidden == COMPLEMENT  # the smallest other cell
    assert cells[2].hidden is None and total.hidden is None
    assert {combo[1] for combo in possible_values(cells, total)} == {1, 2, 3, 4}


def test_two_small_cells_whose_sum_would_give_them_away_are_protected_further():
    # 1 + 1 = 2 with both shown as "< 5" would tell a reader each is 1.
    cells, total = protect_counts([1, 1, 30, 40], 72)
    deductions = possible_values(cells, total)
    assert len({combo[0] for combo in deductions}) > 1 and len({combo[1] for combo in deductions}) > 1


def test_a_small_cell_alone_in_its_table_hides_the_total():
    cells, total = protect_counts([3, 0, 0], 3)
    assert cells[0].hidden == SMALL and total.hidden == SMALL


def test_a_small_cell_whose_only_complement_is_the_total_hides_the_total():
    cells, total = protect_counts([3, 0], 3 + 0)
    assert total.shown is None


@pytest.mark.parametrize("counts", [[1, 7], [4, 5, 0], [2, 2, 9, 11], [1, 1, 1, 50], [4, 4, 5], [1, 6, 6, 6]])
def test_no_hidden_cell_has_a_single_possible_value(counts):
    cells, total = protect_counts(counts, sum(counts))
    deductions = possible_values(cells, total)
    for index, cell in enumerate(cells):
        if cell.hidden:
            assert len({combo[index] for combo in deductions}) > 1, (counts, cells, total)


def test_zero_and_large_counts_are_shown():
    cells, total = protect_counts([0, 9, 14], 23)
    assert [c.shown for c in cells] == [0, 9, 14] and total.shown == 23


def test_a_median_of_fewer_than_five_values_is_hidden():
    assert protect_median([1, 2, 3, 4]).hidden == SMALL
    assert protect_median([1, 2, 3, 4, 5]).shown == 3


def test_a_share_built_on_a_hidden_count_is_hidden_too():
    table = build_table("t", "x", ["a", "b"], [
        ("sent", Counts({"a": 20, "b": 9}, 29)),
        ("in_time", Counts({"a": 17, "b": 3}, 20)),
        ("share", Share("in_time", "sent")),
        ("median", Medians({"a": [1.0] * 20, "b": [2.0] * 3}, [1.0] * 23)),
    ])
    share = table.column("share")
    assert share[1].shown is None and share[0].shown is None  # a's in_time is the complement of b's
    assert table.column("median")[1].shown is None and table.column("median")[0].shown == 1.0


def test_the_threshold_can_be_changed():
    cells, _total = protect_counts([6, 30, 40], 76, threshold=10)
    assert cells[0].hidden == SMALL
