"""No hidden count of a page can be worked out from all the tables the page (and its export) shows, on both databases.

The reader here is an attacker who knows how the tables tie together (the same persons by region and
by sex; a provider's referrals are the sum of its referrals by priority) and who solves every sum for
whatever it gives away, knowing that "< 5" is 1 to 4 and any other hidden count at least 5.
"""

from __future__ import annotations

from datetime import timedelta

from coordination_history import START
from engine.domain import Priority, ReferralState, Sector
from engine.services.coordination.indicators import compute_indicators
from engine.services.coordination.providers import provider_follow_up
from engine.services.coordination.scope import IndicatorFilters
from engine.services.coordination.suppression import SMALL

PERIOD = IndicatorFilters(START, START + timedelta(days=31))
THRESHOLD = 5
MEASURES = ("sent", "acknowledged", "acknowledged_in_time", "accepted", "declined", "redirected", "delivered")
PERSONS = ("cases_by_region", "cases_by_source", "cases_by_sex", "cases_by_age_group")
REFERRALS = ("referrals_by_sector", "referrals_by_provider", "referrals_by_priority",
             "referral_times_by_provider_and_priority")


def equations_of(tables) -> tuple[dict, list[list[tuple[int, tuple]]]]:
    """Every figure a reader sees (by (table, column, row key)), and each published sum as terms adding to zero."""
    figures, equations = {}, []
    for table in tables:
        for index, column in enumerate(table.columns):
            if "share" in column or column.startswith("median") or table.total.figures[index].value is None:
                continue  # no sum is published (the consent events, the vulnerabilities: no partition)
            figures[(table.key, column, "total")] = table.total.figures[index]
            for row in table.rows:
                figures[(table.key, column, row.key)] = row.figures[index]
            equations.append([(1, (table.key, column, "total"))] + [(-1, (table.key, column, r.key)) for r in table.rows])
    return figures, equations


def tie(equations, by_key, table, detail, column, rows_of=None, detail_column=None):
    """`table`'s total is `detail`'s total; with `rows_of`, each row of `table` is the sum of its detail rows."""
    detail_column = detail_column or column
    equations.append([(1, (table, column, "total")), (-1, (detail, detail_column, "total"))])
    for row in by_key[table].rows if rows_of else ():
        equations.append([(1, (table, column, row.key))] + [
            (-1, (detail, detail_column, d.key)) for d in by_key[detail].rows if rows_of(d.key) == row.key])


def pinned_down(figures, equations) -> dict:
    """The hidden figures whose value follows from the shown ones: {cell: value}."""
    low = {c: (1 if f.hidden == SMALL else THRESHOLD) if f.hidden else f.value for c, f in figures.items()}
    high = {c: (THRESHOLD - 1 if f.hidden == SMALL else 10**9) if f.hidden else f.value for c, f in figures.items()}
    for _ in range(500):
        before = (dict(low), dict(high))
        for terms in equations:
            for coefficient, cell in terms:
                # coefficient * cell = -(sum of the other terms): bound it by the others' bounds.
                rest = [(c, x) for c, x in terms if x != cell]
                rest_low = sum(c * (low[x] if c > 0 else high[x]) for c, x in rest)
                rest_high = sum(c * (high[x] if c > 0 else low[x]) for c, x in rest)
                bounds = sorted((-rest_low * coefficient, -rest_high * coefficient))
                low[cell], high[cell] = max(low[cell], bounds[0]), min(high[cell], bounds[1])
        if (low, high) == before:
            break
    return {c: low[c] for c, f in figures.items() if f.hidden and low[c] == high[c]}


def indicator_equations(report):
    by_key = {t.key: t for t in report.tables}
    figures, equations = equations_of(report.tables)
    for other in PERSONS[1:]:
        tie(equations, by_key, PERSONS[0], other, "cases")
    for measure in MEASURES:
        for other in REFERRALS[1:3]:
            tie(equations, by_key, REFERRALS[0], other, measure)
        tie(equations, by_key, "referrals_by_provider", REFERRALS[3], measure, rows_of=lambda k: k[0])
        tie(equations, by_key, "referrals_by_priority", REFERRALS[3], measure, rows_of=lambda k: k[1])
    tie(equations, by_key, "referrals_by_sector", "declined_by_reason", "declined")
    tie(equations, by_key, "unmet_needs_by_sector_and_region", "unmet_needs_by_reason", "unmet")
    return figures, equations


