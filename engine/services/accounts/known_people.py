"""People as a reader may know them: who holds a task, who did something on a case or a referral.

One rule for every page, list and export that names such a person (`engine.access.can_know_person`): the
reader sees the person's name where they may know the person (themself, their own organisation's people;
coordinators everyone). Otherwise the person is said to be "someone at" their organisation when the reader
may know that organisation in the context at hand (a case names its own organisation and the providers its
referrals went to; the mechanism's secretariat, whose coordinators every case's escalations reach, is known
to all), and "someone else" when not even that.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select

from engine.access import Actor, can_know_person
from engine.store.models import Organisation, ReferralRow, User


@dataclass(frozen=True)
class Who:
    """A person as the reader may know them: named, only their organisation, or neither ("someone else")."""

    name: str | None = None  # display name, where the reader may know the person
    username: str | None = None  # likewise
    organisation: str | None = None  # the person's organisation, where only that may be known


def people_known_to(session, actor: Actor, user_ids: Iterable[int | None],
                    known_organisations: Collection[int] = ()) -> dict[int, Who]:
    """How the reader may know each of these users (user id -> Who); `known_organisations` are those the
    context already names to the reader (see `organisations_named_by_case`)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.username, User.display_name, User.organisation_id, Organisation.name,
               Organisation.is_secretariat)
        .join(Organisation, Organisation.id == User.organisation_id).where(User.id.in_(ids))
    )
    people = {}
    for user_id, username, display_name, organisation_id, organisation, is_secretariat in rows:
        if can_know_person(actor, user_id, organisation_id):
            people[user_id] = Who(name=display_name, username=username)
        elif organisation_id in known_organisations or is_secretariat:
            people[user_id] = Who(organisation=organisation)
        else:
            people[user_id] = Who()
    return people


def organisations_named_by_case(session, case, referrals: Iterable[ReferralRow] | None = None) -> frozenset[int]:
    """The organisations a case names to whoever may see it: its own, and every provider a referral of it went
    to (`referrals`: the case's referral rows, when already read)."""
    if referrals is None:
        providers = session.scalars(select(ReferralRow.provider_organisation_id).where(ReferralRow.case_id == case.id))
    else:
        providers = (referral.provider_organisation_id for referral in referrals)
    return frozenset({case.organisation_id, *(provider for provider in providers if provider is not None)})
