"""Aiguillage web application (thin Flask layer over the engine services)."""

from __future__ import annotations

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the web application; nothing is created at import time."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(SECRET_KEY=None)
    if config:
        app.config.update(config)

    @app.get("/healthz")
    def healthz():
        """Liveness probe."""
        return {"status": "ok"}

    return app
