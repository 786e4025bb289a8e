"""Who hears about an event, and how: recipient rules in the outbox payload, channel preferences.

An outbox payload names its recipients by rule, never by address, under `"recipients"`:

    {"user": 12}                                        one user
    {"role": "supervisor", "organisation": 5}           users holding a role in an organisation
    {"group": "provider_focal_point", "organisation": 5}  a candidate group (role name or extra group)
    {"role": "coordinator"}                             without "organisation": everywhere
    {"coordinators": true}                              the MNR coordinators

Without `"recipients"`, `default_rules` derives them from the ids the services' payloads carry.

A user's `notification_prefs` chooses channels and digest delivery:
`{"email": true, "in_app": true, "webhook": false, "digest": false}` (these are the defaults).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.domain import DeliveryChannel, Role
from engine.errors import NotificationError
from engine.store.models import CaseRow, ReferralRow, User, UserGroup, UserRole
from notifications.context import canonical_event

# Alerts that lose their point if they wait for tomorrow's digest.
URGENT_EVENTS = frozenset(
    {"escalation_level_1", "escalation_level_2", "escalation_level_3", "escalation_handed_over", "consent_withdrawn",
     "deadline_approaching"}
)
_DEFAULT_PREFS = {"email": True, "in_app": True, "webhook": False, "digest": False}
# Email about work offered to a whole group: nobody by default, and those who choose it get it
# in the daily digest unless they ask for it at once. The group's in-app item is one row.
GROUP_TASK_EMAIL = ("off", "digest", "now")
_LOCAL_ZONE = ZoneInfo("Africa/Douala")


@dataclass(frozen=True)
class Preferences:
    """The channels a user wants, and whether non-urgent emails wait for the daily digest."""

    channels: frozenset[DeliveryChannel]
    digest: bool
    group_tasks: str = "off"  # one of GROUP_TASK_EMAIL


def preferences_of(user: User) -> Preferences:
    """A user's channel choices, defaults filled in; email only when the user has an address."""
    stored = user.notification_prefs if isinstance(user.notification_prefs, Mapping) else {}
    prefs = {name: bool(stored.get(name, default)) for name, default in _DEFAULT_PREFS.items()}
    channels = {channel for channel in DeliveryChannel if prefs.get(channel.value)}
    if not user.email:
        channels.discard(DeliveryChannel.EMAIL)
    group_tasks = stored.get("group_tasks")
    group_tasks = group_tasks if group_tasks in GROUP_TASK_EMAIL else "off"
    return Preferences(channels=frozenset(channels), digest=prefs["digest"], group_tasks=group_tasks)


def resolve_recipients(session: Session, rules: object) -> list[User]:
    """The active users the rules name, each once, in id order; NotificationError on a bad rule."""
    return resolve_many(session, {0: rules})[0]


def resolve_many(session: Session, rules_by_key: Mapping[object, object]) -> dict[object, list[User] | NotificationError]:
    """Recipients of many events at once: one query for all user rules, one per distinct other rule.

    A key whose rules are invalid maps to its NotificationError instead of a list (with
    resolve_recipients, the error is raised).
    """
    checked: dict[object, list[Mapping] | NotificationError] = {}
    for key, rules in rules_by_key.items():
        try:
            checked[key] = _rule_list(rules)
        except NotificationError as error:
            checked[key] = error
    wanted_ids = {
        _id(rule, "user") for rules in checked.values() if isinstance(rules, list) for rule in rules if "user" in rule
    }
    by_id = {user.id: user for user in session.scalars(_active().where(User.id.in_(wanted_ids)))} if wanted_ids else {}
    by_rule: dict[str, list[User]] = {}
    resolved: dict[object, list[User] | NotificationError] = {}
    for key, rules in checked.items():
        if isinstance(rules, NotificationError):
            resolved[key] = rules
            continue
        found: dict[int, User] = {}
        try:
            for rule in rules:
                if "user" in rule:
                    user = by_id.get(rule["user"])
                    users = [user] if user is not None else []
                else:
                    cache_key = repr(sorted(rule.items()))
                    if cache_key not in by_rule:
                        by_rule[cache_key] = list(session.scalars(_query(rule)))
                    users = by_rule[cache_key]
                for user in users:
                    found.setdefault(user.id, user)
        except NotificationError as error:
            resolved[key] = error
            continue
        resolved[key] = [found[user_id] for user_id in sorted(found)]
    return resolved


def _rule_list(rules: object) -> list[Mapping]:
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise NotificationError("outbox payload: 'recipients' must be a list of rules")
    for rule in rules:
        if not isinstance(rule, Mapping):
            raise NotificationError(f"recipient rule must be a mapping, not {type(rule).__name__}")
        if "user" in rule:
            _id(rule, "user")
    return rules


def _active():
    return select(User).where(User.active.is_(True))


