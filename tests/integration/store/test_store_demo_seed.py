"""The demo directory: fictional, clearly marked, loadable twice without duplicates."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.domain import Role, Sector
from engine.store.models import Organisation, OrganisationService, User
from engine.store.passwords import verify_password
from engine.store.seed import load_demo_data


def test_the_demo_directory_loads_once_and_again_adds_nothing(container):
    first = load_demo_data(container.uow(), container.clock)
    again = load_demo_data(container.uow(), container.clock)
    assert first.organisations_created >= 8 and first.users_created == len(first.usernames)
    assert (again.organisations_created, again.users_created) == (0, 0)
    with container.uow() as u:
        assert u.session.scalar(select(func.count(Organisation.id))) == first.organisations_created


def test_every_demo_organisation_is_marked_as_demo(container):
    load_demo_data(container.uow(), container.clock)
    with container.uow() as u:
        organisations = u.session.scalars(select(Organisation)).all()
    assert all(o.is_demo and o.name.startswith("DEMO") for o in organisations)


def test_every_role_has_a_demo_user_who_can_sign_in_with_the_demo_password(container):
    demo = load_demo_data(container.uow(), container.clock)
    with container.uow() as u:
        users = u.session.scalars(select(User)).all()
        held = set().union(*(user.roles for user in users))
        assert held == set(Role)
        hashes = {user.password_hash for user in users}
    assert len(hashes) == 1  # one Argon2id hash shared by the demo accounts: checking one checks all
    assert verify_password(hashes.pop(), demo.password)


def test_the_demo_directory_offers_every_sector_somewhere(container):
    load_demo_data(container.uow(), container.clock)
    with container.uow() as u:
        sectors = set(u.session.scalars(select(OrganisationService.sector)))
    assert sectors == set(Sector)


def test_the_demo_directory_covers_every_region_with_gaps_left_on_purpose(container):
    load_demo_data(container.uow(), container.clock)
    with container.uow() as u:
        offers = {(sector, region) for sector, regions in u.session.execute(
            select(OrganisationService.sector, OrganisationService.regions)) for region in regions}
    regions = {"adamaoua", "centre", "est", "extreme_nord", "littoral", "nord", "nord_ouest", "ouest", "sud", "sud_ouest"}
    assert {region for _, region in offers} == regions
    assert (Sector.SHELTER, "extreme_nord") not in offers  # a gap the referral form must explain
