"""Aiguillage web application (thin Flask layer over the engine services)."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webui.config import ConfigurationError, config_from_env

MIN_SECRET_KEY_LENGTH = 32


def create_app(config: dict | None = None, container=None) -> Flask:
    """Build the web application; nothing is created at import time.

    `config` overrides what the environment says; `container` is the engine's composition
    root (built from the environment when not given).
    """
    from engine.access import can_list_cases_needing_attention, can_view_committee_report, can_view_indicators
    from engine.domain import Role
    from webui.admin.blueprint import bp as admin_bp
    from webui.api.blueprint import bp as api_bp
    from webui.api.errors import api_error
    from webui.auth.blueprint import bp as auth_bp
    from webui.audit_origin import init_audit_origin
    from webui.auth.session_user import init_session_user
    from webui.csrf import init_csrf
    from webui.dashboard.blueprint import bp as dashboard_bp
    from webui.directory.blueprint import bp as directory_bp
    from webui.error_pages import init_error_pages
    from notifications.labels import code_label
    from webui.i18n import current_language, init_i18n
    from webui.cases.blueprint import bp as cases_bp
    from webui.coordination.blueprint import bp as coordination_bp
    from webui.labels import (
        CASE_STATUS_NAMES, CHANNEL_NAMES, ESCALATION_REASON_NAMES, ESCALATION_STATUS_NAMES, HISTORY_ACTION_NAMES,
        LANGUAGE_NAMES, PRIORITY_NAMES, REFERRAL_STATE_NAMES, REGION_NAMES, ROLE_NAMES, SECTOR_NAMES, STAGE_NAMES,
        UNMET_REASON_NAMES, code_name,
        group_name, isolated,
    )
    from webui.pathways.blueprint import bp as pathways_bp
    from webui.request_scope import init_request_scope
    from webui.security_headers import init_security_headers
    from webui.tasks.blueprint import bp as tasks_bp
    from webui.training_banner import init_training_banner
    from webui.typed_form import TYPED_FORM
    from webui.untrusted_input import init_untrusted_input
    from webui.urgency import init_page_helpers
    from webui.referrals.blueprint import bp as referrals_bp

    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config_from_env())
    if config:
        app.config.update(config)
    secret = app.config.get("SECRET_KEY")
    if not secret or len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ConfigurationError(
            f"AIGUILLAGE_SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} "
            "characters (for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    if container is None:
        from engine.bootstrap import Settings, build

        container = build(Settings.from_env())
    init_request_scope(app, container)
    init_audit_origin(app)
    init_i18n(app)
    init_session_user(app)
    init_csrf(app)
    init_untrusted_input(app)
    init_security_headers(app)
    init_error_pages(app, api_error)
    init_training_banner(app)
    init_page_helpers(app)

    areas = (auth_bp, dashboard_bp, tasks_bp, cases_bp, referrals_bp, coordination_bp, directory_bp, pathways_bp, admin_bp, api_bp)
    for blueprint in areas:
        app.register_blueprint(blueprint)

    # Label tables are globals (not context) so that imported macros see them too.
    app.jinja_env.globals.update(
        ROLES=Role,
        ROLE_NAMES=ROLE_NAMES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        PRIORITY_NAMES=PRIORITY_NAMES,
        CASE_STATUS_NAMES=CASE_STATUS_NAMES,
        STAGE_NAMES=STAGE_NAMES,
        SECTOR_NAMES=SECTOR_NAMES,
        REGION_NAMES=REGION_NAMES,
        UNMET_REASON_NAMES=UNMET_REASON_NAMES,
        CHANNEL_NAMES=CHANNEL_NAMES,
        ESCALATION_STATUS_NAMES=ESCALATION_STATUS_NAMES,
        ESCALATION_REASON_NAMES=ESCALATION_REASON_NAMES,
        REFERRAL_STATE_NAMES=REFERRAL_STATE_NAMES,
        HISTORY_ACTION_NAMES=HISTORY_ACTION_NAMES,
        code_name=code_name,
        TYPED_FORM=TYPED_FORM,
        # The engine's access rules, so that menus offer only what the user may open.
        can_list_cases_needing_attention=can_list_cases_needing_attention,
        can_view_indicators=can_view_indicators,
        can_view_committee_report=can_view_committee_report,
    )

    app.jinja_env.filters["group_name"] = group_name
    app.jinja_env.filters["isolated"] = isolated
    # Why a referral was declined, where no pathway is at hand to word it (lists across pathways):
    # the words the notifications use for the same codes.
    app.jinja_env.filters["reason_words"] = lambda code: code_label(current_language(), "reason", code)

    @app.context_processor
    def interface_language():
        return {"current_language": current_language()}

    @app.get("/healthz")
    def healthz():
        """Liveness probe."""
        return {"status": "ok"}

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for an icon on every new visit; there is none (no image is served), and saying so
        with "no content" keeps a 404 out of every browser's console."""
        return "", 204, {"Cache-Control": "public, max-age=86400"}
    return app
