"""`aiguillage case open|show` and `aiguillage task list|form|complete|claim|release|reassign`: cases from a terminal.

Every command acts as the user named by `--user`, with that user's access rights.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from engine.errors import InvalidData, NotFound
from engine.services.accounts.actors import load_actor
from engine.services.cases.view import show_case
from engine.services.cases.lifecycle import advance_case, case_id_of, open_case
from engine.services.tasks.inbox import list_inbox
from engine.services.pathways.labels import describe_labelled_task, labelled_tasks
from engine.services.tasks.completion import claim_task, complete_task, reassign_task, release_task
from webui.cli.container import command_container, one_line_errors
from webui.cli.language import cli_language, in_cli_language

USER_OPTION = click.option("--user", "username", required=True, help="Act as this user (their access rights apply).")
SHORTEST_TASK_PREFIX = 6


@click.group("case")
def case() -> None:
    """Cases: open, show, advance their due timers, put under or lift a legal hold."""


@case.command("open")
@click.option("--pathway", "pathway_id", required=True, help="Id of a published pathway, e.g. cameroon-nrm.")
@USER_OPTION
@click.option("--data", "data_text", help="Initial case data: JSON, or @file.json.")
def open_command(pathway_id: str, username: str, data_text: str | None) -> None:
    """Open a case on the latest published version of a pathway."""
    container = command_container()
    with one_line_errors(), field_errors():
        data = _json_data(data_text) if data_text else None
        actor = load_actor(container.uow(), username)
        ref = open_case(container.uow(), container.clock, pathway_id, actor, data)
    click.echo(f"Opened case {ref.reference} on {ref.pathway_id} v{ref.pathway_version} (stage: {ref.stage or '-'}).")
    _echo_failures(ref.failures)
    click.echo(f"Next: aiguillage task list --user {username}")


@case.command("show")
@click.argument("reference")
@USER_OPTION
def show_command(reference: str, username: str) -> None:
    """Show a case: stage, open tasks, referrals, consents and history."""
    container = command_container()
    with one_line_errors():
        actor = load_actor(container.uow(), username)
        view = show_case(container.uow(), container.clock, reference, actor)
    click.echo(f"{view.reference}  status: {view.status}  stage: {view.stage or '-'}  priority: {view.priority}"
               f"  region: {view.region or '-'}")
    if view.closed_at is not None:
        click.echo(f"Ended {view.closed_at:%Y-%m-%d %H:%M}Z: {view.close_reason or 'the pathway reached its end'}")
    if view.needs_attention:
        click.echo(f"NEEDS ATTENTION: {view.attention_message}")
    click.echo("Open tasks:" if view.open_tasks else "Open tasks: none")
    for task in view.open_tasks:
        click.echo(f"  {task.id}  {task.bpmn_id}{_label(task.instance_label)}  for {', '.join(task.candidate_groups) or '-'}"
                   f"{_named(task.name, task.bpmn_id)}")
    if view.deadlines:
        click.echo("Pending deadlines:")
    for deadline in view.deadlines:
        steps = f"  ({deadline.level} escalation step{'s' if deadline.level != 1 else ''} taken)" if deadline.level else ""
        click.echo(f"  {deadline.due_at:%Y-%m-%d %H:%M}Z  {deadline.kind}{steps}")
    if view.referrals:
        click.echo("Referrals:")
    for referral in view.referrals:
        click.echo(f"  #{referral.id}  {referral.sector} ({referral.priority})  to {referral.provider or '-'}: {referral.state}")
    for consent in view.consents:
        state = "withdrawn" if consent.withdrawn_at else ("given" if consent.given else "refused")
        click.echo(f"Consent: {state} by {consent.given_by} ({consent.method}) for {', '.join(consent.scope_services) or '-'}")
    click.echo("History:")
    for event in view.history:
        click.echo(f"  {event.at:%Y-%m-%d %H:%M}Z  {_who(event)}  {event.action}"
                   f"{' ' + event.task_bpmn_id if event.task_bpmn_id else ''}")


@case.command("advance")
@click.argument("reference")
@USER_OPTION
def advance_command(reference: str, username: str) -> None:
    """Fire the case's timers that are due now (what the scheduler's sweep does for every case)."""
    container = command_container()
    with one_line_errors():
        actor = load_actor(container.uow(), username)
        result = advance_case(container.uow(), container.clock, case_id_of(container.uow(), reference), actor=actor)
    click.echo(f"Case {result.reference} is at stage {result.stage or '-'}; {len(result.new_task_ids)} new task(s).")
    _echo_new_tasks(result.new_task_ids)
    _echo_failures(result.failures)


@click.group("task")
def task() -> None:
    """Human tasks: list yours, see a form, complete, claim, release, reassign."""


@task.command("list")
@USER_OPTION
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
def list_command(username: str, limit: int) -> None:
    """The user's open tasks (assigned to them or offered to their groups), most pressing first."""
    container = command_container()
    with one_line_errors():
        tasks = labelled_tasks(container.uow(), list_inbox(container.uow(), load_actor(container.uow(), username), limit=limit),
                               cli_language())
    if not tasks:
        click.echo("No open tasks.")
    for item in tasks:
        due = f"  due {item.due_at:%Y-%m-%d %H:%M}Z" if item.due_at else ""
        mine = "  (assigned to you)" if item.assignee_id is not None else ""
        click.echo(f"{item.id}  {item.case_reference}  {item.bpmn_id}{_label(item.instance_label)}  {item.priority}{due}{mine}"
                   f"{_named(item.name, item.bpmn_id)}")


