"""A provider's referral page says when their answer is due, why a referral was declined in the pathway's
words, and writes dates day first in both languages."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.domain import Language
from engine.services.accounts.actors import load_actor
from engine.services.escalations.deadlines import sweep_deadlines
from engine.services.tasks.completion import complete_task
from engine.services.tasks.inbox import list_inbox
from engine.store.models import ReferralRow, User
from tests.integration.webui.test_consent_withdrawal_page import _client, refer, referred  # noqa: F401  (a fixture)

DOUALA = ZoneInfo("Africa/Douala")


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def _provider_step(container, case_id: int, bpmn_id: str) -> str:
    focal_point = load_actor(container.uow(), "demo-health-douala")
    return next(task.id for task in list_inbox(container.uow(), focal_point, limit=100)
                if task.case_id == case_id and task.bpmn_id == bpmn_id)


def _declined(container, case) -> None:
    """The hospital's focal point acknowledges the referral, then declines it for lack of capacity."""
    focal_point = load_actor(container.uow(), "demo-health-douala")
    complete_task(container.uow(), container.clock, _provider_step(container, case.id, "Task_AcknowledgeReferral"),
                  focal_point, {"acknowledged_by": "Dr Ngo"})
    complete_task(container.uow(), container.clock, _provider_step(container, case.id, "Task_ReferralDecision"),
                  focal_point, {"decision": "declined", "decline_reason": "no_capacity"})


def _referral_of(container, case) -> int:
    with container.uow() as u:
        return u.session.query(ReferralRow.id).filter(ReferralRow.case_id == case.id).scalar()


def test_the_referral_page_shows_when_the_answer_is_due_and_why_it_was_declined(referred, container):
    app, case, password = referred
    referral_id, client = _referral_of(container, case), _client(app, "demo-health-douala", password)
    page = _page(client, f"/referrals/{referral_id}")
    due = re.search(r"<dt>Réponse attendue le</dt><dd>\s*<time datetime=\"([^\"]+)\"", page)
    assert due is not None, "the acknowledgement's due time is on the page that asks for it"

    _declined(container, case)
    page = _page(client, f"/referrals/{referral_id}")
    assert "Capacité atteinte" in page and "no_capacity" not in page
    english = _client(app, "demo-caseworker-en", password)
    page = _page(english, f"/referrals/{referral_id}")
    assert "No capacity" in page and "no_capacity" not in page
    # Day first, as Cameroon reads dates, in English too (not the American month first).
    sent = container.clock.now().astimezone(DOUALA)
    assert sent.strftime("%d/%m/%Y") in page
    assert f"{sent.month}/{sent.day}/{sent.strftime('%y')}" not in page


def test_the_referral_page_names_the_service_requested_once_in_the_caseworkers_words(container):
    """The service is the page's title; "Service requested" is said once, by the request that words it."""
    app, case, password = refer(container, {"provider_id": "demo-hopital-douala",
                                            "service_requested": "Consultation prénatale"})
    referral_id = _referral_of(container, case)
    for username, title, label in (("demo-health-douala", "<h1>Référencement : Santé", "Service demandé"),
                                   ("demo-caseworker-en", "<h1>Referral: Health", "Service requested")):
        client = _client(app, username, password)
        for path in (f"/referrals/{referral_id}", f"/referrals/{referral_id}/form"):
            page = _page(client, path)
            assert title in page and page.count(label) == 1, (username, path)
            assert f"<dt>{label}</dt><dd><bdi>Consultation prénatale</bdi></dd>" in page


def test_a_field_the_case_does_not_need_yet_is_an_ordinary_optional_one(referred, container):
    """After a decline, the caseworker may leave the unmet-need reason empty to send the need again: the
    reason (required only from the fifth sending on) shows no asterisk and no condition."""
    app, case, password = referred
    _declined(container, case)
    caseworker = load_actor(container.uow(), "demo-caseworker")
    task_id = next(task.id for task in list_inbox(container.uow(), caseworker, limit=100)
                   if task.case_id == case.id and task.bpmn_id == "Task_ReReferral")
    page = _page(_client(app, "demo-caseworker", password), f"/tasks/{task_id}")
    field = re.search(r'<div class="field[^"]*"[^>]*>\s*<label for="field-unmet_reason">.*?</div>', page, re.S).group(0)
    assert 'class="required"' not in field and 'class="hint"' not in field
    # The button says both things it may do.
    assert "Envoyer à un autre prestataire, ou enregistrer le besoin non couvert</button>" in page


