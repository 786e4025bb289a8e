"""`aiguillage init`, `aiguillage user create`, `aiguillage org create`: operating the installation."""

from __future__ import annotations

import sys

import click

from engine.domain import Language, OrganisationKind, Role
from engine.services.accounts.actors import load_actor
from engine.services.accounts.administration import MIN_PASSWORD, list_accounts
from engine.services.accounts.creation import create_organisation, create_user, set_password
from engine.store.migrate import upgrade_database
from webui.cli.container import command_container, database_message, one_line_errors


@click.command("init")
def init() -> None:
    """Create the database's tables, or upgrade them to this version's schema (safe to run again).

    The database is AIGUILLAGE_DATABASE_URL's (postgresql://user@host/dbname, created beforehand with
    createdb), else the SQLite file instance/aiguillage.sqlite."""
    container = command_container()
    where = container.engine.url.render_as_string(hide_password=True)
    try:
        before, after = upgrade_database(container.engine)
    except Exception as error:  # noqa: BLE001 - unreachable server, bad URL, permissions: one line
        message = database_message(error)
        if container.engine.dialect.name == "postgresql" and "database" in message and "does not exist" in message:
            # `init` makes the tables, not the PostgreSQL database itself: an administrator of the server does.
            message += f" (create it first: createdb -h HOST -U ADMIN -O {container.engine.url.username or 'OWNER'} " \
                       f"{container.engine.url.database})"
        raise click.ClickException(f"cannot initialise the database {where}: {message}") from error
    if before is None:
        click.echo(f"Created the database {where} (schema {after}).")
    elif before == after:
        click.echo(f"The database {where} is already up to date (schema {after}).")
    else:
        click.echo(f"Upgraded the database {where} from schema {before} to {after}.")


@click.group("user")
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("username")
@click.option("--org", "organisation", required=True, help="Slug of the user's organisation.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]), help="Repeat for several roles.")
@click.option("--name", "display_name", help="Full name shown to others (default: the username).")
@click.option("--email")
@click.option("--language", type=click.Choice([lang.value for lang in Language]), default=Language.FR.value, show_default=True)
@click.option("--group", "groups", multiple=True, help="Extra candidate group; repeat for several.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input; "
              "its owner must replace it at their first sign-in.")
@click.option("--keep-password", is_flag=True, help="The password is the owner's own choice (say, an operator "
              "making their own account): no change is asked for at first sign-in.")
def create_user_command(username, organisation, roles, display_name, email, language, groups, password_stdin,
                        keep_password) -> None:
    """Create a user in an organisation with one or more roles."""
    password = _password_from_stdin() if password_stdin else None
    # Whoever typed it knows it: unless it is their own account, its owner chooses another.
    must_change = password is not None and not keep_password
    container = command_container()
    with one_line_errors():
        create_user(
            container.uow(), container.clock, username, organisation, [Role(r) for r in roles],
            display_name=display_name, email=email, language=Language(language), password=password, groups=groups,
            must_change_password=must_change,
        )
    if password is None:
        # Without a password nobody can sign in as this account; say so before someone tries.
        click.echo(f"Created user {username} ({', '.join(roles)}) in {organisation}, without a password: it acts on "
                   f"the command line (--user {username}) but cannot sign in until it has one "
                   f"(`aiguillage user password {username} --password-stdin`, or a reset at /admin/users).")
        return
    click.echo(f"Created user {username} ({', '.join(roles)}) in {organisation}."
               + (" They choose their own password at their first sign-in." if must_change else ""))


@user.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the new password from the first line of "
              "standard input; its owner must replace it at their next sign-in.")
@click.option("--keep-password", is_flag=True, help="The password is the owner's own choice (an operator's own "
              "account): no change is asked for at sign-in.")
def password_command(username, password_stdin, keep_password) -> None:
    """Give an account a new password, end its sessions and revoke its API tokens (a first administrator made without
    one, a forgotten one)."""
    password = _password_from_stdin()
    container = command_container()
    with one_line_errors():
        tokens = set_password(container.uow(), container.clock, username, password,
                              must_change_password=not keep_password)
    revoked = f" and {tokens} API token{'s' if tokens > 1 else ''} revoked" if tokens else ""
    click.echo(f"Set a new password for {username}; their open sessions ended{revoked}."
               + ("" if keep_password else " They choose their own password at their next sign-in."))


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("--password-stdin was given but standard input holds no password")
    # The same floor as the pages' (an administrator's form, one's own password change).
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password on standard input is {len(password)} characters long: "
                                   f"give at least {MIN_PASSWORD}")
    return password


@click.group("org")
def org() -> None:
    """Organisations of the mechanism."""


@org.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's full name.")
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]), default=OrganisationKind.OTHER.value, show_default=True)
@click.option("--provider", is_flag=True, help="The organisation provides services to referred persons.")
@click.option("--region", "regions", multiple=True, help="Region served; repeat for several.")
@click.option("--mou-signed", is_flag=True, help="It signed the MNR memorandum of understanding.")
@click.option("--data-sharing-signed", is_flag=True, help="It signed the data-sharing agreement.")
@click.option("--secretariat", is_flag=True, help="It is the mechanism's secretariat (one per installation): its "
              "people coordinate, author the SOPs and administer every organisation.")
def create_org_command(slug, name, kind, provider, regions, mou_signed, data_sharing_signed, secretariat) -> None:
    """Add an organisation to the directory."""
    container = command_container()
    with one_line_errors():
        create_organisation(
            container.uow(), container.clock, slug, name, kind=OrganisationKind(kind), is_provider=provider,
            regions=regions, mou_signed=mou_signed, data_sharing_signed=data_sharing_signed,
            is_secretariat=secretariat,
        )
    click.echo(f"Created organisation {slug}" + (", the mechanism's secretariat." if secretariat else "."))


@user.command("list")
@click.option("--user", "username", required=True, help="List as this administrator (their organisation's accounts, or all at the secretariat).")
def list_users_command(username: str) -> None:
    """The accounts an administrator manages: username, name, organisation, roles, active or not."""
    for account in _accounts(username).accounts:
        roles = ", ".join(sorted(role.value for role in account.roles)) or "-"
        state = "" if account.active else "  (deactivated)"
        click.echo(f"{account.username}  {account.display_name}  {account.organisation_name}  roles: {roles}{state}")


@org.command("list")
@click.option("--user", "username", required=True, help="List as this administrator.")
def list_orgs_command(username: str) -> None:
    """The organisations an administrator sees: slug, name, kind, provider, agreements signed, users."""
    for organisation in _accounts(username).organisations:
        signed = [name for name, done in (("MoU", organisation.mou_signed), ("data sharing", organisation.data_sharing_signed)) if done]
        provider = "  provider" if organisation.is_provider else ""
        click.echo(f"{organisation.slug}  {organisation.name}  {organisation.kind}{provider}"
                   f"  signed: {', '.join(signed) or 'nothing'}  users: {organisation.users}")


def _accounts(username: str):
    container = command_container()
    with one_line_errors():
        return list_accounts(container.uow(), load_actor(container.uow(), username))
