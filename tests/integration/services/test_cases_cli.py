"""`aiguillage case ...` and `aiguillage task ...`: a case walked from identification to closure with the CLI alone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from tests.integration.services.conftest import ASSESSMENT, CONSENT, IDENTIFICATION
from webui.cli import main


@pytest.fixture
def run(container, published):
    """Runs `aiguillage ...` against the test database with the test's clock."""

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), obj=container)

    return invoke


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def _task(run, user: str, bpmn_id: str, sector: str | None = None) -> str:
    lines = _ok(run("task", "list", "--user", user)).splitlines()
    wanted = f"{bpmn_id} [{sector}]" if sector else bpmn_id
    found = [line.split()[0] for line in lines if f"  {wanted}" in line]
    assert len(found) == 1, f"{user}: {bpmn_id} {sector} not once in:\n" + "\n".join(lines)
    return found[0]


def _complete(run, user, bpmn_id, data, sector=None):
    return _ok(run("task", "complete", _task(run, user, bpmn_id, sector)[:8], "--user", user, "--data", json.dumps(data)))


def test_a_case_is_walked_from_identification_to_closure_with_the_cli(run, container, tmp_path):
    opened = _ok(run("case", "open", "--pathway", "cameroon-nrm", "--user", "demo-caseworker"))
    assert "Opened case MNR-2026-000001 on cameroon-nrm v1 (stage: identification)" in opened
    identification = tmp_path / "identification.json"
    identification.write_text(json.dumps(IDENTIFICATION), encoding="utf-8")
    task = _task(run, "demo-caseworker", "Task_Identification")
    [listed] = [line for line in _ok(run("task", "list", "--user", "demo-caseworker")).splitlines() if task in line]
    # Pathway texts in the command's language (English unless asked), as a page is in its reader's.
    assert listed.endswith("  - Identify the person"), listed
    asked = _ok(run("task", "form", task, "--user", "demo-caseworker"))
    assert "  age  long  min 0  max 120" in asked and "one of: female (Female), male (Male)" in asked
    assert "Task_Identification: Identify the person" in asked
    asked_in_french = _ok(run("--lang", "fr", "task", "form", task, "--user", "demo-caseworker"))
    assert "one of: female (Féminin), male (Masculin)" in asked_in_french
    assert "Task_Identification: Identifier la personne" in asked_in_french
    _ok(run("task", "complete", task, "--user", "demo-caseworker", "--data", f"@{identification}"))
    _complete(run, "demo-caseworker", "Task_NeedsAssessment", ASSESSMENT)
    _complete(run, "demo-caseworker", "Task_Consent", CONSENT)
    form = _ok(run("task", "form", _task(run, "demo-caseworker", "Task_SendReferral", "health"), "--user", "demo-caseworker"))
    assert "provider_id  string  required" in form and "demo-hopital-douala" in form
    for sector, provider, user in (("health", "demo-hopital-douala", "demo-health-douala"),
                                   ("shelter", "demo-bon-samaritain", "demo-shelter")):
        _complete(run, "demo-caseworker", "Task_SendReferral", {"provider_id": provider}, sector)
        _complete(run, user, "Task_AcknowledgeReferral", {"acknowledged_by": "Focal point"})
        _complete(run, user, "Task_ReferralDecision", {"decision": "accepted"})
        _complete(run, user, "Task_ServiceOutcome", {"service_delivered": True})
    pending = _ok(run("case", "show", "MNR-2026-000001", "--user", "demo-caseworker"))
    assert "Pending deadlines:\n  2026-" in pending
    for days in (30, 60, 90):
        container.clock.advance(timedelta(days=days))
        advanced = _ok(run("case", "advance", "MNR-2026-000001", "--user", "demo-caseworker"))
        assert "1 new task(s)" in advanced
        # The new task's id is printed, for the walk's next command.
        follow_up = _task(run, "demo-caseworker", "Task_FollowUp")
        assert f"\n  new task {follow_up}" in advanced
        _complete(run, "demo-caseworker", "Task_FollowUp", {"contact_outcome": "reached"})
    _complete(run, "demo-caseworker", "Task_ProposeClosure", {"closure_reason": "needs_met"})
    closed = _complete(run, "demo-supervisor", "Task_ApproveClosure", {"closure_approved": True})
    assert "Case MNR-2026-000001 is closed." in closed
    shown = _ok(run("case", "show", "MNR-2026-000001", "--user", "demo-supervisor"))
    assert "status: closed" in shown and "Open tasks: none" in shown and "\nEnded " in shown
    assert "Pending deadlines" not in shown
    assert "health (urgent)  to DEMO – Hôpital régional de Douala: delivered" in shown


def test_field_errors_are_listed_one_per_line_and_nothing_changes(run):
    _ok(run("case", "open", "--pathway", "cameroon-nrm", "--user", "demo-caseworker"))
    task = _task(run, "demo-caseworker", "Task_Identification")
    result = run("task", "complete", task, "--user", "demo-caseworker", "--data", '{"priority": "soon"}')
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("Error: ") and "fields to correct" in lines[0]
    assert "  priority: must be one of emergency, urgent, normal" in lines
    assert "  region: required" in lines
    assert _task(run, "demo-caseworker", "Task_Identification") == task


@pytest.mark.parametrize("args, message", [
    (("case", "open", "--pathway", "nowhere", "--user", "demo-caseworker"), "Error: pathway 'nowhere' has not been published"),
    (("case", "open", "--pathway", "cameroon-nrm", "--user", "ghost"), "Error: user 'ghost' does not exist or is not active"),
    (("case", "show", "MNR-2026-999999", "--user", "demo-caseworker"), "Error: case MNR-2026-999999 does not exist or is not yours to see"),
    (("task", "complete", "abcdef12", "--user", "demo-caseworker", "--data", "{"), "Error: --data is not valid JSON"),
    (("task", "complete", "abcdef12", "--user", "demo-caseworker", "--data", "[1]"), "Error: --data must be a JSON object"),
    (("task", "complete", "abcdef12", "--user", "demo-caseworker"), "Error: task abcdef12 does not exist or is not yours to see"),
])
def test_errors_are_one_clear_line_and_a_non_zero_exit(run, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_claim_and_release_from_the_cli(run):
    _ok(run("case", "open", "--pathway", "cameroon-nrm", "--user", "demo-caseworker"))
    task = _task(run, "demo-caseworker", "Task_Identification")
    assert _ok(run("task", "claim", task, "--user", "demo-caseworker")) == "Claimed.\n"
    assert "(assigned to you)" in _ok(run("task", "list", "--user", "demo-caseworker"))
    assert _ok(run("task", "list", "--user", "demo-caseworker-en")) == "No open tasks.\n"
    refused = run("task", "release", task, "--user", "demo-caseworker-en")
    assert refused.exit_code == 1 and "is not assigned to you" in refused.output
    assert _ok(run("task", "release", task, "--user", "demo-caseworker")) == "Released.\n"
    assert task in _ok(run("task", "list", "--user", "demo-caseworker-en"))
    assert _ok(run("task", "reassign", task, "--user", "demo-supervisor", "--to", "demo-caseworker-en")) == "Reassigned to demo-caseworker-en.\n"
    assert "(assigned to you)" in _ok(run("task", "list", "--user", "demo-caseworker-en"))