def test_the_printable_referral_offers_to_print_where_a_script_runs_and_still_becomes_a_pdf(referred, container):
    app, case, password = referred
    referral_id, client = _referral_of(container, case), _client(app, "demo-health-douala", password)
    page = _page(client, f"/referrals/{referral_id}/form")
    # Hidden until the page's script shows it: without a script it would do nothing.
    assert '<button type="button" data-print hidden>Imprimer</button>' in page
    assert '<script src="/static/dist/forms.js" defer></script>' in page
    pdf = client.get(f"/referrals/{referral_id}/form?format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_case_history_names_the_need_a_per_need_step_served(referred):
    app, case, password = referred
    page = _page(_client(app, "demo-caseworker", password), f"/cases/{case.reference}")
    assert "(Choisir le prestataire et envoyer — Santé)" in page


def test_the_case_history_tells_where_the_referral_went_and_what_the_provider_decided(referred, container):
    app, case, password = referred
    _declined(container, case)
    history = re.search(r'<ol class="history">(.*?)</ol>', _page(_client(app, "demo-caseworker", password),
                                                                    f"/cases/{case.reference}"), re.S).group(1)
    lines = [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in re.findall(r"<li>(.*?)</li>", history, re.S)]
    assert any(line.endswith("(Choisir le prestataire et envoyer — Santé) — envoyé à DEMO – Hôpital régional de Douala")
               for line in lines), lines
    assert any(line.endswith("(Accepter, refuser ou réorienter — Santé) — Décision : Refusé — Motif du refus : Capacité atteinte")
               for line in lines), lines
    # What describes the person never reaches the history, so never this line either.
    assert not [line for line in lines if "A. M." in line or "Dr Ngo" in line]
    summary = _page(_client(app, "demo-caseworker-en", password), f"/cases/{case.reference}/summary")
    assert "— sent to <bdi>DEMO – Hôpital régional de Douala</bdi>" in summary and "Reason for declining: <bdi>No capacity</bdi>" in summary


def test_french_pages_name_referrals_and_stages_in_agreeing_words(referred, container):
    """A referral is "un référencement" (masculine), as the pathway and the mechanism say, not "une
    référence"; a stage that is behind the case is "étape faite" whatever its gender."""
    app, case, password = referred
    provider = _client(app, "demo-health-douala", password)
    listing = _page(provider, "/referrals/")
    assert "<h1>Référencements</h1>" in listing and "Références" not in listing
    assert "<th>Envoyé le</th>" in listing and "Envoyée le" not in listing
    assert "<dt>Envoyé le</dt>" in _page(provider, f"/referrals/{_referral_of(container, case)}")
    case_page = _page(_client(app, "demo-caseworker", password), f"/cases/{case.reference}")
    assert "Consentement <span class=\"visually-hidden\">(étape faite)</span>" in case_page
    assert "(faite)" not in case_page


def _history(page: str) -> list[str]:
    history = re.search(r'<ol class="history">(.*?)</ol>', page, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in re.findall(r"<li>(.*?)</li>", history, re.S)]


def test_a_reassigned_referral_reads_as_withdrawn_in_the_history_and_on_the_providers_page(referred, container):
    """The coordinator answers the stalled (urgent) referral's escalation "reassigned": the case's history
    says from which provider it was withdrawn, and the provider's page that its access ended."""
    app, case, password = referred
    referral_id = _referral_of(container, case)
    container.clock.advance(timedelta(hours=72))  # an urgent referral reaches the coordinator after 72 hours
    sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper")
    coordinator = load_actor(container.uow(), "demo-coordinator")
    task_id = next(task.id for task in list_inbox(container.uow(), coordinator, limit=100)
                   if task.case_id == case.id and task.bpmn_id == "Task_AckEscalation")
    form = _page(_client(app, "demo-coordinator", password), f"/tasks/{task_id}")
    assert "Réaffecté à un autre prestataire" in form and "retire le référencement à ce prestataire" in form
    complete_task(container.uow(), container.clock, task_id, coordinator,
                  {"escalation_action": "reassigned", "escalation_note": "Hôpital injoignable"})

    lines = _history(_page(_client(app, "demo-caseworker", password), f"/cases/{case.reference}"))
    assert any(line.endswith("(Relancer / escalader — Santé) — Suite donnée : Réaffecté à un autre prestataire"
                             " — référencement retiré à DEMO – Hôpital régional de Douala") for line in lines), lines
    lines = _history(_page(_client(app, "demo-caseworker-en", password), f"/cases/{case.reference}"))
    assert any(line.endswith("(Follow up / escalate — Health) — Action taken: Reassigned to another provider"
                             " — referral withdrawn from DEMO – Hôpital régional de Douala") for line in lines), lines
    # The next send opens at once, and says why the hospital that stalled is no longer a fit.
    caseworker = load_actor(container.uow(), "demo-caseworker")
    send_id = next(task.id for task in list_inbox(container.uow(), caseworker, limit=100)
                   if task.case_id == case.id and task.bpmn_id == "Task_SendReferral")
    send = _page(_client(app, "demo-caseworker", password), f"/tasks/{send_id}")
    assert "Un référencement précédent de ce besoin vers ce prestataire a expiré ou lui a été retiré" in send

    provider = _client(app, "demo-health-douala", password)
    page = _page(provider, f"/referrals/{referral_id}")
    assert "<dd>révoqué</dd>" in page and "Votre accès aux données de la personne a pris fin le" in page
    assert "ne partage rien sur la personne" not in page and "Rien ne vous attend sur ce référencement." in page
    with container.uow() as uow:
        uow.session.scalar(select(User).where(User.username == "demo-health-douala")).language = Language.EN
        uow.commit()
    page = _page(_client(app, "demo-health-douala", password), f"/referrals/{referral_id}")
    assert "<dd>revoked</dd>" in page and "Your access to the person's data ended on" in page


def test_an_expired_referral_and_the_need_its_provider_never_answered_read_in_both_languages(referred, container):
    app, case, password = referred
    container.clock.advance(timedelta(hours=144))  # an urgent referral expires after 144 hours
    sweep_deadlines(container.uow, container.clock, worker_id="test-sweeper")
    caseworker = load_actor(container.uow(), "demo-caseworker")
    task_id = next(task.id for task in list_inbox(container.uow(), caseworker, limit=100)
                   if task.case_id == case.id and task.bpmn_id == "Task_ReReferral")
    complete_task(container.uow(), container.clock, task_id, caseworker, {"unmet_reason": "no_response"})

    french = _page(_client(app, "demo-caseworker", password), f"/cases/{case.reference}")
    assert any(line.endswith("— référencement envoyé à DEMO – Hôpital régional de Douala expiré")
               for line in _history(french)), _history(french)
    assert "Le prestataire n'a jamais répondu" in french and "no_response" not in french
    english = _page(_client(app, "demo-caseworker-en", password), f"/cases/{case.reference}")
    assert any(line.endswith("— referral to DEMO – Hôpital régional de Douala expired")
               for line in _history(english)), _history(english)
    assert "Provider never answered" in english and "no_response" not in english
    attention = _page(_client(app, "demo-coordinator", password), "/coordination/attention")
    assert "Le prestataire n'a jamais répondu" in attention


def test_the_send_page_says_who_redirected_the_need_and_whom_they_suggest(referred, container):  # noqa: F811
    app, case, password = referred
    focal_point = load_actor(container.uow(), "demo-health-douala")
    for bpmn_id, data in (("Task_AcknowledgeReferral", {"acknowledged_by": "Dr Ngo"}),
                          ("Task_ReferralDecision", {"decision": "redirected", "redirect_to": "Centre de santé de Bonabéri"})):
        complete_task(container.uow(), container.clock, _provider_step(container, case.id, bpmn_id), focal_point, data)
    caseworker = load_actor(container.uow(), "demo-caseworker")
    send = next(task for task in list_inbox(container.uow(), caseworker, limit=100)
                if task.case_id == case.id and task.bpmn_id == "Task_SendReferral")

    page = _page(_client(app, "demo-caseworker", password), f"/tasks/{send.id}")

    section = page[page.index("Référencements précédents de ce besoin"):page.index('id="providers-heading"')]
    assert "DEMO – Hôpital régional de Douala" in section and "réorienté" in section
    assert "Prestataire suggéré" in section and "Centre de santé de Bonabéri" in section
    assert "Il a refusé ou réorienté un référencement précédent de ce besoin" in page
    # The referral's own page says it too, to the caseworker and to the provider that answered.
    for username in ("demo-caseworker", "demo-health-douala"):
        referral_page = _page(_client(app, username, password), f"/referrals/{_referral_id(container, case.id)}")
        assert re.search(r"<dt>Prestataire suggéré</dt><dd><bdi>Centre de santé de Bonabéri</bdi></dd>", referral_page), username


def _referral_id(container, case_id: int) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(ReferralRow.id).where(ReferralRow.case_id == case_id))


