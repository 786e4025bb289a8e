"""Camunda 7 parity, measured on Camunda's own test diagrams: what runs here, what is refused and why.

    python bench/camunda_parity.py SOURCE [--json OUT] [--compare BEFORE.json] [--limit N]

SOURCE is a git directory of camunda/camunda-bpm-platform (bare or not; its engine, qa and
webapps test resources are read from HEAD into a temporary folder, never into the project) or a
folder of .bpmn files. Each diagram is validated as its own pathway. Files whose name says they
are deliberately invalid ("invalid" in the name) are counted apart: Camunda refuses them too.

Printed: valid / refused only for features not run here (by feature) / refused for defects (by
rule), the misworded refusals (a Groovy script reported as a Python error, a CMMN case or a Java
delegate reported as something else, a raw library error), and with --compare, every file whose
verdict changed since a previous --json run, so that nothing refused for a real defect becomes
valid unseen.
"""

from __future__ import annotations

import argparse
from collections import Counter
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.pathways.census import DEFECT, Census, verdict  # noqa: E402
from engine.pathways.explore import explore  # noqa: E402
from engine.pathways.folder import BPMN_SUFFIXES, load_source  # noqa: E402
from engine.pathways.validation import review  # noqa: E402

TEST_RESOURCES = re.compile(r"^(engine|qa|webapps)/.*src/test/resources/.*\.(bpmn|bpmn20\.xml)$")
DELIBERATELY_INVALID = re.compile(r"invalid", re.IGNORECASE)

# A refusal worded as something other than its real reason (what issue #17 measured).
MISWORDED = {
    "Python error for another script language": re.compile(r"unexpected indent|invalid syntax|is not defined", re.IGNORECASE),
    "CMMN case as a missing process": re.compile(r"does not say which process"),
    "Java delegate as a missing operation": re.compile(r"names no operation"),
    "raw library error": re.compile(r"NotImplementedError|internal error|cannot load this diagram: [A-Z][a-zA-Z]+Error"),
}


def extracted(source: Path, into: Path) -> list[Path]:
    """The test diagrams of a Camunda checkout (read with git) or every .bpmn file of a folder."""
    git_dir = source / ".git" if (source / ".git").exists() else source
    if (git_dir / "HEAD").exists() and (git_dir / "objects").exists():
        names = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", "HEAD"],
                               check=True, capture_output=True, text=True).stdout.splitlines()
        wanted = [name for name in names if TEST_RESOURCES.match(name)]
        archive = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "HEAD", "--", *wanted],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
        return sorted(into / name for name in wanted)
    return sorted(p for p in source.rglob("*") if p.name.endswith(BPMN_SUFFIXES))


def misworded(problems, data: bytes) -> list[str]:
    """The misworded refusals among a file's problems."""
    found = []
    text = data.decode("utf-8", "replace")
    for problem in problems:
        if problem.is_warning:
            continue
        for kind, pattern in MISWORDED.items():
            if not pattern.search(problem.message):
                continue
            if kind.startswith("Python") and not (problem.rule.startswith("script") and re.search(r'scriptFormat="(?!python)', text, re.IGNORECASE)):
                continue
            opening = _opening_tag(text, problem.element_id)
            if kind.startswith("CMMN") and "caseRef" not in opening:
                continue
            # An external task without a topic does name no operation: that wording is the real reason.
            if kind.startswith("Java") and not re.search(r':(class|expression|delegateExpression)=|:type="(?!external")', opening):
                continue
            found.append(kind)
    return found


