"""Who acted on a case, named only where the reader may know them: the same rule as a task's holder
(`engine.access.can_know_person`). A provider's focal point is "someone at" the provider to the case's
caseworkers and supervisors, on the case page, its printed summary and the person's record; the focal
point sees their own name on their referral; coordinators know every name."""

from __future__ import annotations

import html
import re

from engine.services.accounts.actors import load_actor
from engine.services.tasks.completion import claim_task, complete_task
from engine.services.tasks.inbox import list_inbox
from engine.store.models import ReferralRow
from tests.integration.webui.test_consent_withdrawal_page import _client, referred  # noqa: F401  (a fixture)

FOCAL_POINT, FOCAL_POINT_NAME = "demo-health-douala", "Point focal Hôpital de Douala (démo)"
PROVIDER = "DEMO – Hôpital régional de Douala"
SUPERVISOR_NAME = "Superviseur OIM (démo)"


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(re.sub(r"</?bdi>", "", response.get_data(as_text=True)))


def _history(page: str) -> str:
    """The text of the page's history list."""
    found = re.search(r'<ol class="history">(.*?)</ol>', page, re.S)
    assert found is not None, "the page has a history"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def _acknowledged(container, case) -> int:
    """The hospital's focal point acknowledges the case's referral; the referral's id."""
    focal_point = load_actor(container.uow(), FOCAL_POINT)
    task = next(task for task in list_inbox(container.uow(), focal_point, limit=100)
                if task.case_id == case.id and task.bpmn_id == "Task_AcknowledgeReferral")
    complete_task(container.uow(), container.clock, task.id, focal_point, {"acknowledged_by": "Dr Ngo"})
    with container.uow() as unit:
        return unit.session.query(ReferralRow.id).filter(ReferralRow.case_id == case.id).scalar()


def test_a_caseworker_sees_the_provider_but_not_its_focal_point_in_the_history(referred, container):
    app, case, password = referred
    _acknowledged(container, case)
    for username, someone in (("demo-caseworker", f"une personne de {PROVIDER}"),
                              ("demo-caseworker-en", f"someone at {PROVIDER}")):
        client = _client(app, username, password)
        for path in (f"/cases/{case.reference}", f"/cases/{case.reference}/summary"):
            page = _page(client, path)
            history = _history(page)
            assert someone in history, (username, path, history)
            assert FOCAL_POINT_NAME not in page and FOCAL_POINT not in page, (username, path)
            # Their own organisation's people keep their names, and the system stays the system.
            assert "Gestionnaire de cas OIM (démo)" in history


def test_the_task_table_says_someone_at_the_provider_for_its_holder(referred, container):
    app, case, password = referred
    focal_point = load_actor(container.uow(), FOCAL_POINT)
    task = next(task for task in list_inbox(container.uow(), focal_point, limit=100) if task.case_id == case.id)
    claim_task(container.uow(), container.clock, task.id, focal_point)
    page = _page(_client(app, "demo-caseworker", password), f"/cases/{case.reference}")
    cells = re.findall(r'<td data-label="Attribuée à">(.*?)</td>', page, re.S)
    assert [" ".join(cell.split()) for cell in cells] == [f"une personne de {PROVIDER}"]
    assert FOCAL_POINT_NAME not in page


def test_the_focal_point_sees_their_own_name_on_their_referral(referred, container):
    app, case, password = referred
    referral_id = _acknowledged(container, case)
    own = _history(_page(_client(app, FOCAL_POINT, password), f"/referrals/{referral_id}"))
    assert f"{FOCAL_POINT_NAME} : Accuser réception" in own
    # The case's caseworker reads the same referral: the provider, not its focal point.
    theirs = _history(_page(_client(app, "demo-caseworker", password), f"/referrals/{referral_id}"))
    assert f"une personne de {PROVIDER} : Accuser réception" in theirs and FOCAL_POINT_NAME not in theirs


def test_a_coordinator_knows_who_acted_as_who_holds_a_task(referred, container):
    app, case, password = referred
    _acknowledged(container, case)
    history = _history(_page(_client(app, "demo-coordinator", password), f"/cases/{case.reference}"))
    assert f"{FOCAL_POINT_NAME} : " in history and "une personne de" not in history
