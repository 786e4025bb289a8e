"""`aiguillage serve` (production WSGI server) and `aiguillage demo` (everything on SQLite, one command)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask

from engine.bootstrap import Container, Settings, build
from engine.errors import AiguillageError, PathwayInvalid
from webui import create_app
from webui.cli.container import command_container, require_current_schema

DEMO_PATHWAY = "cameroon-nrm"
SECRET_FILE = "demo-secret-key"
SHOWN_PROBLEMS = 10
# Local trials are served without TLS: cookies and generated links must not insist on HTTPS.
PLAIN_HTTP = {"SESSION_COOKIE_SECURE": False, "PREFERRED_URL_SCHEME": "http"}


def _serve(app: Flask, host: str, port: int, threads: int) -> None:
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads, ident="aiguillage")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--insecure-dev", is_flag=True,
              help="Local development only: a throwaway secret key and cookies over plain HTTP.")
def serve(host: str, port: int, threads: int, insecure_dev: bool) -> None:
    """Serve the web application with waitress (a production WSGI server)."""
    config: dict = {}
    if insecure_dev:
        config.update(PLAIN_HTTP)
        if not os.environ.get("AIGUILLAGE_SECRET_KEY"):
            config["SECRET_KEY"] = secrets.token_urlsafe(48)
    elif not os.environ.get("AIGUILLAGE_SECRET_KEY"):
        raise click.ClickException(
            "AIGUILLAGE_SECRET_KEY is not set: set it to a long random value "
            "(for a local trial only, use --insecure-dev or `aiguillage demo`)"
        )
    container = command_container()
    require_current_schema(container)
    try:
        app = create_app(config, container=container)
    except AiguillageError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Aiguillage listening on http://{host}:{port}/")
    click.echo(_serving_line(app, container))
    _serve(app, host, port, threads)


def _serving_line(app: Flask, container) -> str:
    """What a signed-in session depends on, said once at start: which database, and whether the session
    cookie needs HTTPS (over plain HTTP a browser or curl would not send it back, and sign-in would
    silently lead back to the sign-in page)."""
    where = container.engine.url.render_as_string(hide_password=True)
    base_url = container.settings.base_url
    if app.config.get("SESSION_COOKIE_SECURE"):
        cookie = ("session cookie over HTTPS only: sign in through the HTTPS proxy "
                  "(a plain-HTTP trial sets AIGUILLAGE_BASE_URL=http://...)")
    else:
        cookie = "session cookie over plain HTTP too"
    return f"database {where}; links in notifications to {base_url}; {cookie}"


@dataclass
class Demo:
    """A demo installation ready to serve."""

    app: Flask
    container: Container
    usernames: list[str]
    password: str


def _demo_secret(instance_dir: Path) -> str:
    # Kept in the instance folder so that restarting the demo does not sign everyone out.
    path = instance_dir / SECRET_FILE
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def prepare_demo(instance_dir: Path, base_url: str, echo=click.echo, cases: bool = True) -> Demo:
    """Migrate the demo database, make it a training installation, publish the demo pathway, load demo users,
    open the demo cases on a new database (unless `cases` is False); build the app."""
    from engine.pathways.folder import load_source
    from engine.services.pathways.publishing import publish_pathway
    from engine.services.installation.training_clock import start_training_mode
    from engine.store.migrate import upgrade_database
    from engine.services.installation.demo_cases import open_demo_cases
    from engine.store.seed import demo_cases, load_demo_data

    settings = Settings(instance_dir=instance_dir, database_url=f"sqlite:///{instance_dir / 'demo.sqlite'}",
                        base_url=base_url)
    container = build(settings)
    upgrade_database(container.engine)
    # The demo is where people learn: its clock can be moved forward (`aiguillage clock forward`).
    start_training_mode(container.uow(), container.clock.real)
    try:
        source = load_source(settings.pathways_dir / DEMO_PATHWAY)
        result = publish_pathway(container.uow(), source, container.clock)
        state = "published" if result.created else "already published"
        echo(f"Pathway {DEMO_PATHWAY} v{result.version} {state}.")
    except PathwayInvalid as error:
        echo(f"warning: {error}; the demo runs without it", err=True)
        for problem in error.problems[:SHOWN_PROBLEMS]:
            echo(f"  {problem}", err=True)
        if len(error.problems) > SHOWN_PROBLEMS:
            echo(f"  ... and {len(error.problems) - SHOWN_PROBLEMS} more (aiguillage pathway validate)", err=True)
    except AiguillageError as error:
        echo(f"warning: pathway {DEMO_PATHWAY} not published: {error}", err=True)
    seed = load_demo_data(container.uow(), container.clock)
    if cases:
        opened = open_demo_cases(container.uow, container.clock, demo_cases())
        if opened.opened:
            echo(f"Demo cases opened: {', '.join(opened.opened)}.")
        for failure in opened.failures:
            echo(f"warning: {failure}", err=True)
    app = create_app(
        {"SECRET_KEY": _demo_secret(instance_dir), "BASE_URL": base_url, **PLAIN_HTTP},
        container=container,
    )
    return Demo(app, container, seed.usernames, seed.password)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--instance", "instance_dir", default="instance", show_default=True, envvar="AIGUILLAGE_INSTANCE_DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo database (default: AIGUILLAGE_INSTANCE_DIR, else instance).")
@click.option("--no-serve", is_flag=True, help="Prepare the demo database and exit, without starting the server.")
def demo(host: str, port: int, instance_dir: Path, no_serve: bool) -> None:
    """Run a demo on SQLite: demo pathway, organisations and users (fictional data), on a training clock."""
    url = f"http://{host}:{port}/"
    prepared = prepare_demo(instance_dir, url.rstrip("/"))
    click.echo("")
    if no_serve:
        prepared.container.dispose()
        click.echo(f"Aiguillage demo database ready: {instance_dir / 'demo.sqlite'} (its clock can be moved forward)")
    else:
        click.echo(f"Aiguillage demo: open {url}")
    click.echo(f"Every demo account's password is: {prepared.password}")
    click.echo("Demo accounts: " + ", ".join(prepared.usernames))
    click.echo("(Demo data only: never enter real personal data here.)")
    if no_serve:
        return
    # The demo is one process: deadlines are swept and notifications sent from inside it.
    from engine.scheduler import start_in_process, stop_in_process

    start_in_process(prepared.container)
    try:
        _serve(prepared.app, host, port, threads=8)
    finally:
        stop_in_process()
