"""Administering accounts and organisations: who may, and the audited changes they make.

    accounts = list_accounts(uow, actor)
    created = create_account(uow, clock, actor, NewAccount("awa", frozenset({Role.CASEWORKER}), organisation_id=3))
    created.initial_password    # shown once when the administrator did not choose one
    set_account_active(uow, clock, actor, user_id, False)
    set_account_roles(uow, clock, actor, user_id, {Role.SUPERVISOR})
    reset = reset_password(uow, clock, actor, user_id)   # reset.one_time_password, shown once
    add_organisation(uow, clock, actor, NewOrganisation("caritas", "Caritas Douala", OrganisationKind.NGO))

An administrator manages the accounts of their own organisation. The administrators of the
mechanism's secretariat (the organisation an operator named as such) manage every organisation's
accounts and the list of organisations. Granting is bounded: an account holds only the roles its
organisation holds (coordinators and SOP authors at the secretariat, focal points at providers), so
only the secretariat's administrators make coordinators and SOP authors, and nobody grants
themselves a role. Every change lands in the audit log. A password an
administrator chose or had made is known to them: its owner must replace it at their first sign-in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engine import field_problems as problem
from engine.access import Actor, can_grant_roles, roles_held_in
from engine.clock import Clock
from engine.domain import Language, OrganisationKind, Role
from engine.errors import AccessDenied, Conflict, InvalidData, NotFound
from engine.field_problems import FieldProblem
from engine.services.accounts.creation import check_roles_held, create_organisation, create_user, replace_password
from engine.store.models import AuditEntry, Organisation, User, UserRole
from engine.store.passwords import hash_password
from engine.store.unit_of_work import UnitOfWork
from engine.store.write_lock import lock_for_writing

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_NAME = 200


@dataclass(frozen=True)
class AccountView:
    """One account as the administration page lists it."""

    id: int
    username: str
    display_name: str
    email: str | None
    language: str
    organisation_id: int
    organisation_name: str
    roles: frozenset[Role]
    active: bool
    last_login_at: datetime | None
    must_change_password: bool  # still holds a password an administrator chose or had made
    holdable_roles: frozenset[Role]  # what its organisation's people may hold (engine.access.roles_held_in)


@dataclass(frozen=True)
class OrganisationView:
    """One organisation as the administration page lists it."""

    id: int
    slug: str
    name: str
    kind: str
    is_provider: bool
    mou_signed: bool
    data_sharing_signed: bool
    users: int

    @property
    def choice(self) -> tuple[str, str]:
        """The organisation as an option of a list: (id, name)."""
        return str(self.id), self.name


@dataclass(frozen=True)
class AccountList:
    """The accounts an administrator manages, and the organisations they may create accounts in."""

    accounts: tuple[AccountView, ...]
    organisations: tuple[OrganisationView, ...]
    mechanism_wide: bool  # True for the secretariat's administrators


@dataclass(frozen=True)
class NewAccount:
    """What an administrator fills in to create an account."""

    username: str
    roles: frozenset[Role]
    organisation_id: int | None = None  # None: the administrator's own organisation
    display_name: str = ""
    email: str = ""
    language: Language = Language.FR
    password: str = ""  # empty: a one-time initial password is made and shown once
    groups: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CreatedAccount:
    """The account made, and the initial password when the administrator did not choose one."""

    id: int
    username: str
    initial_password: str | None


@dataclass(frozen=True)
class PasswordReset:
    """A new one-time password an administrator had made for an account, shown once."""

    id: int
    username: str
    one_time_password: str


@dataclass(frozen=True)
class NewOrganisation:
    """What an administrator fills in to add an organisation."""

    slug: str
    name: str
    kind: OrganisationKind = OrganisationKind.OTHER
    is_provider: bool = False
    mou_signed: bool = False
    data_sharing_signed: bool = False


def secretariat_id(uow: UnitOfWork) -> int | None:
    """The mechanism's secretariat (named by an operator), if the installation has one yet."""
    with uow:
        return uow.session.scalar(select(Organisation.id).where(Organisation.is_secretariat.is_(True)))


def can_administer(actor: Actor) -> bool:
    """Administrators manage accounts (and, at the secretariat, organisations)."""
    return actor.active and actor.has(Role.ADMIN)


def can_manage_accounts_of(actor: Actor, organisation_id: int, secretariat: int | None) -> bool:
    """An administrator manages their own organisation's accounts; the secretariat's manage everyone's."""
    if not can_administer(actor):
        return False
    return organisation_id == actor.organisation_id or (secretariat is not None and actor.organisation_id == secretariat)


def can_manage_organisations(actor: Actor, secretariat: int | None) -> bool:
    """Only the secretariat's administrators add organisations to the mechanism."""
    return can_administer(actor) and secretariat is not None and actor.organisation_id == secretariat


