"""A fresh installation (no demo) gets its directory from an HSDS file and sends a referral matched to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from tests.integration.services.test_cases_cli import _complete, _ok, _task
from webui.cli import main

ROOT = Path(__file__).resolve().parents[3]
HSDS_FILE = ROOT / "tests" / "fixtures" / "hsds" / "littoral-directory.json"


@pytest.fixture
def run(container):
    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), obj=container, input=input)

    return invoke


def test_a_fresh_installation_imports_its_directory_and_sends_a_matched_referral(run):
    assert "up to date" in _ok(run("init"))
    _ok(run("org", "create", "secretariat", "--name", "Secrétariat technique", "--kind", "ministry",
            "--mou-signed", "--data-sharing-signed"))
    _ok(run("org", "create", "agence", "--name", "Agence de référencement", "--kind", "ngo", "--region", "littoral",
            "--mou-signed", "--data-sharing-signed"))
    _ok(run("user", "create", "coordinatrice", "--org", "secretariat", "--role", "coordinator", "--password-stdin",
            input="a-long-enough-password\n"))
    _ok(run("user", "create", "agent", "--org", "agence", "--role", "caseworker", "--password-stdin",
            input="a-long-enough-password\n"))
    _ok(run("pathway", "publish", str(ROOT / "pathways" / "cameroon-nrm")))

    dry = _ok(run("directory", "import", "--dry-run", str(HSDS_FILE)))
    assert "would create 2 organisation(s) and 3 service(s)" in dry
    assert "No service matches." in _ok(run("directory", "list"))
    imported = _ok(run("directory", "import", str(HSDS_FILE)))
    assert "created 2 organisation(s) and 3 service(s)" in imported
    assert "Next: give each new provider its focal points, e.g. `aiguillage user create NAME --org clinique-bonaberi " \
        "--role provider_focal_point" in imported
    assert "services.0.languages" not in imported  # what the directory keeps is not reported as dropped
    _ok(run("user", "create", "point-focal", "--org", "clinique-bonaberi", "--role", "provider_focal_point",
            "--password-stdin", input="a-long-enough-password\n"))
    listed = _ok(run("directory", "list", "--sector", "health", "--region", "littoral"))
    assert "clinique-bonaberi" in listed and "foyer-sud-ouest" not in listed

    _ok(run("case", "open", "--pathway", "cameroon-nrm", "--user", "agent"))
    _complete(run, "agent", "Task_Identification", IDENTIFICATION)
    _complete(run, "agent", "Task_NeedsAssessment", {**ASSESSMENT, "need_shelter": False})
    _complete(run, "agent", "Task_Consent", CONSENT)
    form = _ok(run("task", "form", _task(run, "agent", "Task_SendReferral", "health"), "--user", "agent"))
    ranked = [line.split()[1] for line in form.splitlines() if line.startswith("  ") and line.split()[0].rstrip(".").isdigit()]
    assert ranked == ["clinique-bonaberi", "foyer-sud-ouest"]
    assert "1 of 2 providers fits every rule" in form
    assert "serves littoral" in form and "12 place(s) free" in form and "takes urgent referrals, answers within 72 h" in form
    assert "out of region: serves sud_ouest, not littoral (1 region(s) away)" in form  # the second, with why it fails

    _complete(run, "agent", "Task_SendReferral", {"provider_id": "clinique-bonaberi"}, "health")
    _complete(run, "point-focal", "Task_AcknowledgeReferral", {"acknowledged_by": "Point focal santé"})
    shown = _ok(run("case", "show", "MNR-2026-000001", "--user", "agent"))
    assert "acknowledged" in shown


def test_the_directory_exports_as_hsds_and_imports_back_unchanged(run, tmp_path):
    _ok(run("directory", "import", str(HSDS_FILE)))
    for form in ("json", "csv"):
        target = tmp_path / f"export-{form}"
        if form == "json":
            target = target.with_suffix(".json")
        _ok(run("directory", "export", str(target), "--format", form))
        again = _ok(run("directory", "import", "--dry-run", str(target / "datapackage.json" if form == "csv" else target)))
        assert "would create 0 organisation(s) and 0 service(s), would update 0 organisation(s) and 0 service(s); " \
               "3 service(s) unchanged" in again, again
    exported = json.loads((tmp_path / "export-json.json").read_text(encoding="utf-8"))
    clinic = next(s for s in exported["services"] if s["id"].endswith("0001"))
    assert clinic["alert"] == "Closed on public holidays"  # a field without a column travels on
    assert clinic["capacities"][0]["available"] == 12 and clinic["service_areas"][0]["name"] == "littoral"


def test_a_foreign_file_maps_its_taxonomy_terms_to_sectors_from_the_command_line(run):
    folder = str(ROOT / "tests" / "fixtures" / "hsds" / "official-shape" / "csv")
    refused = run("directory", "validate", folder)
    assert refused.exit_code == 1 and "services.csv line 2, field attributes: no sector" in refused.output
    assert "would create 1 organisation(s) and 1 service(s)" in _ok(run("directory", "validate", folder, "--sector-term",
                                                                          "counselling=mhpss"))
    wrong = run("directory", "import", folder, "--sector-term", "counselling=astrology")
    assert wrong.exit_code == 2 and "TERM=SECTOR" in wrong.output