def _opening_tag(text: str, element_id: str | None) -> str:
    """The start tag of the element with this id in the file's text ('' when not found)."""
    if not element_id:
        return ""
    found = re.search(r"<[^<>]*\bid=\"" + re.escape(element_id) + r"\"[^<>]*>", text)
    return found.group(0) if found else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--json", type=Path, help="write every file's verdict here")
    parser.add_argument("--compare", type=Path, help="a previous --json output to compare with")
    parser.add_argument("--limit", type=int, default=0, help="only the first N files (a quick look)")
    parser.add_argument("--explore", type=int, default=0, metavar="RUNS",
                        help="also drive RUNS cases of every valid diagram (aiguillage pathway explore) and count how they end")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="camunda-parity-") as folder:
        files = extracted(arguments.source, Path(folder))
        if arguments.limit:
            files = files[:arguments.limit]
        root = Path(folder)
        census, invalid_census = Census(), Census()
        explored: Counter = Counter()
        wording: dict[str, int] = {}
        rule_files: dict[str, int] = {}
        results: dict[str, dict] = {}
        started = time.perf_counter()
        for path in files:
            name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            problems = review(load_source(path))
            outcome = verdict(problems)
            if arguments.explore and outcome.kind == "valid" and not DELIBERATELY_INVALID.search(path.name):
                explored.update(_explored(path, arguments.explore))
            (invalid_census if DELIBERATELY_INVALID.search(path.name) else census).add(outcome)
            for kind in set(misworded(problems, path.read_bytes())):
                wording[kind] = wording.get(kind, 0) + 1
            for rule in {p.rule for p in problems if p.is_warning}:
                rule_files["warning " + rule] = rule_files.get("warning " + rule, 0) + 1
            results[name] = {"kind": outcome.kind, "rules": list(outcome.rules), "features": list(outcome.features),
                             "messages": [str(p) for p in problems if not p.is_warning][:5]}
        elapsed = time.perf_counter() - started
    print(f"Camunda 7 test diagrams: {len(files)} files in {elapsed:.0f} s")
    print("\n".join(census.lines()))
    print("deliberately invalid files (Camunda refuses them too): " + census_line(invalid_census))
    print(f"misworded refusals: {sum(wording.values())} files" + "".join(f"\n  {k}: {v}" for k, v in sorted(wording.items())))
    print("warnings (files): " + ", ".join(f"{k[8:]} {v}" for k, v in sorted(rule_files.items(), key=lambda kv: -kv[1])))
    if arguments.explore:
        print(f"explored valid diagrams ({arguments.explore} runs each): " + ", ".join(f"{k} {v}" for k, v in explored.most_common()))
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=1, sort_keys=True))
    if arguments.compare:
        compare(json.loads(arguments.compare.read_text()), results)


def _explored(path: Path, runs: int) -> list[str]:
    """How the runs over one diagram went: 'every run ended', or the first way one did not."""
    try:
        result = explore(load_source(path), runs)
    except Exception as error:  # noqa: BLE001 - counted, so that a crash shows in the figures
        return [f"explorer crashed ({type(error).__name__})"]
    found = [_why(run) for run in result.runs if run.outcome != "ended"]
    kinds = [found[0]] if found else ["every run ended"]
    if result.unreached:
        kinds.append("some step never reached")
    return kinds


# Why a run did not end, by the kind of cause: outside dependencies first, then the diagram's own.
WHY = (
    ("external: an operation not registered here", re.compile(r"unknown operation|no operation")),
    ("external: waits for a message or signal", re.compile(r"message or signal")),
    ("data no form gives (a variable set by code in Camunda)", re.compile(r"is not defined|must be a text|not subscriptable")),
    ("the forms refused the values given", re.compile(r"read-only|required|at least|at most|not a choice")),
    ("a loop that never exits", re.compile(r"still going")),
)


def _why(run) -> str:
    for kind, pattern in WHY:
        if pattern.search(run.detail):
            return kind
    return f"other: {run.detail[:60]}"


def census_line(census: Census) -> str:
    return f"{census.total}: {census.verdicts['valid']} valid, {census.verdicts['unsupported']} unsupported, {census.verdicts['defect']} defect"


def compare(before: dict, after: dict) -> None:
    """Print how verdicts moved; list every file refused for a defect before and valid now."""
    moves: dict[tuple[str, str], int] = {}
    now_valid = []
    for name, old in before.items():
        new = after.get(name)
        if new is None or new["kind"] == old["kind"]:
            continue
        moves[(old["kind"], new["kind"])] = moves.get((old["kind"], new["kind"]), 0) + 1
        if old["kind"] == DEFECT and new["kind"] == "valid":
            now_valid.append((name, old["rules"]))
    print("verdicts moved: " + ", ".join(f"{a} -> {b}: {n}" for (a, b), n in sorted(moves.items())))
    rules: dict[str, int] = {}
    for _, old_rules in now_valid:
        for rule in old_rules:
            rules[rule] = rules.get(rule, 0) + 1
    print("defect -> valid, by the rule that refused them before: " + ", ".join(f"{r} {n}" for r, n in sorted(rules.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