def list_accounts(uow: UnitOfWork, actor: Actor) -> AccountList:
    """The accounts the administrator manages (every organisation's at the secretariat), by organisation and name."""
    _require(can_administer(actor), actor, "manage accounts")
    with uow:
        wide = can_manage_organisations(actor, secretariat_id(uow))
        statement = (select(User).options(selectinload(User.role_rows), selectinload(User.organisation))
                     .join(Organisation, Organisation.id == User.organisation_id)
                     .order_by(Organisation.name, User.username))
        if not wide:
            statement = statement.where(User.organisation_id == actor.organisation_id)
        accounts = tuple(_account(user) for user in uow.session.scalars(statement))
        organisations = tuple(_organisations(uow, None if wide else actor.organisation_id))
    return AccountList(accounts, organisations, wide)


def create_account(uow: UnitOfWork, clock: Clock, actor: Actor, new: NewAccount) -> CreatedAccount:
    """Create an account in an organisation the administrator manages; audited."""
    _require(can_administer(actor), actor, "create accounts")
    problems = _account_problems(new)
    password = new.password or _one_time_password()
    with uow:
        organisation_id = actor.organisation_id if new.organisation_id is None else new.organisation_id
        organisation = uow.session.get(Organisation, organisation_id)
        # Every problem of the form at once: a person fixing one should not meet the next only then.
        if organisation is None or not can_manage_accounts_of(actor, organisation.id, secretariat_id(uow)):
            problems.setdefault("organisation", []).append(problem.not_a_managed_organisation())
        else:
            try:
                check_roles_held(organisation, new.roles)
            except InvalidData as refused:
                for name, found in refused.errors.items():
                    problems.setdefault(name, []).extend(found)
        if "username" not in problems and uow.session.scalar(select(User.id).where(User.username == new.username)):
            problems["username"] = [problem.already_used()]
        if problems:
            raise InvalidData(f"the account {new.username!r} was not created: {', '.join(sorted(problems))}", problems)
        # Added first: create_user commits the account and this entry together.
        _audit(uow, clock, actor, "account.created", "user", new.username,
               {"organisation": organisation.slug, "roles": sorted(r.value for r in new.roles),
                "password": "chosen" if new.password else "generated"})
        user_id = create_user(uow, clock, new.username, organisation.slug, new.roles,
                              display_name=new.display_name or None, email=new.email or None,
                              language=new.language, password=password, groups=new.groups,
                              must_change_password=True, may_name_secretariat=False)
    return CreatedAccount(user_id, new.username, None if new.password else password)


def set_account_active(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int, active: bool) -> AccountView:
    """Disable (nobody signs in, tokens stop working) or enable an account again; audited."""
    with uow:
        lock_for_writing(uow)
        user = _managed_user(uow, actor, user_id)
        if user.id == actor.id and not active:
            raise Conflict("you cannot disable your own account; ask another administrator")
        if user.active != active:
            user.active = active
            _audit(uow, clock, actor, "account.enabled" if active else "account.disabled", "user", user.username, {})
        uow.commit()
        return _account(user)


def reset_password(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int) -> PasswordReset:
    """Give an account a new one-time password its owner must replace at sign-in; their sessions and API tokens end. Audited."""
    password = _one_time_password()
    with uow:
        lock_for_writing(uow)
        user = _managed_user(uow, actor, user_id)
        if user.id == actor.id:
            raise Conflict("you cannot reset your own password here; change it on your account page")
        tokens = replace_password(uow.session, user, hash_password(password), True, clock.now())
        _audit(uow, clock, actor, "account.password_reset", "user", user.username, {"api_tokens_revoked": tokens})
        uow.commit()
        return PasswordReset(user.id, user.username, password)


def set_account_roles(uow: UnitOfWork, clock: Clock, actor: Actor, user_id: int, roles: Iterable[Role]) -> AccountView:
    """Replace an account's roles; audited. Nobody removes their own administrator role."""
    roles = frozenset(Role(role) for role in roles)
    if not roles:
        raise InvalidData("an account needs at least one role", {"roles": [problem.required()]})
    with uow:
        lock_for_writing(uow)
        user = _managed_user(uow, actor, user_id)
        if user.id == actor.id and Role.ADMIN not in roles:
            raise Conflict("you cannot remove your own administrator role; ask another administrator")
        before = user.roles
        if not can_grant_roles(actor, user.id, frozenset(before), roles):
            raise AccessDenied(f"{actor.username} may not grant themselves a role")
        check_roles_held(user.organisation, roles)
        if before != roles:
            user.role_rows = [row for row in user.role_rows if row.role in roles] + [
                UserRole(role=role) for role in sorted(roles - before)
            ]
            _audit(uow, clock, actor, "account.roles_changed", "user", user.username,
                   {"before": sorted(r.value for r in before), "after": sorted(r.value for r in roles)})
        uow.commit()
        return _account(user)


def check_secretariat_admin(uow: UnitOfWork, actor: Actor) -> None:
    """AccessDenied unless the actor administers the secretariat (the installation's operators)."""
    with uow:
        _require(can_manage_organisations(actor, secretariat_id(uow)), actor, "operate the installation")


