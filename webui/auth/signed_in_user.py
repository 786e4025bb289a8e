"""Who is making the request, as a small immutable value detached from the database session."""

from __future__ import annotations

from dataclasses import dataclass

from engine.access import Actor
from engine.domain import Role


@dataclass(frozen=True)
class SignedInUser:
    """The user behind the current request, with what pages need to know about them."""

    id: int
    username: str
    display_name: str
    language: str
    organisation_id: int
    organisation_name: str
    roles: frozenset[Role]
    groups: frozenset[str]
    must_change_password: bool = False  # signed in with a password someone else chose

    def has_role(self, role: Role) -> bool:
        """Whether the user holds `role` in their organisation."""
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        """Whether the user manages users and organisations."""
        return Role.ADMIN in self.roles

    @property
    def actor(self) -> Actor:
        """The engine's view of this user, which every service and access rule takes."""
        return Actor(id=self.id, username=self.username, organisation_id=self.organisation_id,
                     roles=self.roles, groups=self.groups)

    @classmethod
    def of(cls, user) -> SignedInUser:
        """Snapshot a stored user (and their organisation and roles)."""
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            language=str(user.language.value if hasattr(user.language, "value") else user.language),
            organisation_id=user.organisation_id,
            organisation_name=user.organisation.name,
            roles=frozenset(user.roles),
            groups=frozenset(user.groups),
            must_change_password=user.must_change_password,
        )
