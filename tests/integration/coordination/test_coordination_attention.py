"""The attention list shows open escalations, declined emergencies and waiting overrides, not only failed steps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.domain import Priority, ReferralState, Sector
from engine.errors import AccessDenied
from engine.services.coordination.attention import list_attention


def test_open_escalations_appear_once_per_deadline_at_their_highest_level(container, actor, history):
    case = history.case(day=1)
    for level in (1, 2, 3):
        history.escalation(case, level=level, day=2)  # same day, one deadline per (level, day) in the helper
    other = history.case(day=1, org="demo-minas-littoral")
    history.escalation(other, level=1, day=3, resolved_hours=2)  # resolved: nothing to look at
    attention = list_attention(container.uow(), container.clock, actor("demo-coordinator"))
    assert [(item.level) for item in attention.stalled] == [3, 2, 1]
    assert not attention.empty


def test_a_declined_emergency_is_listed_until_another_referral_is_made(container, actor, history, clock):
    history.start = clock.now()
    case = history.case(day=-2)
    history.referral(case, "demo-hopital-douala", Sector.HEALTH, day=-1, state=ReferralState.DECLINED,
                     priority=Priority.EMERGENCY, decline_reason="no_capacity")
    attention = list_attention(container.uow(), container.clock, actor("demo-coordinator"))
    assert [item.sector for item in attention.declined_emergencies] == ["health"]
    history.referral(case, "demo-hopital-yaounde", Sector.HEALTH, day=-0.5, priority=Priority.EMERGENCY)
    attention = list_attention(container.uow(), container.clock, actor("demo-coordinator"))
    assert attention.declined_emergencies == []


def test_an_override_waiting_for_approval_is_listed_for_its_supervisor_only(container, actor, history):
    case = history.case(day=1)
    history.consent(case, day=1, given=False, override=True)
    assert len(list_attention(container.uow(), container.clock, actor("demo-supervisor")).overrides_waiting) == 1
    assert list_attention(container.uow(), container.clock, actor("demo-minas-supervisor")).overrides_waiting == []


def test_a_caseworker_may_not_list_attention(container, actor, history):
    with pytest.raises(AccessDenied):
        list_attention(container.uow(), container.clock, actor("demo-caseworker"))


def test_a_need_left_unmet_is_listed_for_who_may_open_its_case(container, actor, history, clock):
    from engine.domain import Sector

    history.start = clock.now() - timedelta(days=5)
    case = history.case(day=0)
    history.unmet_need(case, Sector.SHELTER, "littoral", "no_provider", day=1)
    assert [item.sector for item in list_attention(container.uow(), container.clock, actor("demo-coordinator")).unmet_needs] == ["shelter"]
    assert list_attention(container.uow(), container.clock, actor("demo-minas-supervisor")).unmet_needs == []


def test_the_attention_page_lists_each_kind_under_its_heading_with_a_link_to_its_case(container, history, clock,
                                                                                      demo_password):
    import re

    from sqlalchemy import select, update

    from engine.store.models import CaseRow
    from tests.integration.webui.web_forms import TEST_SECRET, sign_in
    from webui import create_app

    history.start = clock.now() - timedelta(days=5)
    cases = {kind: history.case(day=1) for kind in ("stalled", "declined", "unmet", "failed")}
    history.escalation(cases["stalled"], level=2, day=2)
    history.referral(cases["declined"], "demo-hopital-douala", Sector.HEALTH, day=2, state=ReferralState.DECLINED,
                     priority=Priority.EMERGENCY, decline_reason="no_capacity")
    history.unmet_need(cases["unmet"], Sector.SHELTER, "littoral", "no_provider", day=2)
    with container.uow() as u:
        u.session.execute(update(CaseRow).where(CaseRow.id == cases["failed"]).values(
            needs_attention=True, attention_message="the gateway found no way out", attention_at=clock.now()))
        references = dict(u.session.execute(select(CaseRow.id, CaseRow.reference)).all())
        u.commit()
    client = create_app({"SECRET_KEY": TEST_SECRET, "SESSION_COOKIE_SECURE": False}, container=container).test_client()
    sign_in(client, "demo-coordinator", demo_password)
    html = client.get("/coordination/attention").get_data(as_text=True)
    sections = dict(re.findall(r'<section aria-labelledby="(\w+)-title">(.*?)</section>', html, re.S))
    for kind, case_id in cases.items():
        reference = references[case_id]
        assert f'href="/cases/{reference}"' in sections[kind], kind
        assert [name for name, body in sections.items() if f"/cases/{reference}\"" in body] == [kind]
    assert "the gateway found no way out" in sections["failed"]
    # A need left with no provider is listed once, with the region that had none.
    assert html.count(f'href="/cases/{references[cases["unmet"]]}"') == 1 and "Littoral" in sections["unmet"]
    assert 'href="/coordination/escalations"' in sections["stalled"]
    # Why the emergency was declined, in words (demo-coordinator reads French), not its code.
    assert "capacité insuffisante" in sections["declined"] and "no_capacity" not in sections["declined"]
