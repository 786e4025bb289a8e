"""The README's "Walk a case from the command line", run as written: a fresh demo database, a case to closure.

The commands are read from the README's fenced block and run through the `aiguillage` command
line, in an empty folder, with only the environment the block itself exports. Two placeholders
are filled in as a reader would: `<id>` is the one open task of the case it opened that `task list` shows the user,
and the example reference is the one `case open` printed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from webui.cli import main

README = Path(__file__).resolve().parents[3] / "README.md"
WALK_TITLE = "## Walk a case from the command line"
TASK_PLACEHOLDER = "<id>"
EXAMPLE_REFERENCE = "MNR-2026-000005"
PROGRAM = ".venv/bin/aiguillage"
SHOWN_TASK_ID = 8  # characters of a task id the walk types, as a reader would


def walk_commands(readme: str) -> list[list[str]]:
    """The walk's commands as argument lists, one per command; quoted data may span lines."""
    assert WALK_TITLE in readme, f"README.md has no section {WALK_TITLE!r}"
    section = readme.split(WALK_TITLE, 1)[1]
    assert "```sh\n" in section, "the walk has no ```sh block"
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands, pending = [], ""
    for line in block.splitlines():
        pending += line + "\n"
        try:
            words = shlex.split(pending, comments=True)
        except ValueError:
            continue  # a quote is still open: the command goes on on the next line
        if words:
            commands.append(words)
        pending = ""
    assert not pending.strip(), f"the walk ends inside a quote: {pending!r}"
    return commands


class ReadmeWalk:
    """Runs the walk's lines the way a shell would, for the few shell forms the walk uses."""

    def __init__(self):
        self.variables: dict[str, str] = {}
        # Only what the walk exports: nothing from the test run's own environment.
        self.environment: dict[str, str | None] = {"AIGUILLAGE_DATABASE_URL": None, "AIGUILLAGE_INSTANCE_DIR": None}
        self.reference: str | None = None
        self.outputs: list[tuple[list[str], str]] = []

    def run_line(self, words: list[str]) -> None:
        if len(words) == 1 and "=" in words[0] and not words[0].startswith("$"):
            name, value = words[0].split("=", 1)
            self.variables[name] = value
            return
        if words[0] == "export":
            for assignment in words[1:]:
                name, value = assignment.split("=", 1)
                self.environment[name] = value
            return
        words = [self._expand(word) for word in words]
        assert words[0] == PROGRAM, f"the walk runs {words[0]!r}, not {PROGRAM}"
        arguments = [self._filled(word, words) for word in words[1:]]
        output = self.aiguillage(*arguments)
        self.outputs.append((arguments, output))
        if arguments[:2] == ["case", "open"]:
            self.reference = re.search(r"Opened case (\S+)", output).group(1)

    def aiguillage(self, *arguments: str) -> str:
        result = CliRunner().invoke(main, list(arguments), env=self.environment)
        assert result.exit_code == 0, f"`aiguillage {shlex.join(arguments)}` failed:\n{result.output}"
        return result.output

    def open_task(self, username: str) -> str:
        lines = self.aiguillage("task", "list", "--user", username).splitlines()
        tasks = [line for line in lines if self.reference and f"  {self.reference}  " in line]
        assert len(tasks) == 1, f"{username} should have one open task here, `task list` shows: {lines}"
        return tasks[0].split()[0][:SHOWN_TASK_ID]

    def _expand(self, word: str) -> str:
        return re.sub(r"\$(\w+)", lambda match: self.variables[match.group(1)], word)

    def _filled(self, word: str, words: list[str]) -> str:
        if word == TASK_PLACEHOLDER:
            return self.open_task(words[words.index("--user") + 1])
        if word == EXAMPLE_REFERENCE:
            assert self.reference, "the walk names a case before opening one"
            return self.reference
        return word


def test_the_walk_block_reads_as_commands():
    commands = walk_commands(README.read_text(encoding="utf-8"))
    identification = next(words for words in commands if "identification_date" in " ".join(words))
    assert identification[-2] == "--data" and '"priority": "urgent"' in identification[-1]
    assert ["$aig", "clock", "forward", "--days", "31"] in commands


def test_the_readme_walk_takes_a_new_demo_case_to_closure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    walk = ReadmeWalk()
    for words in walk_commands(README.read_text(encoding="utf-8")):
        walk.run_line(words)
    ran = [" ".join(arguments[:2]) for arguments, _output in walk.outputs]
    assert ran[0] == "demo --no-serve" and "clock forward" in ran
    shown = walk.aiguillage("case", "show", walk.reference, "--user", "demo-supervisor")
    assert "status: closed" in shown and "Open tasks: none" in shown
    assert "health (urgent)  to DEMO – Hôpital régional de Douala: delivered" in shown
    assert shown.count("task_completed Task_FollowUp") == 3
    assert (tmp_path / "instance" / "demo.sqlite").exists()


def test_after_the_clock_moves_the_scheduler_sweep_fires_the_follow_up(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    walk = ReadmeWalk()
    commands = walk_commands(README.read_text(encoding="utf-8"))
    first_move = commands.index(["$aig", "clock", "forward", "--days", "31"])
    for words in commands[:first_move + 1]:
        walk.run_line(words)
    assert "Task_FollowUp" not in walk.aiguillage("task", "list", "--user", "demo-caseworker")
    swept = walk.aiguillage("scheduler", "--once", "--only", "sweep")
    # The walked case, and the demo's own cases whose referrals have been waiting a month.
    assert re.search(r"\b[1-9]\d* cases moved on", swept), swept
    assert "Task_FollowUp" in walk.aiguillage("task", "list", "--user", "demo-caseworker")
