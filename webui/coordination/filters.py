"""Reading the indicator filters from a query string: a period in local dates, region, provider, sector, version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import abort
from flask_babel import gettext as _

from engine.calendar import WorkingCalendar
from engine.domain import Sector
from engine.services.coordination.scope import IndicatorFilters
from engine.untrusted_values import EARLIEST_DATE, INTEGER_ID_MAX, LATEST_DATE

DEFAULT_DAYS = 90
MAX_DAYS = 3660


@dataclass(frozen=True)
class ParsedFilters:
    filters: IndicatorFilters
    start_date: date
    end_date: date  # inclusive, as the reader typed it
    errors: tuple[str, ...]

    def query(self) -> dict:
        """The filters as query-string arguments (for links and exports)."""
        f = self.filters
        found = {"from": self.start_date.isoformat(), "to": self.end_date.isoformat(), "region": f.region,
                 "provider": f.provider_id, "sector": f.sector, "version": f.pathway_version_id}
        return {k: v for k, v in found.items() if v not in (None, "")}


def _date(text: str | None, default: date, name: str, errors: list[str]) -> date:
    if not text:
        return default
    try:
        found = date.fromisoformat(text.strip()[:10])
    except ValueError:
        errors.append(_("%(name)s is not a date (YYYY-MM-DD): %(value)s", name=name, value=text[:20]))
        return default
    if not EARLIEST_DATE <= found <= LATEST_DATE:
        errors.append(_("%(name)s is out of range: %(value)s", name=name, value=text[:20]))
        return default
    return found


def _id_problem(text: str, name: str) -> str | None:
    """What is wrong with `text` as the id `name` asks for, if anything."""
    # ASCII digits only: str.isdigit() also says yes to "²", which int() refuses.
    if not text.isascii() or not text.isdigit():
        return _("%(name)s is not a number: %(value)s", name=name, value=text[:20])
    if int(text) > INTEGER_ID_MAX:  # names nothing, and no id column holds it
        return _("%(name)s is out of range: %(value)s", name=name, value=text[:20])
    return None


def _int(text: str | None, name: str, errors: list[str]) -> int | None:
    if not text:
        return None
    problem = _id_problem(text.strip(), name)
    if problem is not None:
        errors.append(problem)
        return None
    return int(text)


def organisation_asked(args) -> int | None:
    """The `organisation` of the query: None when none is asked for, a 400 naming it when it is no id."""
    text = (args.get("organisation") or "").strip()
    if not text:
        return None
    problem = _id_problem(text, _("Organisation"))
    if problem is not None:
        abort(400, description=problem)
    return int(text)


def parse_filters(args, today: date, calendar: WorkingCalendar) -> ParsedFilters:
    """Filters from `args`; a wrong value is named in `errors` and replaced by its default, never a failure."""
    errors: list[str] = []
    end_date = _date(args.get("to"), today, _("End date"), errors)
    start_date = _date(args.get("from"), end_date - timedelta(days=DEFAULT_DAYS - 1), _("Start date"), errors)
    if start_date > end_date:
        errors.append(_("The start date is after the end date."))
        start_date = end_date
    if (end_date - start_date).days > MAX_DAYS:
        errors.append(_("The period may not exceed ten years."))
        start_date = end_date - timedelta(days=MAX_DAYS)
    sector = (args.get("sector") or "").strip() or None
    if sector is not None and sector not in Sector.__members__.values():
        errors.append(_("Unknown sector: %(value)s", value=sector[:40]))
        sector = None
    zone = calendar.zone
    start = datetime.combine(start_date, time(0), zone)
    end = datetime.combine(end_date + timedelta(days=1), time(0), zone)
    filters = IndicatorFilters(
        start=start,
        end=end,
        region=(args.get("region") or "").strip()[:64] or None,
        provider_id=_int(args.get("provider"), _("Provider"), errors),
        sector=sector,
        pathway_version_id=_int(args.get("version"), _("Pathway version"), errors),
    )
    return ParsedFilters(filters, start_date, end_date, tuple(errors))