def _query(rule: Mapping):
    active = _active()
    if rule.get("coordinators") is True:
        return active.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.COORDINATOR)))
    if "role" in rule:
        try:
            role = Role(rule["role"])
        except ValueError:
            raise NotificationError(f"recipient rule: unknown role {rule['role']!r}") from None
        query = active.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    elif "group" in rule:
        group = rule["group"]
        if not isinstance(group, str) or not group:
            raise NotificationError("recipient rule: 'group' must be a group name")
        by_role = select(UserRole.user_id).where(UserRole.role.in_([r for r in Role if r.value == group]))
        by_group = select(UserGroup.user_id).where(UserGroup.group_name == group)
        query = active.where(or_(User.id.in_(by_role), User.id.in_(by_group)))
    else:
        raise NotificationError(f"recipient rule {sorted(rule)} names no user, role, group or coordinators")
    if rule.get("organisation") is not None:
        query = query.where(User.organisation_id == _id(rule, "organisation"))
    return query


def _id(rule: Mapping, name: str) -> int:
    value = rule[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotificationError(f"recipient rule: {name!r} must be a numeric id")
    return value


_REFERRAL_ANSWERS = frozenset(
    {"referral_acknowledged", "referral_accepted", "referral_declined", "referral_redirected", "service_reported"}
)


def default_rules(session: Session, event: str, payload: Mapping, case_id: int | None) -> list[dict]:
    """Recipients of an event whose payload names none, from the ids it carries.

    A task goes to its assignee, else to its candidate groups in its organisation; a new
    referral to the provider's focal points; a provider's answer to whoever sent the referral;
    an expired or withdrawn referral to the case's caseworkers and the provider's focal points; a consent
    withdrawal to the focal points of the providers whose referrals it revoked; a closure to whoever
    opened the case.
    """
    event = canonical_event(event)
    case = session.get(CaseRow, case_id) if case_id is not None else None
    if event == "task_assigned":
        if _is_id(payload.get("assignee_id")):
            return [{"user": payload["assignee_id"]}]
        organisation = payload.get("organisation_id") if _is_id(payload.get("organisation_id")) else None
        organisation = organisation or (case.organisation_id if case is not None else None)
        groups = payload.get("candidate_groups") or []
        if organisation is None:
            return []  # never every caseworker of every organisation
        return [{"group": group, "organisation": organisation} for group in groups if isinstance(group, str) and group]
    if event == "referral_received" and _is_id(payload.get("provider_organisation_id")):
        return [{"role": Role.PROVIDER_FOCAL_POINT.value, "organisation": payload["provider_organisation_id"]}]
    if event in _REFERRAL_ANSWERS:
        referral = session.get(ReferralRow, payload["referral_id"]) if _is_id(payload.get("referral_id")) else None
        sender = referral.created_by_id if referral is not None else None
        sender = sender or (case.created_by_id if case is not None else None)
        return [{"user": sender}] if sender is not None else []
    if event in ("referral_expired", "referral_withdrawn"):
        # The caseworkers choose what happens to the need next; the provider's focal points learn
        # that the referral, and their access to the person's data, ended.
        rules = [{"role": Role.CASEWORKER.value, "organisation": case.organisation_id}] if case is not None else []
        if _is_id(payload.get("provider_organisation_id")):
            rules.append({"role": Role.PROVIDER_FOCAL_POINT.value, "organisation": payload["provider_organisation_id"]})
        return rules
    if event == "consent_withdrawn":
        providers = payload.get("provider_organisation_ids") or []
        return [{"role": Role.PROVIDER_FOCAL_POINT.value, "organisation": oid} for oid in providers if _is_id(oid)]
    if event == "case_closed" and case is not None and case.created_by_id is not None:
        return [{"user": case.created_by_id}]
    return []


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def group_task_of(event: str, payload: Mapping) -> str | None:
    """The task id when the event offers a task to whole groups (nobody in particular), else None."""
    if canonical_event(event) != "task_assigned" or _is_id(payload.get("assignee_id")):
        return None
    task_id, groups = payload.get("task_id"), payload.get("candidate_groups")
    if isinstance(task_id, str) and task_id and isinstance(groups, list) and groups:
        return task_id
    return None


def is_digest(event: str, user: User, group_task: bool = False) -> bool:
    """Whether this user's email about this event waits for the daily digest."""
    prefs = preferences_of(user)
    if group_task:
        return prefs.group_tasks != "now"
    return prefs.digest and event not in URGENT_EVENTS


def first_attempt_at(event: str, channel: DeliveryChannel, prefs: Preferences, now: datetime, digest_hour: int,
                     group_task: bool = False) -> datetime:
    """When a new delivery is first due: now, or the next digest hour for a digest user's email."""
    if channel is not DeliveryChannel.EMAIL:
        return now
    if group_task:
        if prefs.group_tasks == "now":
            return now
    elif not prefs.digest or event in URGENT_EVENTS:
        return now
    local = now.astimezone(_LOCAL_ZONE)
    due = datetime.combine(local.date(), time(digest_hour), tzinfo=_LOCAL_ZONE)
    if due <= local:
        due += timedelta(days=1)
    return due.astimezone(timezone.utc)


def enabled_channels(prefs: Preferences, available: Iterable[DeliveryChannel], group_task: bool = False) -> list[DeliveryChannel]:
    """The channels this installation has and the user wants, in a stable order.

    For a group task only the user's own outside channels, if they chose group-task email: the
    in-app item is the group's one row.
    """
    if group_task:
        if prefs.group_tasks == "off":
            return []
        return [channel for channel in enabled_channels(prefs, available) if channel is not DeliveryChannel.IN_APP]
    return [channel for channel in DeliveryChannel if channel in prefs.channels and channel in set(available)]
