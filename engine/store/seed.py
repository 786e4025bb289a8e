"""Loading the demo directory (clearly fictional organisations, services and users) into a database, and reading
the demo's cases (opened through the services by `engine.services.installation.demo_cases`)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml
from sqlalchemy import select

from engine.clock import Clock
from engine.domain import Language, OrganisationKind, Priority, Role, Sector
from engine.services.accounts.creation import create_organisation, create_user
from engine.store.models import Organisation, OrganisationService, User
from engine.store.passwords import hash_password
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing


@dataclass(frozen=True)
class DemoData:
    """What the demo seed holds, and what one load added."""

    password: str  # shared by every demo account: demo only
    usernames: list[str]
    organisations_created: int
    users_created: int


def demo_directory() -> dict:
    """The demo directory as shipped with the package."""
    return _demo_file("directory.yaml")


def demo_cases() -> dict:
    """The demo's cases as shipped with the package: its pathway, and each case's steps."""
    return _demo_file("cases.yaml")


def _demo_file(name: str) -> dict:
    return yaml.safe_load(resources.files("engine.store").joinpath(f"demo/{name}").read_text(encoding="utf-8"))


def load_demo_data(uow: UnitOfWork, clock: Clock) -> DemoData:
    """Add the demo organisations, services and users that are missing (safe to run again)."""
    data = demo_directory()
    password = data["demo_password"]
    organisations_created = users_created = 0
    # One hash for every demo account: Argon2id is deliberately slow, and they share the password.
    demo_hash = hash_password(password)
    with uow:
        lock_for_writing(uow)
        existing_organisations = set(uow.session.scalars(select(Organisation.slug)))
        existing_users = set(uow.session.scalars(select(User.username)))
        for entry in data["organisations"]:
            if entry["slug"] in existing_organisations:
                continue
            organisation_id = create_organisation(
                uow, clock, entry["slug"], entry["name"],
                kind=OrganisationKind(entry["kind"]),
                is_provider=entry.get("provider", False),
                regions=entry.get("regions", []),
                mou_signed=entry.get("mou_signed", False),
                data_sharing_signed=entry.get("data_sharing_signed", False),
                is_demo=True,
                is_secretariat=entry.get("secretariat", False),
            )
            for service in entry.get("services", []):
                uow.session.add(_service(organisation_id, service))
            organisations_created += 1
        for entry in data["users"]:
            if entry["username"] in existing_users:
                continue
            user_id = create_user(
                uow, clock, entry["username"], entry["organisation"], [Role(r) for r in entry["roles"]],
                display_name=entry["name"],
                email=f"{entry['username']}@example.org",
                language=Language(entry.get("language", "fr")),
            )
            uow.session.get(User, user_id).password_hash = demo_hash
            users_created += 1
        uow.commit()
    return DemoData(password, [u["username"] for u in data["users"]], organisations_created, users_created)


def _service(organisation_id: int, entry: dict) -> OrganisationService:
    return OrganisationService(
        organisation_id=organisation_id,
        sector=Sector(entry["sector"]),
        name=entry["name"],
        regions=list(entry.get("regions", [])),
        sites=list(entry.get("sites", [])),
        languages=list(entry.get("languages", [])),
        accepted_priorities=[Priority(p).value for p in entry.get("accepted_priorities", list(Priority))],
        response_hours=dict(entry.get("response_hours", {})),
        target_groups=list(entry.get("target_groups", [])),
        eligible_sexes=list(entry.get("sexes", [])),
        minimum_age=entry.get("minimum_age"),
        maximum_age=entry.get("maximum_age"),
        capacity=entry.get("capacity"),
        capacity_available=entry.get("free"),
        opening_hours=entry.get("opening_hours"),
        fees_description=entry.get("cost"),
        contact_name=entry.get("contact"),
        active=True,
    )
