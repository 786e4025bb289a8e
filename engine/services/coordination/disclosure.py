"""Small-cell protection across the tables of one page or export: a count hidden in one table must not
be recomputable from another.

Each table is protected by itself first (`suppression.build_table`). But a page puts tables side by
side whose counts are tied: the persons identified by region and by sex have the same total; the
referrals of one provider are the sum of that provider's referrals by priority. A cell hidden in one
table can then be worked out from a figure shown in another (the region total hidden as a complement
while the sex table shows it; one provider's urgent referrals as its total minus its normal ones).

So the page's tables are read as one system of sums (each count column adds up to its total, and the
declared `Link`s tie tables together), and a reader's best guess is simulated: every shown figure is
known, every "< 5" is between 1 and threshold-1, every other hidden count is at least the threshold,
and these bounds are narrowed through every sum until nothing changes. While some hidden count is left
with a single possible value, one more figure of a sum it is in is hidden, the smallest first.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from engine.services.coordination.suppression import COMPLEMENT, DEFAULT_THRESHOLD, SMALL, Figure, Row, Table, protect_share

INFINITY = float("inf")
TOTAL = "total"
# Narrowing bounds through sums that form cycles can move by one at a time; past this many rounds the
# figures involved are large enough that no "< threshold" cell is pinned down by them.
MAX_ROUNDS = 200

Cell = tuple[str, str, Hashable]  # (table key, column, row index or TOTAL)


@dataclass(frozen=True)
class Link:
    """Two tables of one page whose counts are tied.

    `column` of `table` is, row by row, the sum of `detail_column` of `detail` over the detail rows whose
    key (its `part`-th component when the detail's rows are tuples, else the whole key) is that row's
    key; and the two totals are the same count. With `rows` False only the totals are the same count.
    """

    table: str
    detail: str
    column: str
    detail_column: str | None = None
    part: int | None = None
    rows: bool = True


def protect_together(tables: Sequence[Table], links: Sequence[Link], threshold: int = DEFAULT_THRESHOLD) -> list[Table]:
    """The tables with whatever more must be hidden so that no hidden count follows from all of them together."""
    figures, sums = _system(tables, links)
    while True:
        exposed = exposed_cells(figures, sums, threshold)
        if not exposed:
            break
        cell = _next_to_hide(exposed, figures, sums)
        if cell is None:
            break  # nothing shown is left in any sum around it: nothing more to hide
        figures[cell] = Figure(figures[cell].value, COMPLEMENT)
    return [_rebuilt(table, figures) for table in tables]


def exposed_cells(figures: dict[Cell, Figure], sums: list[tuple[Cell, list[Cell]]], threshold: int) -> set[Cell]:
    """The hidden counts a reader could pin down to one value from the shown ones and the sums."""
    low, high = {}, {}
    for cell, figure in figures.items():
        low[cell], high[cell] = _bounds(figure, threshold)
    for _round in range(MAX_ROUNDS):
        changed = False
        for whole, parts in sums:
            changed |= _narrow(whole, parts, low, high)
        if not changed:
            break
    return {cell for cell, figure in figures.items() if figure.hidden and high[cell] - low[cell] < 1}


def _bounds(figure: Figure, threshold: int) -> tuple[float, float]:
    if figure.hidden == SMALL:
        return 1, threshold - 1
    if figure.hidden:
        return threshold, INFINITY
    return figure.value or 0, figure.value or 0


def _sum_but(values: list[float], index: int) -> float:
    return sum(v for i, v in enumerate(values) if i != index)


def _narrow(whole: Cell, parts: list[Cell], low: dict, high: dict) -> bool:
    """Narrows the bounds of `whole` = sum(`parts`); True when any bound moved."""
    lows, highs = [low[p] for p in parts], [high[p] for p in parts]
    moved = False
    new_low, new_high = max(low[whole], sum(lows)), min(high[whole], sum(highs))
    if (new_low, new_high) != (low[whole], high[whole]):
        low[whole], high[whole], moved = new_low, new_high, True
    for i, part in enumerate(parts):
        part_low = max(low[part], low[whole] - _sum_but(highs, i))
        part_high = min(high[part], high[whole] - _sum_but(lows, i))
        if (part_low, part_high) != (low[part], high[part]):
            low[part], high[part], moved = part_low, part_high, True
    return moved


def _system(tables: Sequence[Table], links: Sequence[Link]) -> tuple[dict[Cell, Figure], list[tuple[Cell, list[Cell]]]]:
    """Every count of the tables, and every sum tying them: (whole, parts)."""
    figures: dict[Cell, Figure] = {}
    sums: list[tuple[Cell, list[Cell]]] = []
    for table in tables:
        for name in table.counts:
            index = table.columns.index(name)
            cells = [(table.key, name, r) for r in range(len(table.rows))]
            figures.update({cell: row.figures[index] for cell, row in zip(cells, table.rows)})
            figures[(table.key, name, TOTAL)] = table.total.figures[index]
            sums.append(((table.key, name, TOTAL), cells))
    by_key = {table.key: table for table in tables}
    for link in links:
        outer, detail = by_key.get(link.table), by_key.get(link.detail)
        if outer is None or detail is None:
            continue
        column = link.detail_column or link.column
        sums.append(((outer.key, link.column, TOTAL), [(detail.key, column, TOTAL)]))
        if not link.rows:
            continue
        for r, row in enumerate(outer.rows):
            parts = [(detail.key, column, d) for d, detail_row in enumerate(detail.rows)
                     if (detail_row.key if link.part is None else detail_row.key[link.part]) == row.key]
            sums.append(((outer.key, link.column, r), parts))
    return figures, sums


def _next_to_hide(exposed: set[Cell], figures: dict[Cell, Figure], sums: list[tuple[Cell, list[Cell]]]) -> Cell | None:
    """The smallest shown non-zero count in a sum with an exposed cell (a row before a total)."""
    around = {cell for whole, parts in sums if whole in exposed or exposed.intersection(parts) for cell in (whole, *parts)}
    if not any(not figures[c].hidden and figures[c].value for c in around):
        # Exposed through a longer chain of sums: look at every sum that has a hidden count.
        hidden = {c for c, f in figures.items() if f.hidden}
        around = {cell for whole, parts in sums if whole in hidden or hidden.intersection(parts) for cell in (whole, *parts)}
    candidates = [c for c in around if not figures[c].hidden and figures[c].value]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[2] == TOTAL, figures[c].value, str(c)))


def _rebuilt(table: Table, figures: dict[Cell, Figure]) -> Table:
    """The table with its counts as `figures` now has them, and its shares worked out again."""
    def column_of(keyed: Hashable, figures_of_row: tuple[Figure, ...]) -> list[Figure]:
        found = list(figures_of_row)
        for name in table.counts:
            found[table.columns.index(name)] = figures[(table.key, name, keyed)]
        for name, part, whole in table.shares:
            found[table.columns.index(name)] = protect_share(found[table.columns.index(part)],
                                                             found[table.columns.index(whole)])
        return found

    rows = tuple(Row(row.key, tuple(column_of(r, row.figures))) for r, row in enumerate(table.rows))
    return replace(table, rows=rows, total=Row(TOTAL, tuple(column_of(TOTAL, table.total.figures))))
