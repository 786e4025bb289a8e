"""Timer and deadline texts (ISO 8601) in words for the SOP: 'PT72H' -> '72 hours', in the reader's language."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import ngettext

DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
CYCLE = re.compile(r"^R(\d*)/(P.+)$")


def duration_words(text: str | None, working_days: bool = False) -> str:
    """The duration, cycle or date written out; an expression (a variable) is named as such."""
    raw = (text or "").strip().strip("\"'")
    cycle = CYCLE.match(raw)
    if cycle:
        every = duration_words(cycle.group(2), working_days)
        if cycle.group(1):
            return _("%(count)s times, every %(period)s", count=cycle.group(1), period=every)
        return _("every %(period)s", period=every)
    match = DURATION.match(raw)
    if not match or not any(match.groups()):
        if re.match(r"^\d{4}-\d{2}-\d{2}", raw):
            return raw
        return _("computed by the pathway (%(expression)s)", expression=raw)
    years, months, weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    parts = []
    if years:
        parts.append(ngettext("%(num)s year", "%(num)s years", years))
    if months:
        parts.append(ngettext("%(num)s month", "%(num)s months", months))
    if weeks:
        parts.append(ngettext("%(num)s week", "%(num)s weeks", weeks))
    if days:
        parts.append(ngettext("%(num)s working day", "%(num)s working days", days) if working_days
                     else ngettext("%(num)s day", "%(num)s days", days))
    if hours:
        parts.append(ngettext("%(num)s working hour", "%(num)s working hours", hours) if working_days
                     else ngettext("%(num)s hour", "%(num)s hours", hours))
    if minutes:
        parts.append(ngettext("%(num)s minute", "%(num)s minutes", minutes))
    if seconds:
        parts.append(ngettext("%(num)s second", "%(num)s seconds", seconds))
    return ", ".join(parts)