def leaky_history(history):
    """Tables that, each protected alone, give cells away through each other.

    Persons: one in the Centre, five in the Littoral (the region table must hide its total), three women
    and three men (the sex table alone would show that total). Referrals: the Douala hospital gets five
    normal and one urgent, the Espoir centre eight normal (the hospital's total minus its normal ones
    would give its single urgent one).
    """
    cases = [history.case(region="centre" if i == 0 else "littoral", facts={"sex": "female" if i < 3 else "male"}, day=1)
             for i in range(6)]
    for i in range(6):
        history.referral(cases[i], "demo-hopital-douala", Sector.HEALTH, day=2, ack_hours=3,
                         priority=Priority.URGENT if i == 0 else Priority.NORMAL, state=ReferralState.ACKNOWLEDGED)
    for i in range(8):
        history.referral(cases[i % 6], "demo-espoir-mhpss", Sector.MHPSS, day=2, ack_hours=3,
                         state=ReferralState.ACKNOWLEDGED)
    return cases


def test_the_attacker_finds_what_tables_protected_one_by_one_give_away(history):
    """The attack itself can succeed: on the tables as each protects itself, it pins cells down."""
    from engine.services.coordination.suppression import Counts, build_table

    by_region = build_table("cases_by_region", "region", ["centre", "littoral"],
                            [("cases", Counts({"centre": 1, "littoral": 5}, 6))], THRESHOLD)
    by_sex = build_table("cases_by_sex", "sex", ["female", "male"], [("cases", Counts({"female": 3, "male": 3}, 6))],
                         THRESHOLD)
    figures, equations = equations_of([by_region, by_sex])
    tie(equations, {t.key: t for t in (by_region, by_sex)}, "cases_by_region", "cases_by_sex", "cases")
    assert pinned_down(figures, equations)[("cases_by_region", "cases", "centre")] == 1


def test_no_hidden_count_of_the_indicators_page_follows_from_all_its_tables(container, actor, history):
    leaky_history(history)
    report = compute_indicators(container.uow(), actor("demo-coordinator"), PERIOD)
    figures, equations = indicator_equations(report)
    assert pinned_down(figures, equations) == {}
    # The ties were there to exploit: the region total is hidden, so the sex total is too.
    assert report.table("cases_by_region").total.figures[0].hidden
    assert report.table("cases_by_sex").total.figures[0].hidden


def test_no_hidden_count_of_a_filtered_page_follows_from_its_tables(container, actor, history):
    leaky_history(history)
    for filters in (IndicatorFilters(PERIOD.start, PERIOD.end, region="littoral"),
                    IndicatorFilters(PERIOD.start, PERIOD.end, sector="mhpss")):
        figures, equations = indicator_equations(compute_indicators(container.uow(), actor("demo-coordinator"), filters))
        assert pinned_down(figures, equations) == {}


def test_no_hidden_count_of_a_provider_follow_up_follows_from_its_tables(container, actor, history):
    # One urgent and five normal referrals, all declined for want of capacity: the by-priority table must
    # hide its declined total, which the table by reason would otherwise show.
    for i in range(6):
        history.referral(history.case(day=1), "demo-hopital-douala", Sector.HEALTH, day=2, ack_hours=1,
                         priority=Priority.URGENT if i == 0 else Priority.NORMAL, state=ReferralState.DECLINED,
                         decline_reason="no_capacity")
    follow_up = provider_follow_up(container.uow(), actor("demo-health-douala"), history.orgs["demo-hopital-douala"],
                                   PERIOD)
    tables = [follow_up.by_priority, follow_up.declined, follow_up.within_commitment]
    by_key = {t.key: t for t in tables}
    figures, equations = equations_of(tables)
    tie(equations, by_key, "provider_referrals_by_priority", "provider_declined_by_reason", "declined")
    for column in ("acknowledged", "delivered"):
        tie(equations, by_key, "provider_referrals_by_priority", "provider_within_commitment_by_priority", column,
            rows_of=lambda k: k)
    assert pinned_down(figures, equations) == {}
    assert follow_up.declined.total.figures[0].hidden
