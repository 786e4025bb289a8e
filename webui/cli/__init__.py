"""The `aiguillage` command line: operations and scripting entry points."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Aiguillage: workflow engine for referral pathways."""
