"""Reading the administration forms into the engine's commands (the service checks the values)."""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine import field_problems as problem
from engine.domain import Language, OrganisationKind, Role
from engine.errors import InvalidData
from engine.services.accounts.administration import NewAccount, NewOrganisation


def roles_of(form: MultiDict) -> frozenset[Role]:
    """The roles ticked in a form (unknown values are refused)."""
    try:
        return frozenset(Role(value) for value in form.getlist("roles"))
    except ValueError:
        raise InvalidData("unknown role", {"roles": [_("Unknown role.")]}) from None


def new_account(form: MultiDict, administrator) -> NewAccount:
    """The account the form describes; the organisation defaults to the administrator's own."""
    try:
        language = Language(form.get("language") or Language.FR.value)
    except ValueError:
        raise InvalidData("unknown language", {"language": [_("Unknown language.")]}) from None
    organisation = form.get("organisation", "").strip()
    if organisation and not (organisation.isascii() and organisation.isdigit() and len(organisation) <= 18):
        raise InvalidData("unknown organisation", {"organisation": [problem.not_a_managed_organisation()]})
    return NewAccount(
        username=form.get("username", "").strip().lower(),
        roles=roles_of(form),
        organisation_id=int(organisation) if organisation else administrator.organisation_id,
        display_name=form.get("display_name", "").strip(),
        email=form.get("email", "").strip(),
        language=language,
        password=form.get("password", ""),
    )


def new_organisation(form: MultiDict) -> NewOrganisation:
    """The organisation the form describes."""
    try:
        kind = OrganisationKind(form.get("kind") or OrganisationKind.OTHER.value)
    except ValueError:
        raise InvalidData("unknown kind", {"kind": [_("Unknown kind of organisation.")]}) from None
    return NewOrganisation(
        slug=form.get("slug", "").strip().lower(),
        name=form.get("name", "").strip(),
        kind=kind,
        is_provider=form.get("is_provider") == "on",
        mou_signed=form.get("mou_signed") == "on",
        data_sharing_signed=form.get("data_sharing_signed") == "on",
    )


# What a form held is shown again on its page when refused or when its language is switched.


def account_values(form: MultiDict) -> dict:
    """The new account's fields as typed, its ticked roles a list; never its password."""
    values = {name: value for name, value in form.items() if name not in ("csrf_token", "password")}
    return {**values, "roles": form.getlist("roles")}


def organisation_values(form: MultiDict) -> dict:
    """The new organisation's fields as typed."""
    return {name: value for name, value in form.items() if name != "csrf_token"}


def clock_values(form: MultiDict) -> dict:
    """The days and hours typed to move the training clock forward."""
    return {name: form.get(name, "") for name in ("days", "hours")}
