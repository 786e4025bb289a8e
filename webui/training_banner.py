"""The banner on every page of a training installation: its clock is not the real time."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import SQLAlchemyError

from webui.request_scope import clock

log = logging.getLogger(__name__)


def training_banner() -> str | None:
    """The banner's text in the reader's language; None on an installation that runs on the real time."""
    # Only an installation's clock knows a training offset; a test's manual clock has none.
    read_offset = getattr(clock(), "training_offset", None)
    if read_offset is None:
        return None
    try:
        offset = read_offset()
    except SQLAlchemyError:
        # The banner only informs: a page (an error page above all) must not fail for want of it.
        log.warning("training clock offset not read for the banner", exc_info=True)
        return None
    if offset is None:
        return None
    if offset < timedelta(hours=1):
        # Not moved yet (or by less than the banner counts): "moved forward by 0 days" reads as a fault.
        return _("Training installation — its clock still shows the real time")
    return _("Training installation — clock moved forward by %(duration)s", duration=_duration(offset))


def _duration(offset: timedelta) -> str:
    days, hours = offset.days, offset.seconds // 3600
    if hours and days:
        return _("%(days)s and %(hours)s", days=ngettext("%(num)d day", "%(num)d days", days),
                 hours=ngettext("%(num)d hour", "%(num)d hours", hours))
    if hours:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return ngettext("%(num)d day", "%(num)d days", days)


def init_training_banner(app: Flask) -> None:
    """Offer `training_banner()` to every template (the base layout shows it)."""
    app.jinja_env.globals["training_banner"] = training_banner
