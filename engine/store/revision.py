"""`python -m engine.store.revision "what changed"`: write the next migration after a model change."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from engine.store.db import make_engine
from engine.store.migrate import alembic_config, upgrade_database


def new_revision(message: str) -> None:
    """Generate the next migration by comparing the models with a scratch database at the current head."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'head.sqlite'}")
        upgrade_database(engine)
        number = len(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())) + 1
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=f"{number:04d}")
        engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].strip():
        sys.exit('usage: python -m engine.store.revision "what changed"')
    new_revision(sys.argv[1])
