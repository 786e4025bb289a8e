"""What every command needs: the application's parts, and errors reported as one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import DBAPIError

from engine.bootstrap import Container, build
from engine.errors import AiguillageError


def command_container() -> Container:
    """The container passed as `obj` (tests), or one built from AIGUILLAGE_* variables."""
    context = click.get_current_context()
    given = context.find_object(Container)
    if given is not None:
        return given
    with one_line_errors():
        built = build()
    context.call_on_close(built.dispose)
    return built


def require_current_schema(container: Container) -> None:
    """Stop with one line unless the database is at this code's revision (a server or scheduler would
    otherwise start and fail on every request or job)."""
    from engine.store.migrate import current_revision, head_revision

    where = container.engine.url.render_as_string(hide_password=True)
    try:
        revision = current_revision(container.engine)
    except Exception as error:  # noqa: BLE001 - unreachable server, bad URL, permissions: one line
        raise click.ClickException(f"cannot reach the database {where}: {str(error).strip().splitlines()[0]}") from error
    if revision != head_revision():
        raise click.ClickException(f"the database {where} is not initialised or not up to date: run `aiguillage init`")


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Report the engine's errors, and a database not yet initialised, as one line on stderr (exit 1)."""
    try:
        yield
    except AiguillageError as error:
        raise click.ClickException(error_words(error)) from error
    except DBAPIError as error:
        text = database_message(error)
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            raise click.ClickException("the database is not initialised; run `aiguillage init` first") from error
        raise click.ClickException(f"database error: {text}") from error


def error_words(error: AiguillageError) -> str:
    """An engine error in the command's language: English as the engine words it; in another language,
    the catalog's sentence for its kind, then the engine's detail (which names the thing) in brackets."""
    from webui.cli.language import cli_language, in_cli_language

    if cli_language() == "en":
        return str(error)
    from webui.engine_messages import error_message

    with in_cli_language():
        return f"{error_message(error)} ({error})"


def database_message(error: BaseException) -> str:
    """The first line of what the database driver said, without SQLAlchemy's decoration."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
