"""The SOP author's pathway pages: versions listed with their cases, drafts uploaded, checked and published."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from engine.pathways.folder import load_source
from engine.services.pathways.publishing import list_pathways, publish_pathway
from engine.store.models import PathwayDraftRow, PathwayScenarioResultRow
from web_forms import csrf_of, sign_in

CAMEROON = Path(__file__).resolve().parents[3] / "pathways" / "cameroon-nrm"


def zipped(folder: Path, wrap: str | None = "cameroon-nrm", change=None) -> bytes:
    """The folder as a browser would send it zipped (in one wrapping folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                relative = path.relative_to(folder).as_posix()
                data = path.read_bytes()
                if change and relative in change:
                    data = change[relative](data)
                archive.writestr(f"{wrap}/{relative}" if wrap else relative, data)
    return buffer.getvalue()


def upload(client, data: bytes, name: str):
    return client.post("/pathways/drafts", data={"csrf_token": csrf_of(client, "/pathways/"),
                                                 "pathway": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def author(client):
    sign_in(client, "diane_author")
    return client


def drafts_count(container) -> int:
    with container.uow() as uow:
        return uow.session.query(PathwayDraftRow).count()


def test_the_list_shows_each_version_with_who_published_it_and_its_cases(author, container, clock):
    publish_pathway(container.uow(), load_source(CAMEROON), clock, notes="Adopted at the May workshop")
    page = author.get("/pathways/").get_data(as_text=True)
    assert "Adopted at the May workshop" in page
    assert "0 en cours, 0 au total" in page
    assert 'href="/pathways/cameroon-nrm/1"' in page


def test_a_version_page_shows_its_diagram_forms_and_deadlines(author, container, clock):
    publish_pathway(container.uow(), load_source(CAMEROON), clock)
    page = author.get("/pathways/cameroon-nrm/1").get_data(as_text=True)
    assert 'data-diagram-url="/pathways/cameroon-nrm/1/diagram"' in page
    assert "Recueillir le consentement éclairé" in page and "Consentement donné" in page
    assert "Délai d&#39;accusé dépassé" in page  # a timer of the escalation chain
    english = author.post("/language", data={"language": "en", "next": "/pathways/cameroon-nrm/1",
                                              "csrf_token": csrf_of(author, "/pathways/")}, follow_redirects=True)
    assert "Deadlines and escalation" in english.get_data(as_text=True)
    diagram = author.get("/pathways/cameroon-nrm/1/diagram")
    assert diagram.mimetype == "text/plain" and b"Process_CameroonNRM" in diagram.data
    # Drawn in the reader's language: the steps as the pathway's English texts name them.
    assert b'name="Approve closure"' in diagram.data and "Identifier la personne".encode() not in diagram.data
    author.post("/language", data={"language": "fr", "next": "/", "csrf_token": csrf_of(author, "/pathways/")})
    assert "Identifier la personne".encode() in author.get("/pathways/cameroon-nrm/1/diagram").data
    assert author.get("/pathways/cameroon-nrm/9").status_code == 404


def test_the_scenarios_of_a_version_run_from_its_page(author, container, clock):
    publish_pathway(container.uow(), load_source(CAMEROON), clock)
    response = author.post("/pathways/cameroon-nrm/1/scenarios", data={"csrf_token": csrf_of(author, "/pathways/")},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    total = len(list((CAMEROON / "scenarios").glob("*.yaml")))
    assert f"{total} sur {total} ont réussi" in page


def test_a_version_keeps_the_last_run_of_each_scenario_with_when_and_who_ran_it(author, container, clock):
    publish_pathway(container.uow(), load_source(CAMEROON), clock)
    before = author.get("/pathways/cameroon-nrm/1").get_data(as_text=True)
    assert "n'ont pas encore été lancés" in before
    csrf = csrf_of(author, "/pathways/")
    author.post("/pathways/cameroon-nrm/1/scenarios", data={"csrf_token": csrf})
    author.post("/pathways/cameroon-nrm/1/scenarios", data={"csrf_token": csrf})
    total = len(list((CAMEROON / "scenarios").glob("*.yaml")))
    with container.uow() as uow:
        rows = uow.session.query(PathwayScenarioResultRow).all()
    # One row per scenario, the second run in place of the first.
    assert len(rows) == total and len({row.ran_at for row in rows}) == 1
    assert all(row.passed and row.failures == [] for row in rows)
    assert {row.file for row in rows} == {f"scenarios/{path.name}" for path in (CAMEROON / "scenarios").glob("*.yaml")}
    page = author.get("/pathways/cameroon-nrm/1").get_data(as_text=True)
    assert "par Diane Author" in page and f"{total} sur {total} ont réussi" in page
    assert "01-happy-path.yaml" in page
    assert author.post("/pathways/cameroon-nrm/7/scenarios", data={"csrf_token": csrf}).status_code == 404


def test_an_uploaded_folder_with_mistakes_is_a_draft_with_its_problems_marked(author, container, clock):
    broken = zipped(CAMEROON, change={"pathway.bpmn": lambda data: data.replace(
        b'<camunda:formField id="consent_method" label="Forme du consentement" type="enum">',
        b'<camunda:formField id="consent_method" label="Forme du consentement" type="choice">')})
    response = upload(author, broken, "cameroon-nrm.zip")
    assert response.status_code == 302
    page = author.get(response.headers["Location"]).get_data(as_text=True)
    assert "Un champ de formulaire est incorrect" in page
    assert 'data-diagram-element="Task_Consent"' in page
    assert "Task_Consent" in re.search(r'data-diagram-marks="([^"]*)"', page).group(1)
    assert "Publier comme nouvelle version" not in page
    with container.uow() as uow:
        assert list_pathways(uow) == []  # nothing published


def test_a_valid_draft_is_published_with_its_notes_and_then_gone(author, container, clock):
    draft_url = upload(author, zipped(CAMEROON), "cameroon-nrm.zip").headers["Location"]
    response = author.post(draft_url + "/publish", data={"csrf_token": csrf_of(author, draft_url),
                                                         "notes": "Shorter acknowledgement deadline"})
    assert response.headers["Location"].endswith("/pathways/cameroon-nrm/1")
    with container.uow() as uow:
        [published] = list_pathways(uow)
    assert published.notes == "Shorter acknowledgement deadline" and published.published_by == "diane_author"
    assert drafts_count(container) == 0
    assert author.get(draft_url).status_code == 404


def test_a_lone_bpmn_file_can_be_checked(author, container):
    response = upload(author, (CAMEROON / "pathway.bpmn").read_bytes(), "mine.bpmn")
    assert response.status_code == 302
    assert "Brouillon" in author.get(response.headers["Location"]).get_data(as_text=True)


def test_a_draft_without_scenario_files_says_so_instead_of_offering_an_empty_run(author, container):
    # A lone .bpmn from another tool has no scenarios/ folder: "0 of 0 passed" would read like a success.
    draft = upload(author, (CAMEROON / "pathway.bpmn").read_bytes(), "mine.bpmn").headers["Location"]
    page = author.get(draft).get_data(as_text=True)
    scenarios = page.split('id="scenarios"')[1].split("</section>")[0]
    assert "Ce parcours n'a pas de scénarios : écrivez-les comme fichiers YAML dans son dossier scenarios/" in scenarios
    assert "Lancer les scénarios" not in scenarios
    folder = author.get(upload(author, zipped(CAMEROON), "cameroon.zip").headers["Location"]).get_data(as_text=True)
    assert "Lancer les scénarios" in folder.split('id="scenarios"')[1]


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"hello", "ni une archive .zip ni un fichier .bpmn"),
    ("broken.zip", b"PK\x03\x04 not really", "pas une archive zip lisible"),
])
def test_an_upload_that_is_not_a_pathway_is_refused_in_words(author, container, name, data, message):
    response = upload(author, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert drafts_count(container) == 0


def test_a_zip_bomb_is_refused_without_unpacking_it(author, container):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("p/pathway.bpmn", b"\0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    response = upload(author, buffer.getvalue(), "bomb.zip")
    assert response.status_code == 422
    assert "se décompresse en plus de" in response.get_data(as_text=True)
    assert drafts_count(container) == 0


def test_a_zip_entry_climbing_out_of_the_folder_is_refused(author, container):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pathway.yaml", b"id: x")
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root true")
    response = upload(author, buffer.getvalue(), "evil.zip")
    assert response.status_code == 422
    assert drafts_count(container) == 0


def test_a_draft_whose_id_climbs_out_of_its_folder_still_opens_and_downloads_inside_a_plain_folder(author, container):
    odd = zipped(CAMEROON, change={"pathway.yaml": lambda data: data.replace(
        b"id: cameroon-nrm", b'id: "../../x\\" y\\r\\nZ: 1"')})
    draft = upload(author, odd, "cameroon-nrm.zip").headers["Location"]
    page = author.get(draft)
    assert page.status_code == 200 and "../../x" in page.get_data(as_text=True)  # its problem is still named
    download = author.get(draft + "/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="x-y-z-1-draft-{draft.rsplit("/", 1)[1]}.zip"'
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert names and all(name.startswith("x-y-z-1/") for name in names)


def test_only_sop_authors_reach_the_pathway_pages(client, container):
    sign_in(client, "awa_caseworker")
    assert client.get("/pathways/").status_code == 403


def test_the_migration_page_is_a_dry_run_until_the_author_confirms(author, container, clock):
    publish_pathway(container.uow(), load_source(CAMEROON), clock)
    page = author.get("/pathways/cameroon-nrm/1/migrate").get_data(as_text=True)
    assert "0 des 0 cas en cours sur des versions antérieures peuvent changer de version." in page
    assert "maintenant</button>" not in page  # nothing to move: no button


def _changed_copy(tmp_path, replacements: dict[bytes, bytes]) -> Path:
    import shutil

    folder = tmp_path / "cameroon-nrm"
    shutil.copytree(CAMEROON, folder)
    bpmn = folder / "pathway.bpmn"
    data = bpmn.read_bytes()
    for old, new in replacements.items():
        assert old in data, old
        data = data.replace(old, new)
    bpmn.write_bytes(data)
    return folder


def test_comparing_versions_lists_what_changed_and_marks_it_on_both_diagrams(author, container, clock, tmp_path):
    publish_pathway(container.uow(), load_source(CAMEROON), clock)
    changed = _changed_copy(tmp_path, {
        'name="Proposer la clôture"'.encode(): 'name="Proposer la clôture du cas"'.encode(),
        b'<camunda:formField id="closure_note" label="Justification" type="string"><camunda:properties><camunda:property id="sensitive" value="true" /></camunda:properties><camunda:validation><camunda:constraint name="maxlength" config="500" />':
        b'<camunda:formField id="closure_note" label="Justification" type="string"><camunda:properties><camunda:property id="sensitive" value="true" /></camunda:properties><camunda:validation><camunda:constraint name="maxlength" config="900" />',
    })
    publish_pathway(container.uow(), load_source(changed), clock)
    page = author.get("/pathways/cameroon-nrm/compare?from=1&to=2").get_data(as_text=True)
    assert 'data-diagram-element="Task_ProposeClosure"' in page
    assert "Proposer la clôture du cas" in page and "champ de formulaire closure_note" in page
    assert "maxlength=900" in page
    marks = re.findall(r'data-diagram-marks="([^"]*)"', page)
    assert len(marks) == 2 and all("Task_ProposeClosure" in m for m in marks)
    assert author.get("/pathways/cameroon-nrm/compare?from=1&to=7").status_code == 404


# The reminder's timer drawn on the escalation's, as the issue found the acknowledgement's timers.
REMINDER_DRAWN = b'<bpmndi:BPMNShape id="Timer_AckReminder_di" bpmnElement="Timer_AckReminder">\n        <dc:Bounds x="271"'
REMINDER_CROWDED = b'<bpmndi:BPMNShape id="Timer_AckReminder_di" bpmnElement="Timer_AckReminder">\n        <dc:Bounds x="141"'


def test_layout_warnings_are_shown_only_when_asked_and_never_block_publishing(author, container):
    def crowd(data: bytes) -> bytes:
        assert REMINDER_DRAWN in data
        return data.replace(REMINDER_DRAWN, REMINDER_CROWDED)

    draft_url = upload(author, zipped(CAMEROON, change={"pathway.bpmn": crowd}), "cameroon-nrm.zip").headers["Location"]
    plain = author.get(draft_url).get_data(as_text=True)
    assert "Le diagramme est difficile à lire" not in plain and "Vérifier aussi la mise en page" in plain
    checked = author.get(draft_url + "?layout=1").get_data(as_text=True)
    assert "Le diagramme est difficile à lire" in checked and 'data-diagram-element="Timer_AckEscalation"' in checked
    assert "Publier comme nouvelle version" in checked


def test_a_bpmn2_diagram_from_jbpm_or_eclipse_is_kept_as_a_draft_like_a_bpmn_one(client, author):
    diagram = (Path(__file__).resolve().parents[2] / "fixtures" / "camunda" / "nameless-user-task.bpmn").read_bytes()
    response = upload(client, diagram, "referral.bpmn2")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert 'accept=".zip,.bpmn,.bpmn2,.xml"' in client.get("/pathways/").get_data(as_text=True)


def test_the_draft_page_warns_of_an_assignee_who_is_no_user_as_publishing_does(client, author):
    # Checked against the installation's users, as at publication: the author hears it before publishing.
    diagram = (Path(__file__).resolve().parents[2] / "fixtures" / "camunda" / "nameless-user-task.bpmn").read_text()
    draft = upload(client, diagram.replace(
        '<bpmn:userTask id="Task_Check" />',
        '<bpmn:userTask id="Task_Check" name="Check" camunda:candidateGroups="caseworker" camunda:assignee="nobody_here" />'
    ).encode(), "who.bpmn").headers["Location"]
    page = author.get(draft).get_data(as_text=True)
    assert "l&#39;attributaire &#39;nobody_here&#39; n&#39;est pas un utilisateur de cette installation" in page
    known = upload(client, diagram.replace(
        '<bpmn:userTask id="Task_Check" />',
        '<bpmn:userTask id="Task_Check" name="Check" camunda:candidateGroups="caseworker" camunda:assignee="diane_author" />'
    ).encode(), "known.bpmn").headers["Location"]
    assert "n&#39;est pas un utilisateur de cette installation" not in author.get(known).get_data(as_text=True)
