"""An SOP author uploads files drawn in other tools than ours through the pathway pages: each is accepted, or
refused with what is wrong named in the reader's language; warnings show on the draft page too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_pathway_authoring import upload
from web_forms import csrf_of, sign_in

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ACCEPTED = sorted((FIXTURES / "valid" / "other-tools").iterdir())
REFUSED = [FIXTURES / "broken" / "process.none" / "bpmnio-demo.bpmn",
           FIXTURES / "broken" / "unsupported.foreign" / "jbpm-human-task.bpmn2"]
ANSWER_FROM_ANOTHER_POOL = FIXTURES / "broken" / "event.message_never_sent" / "answer-from-another-pool.bpmn"


def _draft_page(client, path: Path, language: str) -> str:
    client.post("/language", data={"language": language, "csrf_token": csrf_of(client, "/")})
    sent = upload(client, path.read_bytes(), path.name)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    page = client.get(sent.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _problems(page: str) -> str:
    return page.split('id="problems"')[1].split("</section>")[0]


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda p: p.name)
def test_a_file_from_another_tool_is_accepted_in_both_languages(client, container, path: Path):
    sign_in(client, "diane_author")
    assert "Aucun problème trouvé" in _problems(_draft_page(client, path, "fr"))
    assert "No problem found" in _problems(_draft_page(client, path, "en"))


@pytest.mark.parametrize("path", REFUSED, ids=lambda p: p.name)
def test_a_refused_file_from_another_tool_names_what_is_wrong_in_both_languages(client, container, path: Path):
    sign_in(client, "diane_author")
    french = _problems(_draft_page(client, path, "fr"))
    assert "problème" in french and 'lang="en"' not in french, french
    english = _problems(_draft_page(client, path, "en"))
    assert re.search(r"\d+ problems? to fix", english), english


def test_a_message_from_another_pool_is_a_warning_the_draft_page_shows(client, container):
    sign_in(client, "diane_author")
    french = _problems(_draft_page(client, ANSWER_FROM_ANOTHER_POOL, "fr"))
    assert "Aucun problème trouvé" in french and "1 avertissement" in french
    assert "l&#39;événement attend le message &#39;answer&#39;, qu&#39;aucune étape de ce parcours n&#39;envoie" in french
    english = _problems(_draft_page(client, ANSWER_FROM_ANOTHER_POOL, "en"))
    assert "1 warning" in english and "the event waits for message &#39;answer&#39;" in english
