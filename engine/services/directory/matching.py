"""Matching at the referral step: the providers for one need, ranked, each with its reasons and warnings.

A service is a candidate when it is active, belongs to a provider and offers the need's sector. Each
candidate is then checked against the person and the need: region served, priority accepted, age,
sex and target group, places free, no earlier referral of the same need that expired or was withdrawn
from it (hard rules: choosing a provider that fails one needs a reason),
language, verification date (warnings), and the MoU and data-sharing agreement (without both, no
personal data leaves: the pathway says whether such a provider is refused or receives the referral
with no shared field). Nothing here knows a pathway: `Need` is built from what the pathway declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select

from engine.domain import Sector
from engine.services.directory.vocabulary import region_distances
from engine.store.models import Organisation, OrganisationService, ServiceArea

# What the pathway declares for a provider without both agreements (`aiguillage.match.unsigned_provider`).
REFUSE_UNSIGNED = "refuse"
SEND_WITHOUT_PERSONAL_DATA = "no_personal_data"
UNSIGNED_MODES = (REFUSE_UNSIGNED, SEND_WITHOUT_PERSONAL_DATA)
# An entry nobody has checked for this long is flagged to the caseworker.
VERIFIED_WITHIN = timedelta(days=365)
# Services assessed per need: those serving the person's region first (by places free), then the
# nearest others (fewest region borders away, regions.yaml), then the rest. A form offering more is
# not read. The choice reads the service_areas index, never every service of the sector.
CANDIDATES = 30


@dataclass(frozen=True)
class Need:
    """What the referral step knows of the need and the person, as the pathway declares it."""

    sector: str
    region: str | None = None
    priority: str | None = None
    language: str | None = None
    age: int | None = None
    sex: str | None = None
    target_groups: frozenset[str] | None = None  # None: the pathway does not say
    unsigned_provider: str = REFUSE_UNSIGNED
    # Organisations whose earlier referral of this need expired or was withdrawn from them: the case
    # moved on from them, so they are not offered as a fit again.
    ended_before: frozenset[int] = frozenset()
    # Organisations that declined or redirected an earlier referral of this need: sending it to them
    # again takes a reason (capacity may have come back; the caseworker says so).
    declined_before: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Finding:
    """One reason or warning about a provider: a stable code, its parameters, and the English text."""

    code: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderChoice:
    """A provider the referral step may offer for a need, with why it fits and what it fails."""

    organisation_id: int
    slug: str
    name: str
    service_id: str  # the HSDS service id
    service_name: str
    languages: tuple[str, ...]
    capacity: int | None
    capacity_available: int | None
    agreements_signed: bool  # MoU and data-sharing agreement: without both, no personal data
    # Borders between the person's region and the nearest the service serves (0: serves it; None: unknown).
    region_distance: int | None = None
    rank: int = 0
    reasons: tuple[Finding, ...] = ()  # what fits
    warnings: tuple[Finding, ...] = ()  # soft: shown, never blocks
    failures: tuple[Finding, ...] = ()  # hard rules failed: choosing it needs a reason
    refused: bool = False  # cannot receive this referral at all (agreements missing and the pathway refuses)

    @property
    def needs_reason(self) -> bool:
        """Choosing this provider needs a written reason (it fails a hard rule)."""
        return bool(self.failures)

    @property
    def shares_personal_data(self) -> bool:
        """Whether the referral may carry the person's fields to this provider."""
        return self.agreements_signed


@dataclass(frozen=True)
class Matching:
    """The ranked providers for one need; `matched` are those that fail no hard rule."""

    need: Need
    providers: tuple[ProviderChoice, ...]

    @property
    def matched(self) -> tuple[ProviderChoice, ...]:
        return tuple(p for p in self.providers if not p.failures and not p.refused)

    @property
    def summary(self) -> Finding:
        """One line for the form: how many fit, or why none does."""
        if not self.providers:
            return Finding("no_service_in_sector", f"no active service in the directory offers {self.need.sector}",
                           {"sector": self.need.sector})
        if not self.matched:
            return Finding("no_provider_fits", f"none of the {len(self.providers)} providers offering {self.need.sector} fits every rule",
                           {"sector": self.need.sector, "count": len(self.providers)})
        fit = "fits" if len(self.matched) == 1 else "fit"
        return Finding("providers_fit", f"{len(self.matched)} of {len(self.providers)} providers {fit} every rule",
                       {"count": len(self.matched), "total": len(self.providers)})


