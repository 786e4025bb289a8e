from pathlib import Path

import pytest

from engine.errors import NotificationError
from notifications.context import EVENTS, LANGUAGES, notification_context
from notifications.rendering import TEMPLATES, Renderer

BASE_URL = "https://mnr.example.cm"

PERSONAL_DATA = {
    "name": "Aminatou Bello",
    "first_name": "Aminatou",
    "last_name": "Bello",
    "phone": "+237 6 99 12 34 56",
    "notes": "HIV positive",
    "diagnosis": "HIV positive",
    "date_of_birth": "1994-07-12",
    "address": "Quartier Bonamoussadi, Douala",
    "person": {"name": "Aminatou Bello", "phone": "+237 6 99 12 34 56"},
    "data": {"notes": "HIV positive", "date_of_birth": "12/07/1994"},
}

FULL_PAYLOAD = {
    **PERSONAL_DATA,
    "case_reference": "CM-2026-0042",
    "step": {"fr": "Accuser réception", "en": "Acknowledge receipt"},
    "deadline": "2026-03-09T14:00:00+00:00",
    "path": "/referrals/42",
    "provider": "Centre de santé de Bépanda",
    "redirected_to": "Caritas Douala",
    "priority": "urgent",
    "outcome": "delivered",
    "reason": "no_capacity",
    "counts_by_level": {"1": 3, "2": 1, "3": 1},
    "counts_by_provider": {"Caritas Douala": 2, "Centre de santé de Bépanda": 3},
    "items": [
        {
            "case_reference": "CM-2026-0007",
            "step": "Service delivery",
            "deadline": "2026-03-02T08:00:00+00:00",
            "provider": "Caritas Douala",
            "level": 2,
            "name": "Aminatou Bello",
            "notes": "HIV positive",
        }
    ],
    "total": 5,
}

FORBIDDEN = [
    "Aminatou",
    "Bello",
    "+237",
    "99 12 34 56",
    "699123456",
    "HIV",
    "positive",
    "1994",
    "12/07",
    "juillet 1994",
    "July 1994",
    "Bonamoussadi",
]

ALL_MESSAGES = [(event, language) for event in EVENTS for language in LANGUAGES]


@pytest.fixture(scope="module")
def renderer():
    return Renderer(BASE_URL)


@pytest.mark.parametrize("event,language", ALL_MESSAGES)
def test_every_event_has_a_template_in_french_and_english(event, language):
    assert (TEMPLATES / f"{event}.{language}.j2").is_file()


@pytest.mark.parametrize("event,language", ALL_MESSAGES)
def test_every_template_renders_subject_text_and_html(renderer, event, language):
    message = renderer.render(event, language, notification_context(event, FULL_PAYLOAD))
    assert message.subject and "\n" not in message.subject
    assert message.text.strip()
    assert message.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in message.html
    assert message.language == language


@pytest.mark.parametrize("event,language", ALL_MESSAGES)
def test_no_personal_data_reaches_any_message(renderer, event, language):
    message = renderer.render(event, language, notification_context(event, FULL_PAYLOAD))
    for part in (message.subject, message.text, message.html):
        for secret in FORBIDDEN:
            assert secret not in part, f"{secret!r} leaked into {event}.{language}"


@pytest.mark.parametrize("event", [event for event in EVENTS if event not in ("coordinator_summary", "committee_report")])
def test_case_messages_carry_the_reference_the_deadline_and_the_link(renderer, event):
    context = notification_context(event, FULL_PAYLOAD)
    french = renderer.render(event, "fr", context)
    english = renderer.render(event, "en", context)
    for message in (french, english):
        assert "CM-2026-0042" in message.subject
        assert "CM-2026-0042" in message.text
        assert f"{BASE_URL}/referrals/42" in message.text
        assert f'href="{BASE_URL}/referrals/42"' in message.html
    # 14:00 UTC is 15:00 in Douala, written in each language's own way.
    assert "lundi 9 mars 2026 à 15:00" in french.text
    assert "Monday 9 March 2026 at 15:00" in english.text


