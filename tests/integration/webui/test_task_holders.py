"""Who holds a task, on the case page and the task page: named where the reader may know it, and handed back
from the task page by its holder."""

from __future__ import annotations

import html
import re

from engine.services.accounts.actors import load_actor
from engine.services.cases.lifecycle import open_case
from engine.services.tasks.completion import claim_task
from engine.services.tasks.inbox import list_inbox
from tests.integration.webui.test_consent_withdrawal_page import _client, referred  # noqa: F401  (a fixture)
from web_forms import csrf_of

COLLEAGUE = "IOM caseworker (demo)"  # demo-caseworker-en, of the same organisation as demo-caseworker
FOCAL_POINT = "Point focal Hôpital de Douala (démo)"  # demo-health-douala, of the hospital
PROVIDER = "DEMO – Hôpital régional de Douala"  # the hospital, which the case's referral names


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def _assigned_to(page: str) -> list[str]:
    """The "Assigned to" cells of the page's task table, as text."""
    cells = re.findall(r'<td data-label="(?:Attribuée à|Assigned to)">(.*?)</td>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_a_task_handed_over_names_its_new_holder_to_the_organisation_and_the_coordinator(referred, container):
    app, _, password = referred
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker"))
    supervisor = _client(app, "demo-supervisor", password)
    handed = supervisor.post(f"/tasks/{case.open_task_ids[0]}/reassign",
                             data={"username": "demo-caseworker-en", "csrf_token": csrf_of(supervisor, "/")})
    assert handed.status_code == 302 and handed.headers["Location"].endswith(f"/cases/{case.reference}")
    assert _assigned_to(_page(supervisor, handed.headers["Location"])) == [COLLEAGUE]
    for username in ("demo-caseworker", "demo-coordinator"):
        assert _assigned_to(_page(_client(app, username, password), f"/cases/{case.reference}")) == [COLLEAGUE], username
    assert _assigned_to(_page(_client(app, "demo-caseworker-en", password), f"/cases/{case.reference}")) == ["you"]


def test_a_providers_holder_is_someone_at_the_provider_to_the_cases_caseworker(referred, container):
    app, case, password = referred
    focal_point = load_actor(container.uow(), "demo-health-douala")
    task_id = next(task.id for task in list_inbox(container.uow(), focal_point, limit=100) if task.case_id == case.id)
    claim_task(container.uow(), container.clock, task_id, focal_point)
    caseworker = _page(_client(app, "demo-caseworker", password), f"/cases/{case.reference}")
    assert _assigned_to(caseworker) == [f"une personne de {PROVIDER}"] and FOCAL_POINT not in caseworker
    coordinator = _page(_client(app, "demo-coordinator", password), f"/cases/{case.reference}")
    assert FOCAL_POINT in _assigned_to(coordinator)


def test_the_holder_hands_a_task_back_from_its_page_and_lands_on_a_list_that_offers_it_again(referred, container):
    app, case, password = referred
    focal_point = load_actor(container.uow(), "demo-health-douala")
    task_id = next(task.id for task in list_inbox(container.uow(), focal_point, limit=100) if task.case_id == case.id)
    client = _client(app, "demo-health-douala", password)
    button = f'<form method="post" action="/tasks/{task_id}/release" class="hand-back">'
    assert button not in _page(client, f"/tasks/{task_id}")  # offered to the team: nobody holds it yet
    claimed = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_of(client, "/")})
    page = _page(client, claimed.headers["Location"])
    assert button in page and "Rendre la tâche à votre équipe</button>" in page

    released = client.post(f"/tasks/{task_id}/release", data={"csrf_token": csrf_of(client, "/")})
    assert released.status_code == 302
    inbox = _page(client, released.headers["Location"])
    assert "La tâche est rendue à votre équipe." in inbox and f'action="/tasks/{task_id}/claim"' in inbox
    assert button not in _page(client, f"/tasks/{task_id}")


def test_the_hand_over_choices_isolate_each_name_from_the_words_after_it(referred, container):
    # An <option> holds text only: a name in Arabic would carry "(holds it now)" into its own direction
    # without Unicode's isolates around it (what <bdi> does elsewhere).
    app, _, password = referred
    case = open_case(container.uow(), container.clock, "cameroon-nrm", load_actor(container.uow(), "demo-caseworker"))
    claim_task(container.uow(), container.clock, case.open_task_ids[0], load_actor(container.uow(), "demo-caseworker-en"))

    page = _page(_client(app, "demo-supervisor", password), f"/tasks/{case.open_task_ids[0]}/reassign")

    options = re.findall(r"<option[^>]*>(.*?)</option>", page, re.S)
    assert f"\u2068{COLLEAGUE}\u2069 (en charge actuellement)" in options, options
    assert all(option.startswith("\u2068") for option in options if option != "—"), options
