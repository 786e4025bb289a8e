"""Routes: sign in, sign out, language switch, one's password, personal API tokens."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_language

from engine.domain import Language
from engine.services.accounts.administration import MIN_PASSWORD
from webui.auth import accounts
from webui.auth.api_tokens import new_token, token_hash
from webui.auth.passwords import hash_password, needs_rehash, password_matches
from webui.auth.resume import carried_form, offer_to_send
from webui.auth.session_user import end_session, login_required, start_session
from webui.i18n import SESSION_KEY as LANGUAGE_KEY
from webui.request_scope import begin_writing, clock, uow
from webui.typed_form import shows_typed_values, typed_form_again

bp = Blueprint("auth", __name__)

MAX_USERNAME = 64
MAX_PASSWORD = 1024  # Argon2 accepts any length; this bounds the work an attacker can ask for.
MAX_TOKEN_NAME = 100


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the home page (no open redirects)."""
    # Browsers drop tabs and newlines and read a backslash as a slash: "/\t/evil.example" is
    # "//evil.example", another site.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(char.isspace() or not char.isprintable() for char in target)):
        return target
    return url_for("dashboard.home")


@bp.get("/login")
def login():
    """The sign-in form."""
    if g.user is not None:
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", next=request.args.get("next"), username="", error=None, resume=None)


def _carried_form_again(posted):
    """The sign-in page carrying an expired form, its language switched once signed in (in another tab): the
    form offered to send if it is this person's, else the home page."""
    resume = carried_form(posted, safe_next)
    if resume is None or resume.username != g.user.username:
        return redirect(url_for("dashboard.home"))
    return offer_to_send(resume)


@bp.post("/login")
@shows_typed_values(_carried_form_again)
def login_submit():
    """Check the username and password, with throttling per address and per username and address."""
    username = request.form.get("username", "").strip()[:MAX_USERNAME]
    password = request.form.get("password", "")[:MAX_PASSWORD]
    next_url = request.form.get("next")
    resume = carried_form(request.form, safe_next)
    now = clock().now()
    db = uow().session
    user = accounts.user_by_username(db, username) if username else None
    window_start = now - current_app.config["LOGIN_FAILURE_WINDOW"]
    minutes = int(current_app.config["LOGIN_FAILURE_WINDOW"] / timedelta(minutes=1))
    if accounts.recent_failures_from(db, ip=request.remote_addr, since=window_start) >= \
            current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        abort(429, description=_("Too many failed sign-in attempts from your address. "
                                 "Try again in %(minutes)d minutes.", minutes=minutes))
    failures = accounts.recent_failures(db, username=username, user=user, ip=request.remote_addr,
                                        since=window_start)
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        abort(429, description=_("Too many failed sign-in attempts for this account from your address. "
                                 "Try again in %(minutes)d minutes.", minutes=minutes))
    matched = password_matches(user.password_hash if user else None, password)
    begin_writing()  # the checks above read; the password's check is not held under the lock
    accounts.record_sign_in(db, succeeded=matched, username=username, user=user,
                            ip=request.remote_addr, user_agent=request.user_agent.string, at=now)
    if not matched:
        uow().commit()
        error = _("Wrong username or password.")
        return render_template("auth/login.html", next=next_url, username=username, error=error, resume=resume), 200
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    uow().commit()
    start_session(user)
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    # Someone else signing in at the same browser does not send the form in their name.
    if resume is not None and resume.username == user.username:
        return offer_to_send(resume)
    return redirect(safe_next(next_url))


@bp.post("/logout")
def logout():
    """Sign out and forget the session."""
    if g.user is not None:
        accounts.record_sign_out(begin_writing().session, user=g.user, ip=request.remote_addr,
                                 user_agent=request.user_agent.string, at=clock().now())
        uow().commit()
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def switch_language():
    """Change the interface language (and remember it for a signed-in user).

    The buttons of a page holding a form being filled in send that form, with the language and the form's
    address in the query (base.html): the answer is that form again, in the new language, with what was typed.
    """
    # The query never holds the form's own fields, one of which may well be called "language".
    typed = "language" in request.args
    chosen = request.args if typed else request.form
    try:
        language = Language(chosen.get("language", ""))
    except ValueError:
        abort(400, description=_("Unknown language."))
    session[LANGUAGE_KEY] = language.value
    if g.user is not None:
        accounts.set_language(begin_writing().session, g.user.id, language)
        uow().commit()
        g.user = replace(g.user, language=language.value)
    refresh_language()  # this very answer may be a page, in the new language
    if typed:
        return typed_form_again(safe_next(chosen.get("next")), safe_next)
    return redirect(safe_next(chosen.get("next")))


@bp.get("/account/password")
@login_required
def password():
    """The form to change one's password (an initial password made by an administrator, for one)."""
    return render_template("auth/password.html", errors={})


@bp.post("/account/password")
@login_required
def change_password():
    """Check the current password, then store the new one."""
    current = request.form.get("current_password", "")[:MAX_PASSWORD]
    new = request.form.get("new_password", "")[:MAX_PASSWORD]
    errors = {}
    user = accounts.user_by_id(uow().session, g.user.id)
    if not password_matches(user.password_hash, current):
        errors["current_password"] = [_("This is not your current password.")]
    if len(new) < MIN_PASSWORD:
        errors["new_password"] = [_("Choose a password of at least %(count)d characters.", count=MIN_PASSWORD)]
    elif new == current:
        errors["new_password"] = [_("Choose a password other than the current one.")]
    elif new != request.form.get("new_password_again", ""):
        errors["new_password_again"] = [_("The two new passwords differ.")]
    if errors:
        return render_template("auth/password.html", errors=errors), 422
    # Every session ends, this one too: it goes on under a new id (whoever held the old cookie is out).
    tokens = accounts.change_password(begin_writing().session, user_id=g.user.id, new_hash=hash_password(new),
                                      ip=request.remote_addr, user_agent=request.user_agent.string, at=clock().now())
    uow().commit()
    start_session(user)
    if tokens:
        flash(_("Your password was changed. Your API tokens were revoked with the old password: make new ones "
                "for the scripts that need them."), "info")
    else:
        flash(_("Your password was changed."), "info")
    return redirect(url_for("dashboard.home"))


@bp.get("/account/tokens")
@login_required
def tokens():
    """The user's API tokens (never their values, which are shown once)."""
    return render_template("auth/tokens.html", tokens=accounts.tokens_of(uow().session, g.user.id), new=None)


@bp.post("/account/tokens")
@login_required
def create_token():
    """Create a token and show it this one time."""
    name = request.form.get("name", "").strip()
    if not name or len(name) > MAX_TOKEN_NAME:
        abort(422, description=_("Give the token a name of at most %(count)d characters.", count=MAX_TOKEN_NAME))
    token = new_token()
    accounts.add_token(begin_writing().session, user_id=g.user.id, name=name, digest=token_hash(token), at=clock().now())
    uow().commit()
    return render_template("auth/tokens.html", tokens=accounts.tokens_of(uow().session, g.user.id), new=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens."""
    if not accounts.revoke_token(begin_writing().session, user_id=g.user.id, token_id=token_id):
        abort(404)
    uow().commit()
    flash(_("The token was revoked."), "info")
    return redirect(url_for("auth.tokens"))