def test_the_step_label_is_shown_in_the_recipients_language(renderer):
    context = notification_context("task_assigned", FULL_PAYLOAD)
    assert "Accuser réception" in renderer.render("task_assigned", "fr", context).subject
    assert "Acknowledge receipt" in renderer.render("task_assigned", "en", context).subject


def test_html_escapes_what_the_text_shows_as_it_is(renderer):
    payload = {"case_reference": "CM-1", "provider": "Santé & Vie <script>alert(1)</script>"}
    message = renderer.render("referral_accepted", "fr", notification_context("referral_accepted", payload))
    assert "Santé & Vie <script>" in message.text
    assert "<script>" not in message.html
    assert "Santé &amp; Vie &lt;script&gt;" in message.html


def test_coordinator_summary_counts_by_level_and_provider_and_lists_deadlines(renderer):
    message = renderer.render("coordinator_summary", "en", notification_context("coordinator_summary", FULL_PAYLOAD))
    assert "5 awaiting action" in message.subject
    assert "level 2: 1" in message.text
    assert "Caritas Douala: 2" in message.text
    assert "CM-2026-0007" in message.text and "2 Mar 2026 09:00" in message.text
    assert "(and 4 more)" in message.text


def test_a_missing_variable_in_a_template_is_an_error_for_that_message(tmp_path: Path):
    for name in TEMPLATES.iterdir():
        (tmp_path / name.name).write_text(name.read_text())
    (tmp_path / "case_closed.en.j2").write_text(
        "{% block subject %}Closed {{ case_refrence }}{% endblock %}"
        "{% block text %}x{% endblock %}{% block html %}x{% endblock %}"
    )
    renderer = Renderer(BASE_URL, templates=tmp_path)
    context = notification_context("case_closed", {"case_reference": "CM-1"})
    with pytest.raises(NotificationError, match="case_closed.en.j2.*case_refrence"):
        renderer.render("case_closed", "en", context)
    assert "CM-1" in renderer.render("case_closed", "fr", context).subject


def test_an_unknown_language_is_refused_rather_than_guessed(renderer):
    with pytest.raises(NotificationError, match="language 'de'"):
        renderer.render("case_closed", "de", notification_context("case_closed", {"case_reference": "CM-1"}))


def test_a_context_built_for_another_event_is_refused(renderer):
    with pytest.raises(NotificationError, match="built for 'case_closed'"):
        renderer.render("referral_accepted", "fr", notification_context("case_closed", {"case_reference": "CM-1"}))


@pytest.mark.parametrize("language,subject", [("fr", "Aiguillage : 2 notifications du jour"), ("en", "Aiguillage: 2 notifications of the day")])
def test_a_digest_lists_each_held_subject_with_its_link(renderer, language, subject):
    held = [
        (renderer.render(event, language, notification_context(event, FULL_PAYLOAD)), f"{BASE_URL}/referrals/{number}")
        for number, event in ((1, "referral_accepted"), (2, "case_closed"))
    ]
    digest = renderer.render_digest(language, held)
    assert digest.subject == subject
    for message, link in held:
        assert message.subject in digest.text and link in digest.text
        assert f'<a href="{link}">' in digest.html


def test_the_committee_report_message_links_to_the_report_in_both_languages(renderer):
    context = notification_context("committee_report", {"path": "/coordination/report?period=2026-02", "total": 37})
    for language, words in (("fr", "comité de pilotage"), ("en", "steering committee")):
        message = renderer.render("committee_report", language, context)
        assert words in message.subject.lower() or words in message.text.lower()
        assert f"{BASE_URL}/coordination/report?period=2026-02" in message.text
        assert f'href="{BASE_URL}/coordination/report?period=2026-02"' in message.html