def test_the_referral_answer_typed_comes_back_in_the_other_language_unless_the_referral_moved_on(referred, container):
    app, case, password = referred
    referral_id, client = _referral_of(container, case), _client(app, "demo-health-douala", password)
    page = client.get(f"/referrals/{referral_id}").get_data(as_text=True)
    switch = f"/language?language=en&amp;next=/referrals/{referral_id}"
    assert f'form="typed-form" formnovalidate\n                formaction="{switch}"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    step = re.search(r'<input type="hidden" name="task_id" value="([^"]+)">', page).group(1)
    typed = {"csrf_token": token, "task_id": step, "acknowledged_by": "Dr Ngo"}
    again = client.post(html.unescape(switch), data=typed)
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and '<html lang="en">' in page and 'value="Dr Ngo"' in page
    # Answered meanwhile (another tab, a colleague): the referral as it stands, and nothing typed for another step.
    complete_task(container.uow(), container.clock, step, load_actor(container.uow(), "demo-health-douala"),
                  {"acknowledged_by": "Dr Ebo"})
    moved = client.post(f"/language?language=fr&next=/referrals/{referral_id}", data=typed).get_data(as_text=True)
    assert "Ce référencement a avancé depuis l'ouverture de la page" in html.unescape(moved)
    assert 'value="Dr Ngo"' not in moved
