"""Names and other texts people type, written in a right-to-left script, are isolated where a page shows them
inline, so that the French or English around them keeps its order."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from engine.store.models import User
from tests.integration.services.conftest import IDENTIFICATION
from tests.integration.webui.test_consent_withdrawal_page import _client, refer
from tests.integration.webui.test_provider_referral_page import _referral_of

CASEWORKER = "أمينة بنت علي"  # Amina, daughter of Ali
ALIAS = "سلمى"  # Salma


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def test_a_caseworkers_arabic_name_and_a_persons_arabic_alias_are_isolated_on_every_page_that_shows_them(container):
    app, case, password = refer(container, {"provider_id": "demo-hopital-douala"},
                                {**IDENTIFICATION, "person_alias": ALIAS})
    with container.uow() as uow:
        uow.session.scalar(select(User).where(User.username == "demo-caseworker")).display_name = CASEWORKER
        uow.commit()
    caseworker = _client(app, "demo-caseworker", password)

    home = _page(caseworker, "/")
    assert f"<h1>Bienvenue, <bdi>{CASEWORKER}</bdi></h1>" in home
    assert f'<span class="who"><bdi>{CASEWORKER}</bdi></span>' in home

    case_page = _page(caseworker, f"/cases/{case.reference}")
    assert f"<dt>Nom ou alias</dt><dd><bdi>{ALIAS}</bdi></dd>" in case_page
    history = re.search(r'<ol class="history">(.*?)</ol>', case_page, re.S).group(1)
    assert f"<bdi>{CASEWORKER}</bdi> : " in history
    assert history.count(CASEWORKER) == history.count(f"<bdi>{CASEWORKER}</bdi>") > 1
    assert "envoyé à <bdi>DEMO – Hôpital régional de Douala</bdi>" in history

    referral = _page(_client(app, "demo-health-douala", password), f"/referrals/{_referral_of(container, case)}")
    assert f", <bdi>{CASEWORKER}</bdi> · " in referral and f"<dd><bdi>{ALIAS}</bdi></dd>" in referral
    assert "<dd><bdi>DEMO – OIM Cameroun, bureau de Yaoundé</bdi>," in referral


def test_isolating_a_name_escapes_it_and_leaves_nothing_where_there_is_no_name():
    from webui.labels import isolated

    assert str(isolated('<b>"x"</b>')) == "<bdi>&lt;b&gt;&#34;x&#34;&lt;/b&gt;</bdi>"
    assert str(isolated(None)) == str(isolated("")) == ""
