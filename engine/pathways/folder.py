"""Loading a pathway folder (or a lone .bpmn file) into memory, with its metadata checked."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from engine.errors import PathwayError
from engine.pathways.problems import Problem
from engine.pathways.untrusted_yaml import YamlProblem, load_untrusted_yaml

METADATA_FILE = "pathway.yaml"
DEFAULT_MAIN = "pathway.bpmn"
# .bpmn2: as jBPM, Kogito and Eclipse BPMN2 Modeler save diagrams; .bpmn20.xml: as Flowable and Activiti do.
BPMN_SUFFIXES = (".bpmn", ".bpmn2", ".bpmn20.xml")
# A pathway is a few dozen small files; these bounds stop a wrong folder (a home directory,
# a disk image) from being read into memory.
MAX_FILES = 300
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 40 * 1024 * 1024
PATHWAY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
KNOWN_KEYS = {"id", "title", "owner", "languages", "main", "process", "description", "version", "contact", "sharing", "retention", "groups", "case_summary", "case_fields", "need_fields"}


@dataclass(frozen=True, eq=False)
class PathwaySource:
    """The files of one pathway as read from disk, before validation."""

    id: str
    path: Path
    metadata: dict
    title: dict[str, str]
    languages: list[str]
    main: str
    files: dict[str, bytes]
    content_hash: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def process_id(self) -> str | None:
        """The executable process chosen in pathway.yaml (`process:`), if any."""
        value = self.metadata.get("process")
        return value if isinstance(value, str) and value else None

    @property
    def is_lone_file(self) -> bool:
        """True when the pathway is a single BPMN file taken on its own (it has no pathway.yaml)."""
        # Decided by content, not by the disk: stored versions are rebuilt from their files.
        return METADATA_FILE not in self.files and not self.languages


def load_source(path: Path) -> PathwaySource:
    """Read a pathway folder or a lone .bpmn file; raise PathwayError only if the path is unusable."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise PathwayError(f"{path}: no such file or folder") from None
    except OSError as error:
        raise PathwayError(f"{path}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        return _load_folder(path)
    if stat.S_ISREG(info.st_mode) and path.name.lower().endswith(BPMN_SUFFIXES):
        return _load_lone_file(path, info.st_size)
    raise PathwayError(f"{path}: not a pathway folder nor a .bpmn (or .bpmn2) file")


def content_hash(files: dict[str, bytes]) -> str:
    """A stable sha256 over the sorted (path, bytes) pairs; lengths are included so no two sets collide."""
    digest = hashlib.sha256()
    for name in sorted(files):
        encoded = name.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(len(files[name]).to_bytes(8, "big") + files[name])
    return digest.hexdigest()


def plain_id(text: str) -> str:
    """`text` as a pathway id (lowercase letters, digits and dashes): what names a file or folder made from it."""
    if PATHWAY_ID.match(text) and len(text) <= 64:
        return text
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-") or "pathway"


def _load_lone_file(path: Path, size: int) -> PathwaySource:
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    if size > MAX_FILE_BYTES:
        problems.append(_too_large(path.name, size))
    else:
        files[path.name] = _read(path)
    pathway_id = plain_id(path.name.split(".", 1)[0])
    metadata = {"id": pathway_id, "main": path.name}
    return PathwaySource(pathway_id, path, metadata, {}, [], path.name, files, content_hash(files), problems)


def _load_folder(root: Path) -> PathwaySource:
    problems: list[Problem] = []
    files = _read_folder(root, problems)
    metadata = _read_metadata(files, problems)
    pathway_id = metadata.get("id") if isinstance(metadata.get("id"), str) else root.name
    languages = [lang for lang in metadata.get("languages") or [] if isinstance(lang, str)]
    title = _title(metadata.get("title"), languages)
    main = _main_file(metadata, files, problems)
    return PathwaySource(pathway_id, root, metadata, title, languages, main, files, content_hash(files), problems)


def _read_folder(root: Path, problems: list[Problem]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for directory, subdirectories, names in os.walk(root, onerror=None, followlinks=False):
        # Hidden entries (.git, editor swap files) and caches are not part of a pathway.
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if name.startswith("."):
                continue
            full = Path(directory) / name
            relative = PurePosixPath(full.relative_to(root).as_posix()).as_posix()
            if not _printable(relative):
                problems.append(_problem(repr(relative)[1:-1], "file.bad_name", "the file name is not valid UTF-8 text; rename it"))
                continue
            if full.is_symlink():
                problems.append(_problem(relative, "file.symlink", "symbolic links are not allowed in a pathway; copy the file instead"))
                continue
            if len(files) >= MAX_FILES:
                problems.append(_problem(relative, "file.too_many", f"the folder holds more than {MAX_FILES} files; remove what is not part of the pathway"))
                return files
            try:
                size = full.stat().st_size
                if size > MAX_FILE_BYTES:
                    problems.append(_too_large(relative, size))
                    continue
                if total + size > MAX_TOTAL_BYTES:
                    problems.append(_problem(relative, "file.too_large", f"the folder holds more than {MAX_TOTAL_BYTES:,} bytes; remove what is not part of the pathway"))
                    return files
                files[relative] = _read(full)
                total += len(files[relative])
            except (OSError, PathwayError) as error:
                problems.append(_problem(relative, "file.unreadable", f"the file cannot be read ({getattr(error, 'strerror', None) or error})"))
    return files


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            # Read one byte more than allowed: a file that grew after stat() is still refused.
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise PathwayError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_FILE_BYTES:
        raise PathwayError(f"more than {MAX_FILE_BYTES:,} bytes")
    return data


def metadata_of(files: Mapping[str, bytes]) -> dict:
    """A published version's pathway.yaml as a mapping, or {} when it has none or not a mapping (validated at upload)."""
    data = files.get(METADATA_FILE)
    loaded = load_untrusted_yaml(data) if data is not None else None
    return loaded if isinstance(loaded, dict) else {}


def _read_metadata(files: dict[str, bytes], problems: list[Problem]) -> dict:
    if METADATA_FILE not in files:
        problems.append(_problem(METADATA_FILE, "metadata.missing", "the folder has no pathway.yaml; add one with id, title and languages (see pathways/README.md)"))
        return {}
    loaded = load_untrusted_yaml(files[METADATA_FILE])
    if isinstance(loaded, YamlProblem):
        problems.append(_problem(METADATA_FILE, "yaml.invalid", loaded.message, loaded.line))
        return {}
    if not isinstance(loaded, dict):
        problems.append(_problem(METADATA_FILE, "metadata.invalid", "pathway.yaml must be a mapping of keys (id:, title:, languages:, ...)", 1))
        return {}
    languages = loaded.get("languages")
    if isinstance(languages, str) and LANGUAGE.match(languages.strip()):
        # `languages: fr` is one language, not the letters f and r.
        loaded = {**loaded, "languages": [languages.strip()]}
        problems.append(_problem(METADATA_FILE, "metadata.bad_languages",
                                 f"languages is a single word; it is read as [{languages.strip()}] (write a list, e.g. [{languages.strip()}, en])").as_warning())
    _check_metadata(loaded, problems)
    return loaded


def _check_metadata(metadata: dict, problems: list[Problem]) -> None:
    def report(rule: str, message: str) -> None:
        problems.append(_problem(METADATA_FILE, rule, message))

    for key in ("id", "title", "languages"):
        if key not in metadata:
            report("metadata.missing_key", f"pathway.yaml has no '{key}:'; add it (see pathways/README.md)")
    for key in metadata:
        if str(key) not in KNOWN_KEYS:
            report("metadata.unknown_key", f"pathway.yaml has an unknown key '{key}'; known keys are {', '.join(sorted(KNOWN_KEYS))}")
    pathway_id = metadata.get("id")
    if "id" in metadata and not (isinstance(pathway_id, str) and PATHWAY_ID.match(pathway_id) and len(pathway_id) <= 64):
        report("metadata.bad_id", f"id {str(pathway_id)[:80]!r} must be lowercase letters, digits and dashes, e.g. cameroon-nrm")
    languages = metadata.get("languages")
    if "languages" in metadata:
        if not isinstance(languages, list) or not languages:
            report("metadata.bad_languages", "languages must be a list of language codes, the diagram's own first, e.g. [fr, en]")
        else:
            for language in languages:
                if not isinstance(language, str) or not LANGUAGE.match(language):
                    report("metadata.bad_languages", f"{str(language)[:40]!r} is not a language code; write for example fr or en")
            if len(set(map(str, languages))) != len(languages):
                report("metadata.bad_languages", "a language is listed twice in languages")
    title = metadata.get("title")
    if "title" in metadata:
        if isinstance(title, dict):
            for language in languages if isinstance(languages, list) else []:
                if not isinstance(title.get(language), str) or not title.get(language).strip():
                    report("metadata.bad_title", f"title has no text for '{language}'; add '{language}: ...' under title")
        elif not (isinstance(title, str) and title.strip()):
            report("metadata.bad_title", "title must be a text per language, e.g. title: {fr: ..., en: ...}")
    for key in ("main", "process", "owner"):
        if key in metadata and not (isinstance(metadata[key], str) and metadata[key].strip()):
            report("metadata.bad_value", f"'{key}:' must be a text")


def _title(value: object, languages: list[str]) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, (str, int, float))}
    if isinstance(value, str) and languages:
        return {languages[0]: value}
    return {}


def _main_file(metadata: dict, files: dict[str, bytes], problems: list[Problem]) -> str:
    main = metadata.get("main")
    if isinstance(main, str) and main.strip():
        main = main.strip()
        if main not in files and not any(p.file == main for p in problems):
            problems.append(_problem(METADATA_FILE, "metadata.bad_main", f"main: {main} names no file of the folder"))
        return main
    if DEFAULT_MAIN in files:
        return DEFAULT_MAIN
    candidates = sorted(name for name in files if name.lower().endswith(BPMN_SUFFIXES))
    if len(candidates) == 1:
        return candidates[0]
    if not any(p.rule == "file.too_large" and p.file == DEFAULT_MAIN for p in problems):
        problems.append(_problem(DEFAULT_MAIN, "file.no_main", "the folder has no pathway.bpmn; name the main diagram pathway.bpmn or set main: in pathway.yaml"))
    return DEFAULT_MAIN


def _too_large(name: str, size: int) -> Problem:
    return _problem(name, "file.too_large", f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")


def _printable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return name.isprintable()


def _problem(file: str, rule: str, message: str, line: int | None = None) -> Problem:
    return Problem(file, line, None, None, message, rule)
