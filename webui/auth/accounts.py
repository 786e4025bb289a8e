"""The store queries signing in needs: users by name or id, API tokens, the audit of sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from engine.domain import Language
from engine.services.accounts.creation import replace_password
from engine.store.models import ApiToken, AuditEntry, User, UserSession
from webui.auth.signed_in_user import SignedInUser

SIGN_IN_FAILED = "sign_in.failed"
SIGNED_IN = "sign_in.succeeded"
SIGNED_OUT = "sign_out"
PASSWORD_CHANGED = "account.password_changed"


def _with_roles(query):
    return query.options(selectinload(User.role_rows), selectinload(User.group_rows), selectinload(User.organisation))


def user_by_username(session: Session, username: str) -> User | None:
    """The active user called `username`, if any."""
    return session.scalars(
        _with_roles(select(User).where(User.username == username, User.active.is_(True)))
    ).one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    """The active user with this id, if any."""
    return session.scalars(
        _with_roles(select(User).where(User.id == user_id, User.active.is_(True)))
    ).one_or_none()


def user_by_token_hash(session: Session, digest: str) -> tuple[User, datetime | None] | None:
    """The active owner of the API token with this hash, and when the token was last used."""
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).one_or_none()
    if token is None:
        return None
    user = user_by_id(session, token.user_id)
    return (user, token.last_used_at) if user is not None else None


def touch_token(session: Session, digest: str, at: datetime) -> None:
    """Note that the token with this hash was used at `at`."""
    session.execute(update(ApiToken).where(ApiToken.token_hash == digest).values(last_used_at=at))


def touch_session(session: Session, digest: str, at: datetime) -> None:
    """Note that the signed-in session with this hash was seen at `at` (it ages from then)."""
    session.execute(update(UserSession).where(UserSession.token_hash == digest).values(last_seen_at=at))


def _audit(session: Session, action: str, *, user_id: int | None, object_id: str, ip: str | None,
           user_agent: str | None, at: datetime, details: dict | None = None) -> None:
    session.add(
        AuditEntry(at=at, user_id=user_id, action=action, object_type="user", object_id=object_id[:100],
                   ip=ip, user_agent=(user_agent or "")[:512] or None, details=details or {})
    )


def record_sign_in(session: Session, *, succeeded: bool, username: str, user: User | None,
                   ip: str | None, user_agent: str | None, at: datetime) -> None:
    """Append a sign-in attempt to the audit log (failed attempts also feed the throttle)."""
    _audit(session, SIGNED_IN if succeeded else SIGN_IN_FAILED, user_id=user.id if user else None,
           object_id=username, ip=ip, user_agent=user_agent, at=at)
    if succeeded and user is not None:
        user.last_login_at = at


def record_sign_out(session: Session, *, user: SignedInUser, ip: str | None, user_agent: str | None,
                    at: datetime) -> None:
    """Append a sign-out to the audit log."""
    _audit(session, SIGNED_OUT, user_id=user.id, object_id=user.username, ip=ip, user_agent=user_agent, at=at)


def recent_failures(session: Session, *, username: str, user: User | None, ip: str | None,
                    since: datetime) -> int:
    """Failed sign-ins for this username from this address since `since` and the last success."""
    # user_id leads the (user_id, at) index; failures for unknown names share user_id NULL.
    owner = AuditEntry.user_id == user.id if user else AuditEntry.user_id.is_(None)
    same = (owner, AuditEntry.object_id == username[:100], AuditEntry.ip == ip, AuditEntry.at >= since)
    # Ids, not times, order the attempts: several can share one clock reading.
    last_success = session.scalar(select(func.max(AuditEntry.id)).where(*same, AuditEntry.action == SIGNED_IN))
    failed = select(func.count()).select_from(AuditEntry).where(*same, AuditEntry.action == SIGN_IN_FAILED)
    if last_success is not None:
        failed = failed.where(AuditEntry.id > last_success)
    return session.scalar(failed) or 0


def recent_failures_from(session: Session, *, ip: str | None, since: datetime) -> int:
    """Failed sign-ins from this address since `since`, whatever the username (a success resets nothing)."""
    return session.scalar(
        select(func.count()).select_from(AuditEntry)
        .where(AuditEntry.action == SIGN_IN_FAILED, AuditEntry.ip == ip, AuditEntry.at >= since)
    ) or 0


def set_language(session: Session, user_id: int, language: Language) -> None:
    """Remember the user's interface language."""
    user = session.get(User, user_id)
    if user is not None:
        user.language = language


def change_password(session: Session, *, user_id: int, new_hash: str, ip: str | None, user_agent: str | None,
                    at: datetime) -> int:
    """Store the user's new password hash, end all their sessions and revoke their API tokens, audited (the
    caller checked the old one); returns how many tokens were revoked."""
    user = session.get(User, user_id)
    # Their own choice now: nothing is held back any more.
    tokens = replace_password(session, user, new_hash, False, at)
    _audit(session, PASSWORD_CHANGED, user_id=user.id, object_id=user.username, ip=ip, user_agent=user_agent, at=at,
           details={"api_tokens_revoked": tokens})
    return tokens


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """The user's API tokens, newest first."""
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc()))
    )


def add_token(session: Session, *, user_id: int, name: str, digest: str, at: datetime) -> ApiToken:
    """Store a new token's hash for the user."""
    token = ApiToken(user_id=user_id, name=name, token_hash=digest, created_at=at)
    session.add(token)
    return token


def revoke_token(session: Session, *, user_id: int, token_id: int) -> bool:
    """Delete one of the user's tokens; False when it is not theirs or does not exist."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        return False
    session.delete(token)
    return True


def open_session(session: Session, *, user_id: int, digest: str, ip: str | None, user_agent: str | None,
                 at: datetime) -> None:
    """Record a new signed-in session (by its token's hash)."""
    session.add(UserSession(token_hash=digest, user_id=user_id, created_at=at, last_seen_at=at,
                            ip=ip, user_agent=(user_agent or "")[:512] or None))


def live_session(session: Session, digest: str) -> UserSession | None:
    """The session with this token hash, unless it has ended."""
    return session.scalars(
        select(UserSession).where(UserSession.token_hash == digest, UserSession.ended_at.is_(None))
    ).one_or_none()


def close_session(session: Session, digest: str, at: datetime) -> None:
    """End the session with this token hash for good."""
    session.execute(
        update(UserSession).where(UserSession.token_hash == digest, UserSession.ended_at.is_(None)).values(ended_at=at)
    )
