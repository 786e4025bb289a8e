"""Small-cell protection: no published figure may single out a person, alone or by subtraction.

A count from 1 to threshold-1 is shown as "< threshold" (primary suppression). Because every table
has a total (and the same population's total appears in other tables), one hidden cell could be
worked out as the total minus the others, and several hidden cells too when their bounds leave only
one possibility (two hidden cells adding up to 2 are both 1). So more cells are hidden, smallest
first (secondary suppression, shown as hidden, not as "< 5"), until every hidden cell could still
take at least two values given everything shown; when nothing is left to hide, the total is hidden.
Medians over fewer than `threshold` values and shares built on a hidden count are hidden as well.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5
SMALL = "small"  # a count under the threshold: shown as "< 5"
COMPLEMENT = "complement"  # hidden so that a small count cannot be worked out by subtraction


@dataclass(frozen=True)
class Figure:
    """One published number: its value, or why it is hidden (the value is then never shown or exported)."""

    value: int | float | None
    hidden: str | None = None

    @property
    def shown(self) -> int | float | None:
        """The value a reader may see; None when hidden or absent."""
        return None if self.hidden else self.value


def _bounds(count: int, primary: bool, threshold: int) -> tuple[float, float]:
    return (1, threshold - 1) if primary else (threshold, float("inf"))


def _safe(hidden: dict[int, bool], counts: Sequence[int], threshold: int) -> bool:
    """True when every hidden cell keeps at least two possible values, knowing the total and the rest."""
    if not hidden:
        return True
    known_sum = sum(counts[i] for i in hidden)
    bounds = {i: _bounds(counts[i], primary, threshold) for i, primary in hidden.items()}
    for i in hidden:
        others_low = sum(low for j, (low, _high) in bounds.items() if j != i)
        others_high = sum(high for j, (_low, high) in bounds.items() if j != i)
        low = max(bounds[i][0], known_sum - others_high)
        high = min(bounds[i][1], known_sum - others_low)
        if high - low < 1:
            return False
    return True


def protect_counts(counts: Sequence[int], total: int, threshold: int = DEFAULT_THRESHOLD) -> tuple[list[Figure], Figure]:
    """The cells of one partition of `total` and the total itself, with small cells and their complements hidden."""
    hidden = {i: True for i, count in enumerate(counts) if 0 < count < threshold}
    total_hidden: str | None = SMALL if 0 < total < threshold else None
    while hidden and total_hidden is None and not _safe(hidden, counts, threshold):
        candidates = [i for i, count in enumerate(counts) if i not in hidden and count > 0]
        if not candidates:
            total_hidden = COMPLEMENT
            break
        hidden[min(candidates, key=lambda i: (counts[i], i))] = False
    cells = [
        Figure(count, (SMALL if hidden[i] else COMPLEMENT) if i in hidden else None) for i, count in enumerate(counts)
    ]
    return cells, Figure(total, total_hidden)


def protect_count(count: int, threshold: int = DEFAULT_THRESHOLD) -> Figure:
    """A count that is no part of a shown partition."""
    return Figure(count, SMALL if 0 < count < threshold else None)


def protect_median(values: Sequence[float], threshold: int = DEFAULT_THRESHOLD) -> Figure:
    """The median of `values`, hidden when fewer than `threshold` went into it (it would be someone's own)."""
    if not values:
        return Figure(None)
    return Figure(round(statistics.median(values), 1), SMALL if len(values) < threshold else None)


def protect_share(part: Figure, whole: Figure) -> Figure:
    """part / whole in percent, hidden when either is hidden (the share would give the count back)."""
    if part.value is None or not whole.value:
        return Figure(None)
    share = round(100.0 * part.value / whole.value, 1)
    return Figure(share, SMALL if (part.hidden or whole.hidden) else None)


# ---- tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """A count column: a partition of `total` over the rows (rows missing from `values` count 0)."""

    values: Mapping[Hashable, int]
    total: int


@dataclass(frozen=True)
class Medians:
    """A median column (hours or days): the values behind each row and behind the total."""

    values: Mapping[Hashable, Sequence[float]]
    all: Sequence[float]


@dataclass(frozen=True)
class Share:
    """A percentage column: one count column over another, by their names."""

    part: str
    whole: str


@dataclass(frozen=True)
class Row:
    key: Hashable  # the row's code (a region, a sector, a (provider, priority) pair), None for "not recorded"
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    """One indicator table, already protected: nothing in it may be shown differently."""

    key: str  # what it measures, e.g. "cases_by_sex"
    dimension: str | tuple[str, ...]  # what its rows are, e.g. "sex", ("provider", "priority")
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Row
    # The count columns (each a partition of its total over the rows) and the share columns
    # (name, part, whole), so that hiding more later (`disclosure`) can recompute the shares.
    counts: tuple[str, ...] = ()
    shares: tuple[tuple[str, str, str], ...] = ()

    def column(self, name: str) -> list[Figure]:
        """The figures of one column, row by row."""
        index = self.columns.index(name)
        return [row.figures[index] for row in self.rows]


def ordered_rows(found: Iterable[Hashable], known: Iterable[Hashable] = ()) -> list:
    """Known codes first in their order, then any other code found, then None ("not recorded") last."""
    known = list(known)
    rest = sorted({k for k in found if k is not None and k not in known}, key=str)
    return known + rest + ([None] if None in set(found) else [])


def build_table(
    key: str,
    dimension: str | tuple[str, ...],
    row_keys: Iterable[Hashable],
    columns: Sequence[tuple[str, Counts | Medians | Share]],
    threshold: int = DEFAULT_THRESHOLD,
) -> Table:
    """Protects each column of a table and assembles its rows and total row."""
    keys = list(row_keys)
    cells: dict[str, list[Figure]] = {}
    totals: dict[str, Figure] = {}
    for name, data in columns:
        if isinstance(data, Counts):
            cells[name], totals[name] = protect_counts([int(data.values.get(k, 0)) for k in keys], data.total, threshold)
        elif isinstance(data, Medians):
            cells[name] = [protect_median(data.values.get(k, ()), threshold) for k in keys]
            totals[name] = protect_median(data.all, threshold)
    for name, data in columns:
        if isinstance(data, Share):
            cells[name] = [protect_share(p, w) for p, w in zip(cells[data.part], cells[data.whole])]
            totals[name] = protect_share(totals[data.part], totals[data.whole])
    names = tuple(name for name, _data in columns)
    rows = tuple(Row(k, tuple(cells[name][i] for name in names)) for i, k in enumerate(keys))
    return Table(key, dimension, names, rows, Row("total", tuple(totals[name] for name in names)),
                 counts=tuple(name for name, data in columns if isinstance(data, Counts)),
                 shares=tuple((name, data.part, data.whole) for name, data in columns if isinstance(data, Share)))
