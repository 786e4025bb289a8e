"""Matching at the referral step: each rule gives a reason, a warning or a failed rule, and the ranking follows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.services.directory.exchange import import_directory
from engine.services.directory.matching import SEND_WITHOUT_PERSONAL_DATA, Need, match_providers
from engine.store.models import Organisation, OrganisationService, ServiceArea

HSDS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "hsds" / "littoral-directory.json"
TODAY = date(2026, 3, 2)
CLINIC, FOYER = "clinique-bonaberi", "foyer-sud-ouest"


@pytest.fixture
def directory(container):
    report = import_directory(container.uow(), container.clock, HSDS_FILE)
    assert report.written and not report.problems
    return container


def _match(container, **need):
    with container.uow() as uow:
        return match_providers(uow.session, Need(**{"sector": "health", **need}), TODAY)


def _codes(choice):
    return ({f.code for f in choice.reasons}, {f.code for f in choice.warnings}, {f.code for f in choice.failures})


def _change(container, hsds_id, **values):
    with container.uow() as uow:
        service = uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == hsds_id))
        for key, value in values.items():
            setattr(service, key, value)
        uow.commit()


def test_the_provider_serving_the_region_ranks_first_and_the_other_is_out_of_region(directory):
    matching = _match(directory, region="littoral", priority="urgent", language="french")
    assert [p.slug for p in matching.providers] == [CLINIC, FOYER]
    reasons, warnings, failures = _codes(matching.providers[0])
    assert {"offers_sector", "serves_region", "accepts_priority_within", "speaks_language", "places_free",
            "agreements_signed"} <= reasons and failures == set()
    out = matching.providers[1]
    assert {f.code for f in out.failures} == {"out_of_region", "agreements_missing"} and out.refused
    # Sud-Ouest shares a border with Littoral (regions.yaml).
    assert out.failures[0].params == {"region": "littoral", "served": ["sud_ouest"], "distance": 1}
    assert out.region_distance == 1 and "1 region(s) away" in out.failures[0].text
    assert [p.slug for p in matching.matched] == [CLINIC]


def test_without_agreements_the_pathway_may_send_with_no_personal_data_instead_of_refusing(directory):
    matching = _match(directory, region="sud_ouest", unsigned_provider=SEND_WITHOUT_PERSONAL_DATA)
    foyer = next(p for p in matching.providers if p.slug == FOYER)
    assert not foyer.refused and "sent_without_personal_data" in _codes(foyer)[1] and not foyer.shares_personal_data


def test_a_priority_the_service_does_not_take_is_a_failed_rule(directory):
    _change(directory, "9b1f3c2e-0000-4000-8000-000000000001", accepted_priorities=["emergency"])
    (clinic, *_) = _match(directory, region="littoral", priority="normal").providers
    assert "priority_not_accepted" in _codes(clinic)[2] and clinic.needs_reason


def test_age_sex_and_target_group_eligibility(directory):
    _change(directory, "9b1f3c2e-0000-4000-8000-000000000001", minimum_age=18, eligible_sexes=["female"],
            target_groups=["trafficking_survivors"])
    clinic = _match(directory, region="littoral", age=15, sex="male", target_groups=frozenset()).providers[0]
    assert {"age_not_eligible", "sex_not_eligible", "not_in_target_group"} <= _codes(clinic)[2]
    clinic = _match(directory, region="littoral", age=30, sex="female",
                    target_groups=frozenset({"trafficking_survivors"})).providers[0]
    assert {"age_eligible", "sex_eligible", "in_target_group"} <= _codes(clinic)[0] and not clinic.failures
    clinic = _match(directory, region="littoral").providers[0]
    assert {"age_unknown", "sex_unknown", "target_group_unknown"} <= _codes(clinic)[1]


def test_a_full_service_fails_and_an_unreported_capacity_is_a_warning(directory):
    _change(directory, "9b1f3c2e-0000-4000-8000-000000000001", capacity_available=0)
    assert "full" in _codes(_match(directory, region="littoral").providers[0])[2]
    _change(directory, "9b1f3c2e-0000-4000-8000-000000000001", capacity_available=None)
    assert "capacity_unknown" in _codes(_match(directory, region="littoral").providers[0])[1]


def test_a_language_not_listed_and_an_old_verification_are_warnings_only(directory):
    _change(directory, "9b1f3c2e-0000-4000-8000-000000000001", assured_date=date(2024, 1, 1))
    clinic = _match(directory, region="littoral", language="fulfulde").providers[0]
    assert {"language_not_spoken", "not_verified_recently"} <= _codes(clinic)[1] and not clinic.failures


def test_no_service_in_the_sector_gives_an_empty_list_that_says_why(directory):
    matching = _match(directory, sector="cash", region="littoral")
    assert matching.providers == () and matching.summary.code == "no_service_in_sector"
    with directory.uow() as uow:
        uow.session.scalar(select(Organisation).where(Organisation.slug == CLINIC)).is_provider = False
        uow.commit()
    assert [p.slug for p in _match(directory, region="littoral").providers] == [FOYER]
    assert _match(directory, region="littoral").summary.code == "no_provider_fits"


def _areas(container, hsds_id):
    with container.uow() as uow:
        return set(uow.session.scalars(select(ServiceArea.region).join(OrganisationService)
                                       .where(OrganisationService.hsds_id == hsds_id)))


def test_out_of_region_providers_are_ranked_by_how_many_regions_away_they_serve(directory):
    # Both serve elsewhere than Extrême-Nord: Nord is one border away, Sud-Ouest four.
    _change(directory, "9b1f3c2e-0000-4000-8000-000000000001", regions=["sud_ouest"])
    with directory.uow() as uow:
        foyer = uow.session.scalar(select(Organisation).where(Organisation.slug == FOYER))
        foyer.mou_signed = foyer.data_sharing_signed = True
        uow.commit()
    _change(directory, "9b1f3c2e-0000-4000-8000-000000000003", regions=["nord"])
    matching = _match(directory, region="extreme_nord")
    assert [(p.slug, p.region_distance) for p in matching.providers] == [(FOYER, 1), (CLINIC, 4)]
    assert [f.params.get("distance") for p in matching.providers for f in p.failures if f.code == "out_of_region"] == [1, 4]
    # A region the adjacency does not know has no distance: out of region, nothing more said.
    unknown = _match(directory, region="somewhere_else").providers[0]
    assert unknown.region_distance is None and unknown.failures[0].params["distance"] is None


def test_service_areas_follow_every_change_of_a_service_or_of_its_organisation(directory):
    clinic_service = "9b1f3c2e-0000-4000-8000-000000000001"
    assert _areas(directory, clinic_service) == {"littoral"}
    _change(directory, clinic_service, regions=["centre", "littoral"])
    assert _areas(directory, clinic_service) == {"centre", "littoral"}
    # A service naming no region serves its organisation's regions, and follows them.
    _change(directory, clinic_service, regions=[])
    with directory.uow() as uow:
        uow.session.scalar(select(Organisation).where(Organisation.slug == CLINIC)).regions = ["ouest"]
        uow.commit()
    assert _areas(directory, clinic_service) == {"ouest"}
    assert [p.slug for p in _match(directory, region="ouest").providers][0] == CLINIC
    with directory.uow() as uow:
        uow.session.delete(uow.session.scalar(select(OrganisationService).where(OrganisationService.hsds_id == clinic_service)))
        uow.commit()
    with directory.uow() as uow:
        assert uow.session.scalar(select(ServiceArea).where(ServiceArea.region == "ouest")) is None
