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
# Narrowing bounds through sums that form cycles can move by one at a time; past this many narrowings per
# sum the figures involved are large enough that no "< threshold" cell is pinned down by them.
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
        chosen = _next_to_hide(exposed, figures, sums)
        if not chosen:
            break  # safe, or nothing shown is left in any sum around what is exposed
        for cell in chosen:
            figures[cell] = Figure(figures[cell].value, COMPLEMENT)
    return [_rebuilt(table, figures) for table in tables]


def exposed_cells(figures: dict[Cell, Figure], sums: list[tuple[Cell, list[Cell]]], threshold: int) -> set[Cell]:
    """The hidden counts a reader could pin down to one value from the shown ones and the sums."""
    low, high = {}, {}
    for cell, figure in figures.items():
        low[cell], high[cell] = _bounds(figure, threshold)
    # A sum of shown figures only tells nothing; the others are narrowed again each time a bound in them moves.
    useful = [(whole, parts) for whole, parts in sums if figures[whole].hidden or any(figures[p].hidden for p in parts)]
    sums_of: dict[Cell, list[int]] = {}
    for index, (whole, parts) in enumerate(useful):
        for cell in (whole, *parts):
            sums_of.setdefault(cell, []).append(index)
    waiting, queued = list(range(len(useful))), set(range(len(useful)))
    budget = MAX_ROUNDS * max(len(useful), 1)
    while waiting and budget:
        budget -= 1
        index = waiting.pop()
        queued.discard(index)
        for cell in _narrow(*useful[index], low, high):
            for other in sums_of[cell]:
                if other not in queued:
                    waiting.append(other)
                    queued.add(other)
    return {cell for cell, figure in figures.items() if figure.hidden and high[cell] - low[cell] < 1}


def _bounds(figure: Figure, threshold: int) -> tuple[float, float]:
    if figure.hidden == SMALL:
        return 1, threshold - 1
    if figure.hidden:
        return threshold, INFINITY
    return figure.value or 0, figure.value or 0


def _narrow(whole: Cell, parts: list[Cell], low: dict, high: dict) -> list[Cell]:
    """Narrows the bounds of `whole` = sum(`parts`); the cells whose bounds moved."""
    lows_sum = sum(low[p] for p in parts)
    finite_highs = [high[p] for p in parts if high[p] != INFINITY]
    unbounded = len(parts) - len(finite_highs)  # parts with no upper bound: the others' sum has none either
    highs_sum = sum(finite_highs)
    moved = []
    new_low, new_high = max(low[whole], lows_sum), min(high[whole], highs_sum if not unbounded else INFINITY)
    if (new_low, new_high) != (low[whole], high[whole]):
        low[whole], high[whole] = new_low, new_high
        moved.append(whole)
    for part in parts:
        own_unbounded = high[part] == INFINITY
        others_high = INFINITY if unbounded - own_unbounded else highs_sum - (0 if own_unbounded else high[part])
        part_low = max(low[part], low[whole] - others_high)
        part_high = min(high[part], high[whole] - (lows_sum - low[part]))
        if (part_low, part_high) != (low[part], high[part]):
            # The sums of the others move with this part's bounds.
            lows_sum += part_low - low[part]
            if not own_unbounded:
                highs_sum += part_high - high[part]
            elif part_high != INFINITY:
                unbounded -= 1
                highs_sum += part_high
            low[part], high[part] = part_low, part_high
            moved.append(part)
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


def _next_to_hide(exposed: set[Cell], figures: dict[Cell, Figure], sums: list[tuple[Cell, list[Cell]]]) -> set[Cell]:
    """For each exposed cell, the smallest shown non-zero count in a sum with it (a row before a total); one per
    group of sums at a time, as one hidden count often covers several exposed ones (checked again next round)."""
    chosen: set[Cell] = set()
    touched: set[Cell] = set()
    for cell in sorted(exposed, key=str):
        around = {c for whole, parts in sums if cell == whole or cell in parts for c in (whole, *parts)}
        if around & touched:
            continue
        candidates = [c for c in around if not figures[c].hidden and figures[c].value]
        if not candidates:
            # Exposed through a longer chain of sums: look at every sum that has a hidden count.
            hidden = {c for c, f in figures.items() if f.hidden}
            candidates = [c for whole, parts in sums if whole in hidden or hidden.intersection(parts)
                          for c in (whole, *parts) if not figures[c].hidden and figures[c].value]
        if candidates:
            pick = min(candidates, key=lambda c: (c[2] == TOTAL, figures[c].value, str(c)))
            chosen.add(pick)
            touched |= around | {pick}
    return chosen


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
