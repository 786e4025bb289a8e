"""Routes: accounts, organisations and undelivered notifications, for administrators."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.access import can_move_training_clock
from engine.domain import Role
from engine.errors import InvalidData
from engine.services.accounts.administration import (
    add_organisation,
    check_secretariat_admin,
    create_account,
    list_accounts,
    list_organisations,
    managed_account,
    matching_accounts,
    reset_password,
    set_account_active,
    set_account_roles,
)
from engine.services.installation.training_clock import move_training_clock, read_installation_time
from notifications.dead_letters import dead_letters, retry_dead_letter
from webui.admin.admin_forms import (account_values, clock_values, new_account, new_organisation, organisation_values,
                                     roles_of)
from webui.auth.session_user import login_required, role_required
from webui.engine_messages import field_messages
from webui.labels import ORGANISATION_KIND_NAMES, ROLE_NAMES
from webui.request_scope import clock, container, uow
from webui.typed_form import shows_typed_values

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """The accounts the administrator manages, and the form to create one."""
    return _users_page(created=None, values={}, errors={})


def _account_typed(posted) -> str:
    """The users page holding the new account typed (its language switched before it was sent)."""
    return _users_page(created=None, values=account_values(posted), errors={})


@bp.post("/users")
@role_required(Role.ADMIN)
@shows_typed_values(_account_typed)
def create_user():
    """Create an account; a password the administrator left empty is made and shown this one time."""
    try:
        created = create_account(uow(), clock(), g.user.actor, new_account(request.form, g.user))
    except InvalidData as invalid:
        errors = field_messages(invalid.errors)
        return _users_page(created=None, values=account_values(request.form), errors=errors), 422
    flash(_("The account %(username)s was created.", username=created.username), "info")
    return _users_page(created=created, values={}, errors={})


# Destructive actions ask first, on a page of their own: no script needed, nothing done by one stray tap.
@bp.get("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def confirm_password_reset(user_id: int):
    """Ask before giving an account a new one-time password."""
    return render_template("admin/confirm.html", account=managed_account(uow(), g.user.actor, user_id), action="password")


@bp.get("/users/<int:user_id>/disable")
@role_required(Role.ADMIN)
def confirm_disable(user_id: int):
    """Ask before disabling an account."""
    return render_template("admin/confirm.html", account=managed_account(uow(), g.user.actor, user_id), action="disable")


@bp.post("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def reset_user_password(user_id: int):
    """Give an account a new one-time password, shown this one time; its owner replaces it at sign-in."""
    reset = reset_password(uow(), clock(), g.user.actor, user_id)
    flash(_("The password of %(username)s was reset.", username=reset.username), "info")
    return _users_page(created=None, values={}, errors={}, reset=reset)


@bp.post("/users/<int:user_id>/disable")
@role_required(Role.ADMIN)
def disable_user(user_id: int):
    """Disable an account: its owner can no longer sign in nor use their API tokens."""
    account = set_account_active(uow(), clock(), g.user.actor, user_id, False)
    flash(_("The account %(username)s is disabled.", username=account.username), "info")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/enable")
@role_required(Role.ADMIN)
def enable_user(user_id: int):
    """Enable a disabled account again."""
    account = set_account_active(uow(), clock(), g.user.actor, user_id, True)
    flash(_("The account %(username)s is enabled.", username=account.username), "info")
    return redirect(url_for("admin.users"))


def _roles_typed(posted, user_id: int) -> str:
    """The users page with one account's role editor open, holding the roles ticked (its language switched before it was sent)."""
    return _users_page(created=None, values={}, errors={}, roles_typed=RolesTyped(user_id, posted.getlist("roles")))


@bp.post("/users/<int:user_id>/roles")
@role_required(Role.ADMIN)
@shows_typed_values(_roles_typed)
def edit_roles(user_id: int):
    """Replace an account's roles."""
    try:
        account = set_account_roles(uow(), clock(), g.user.actor, user_id, roles_of(request.form))
    except InvalidData as invalid:
        refused = RoleErrors(user_id, field_messages(invalid.errors).get("roles", []))
        return _users_page(created=None, values={}, errors={}, role_errors=refused), 422
    flash(_("The roles of %(username)s were changed.", username=account.username), "info")
    return redirect(url_for("admin.users"))