def list_organisations(uow: UnitOfWork, actor: Actor) -> list[OrganisationView]:
    """Every organisation of the mechanism, for the secretariat's administrators."""
    with uow:
        _require(can_manage_organisations(actor, secretariat_id(uow)), actor, "manage organisations")
        return _organisations(uow, None)


def add_organisation(uow: UnitOfWork, clock: Clock, actor: Actor, new: NewOrganisation) -> int:
    """Add an organisation to the mechanism; audited."""
    problems = {}
    if not SLUG.fullmatch(new.slug or "") or len(new.slug) > 64:
        problems["slug"] = [FieldProblem("bad_slug", "lowercase letters, digits and dashes")]
    if not (new.name or "").strip() or len(new.name) > MAX_NAME:
        problems["name"] = [problem.required() if not (new.name or "").strip() else problem.too_long(MAX_NAME)]
    with uow:
        _require(can_manage_organisations(actor, secretariat_id(uow)), actor, "manage organisations")
        if "slug" not in problems and uow.session.scalar(select(Organisation.id).where(Organisation.slug == new.slug)):
            problems["slug"] = [problem.already_used()]
        if problems:
            raise InvalidData(f"the organisation {new.slug!r} was not added", problems)
        _audit(uow, clock, actor, "organisation.created", "organisation", new.slug,
               {"kind": OrganisationKind(new.kind).value, "is_provider": new.is_provider})
        return create_organisation(uow, clock, new.slug, new.name.strip(), kind=new.kind, is_provider=new.is_provider,
                                   mou_signed=new.mou_signed, data_sharing_signed=new.data_sharing_signed)


def _require(allowed: bool, actor: Actor, what: str) -> None:
    if not allowed:
        raise AccessDenied(f"{actor.username} may not {what}")


def _managed_user(uow: UnitOfWork, actor: Actor, user_id: int) -> User:
    _require(can_administer(actor), actor, "manage accounts")
    user = uow.session.get(User, user_id)
    if user is None or not can_manage_accounts_of(actor, user.organisation_id, secretariat_id(uow)):
        raise NotFound(f"user {user_id} does not exist or is not yours to manage")
    return user


def _account_problems(new: NewAccount) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not USERNAME.fullmatch(new.username or ""):
        problems["username"] = [FieldProblem("bad_username", "2 to 64 lowercase letters, digits, dots, dashes or underscores")]
    if not new.roles:
        problems["roles"] = [problem.required()]
    if new.email and (len(new.email) > 320 or not EMAIL.fullmatch(new.email)):
        problems["email"] = [problem.not_an_email()]
    if len(new.display_name or "") > MAX_NAME:
        problems["display_name"] = [problem.too_long(MAX_NAME)]
    if new.password and len(new.password) < MIN_PASSWORD:
        problems["password"] = [problem.too_short(MIN_PASSWORD)]
    if len(new.password or "") > MAX_PASSWORD:
        problems["password"] = [problem.too_long(MAX_PASSWORD)]
    return problems


def _one_time_password() -> str:
    return secrets.token_urlsafe(12)


def _audit(uow: UnitOfWork, clock: Clock, actor: Actor, action: str, object_type: str, object_id: str, details: dict) -> None:
    uow.session.add(AuditEntry(at=clock.now(), user_id=actor.id, action=action, object_type=object_type,
                               object_id=object_id[:100], details=details))


def _account(user: User) -> AccountView:
    return AccountView(
        id=user.id, username=user.username, display_name=user.display_name, email=user.email,
        language=Language(user.language).value, organisation_id=user.organisation_id,
        organisation_name=user.organisation.name, roles=frozenset(user.roles), active=user.active,
        last_login_at=user.last_login_at, must_change_password=user.must_change_password,
        holdable_roles=roles_held_in(user.organisation.is_secretariat, user.organisation.is_provider),
    )


def _organisations(uow: UnitOfWork, only: int | None) -> list[OrganisationView]:
    users = select(func.count(User.id)).where(User.organisation_id == Organisation.id).scalar_subquery()
    statement = select(Organisation, users).order_by(Organisation.name)
    if only is not None:
        statement = statement.where(Organisation.id == only)
    return [
        OrganisationView(id=o.id, slug=o.slug, name=o.name, kind=OrganisationKind(o.kind).value,
                         is_provider=o.is_provider, mou_signed=o.mou_signed,
                         data_sharing_signed=o.data_sharing_signed, users=count)
        for o, count in uow.session.execute(statement)
    ]


def managed_account(uow: UnitOfWork, actor: Actor, user_id: int) -> AccountView:
    """One account the administrator manages (NotFound otherwise), for a page that asks before acting on it."""
    with uow:
        return _account(_managed_user(uow, actor, user_id))


def matching_accounts(accounts: Iterable[AccountView], words: str) -> tuple[AccountView, ...]:
    """The accounts whose username, name or email contains every word of `words` (case ignored)."""
    wanted = words.casefold().split()
    return tuple(
        account for account in accounts
        if all(word in f"{account.username} {account.display_name} {account.email or ''}".casefold() for word in wanted)
    )
