"""The `aiguillage` command line: operations and scripting entry points."""

from __future__ import annotations

import click

from webui.cli.language import MAIN_LANG_OPTION


@click.group()
@MAIN_LANG_OPTION
def main() -> None:
    """Aiguillage: workflow engine for referral pathways."""


def _register_commands() -> None:
    # Each area adds its command group in its own module.
    from webui.cli.pathway import pathway

    main.add_command(pathway)

    from webui.cli import admin, pathway_versions

    for command in (admin.init, admin.user, admin.org):
        main.add_command(command)
    for command in pathway_versions.COMMANDS:
        pathway.add_command(command)

    from webui.cli import pathway_test  # noqa: F401 - registers `pathway test` on import

    from webui.cli.notify import notify

    main.add_command(notify)

    from webui.cli.cases import case, task

    main.add_command(case)
    main.add_command(task)

    from webui.cli.scheduler import scheduler

    main.add_command(scheduler)

    from webui.cli.directory import directory

    main.add_command(directory)

    from webui.cli.clock import clock

    main.add_command(clock)

    from webui.cli.audit import audit

    main.add_command(audit)

    from webui.cli.retention import retention

    main.add_command(retention)

    from webui.cli.serve import demo, serve

    main.add_command(serve)
    main.add_command(demo)


_register_commands()
