"""A located problem found in a pathway: file, line, element and what to do about it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One thing the SOP author must fix, located as precisely as the file allows."""

    file: str
    line: int | None
    element_id: str | None
    element_name: str | None
    message: str
    rule: str
    # "error" blocks publishing; "warning" says what differs from Camunda 7 or may surprise, and lets it pass.
    severity: str = "error"

    @property
    def is_warning(self) -> bool:
        """True for a warning, which does not stop the pathway being published."""
        return self.severity == WARNING

    def as_warning(self) -> "Problem":
        """The same problem, as a warning."""
        return dataclasses.replace(self, severity=WARNING)

    def __str__(self) -> str:
        where = self.file or "pathway"
        if self.line:
            where += f":{self.line}"
        subject = ""
        if self.element_id:
            subject = f" {self.element_id}"
            if self.element_name:
                subject += f" {_quoted(self.element_name)}"
            subject += ":"
        label = " warning:" if self.is_warning else ""
        return f"{where}:{subject}{label} {_one_line(self.message)}"


def _quoted(name: str) -> str:
    return "'" + _one_line(name)[:80] + "'"


def _one_line(text: str) -> str:
    # Names come from untrusted files: no terminal escape sequences or stray control characters.
    flat = " ".join(str(text).split())
    return "".join(c if c.isprintable() else "?" for c in flat)
