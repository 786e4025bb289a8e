"""The send-referral form's providers in the reader's language: each matching finding's code in words."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import ngettext

from webui.labels import REGION_NAMES, SECTOR_NAMES, code_name

# Words for each finding of `engine.services.directory.matching`, filled in from its params.
FINDING_WORDS: dict[str, Callable[[dict], str]] = {
    "offers_sector": lambda p: _("Offers %(sector)s", sector=code_name(SECTOR_NAMES, p["sector"])),
    "serves_region": lambda p: _("Serves the person's region"),
    "region_unknown": lambda p: _("The person's region is not recorded"),
    "out_of_region": lambda p: _out_of_region(p),
    "accepts_priority": lambda p: _("Takes this priority"),
    "accepts_priority_within": lambda p: _("Takes this priority, answers within %(hours)s h", hours=p["hours"]),
    "priority_not_accepted": lambda p: _("Does not take this priority"),
    "age_eligible": lambda p: _("Eligible by age"),
    "age_unknown": lambda p: _("Has age limits; the person's age is not recorded"),
    "age_not_eligible": lambda p: _("Not eligible by age"),
    "sex_eligible": lambda p: _("Eligible by sex"),
    "sex_unknown": lambda p: _("Open to one sex only; the person's sex is not recorded"),
    "sex_not_eligible": lambda p: _("Not eligible by sex"),
    "in_target_group": lambda p: _("In a group the service is for"),
    "target_group_unknown": lambda p: _("Reserved for some groups; the person's groups are not recorded"),
    "not_in_target_group": lambda p: _("Reserved for other groups"),
    "speaks_language": lambda p: _("Speaks the person's language"),
    "language_not_spoken": lambda p: _("Does not list the person's language: an interpreter may be needed"),
    "places_free": lambda p: _("%(count)s place(s) free", count=p["available"]),
    "capacity_unknown": lambda p: _("Places free: not reported"),
    "full": lambda p: _("No place free now"),
    "ended_before": lambda p: _("An earlier referral of this need to it expired or was withdrawn"),
    "declined_before": lambda p: _("It declined or redirected an earlier referral of this need"),
    "agreements_signed": lambda p: _("MoU and data-sharing agreement signed"),
    "sent_without_personal_data": lambda p: _("Agreements not signed: the referral goes with no personal data"),
    "agreements_missing": lambda p: _("Agreements not signed: no personal data may be sent to it"),
    "never_verified": lambda p: _("Never verified with the provider"),
    "not_verified_recently": lambda p: _("Last verified on %(date)s", date=p["date"]),
    "no_service_in_sector": lambda p: _("No active service in the directory offers this sector."),
    "no_provider_fits": lambda p: _("No provider fits every rule: see why below; choosing one needs a reason."),
    "providers_fit": lambda p: ngettext("%(num)d of %(total)d providers fits every rule.",
                                        "%(num)d of %(total)d providers fit every rule.", p["count"], total=p["total"]),
}


def finding_words(finding) -> str:
    """A finding in the reader's language (its English text for a code this page does not know)."""
    words = FINDING_WORDS.get(finding.code)
    return words(finding.params) if words else finding.text


def verdict(provider) -> str:
    """Whether the provider fits, needs a reason, or cannot receive the referral."""
    if provider.refused:
        return _("cannot receive it")
    return _("needs a reason") if provider.needs_reason else _("fits")


def _out_of_region(params: dict) -> str:
    served = ", ".join(code_name(REGION_NAMES, r) for r in params["served"]) or "-"
    if params.get("distance") is None:
        return _("Out of region: serves %(served)s", served=served)
    return ngettext("Out of region: serves %(served)s, %(num)d region away",
                    "Out of region: serves %(served)s, %(num)d regions away", params["distance"], served=served)
