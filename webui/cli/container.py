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
    built = build()
    context.call_on_close(built.dispose)
    return built


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Report the engine's errors, and a database not yet initialised, as one line on stderr (exit 1)."""
    try:
        yield
    except AiguillageError as error:
        raise click.ClickException(str(error)) from error
    except DBAPIError as error:
        text = str(error.orig)
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            raise click.ClickException("the database is not initialised; run `aiguillage init` first") from error
        raise click.ClickException(f"database error: {text.strip().splitlines()[0] if text.strip() else type(error.orig).__name__}") from error