# The columns matching reads, fetched without building ORM objects (the referral form must stay fast).
_COLUMNS = (
    Organisation.id, Organisation.slug, Organisation.name, Organisation.regions,
    Organisation.mou_signed, Organisation.data_sharing_signed,
    OrganisationService.hsds_id, OrganisationService.name, OrganisationService.regions,
    OrganisationService.languages, OrganisationService.accepted_priorities, OrganisationService.response_hours,
    OrganisationService.minimum_age, OrganisationService.maximum_age, OrganisationService.eligible_sexes,
    OrganisationService.target_groups, OrganisationService.capacity, OrganisationService.capacity_available,
    OrganisationService.assured_date,
)


def match_providers(session, need: Need, today: date, organisation_id: int | None = None) -> Matching:
    """The providers offering the need's sector, best first, one entry per organisation (its best service)."""
    offers = (
        OrganisationService.sector == Sector(need.sector), OrganisationService.active.is_(True), Organisation.is_provider.is_(True)
    )
    query = select(*_COLUMNS).join(OrganisationService, OrganisationService.organisation_id == Organisation.id)
    if organisation_id is not None:
        query = query.where(*offers, Organisation.id == organisation_id)
    else:
        query = query.where(OrganisationService.id.in_(_candidates(session, need, offers)))
    distances = region_distances(need.region) if need.region else {}
    best: dict[int, tuple[tuple, ProviderChoice]] = {}
    for row in session.execute(query):
        choice = _assess(row, need, today, distances)
        key = _rank_key(choice)
        if row[0] not in best or key < best[row[0]][0]:
            best[row[0]] = (key, choice)
    ranked = sorted(best.values(), key=lambda pair: pair[0])
    return Matching(need, tuple(_with_rank(choice, i + 1) for i, (_, choice) in enumerate(ranked)))


def _candidates(session, need: Need, offers) -> list[int]:
    """The services worth assessing, at most CANDIDATES: those serving the person's region (one index
    range of service_areas), then, when they are too few, the others nearest to it (one more query)."""
    def services():
        return (select(OrganisationService.id)
                .join(Organisation, OrganisationService.organisation_id == Organisation.id).where(*offers))

    by_places = (OrganisationService.capacity_available.desc().nulls_last(), OrganisationService.id)
    if need.region is None:
        return list(session.scalars(services().order_by(*by_places).limit(CANDIDATES)))
    serving = list(session.scalars(
        services().join(ServiceArea, ServiceArea.service_id == OrganisationService.id)
        .where(ServiceArea.sector == Sector(need.sector), ServiceArea.region == need.region)
        .order_by(*by_places).limit(CANDIDATES)))
    if len(serving) == CANDIDATES:
        return serving
    # A service of no known distance, or serving no region at all, comes after every known distance.
    distances = {region: d for region, d in region_distances(need.region).items() if d > 0}
    unknown = len(distances) + 1000
    nearest = func.min(case(distances, value=ServiceArea.region, else_=unknown) if distances else unknown)
    others = (services().outerjoin(ServiceArea, ServiceArea.service_id == OrganisationService.id)
              .where(OrganisationService.id.not_in(serving))
              .group_by(OrganisationService.id, OrganisationService.capacity_available)
              .order_by(func.coalesce(nearest, unknown), *by_places).limit(CANDIDATES - len(serving)))
    return serving + list(session.scalars(others))


# Findings that say the case already went to this provider for the need, and moved on.
MOVED_ON_FROM = frozenset({"ended_before", "declined_before"})


def _rank_key(choice: ProviderChoice) -> tuple:
    free = choice.capacity_available if choice.capacity_available is not None else -1
    distance = choice.region_distance if choice.region_distance is not None else 1000
    # A provider the need already went to comes after every other that may receive it: the others are
    # what the caseworker looks for now, whatever rule they fail.
    moved_on = any(finding.code in MOVED_ON_FROM for finding in choice.failures)
    return (choice.refused, moved_on, len(choice.failures), distance, len(choice.warnings), -free, choice.name.lower(),
            choice.service_id)


def _with_rank(choice: ProviderChoice, rank: int) -> ProviderChoice:
    return ProviderChoice(**{**choice.__dict__, "rank": rank})