@task.command("form")
@click.argument("task_id")
@USER_OPTION
def form_command(task_id: str, username: str) -> None:
    """Show the fields a task asks for (and, to send a referral, the providers to choose from)."""
    container = command_container()
    with one_line_errors():
        actor = load_actor(container.uow(), username)
        # Labelled in the command's language, as the task's page is in the reader's.
        form = describe_labelled_task(container.uow(), container.clock, _task_id(container, actor, task_id), actor,
                                      cli_language())
    click.echo(f"{form.bpmn_id}: {form.name}")
    if not form.fields:
        click.echo("  (no fields: complete it with --data '{}')")
    for field in form.fields:
        if field.section:
            click.echo(f"  [{field.section}]")
        if field.read_only:
            shown = "-" if field.value is None else json.dumps(field.value, ensure_ascii=False)
            click.echo(f"  {field.id}  {field.type}  read-only: {shown}  - {field.label}")
            continue
        labelled = [f"{choice} ({label})" if label and label != choice else choice for choice, label in field.choices]
        several = "some of" if field.type == "enum_list" else "one of"
        choices = f"  {several}: {', '.join(labelled)}" if field.choices else ""
        choices += "".join(f"  {name} {value}" for name, value in field.limits)
        when = f"  required when {field.required_when}" if field.required_when else ""
        if field.applies is False:
            when += "  (not needed now)"
        if field.hidden_when:
            when += f"  hidden when {field.hidden_when}" + ("  (hidden now: leave it out)" if field.hidden else "")
        initial = f"  empty means: {json.dumps(field.initial, ensure_ascii=False)}" if field.initial is not None else ""
        if field.initial is None and field.prefill is not None:
            initial = f"  suggested: {json.dumps(field.prefill, ensure_ascii=False)} (send it to keep it)"
        click.echo(f"  {field.id}  {field.type}{'  required' if field.required else ''}{when}{choices}{initial}  - {field.label}")
    if form.matching is not None:
        click.echo(f"Providers ({form.provider_field}), best first: {form.matching.text}")
    for provider in form.providers:
        verdict = "refused" if provider.refused else "needs a reason" if provider.needs_reason else "fits"
        click.echo(f"  {provider.rank}. {provider.slug}  {provider.name} - {provider.service_name}  [{verdict}]")
        for finding in provider.failures:
            click.echo(f"       x {finding.text}")
        for finding in provider.warnings:
            click.echo(f"       ! {finding.text}")
        click.echo(f"       + {'; '.join(finding.text for finding in provider.reasons)}")


@task.command("complete")
@click.argument("task_id")
@USER_OPTION
@click.option("--data", "data_text", default="{}", show_default=True, help="The form's data: JSON, or @file.json.")
def complete_command(task_id: str, username: str, data_text: str) -> None:
    """Complete a task with its form data; the case moves on."""
    container = command_container()
    with one_line_errors(), field_errors():
        data = _json_data(data_text)
        actor = load_actor(container.uow(), username)
        result = complete_task(container.uow(), container.clock, _task_id(container, actor, task_id), actor, data)
    if result.completed:
        click.echo(f"Completed. Case {result.reference} is {result.status}.")
    else:
        click.echo(f"Completed. Case {result.reference} is at stage {result.stage or '-'}; {len(result.new_task_ids)} new task(s).")
        _echo_new_tasks(result.new_task_ids)
    _echo_failures(result.failures)