@bp.get("/organisations")
@role_required(Role.ADMIN)
def organisations():
    """The organisations of the mechanism (administrators of the secretariat only)."""
    return _organisations_page(values={}, errors={})


def _organisation_typed(posted) -> str:
    """The organisations page holding the new organisation typed (its language switched before it was sent)."""
    return _organisations_page(values=organisation_values(posted), errors={})


@bp.post("/organisations")
@role_required(Role.ADMIN)
@shows_typed_values(_organisation_typed)
def create_organisation():
    """Add an organisation to the mechanism."""
    try:
        add_organisation(uow(), clock(), g.user.actor, new_organisation(request.form))
    except InvalidData as invalid:
        errors = field_messages(invalid.errors)
        return _organisations_page(values=organisation_values(request.form), errors=errors), 422
    flash(_("The organisation was added."), "info")
    return redirect(url_for("admin.organisations"))


@bp.get("/deliveries")
@role_required(Role.ADMIN)
def deliveries():
    """Notifications given up after their last attempt, with the error each met."""
    check_secretariat_admin(uow(), g.user.actor)
    return render_template("admin/deliveries.html", letters=dead_letters(container().uow))


@bp.post("/deliveries/<bigid:delivery_id>/retry")
@role_required(Role.ADMIN)
def retry_delivery(delivery_id: int):
    """Send a dead-lettered notification once more (at the dispatcher's next run)."""
    check_secretariat_admin(uow(), g.user.actor)
    retry_dead_letter(container().uow, delivery_id, clock())
    flash(_("The notification will be sent again at the next dispatch."), "info")
    return redirect(url_for("admin.deliveries"))


class RoleErrors(NamedTuple):
    """Why the roles of one account were not changed, shown beside its role editor."""

    user_id: int
    messages: list[str]


class RolesTyped(NamedTuple):
    """The roles ticked in one account's role editor, not sent yet (shown again in another language)."""

    user_id: int
    roles: list[str]


def _users_page(created, values: dict, errors: dict, reset=None, role_errors: RoleErrors | None = None,
                roles_typed: RolesTyped | None = None) -> str:
    listing = list_accounts(uow(), g.user.actor)
    search = (request.args.get("q") or "").strip()
    if search:
        listing = replace(listing, accounts=matching_accounts(listing.accounts, search))
    return render_template("admin/users.html", listing=listing, search=search, created=created, values=values, errors=errors,
                           reset=reset, role_errors=role_errors, roles_typed=roles_typed,
                           role_choices=[(role.value, ROLE_NAMES[role]) for role in Role])


def _organisations_page(values: dict, errors: dict) -> str:
    rows = list_organisations(uow(), g.user.actor)
    kinds = [(kind.value, name) for kind, name in ORGANISATION_KIND_NAMES.items()]
    return render_template("admin/organisations.html", organisations=rows, values=values, errors=errors,
                           kind_choices=kinds)


# ---- training installation: its clock -----------------------------------------------------------


def _training_time():
    """The installation's time, or a 404: only a training installation has a clock to move."""
    real_clock = getattr(clock(), "real", None)
    time = read_installation_time(uow(), real_clock) if real_clock is not None else None
    if time is None or not time.training:
        abort(404)
    if not can_move_training_clock(g.user.actor):
        abort(403)
    return real_clock, time


@bp.get("/clock")
@login_required
def training_clock():
    """A training installation's clock, and the form that moves it forward (coordinators, administrators)."""
    _real, time = _training_time()
    return render_template("admin/clock.html", time=time, values={}, errors={})


def _clock_typed(posted) -> str:
    """The training clock's page holding the move typed (its language switched before it was sent)."""
    _real, time = _training_time()
    return render_template("admin/clock.html", time=time, values=clock_values(posted), errors={})


@bp.post("/clock")
@login_required
@shows_typed_values(_clock_typed)
def move_training_clock_forward():
    """Move the training clock forward; deadlines now due are raised by the scheduler's next sweep."""
    real_clock, time = _training_time()
    try:
        move_training_clock(uow(), real_clock, g.user.actor, request.form.get("days", ""), request.form.get("hours", ""))
    except InvalidData as invalid:
        return render_template("admin/clock.html", time=time, values=clock_values(request.form),
                               errors=field_messages(invalid.errors)), 422
    flash(_("The clock was moved forward."), "info")
    return redirect(url_for("admin.training_clock"))
