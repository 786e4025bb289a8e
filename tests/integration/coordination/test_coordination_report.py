"""The steering committee's report: a period's indicators, stalled referrals, trend; page, PDF, and queued once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engine.domain import ReferralState, Sector
from engine.errors import AccessDenied
from engine.services.coordination.committee_report import (
    committee_report,
    last_complete_period,
    parse_period,
    queue_committee_report,
)
from engine.store.models import OutboxRow, ReferralRow


def test_the_report_compares_the_period_with_the_one_before(container, actor, history):
    for day in range(7):
        history.case(day=day)  # January 2026
    for day in range(5):
        history.case(day=31 + day)  # February
    report = committee_report(container.uow(), container.clock, actor("demo-coordinator"),
                              parse_period("2026-02", container.clock.now()))
    persons = next(row for row in report.trend.rows if row.key == "persons_identified")
    assert [figure.shown for figure in persons.figures] == [7, 5]
    assert report.period.last_day.isoformat() == "2026-02-28"


def test_stalled_referrals_are_counted_by_level_with_small_cells_hidden(container, actor, history):
    case = history.case(day=1)
    referral = history.referral(case, "demo-hopital-douala", Sector.HEALTH, day=2, state=ReferralState.SENT,
                                ack_escalated=True)
    with container.uow() as u:
        u.session.get(ReferralRow, referral).escalation_level = 1
        u.commit()
    report = committee_report(container.uow(), container.clock, actor("demo-coordinator"),
                              parse_period("2026-01", container.clock.now()))
    level1 = next(row for row in report.stalled_by_level.rows if row.key == 1)
    assert level1.figures[0].hidden == "small"


def test_only_coordinators_read_the_report(container, actor, history):
    with pytest.raises(AccessDenied):
        committee_report(container.uow(), container.clock, actor("demo-supervisor"),
                         last_complete_period(container.clock.now()))


def test_the_scheduler_queues_each_period_s_report_once(container, history):
    assert queue_committee_report(container.uow(), container.clock) is not None
    assert queue_committee_report(container.uow(), container.clock) is None
    with container.uow() as u:
        rows = u.session.scalars(select(OutboxRow).where(OutboxRow.event_type == "committee_report")).all()
    assert len(rows) == 1 and rows[0].payload["path"] == "/coordination/report?period=2026-02"


def test_the_report_page_and_its_pdf(container, history, demo_password):
    from tests.integration.webui.web_forms import TEST_SECRET, sign_in
    from webui import create_app

    for day in range(6):
        history.case(day=31 + day)
    client = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container).test_client()
    sign_in(client, "demo-coordinator", demo_password)
    page = client.get("/coordination/report?period=2026-02")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    pdf = client.get("/coordination/report/pdf?period=2026-02")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
