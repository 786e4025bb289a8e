"""A case's saved workflow is compressed by the engine (lz4) before it is written: bytea on PostgreSQL

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 01:10:00

Every step rewrites the saved workflow. Compressed before it leaves the engine, a small case fits in
its row's page on SQLite (no overflow page to write, free and find again at each step), and
PostgreSQL receives and stores a quarter of the bytes, with nothing left for it to compress (the
column's storage becomes EXTERNAL: kept out of line when large, never compressed again).

On PostgreSQL the column becomes bytea: the upgrade rewrites the cases table (its rows keep their
plain JSON, as bytes, until their next step), so it takes as long as copying that table, with the
table locked. SQLite keeps any value in its TEXT column: nothing is rewritten. The engine reads all
three forms (compressed bytes, plain bytes, text). A downgrade writes every compressed workflow
back as text.
"""

from __future__ import annotations

import lz4.frame
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE cases ALTER COLUMN workflow_json TYPE bytea USING convert_to(workflow_json, 'UTF8')")
        op.execute("ALTER TABLE cases ALTER COLUMN workflow_json SET STORAGE EXTERNAL")


def downgrade() -> None:
    connection = op.get_bind()
    compressed = "workflow_json IS NOT NULL" if connection.dialect.name == "postgresql" else "typeof(workflow_json) = 'blob'"
    last = 0
    while True:
        rows = connection.execute(sa.text(
            f"SELECT id, workflow_json FROM cases WHERE id > :last AND {compressed} ORDER BY id LIMIT {_BATCH}"),
            {"last": last}).all()
        if not rows:
            break
        for case_id, stored in rows:
            stored = bytes(stored)
            plain = lz4.frame.decompress(stored) if stored.startswith(b"\x04\x22\x4d\x18") else stored
            value = plain if connection.dialect.name == "postgresql" else plain.decode("utf-8")
            connection.execute(sa.text("UPDATE cases SET workflow_json = :value WHERE id = :id"),
                               {"value": value, "id": case_id})
        last = rows[-1][0]
    if connection.dialect.name == "postgresql":
        op.execute("ALTER TABLE cases ALTER COLUMN workflow_json TYPE text USING convert_from(workflow_json, 'UTF8')")
        op.execute("ALTER TABLE cases ALTER COLUMN workflow_json SET STORAGE EXTENDED")