@task.command("claim")
@click.argument("task_id")
@USER_OPTION
def claim_command(task_id: str, username: str) -> None:
    """Take a task offered to one of your groups, so that others stop seeing it."""
    container = command_container()
    with one_line_errors():
        actor = load_actor(container.uow(), username)
        claim_task(container.uow(), container.clock, _task_id(container, actor, task_id), actor)
    click.echo("Claimed.")


@task.command("release")
@click.argument("task_id")
@USER_OPTION
def release_command(task_id: str, username: str) -> None:
    """Give a task you hold back to its groups."""
    container = command_container()
    with one_line_errors():
        actor = load_actor(container.uow(), username)
        release_task(container.uow(), container.clock, _task_id(container, actor, task_id), actor)
    click.echo("Released.")


@task.command("reassign")
@click.argument("task_id")
@USER_OPTION
@click.option("--to", "to_username", required=True, help="The user who takes the task over.")
def reassign_command(task_id: str, username: str, to_username: str) -> None:
    """Give an open task to a named user (supervisors and coordinators)."""
    container = command_container()
    with one_line_errors():
        actor = load_actor(container.uow(), username)
        reassign_task(container.uow(), container.clock, task_id, actor, to_username)
    click.echo(f"Reassigned to {to_username}.")


class field_errors:
    """Show InvalidData as its message then one `field: problem` line per problem (exit 1)."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, InvalidData) and exc.errors:
            raise click.ClickException("\n".join(_field_lines(exc))) from exc
        return False


def _field_lines(error: InvalidData) -> list[str]:
    """The refusal then one `field: problem` line per problem, in the command's language."""
    from webui.cli.container import error_words

    if cli_language() == "en":
        return [str(error)] + [f"  {line}" for line in error.problem_lines()]
    from webui.engine_messages import field_messages

    with in_cli_language():
        worded = field_messages(error.errors)
    return [error_words(error)] + [f"  {name}: {text}" for name, texts in sorted(worded.items()) for text in texts]


def _json_data(text: str) -> dict:
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"cannot read {path}: {error.strerror or error}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"--data is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from error
    if not isinstance(data, dict):
        raise click.ClickException('--data must be a JSON object, such as {"field": "value"}')
    return data


def _task_id(container, actor, given: str) -> str:
    """A full task id, or a unique prefix of one of the user's open tasks (as `task list` shows them)."""
    if len(given) >= 36:
        return given
    if len(given) < SHORTEST_TASK_PREFIX:
        raise click.ClickException(f"task id {given!r} is too short: give at least {SHORTEST_TASK_PREFIX} characters")
    matches = [t.id for t in list_inbox(container.uow(), actor, limit=1000) if t.id.startswith(given)]
    if len(matches) > 1:
        raise click.ClickException(f"task id {given!r} matches {len(matches)} of your tasks; give more characters")
    if not matches:
        raise NotFound(f"task {given} does not exist or is not yours to see")
    return matches[0]


def _who(event) -> str:
    """Who acted, as the pages say it to the same user (`people.html`): a name, else "someone at" or "someone else"."""
    if event.actor:
        return event.actor
    if not event.actor_withheld:
        return "system"
    from flask_babel import gettext as _

    with in_cli_language():
        return (_("someone at %(organisation)s", organisation=event.actor_organisation) if event.actor_organisation
                else _("someone else"))


def _named(name: str | None, bpmn_id: str) -> str:
    # The task's name as drawn, last, so that the id stays where scripts look for it.
    return f"  - {name}" if name and name != bpmn_id else ""


def _label(instance_label: str | None) -> str:
    return f" [{instance_label}]" if instance_label else ""


def _echo_new_tasks(task_ids) -> None:
    # The next command of a walk names one of them: `task form` / `task complete` take the id.
    for task_id in task_ids:
        click.echo(f"  new task {task_id}")


def _echo_failures(failures) -> None:
    for failure in failures:
        click.echo(f"Warning: a step failed and the case needs attention: {failure}", err=True)