def _assess(row, need: Need, today: date, distances: dict[str, int]) -> ProviderChoice:
    (org_id, slug, org_name, org_regions, mou, data_sharing, service_id, service_name, regions, languages,
     priorities, response_hours, minimum_age, maximum_age, sexes, groups, capacity, available, assured) = row
    reasons: list[Finding] = [Finding("offers_sector", f"offers {need.sector}", {"sector": need.sector})]
    warnings: list[Finding] = []
    failures: list[Finding] = []
    served = list(regions or org_regions or [])
    distance = None
    if need.region is None:
        warnings.append(Finding("region_unknown", "the person's region is not recorded"))
    elif need.region in served:
        distance = 0
        reasons.append(Finding("serves_region", f"serves {need.region}", {"region": need.region}))
    else:
        known = [distances[region] for region in served if region in distances]
        distance = min(known) if known else None
        away = f" ({distance} region(s) away)" if distance is not None else ""
        failures.append(Finding("out_of_region", f"out of region: serves {', '.join(served) or 'no region'}, not {need.region}{away}",
                                {"region": need.region, "served": served, "distance": distance}))
    if org_id in need.ended_before:
        failures.append(Finding("ended_before", "an earlier referral of this need to it expired or was withdrawn"))
    if org_id in need.declined_before:
        failures.append(Finding("declined_before", "it declined or redirected an earlier referral of this need"))
    _priority(need, priorities, response_hours or {}, reasons, failures)
    _eligibility(need, minimum_age, maximum_age, sexes or [], groups or [], reasons, warnings, failures)
    if need.language:
        if need.language in (languages or []):
            reasons.append(Finding("speaks_language", f"speaks {need.language}", {"language": need.language}))
        else:
            warnings.append(Finding("language_not_spoken", f"does not list {need.language}: an interpreter may be needed",
                                    {"language": need.language}))
    if available is None:
        warnings.append(Finding("capacity_unknown", "places free now: not reported"))
    elif available <= 0:
        failures.append(Finding("full", "no place free now", {"available": available}))
    else:
        reasons.append(Finding("places_free", f"{available} place(s) free", {"available": available}))
    signed = bool(mou and data_sharing)
    refused = False
    if signed:
        reasons.append(Finding("agreements_signed", "MoU and data-sharing agreement signed"))
    elif need.unsigned_provider == SEND_WITHOUT_PERSONAL_DATA:
        warnings.append(Finding("sent_without_personal_data",
                                "MoU or data-sharing agreement not signed: the referral goes with no personal data"))
    else:
        refused = True
        failures.append(Finding("agreements_missing",
                                "MoU or data-sharing agreement not signed: no personal data may be sent to it"))
    if assured is None:
        warnings.append(Finding("never_verified", "entry never verified with the provider"))
    elif today - assured > VERIFIED_WITHIN:
        warnings.append(Finding("not_verified_recently", f"last verified on {assured.isoformat()}", {"date": assured.isoformat()}))
    return ProviderChoice(
        organisation_id=org_id, slug=slug, name=org_name, service_id=service_id, service_name=service_name,
        languages=tuple(languages or ()), capacity=capacity, capacity_available=available, agreements_signed=signed,
        region_distance=distance, reasons=tuple(reasons), warnings=tuple(warnings), failures=tuple(failures), refused=refused,
    )


def _priority(need: Need, priorities, response_hours: dict, reasons: list, failures: list) -> None:
    if need.priority is None:
        return
    if need.priority not in (priorities or []):
        failures.append(Finding("priority_not_accepted", f"does not take {need.priority} referrals", {"priority": need.priority}))
        return
    hours = response_hours.get(need.priority)
    if hours is None:
        reasons.append(Finding("accepts_priority", f"takes {need.priority} referrals", {"priority": need.priority}))
    else:
        reasons.append(Finding("accepts_priority_within", f"takes {need.priority} referrals, answers within {hours} h",
                               {"priority": need.priority, "hours": hours}))


def _eligibility(need: Need, minimum_age, maximum_age, sexes, groups, reasons, warnings, failures) -> None:
    if minimum_age is not None or maximum_age is not None:
        limits = {"minimum": minimum_age, "maximum": maximum_age}
        if need.age is None:
            warnings.append(Finding("age_unknown", "has age limits and the person's age is not recorded", limits))
        elif (minimum_age is not None and need.age < minimum_age) or (maximum_age is not None and need.age > maximum_age):
            failures.append(Finding("age_not_eligible", f"takes ages {minimum_age or 0} to {maximum_age or '∞'}, not {need.age}",
                                    {**limits, "age": need.age}))
        else:
            reasons.append(Finding("age_eligible", "eligible by age", limits))
    if sexes:
        if need.sex not in ("female", "male"):
            warnings.append(Finding("sex_unknown", f"only for {', '.join(sexes)}; the person's sex is not recorded", {"sexes": sexes}))
        elif need.sex in sexes:
            reasons.append(Finding("sex_eligible", "eligible by sex", {"sexes": sexes}))
        else:
            failures.append(Finding("sex_not_eligible", f"only for {', '.join(sexes)}", {"sexes": sexes}))
    if groups:
        if need.target_groups is None:
            warnings.append(Finding("target_group_unknown", f"reserved for {', '.join(groups)}", {"groups": groups}))
        elif need.target_groups & set(groups):
            reasons.append(Finding("in_target_group", "in a group the service is for", {"groups": sorted(need.target_groups & set(groups))}))
        else:
            failures.append(Finding("not_in_target_group", f"reserved for {', '.join(groups)}", {"groups": groups}))
