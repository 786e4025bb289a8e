"""Creating organisations and user accounts (for operators, the admin pages and the demo seed).

Which roles an account may hold depends on its organisation (`engine.access.roles_held_in`):
coordinators and SOP authors work at the mechanism's secretariat, focal points at providers. An
installation names its secretariat once: with `is_secretariat` when the organisation is created, or,
for an operator's first coordinator or SOP author, the organisation that account is made in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update

from engine import field_problems as problem
from engine.access import SECRETARIAT_ROLES, roles_held_in
from engine.clock import Clock
from engine.domain import Language, OrganisationKind, Role
from engine.errors import Conflict, InvalidData, NotFound
from engine.store.models import ApiToken, AuditEntry, Organisation, User, UserGroup, UserRole, UserSession
from engine.store.passwords import hash_password
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing
from engine.untrusted_values import refuse_control_characters


def create_organisation(
    uow: UnitOfWork,
    clock: Clock,
    slug: str,
    name: str,
    kind: OrganisationKind = OrganisationKind.OTHER,
    is_provider: bool = False,
    regions: Iterable[str] = (),
    mou_signed: bool = False,
    data_sharing_signed: bool = False,
    is_demo: bool = False,
    is_secretariat: bool = False,
) -> int:
    """Add an organisation to the directory; returns its id."""
    if not slug or not name:
        raise InvalidData("an organisation needs a slug and a name")
    with uow:
        lock_for_writing(uow)
        if uow.session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
            raise Conflict(f"organisation {slug!r} already exists")
        if is_secretariat and (existing := secretariat(uow)) is not None:
            raise Conflict(f"the mechanism already has its secretariat: {existing.slug!r}")
        organisation = Organisation(
            slug=slug,
            name=name,
            kind=OrganisationKind(kind),
            is_provider=is_provider,
            regions=list(regions),
            mou_signed=mou_signed,
            data_sharing_signed=data_sharing_signed,
            is_demo=is_demo,
            is_secretariat=is_secretariat,
            created_at=clock.now(),
        )
        uow.session.add(organisation)
        uow.commit()
        return organisation.id


def create_user(
    uow: UnitOfWork,
    clock: Clock,
    username: str,
    organisation_slug: str,
    roles: Iterable[Role],
    display_name: str | None = None,
    email: str | None = None,
    language: Language = Language.FR,
    password: str | None = None,
    groups: Iterable[str] = (),
    must_change_password: bool = False,
    may_name_secretariat: bool = True,
) -> int:
    """Add a user to an organisation with roles (and a password, hashed with Argon2id); returns the id.

    `must_change_password` when someone else chose the password: its owner replaces it at first sign-in.
    `may_name_secretariat`: operators' first coordinator or SOP author names the secretariat; an
    administrator granting roles never does.
    """
    roles = {Role(role) for role in roles}
    if not username:
        raise InvalidData("a user needs a username")
    if not roles:
        raise InvalidData(f"user {username!r} needs at least one role")
    refuse_control_characters(username=username, display_name=display_name, email=email, password=password)
    with uow:
        lock_for_writing(uow)
        organisation = uow.directory.organisation(organisation_slug)
        if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"user {username!r} already exists")
        if roles & SECRETARIAT_ROLES and may_name_secretariat and secretariat(uow) is None:
            organisation.is_secretariat = True
        check_roles_held(organisation, roles)
        user = User(
            username=username,
            display_name=display_name or username,
            email=email,
            language=Language(language),
            password_hash=hash_password(password) if password else None,
            must_change_password=must_change_password,
            organisation_id=organisation.id,
            created_at=clock.now(),
            role_rows=[UserRole(role=role) for role in sorted(roles)],
            group_rows=[UserGroup(group_name=group) for group in sorted(set(groups))],
        )
        uow.session.add(user)
        uow.commit()
        return user.id


def set_password(uow: UnitOfWork, clock: Clock, username: str, password: str, must_change_password: bool) -> int:
    """An operator gives an account a password (a first administrator made without one, or one who forgot
    theirs: nobody else could let them in); its open sessions end and its API tokens are revoked. Audited,
    with no acting user; returns how many tokens were revoked."""
    refuse_control_characters(password=password)
    with uow:
        lock_for_writing(uow)
        user = uow.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username!r} does not exist")
        now = clock.now()
        tokens = replace_password(uow.session, user, hash_password(password), must_change_password, now)
        uow.session.add(AuditEntry(at=now, user_id=None, action="account.password_set", object_type="user",
                                   object_id=username[:100], details={"by": "command line", "api_tokens_revoked": tokens}))
        uow.commit()
        return tokens


def replace_password(session, user: User, password_hash: str, must_change: bool, at: datetime) -> int:
    """Store the account's new password and end every way in the old one gave: its open sessions and the
    API tokens (one's own change, an administrator's reset, an operator's command); returns how many
    tokens were revoked."""
    user.password_hash = password_hash
    user.must_change_password = must_change
    session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                    .values(ended_at=at))
    # Whoever learnt the old password could have made a token with it, and a token outlives any
    # session: it goes too, whoever changes the password (its owner makes new ones afterwards).
    return session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount


def secretariat(uow: UnitOfWork) -> Organisation | None:
    """The mechanism's secretariat, once an operator has named it."""
    return uow.session.scalar(select(Organisation).where(Organisation.is_secretariat.is_(True)))


def check_roles_held(organisation: Organisation, roles: Iterable[Role]) -> None:
    """InvalidData naming each role the organisation's people may not hold."""
    refused = sorted(set(roles) - roles_held_in(organisation.is_secretariat, organisation.is_provider))
    if refused:
        where = {Role.COORDINATOR: "the mechanism's secretariat", Role.SOP_AUTHOR: "the mechanism's secretariat",
                 Role.PROVIDER_FOCAL_POINT: "a service provider"}
        reasons = "; ".join(f"{role.value} is held only at {where[role]}" for role in refused)
        raise InvalidData(f"{organisation.slug!r} cannot hold the role(s) {', '.join(r.value for r in refused)}: {reasons}",
                          {"roles": [problem.role_not_held_here(role.value for role in refused)]})
