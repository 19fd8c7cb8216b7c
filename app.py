"""Relais application factory: `flask --app app run`."""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale

from config import ROOT, Settings
from errors import register_error_handlers
from extensions import babel, csrf, db, limiter, login_manager, migrate

SUPPORTED_LOCALES = ("fr", "en")


def select_locale() -> str:
    """?lang= (remembered in the session), then the browser's preference, then French.
    Outside a request (CLI, seed) messages use the default locale."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in SUPPORTED_LOCALES:
        session["lang"] = asked
        return asked
    if session.get("lang") in SUPPORTED_LOCALES:
        return session["lang"]
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "fr"


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    settings = settings or Settings.from_env(**overrides)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(settings.flask_config())
    app.extensions["relais.settings"] = settings
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)

    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from accounts.mail import init_mail

    init_mail(app)

    # Import models so Alembic and create_all see every table.
    import accounts.api_tokens  # noqa: F401  (api_token)
    import accounts.models  # noqa: F401
    import accounts.session  # noqa: F401  (registers the user loader)
    import directory.eligibility_views  # noqa: F401  (its routes join listing_pages)
    import directory.history  # noqa: F401  (change_record)
    import directory.models  # noqa: F401
    import geo.models  # noqa: F401
    import referrals.audit  # noqa: F401  (audit_head)
    import referrals.document_models  # noqa: F401  (document)
    import referrals.figures_views  # noqa: F401  (its routes join referral_pages)
    import referrals.models  # noqa: F401
    import referrals.sheet_views  # noqa: F401  (its route joins referral_pages)
    from accounts.api_token_views import bp as api_token_pages
    from accounts.cli import mail_cli, outbox_cli, users_cli
    from accounts.org_views import bp as organisation_pages
    from accounts.views import bp as account_pages
    from directory.api import bp as directory_api
    from directory.cli import directory_cli, search_cli
    from directory.edit_views import bp as listing_pages
    from directory.match_api import bp as matching_api
    from directory.openapi_views import bp as api_docs
    from directory.organisation_views import bp as organisation_editing_pages
    from directory.questionnaire_views import bp as questionnaire_pages
    from directory.search import register_session_events
    from directory.search_views import bp as directory_pages  # /recherche joins the pages
    from directory.service_api import bp as service_api
    from exchange.cli import datainclusion_cli, hsds_cli
    from exchange.hsds_api import bp as hsds_api
    from geo.cli import geo_cli
    from geo.views import bp as geo_api
    from referrals.cli import audit_cli, documents_cli, referrals_cli
    from referrals.document_views import bp as document_pages
    from referrals.erasure_views import bp as erasure_pages
    from referrals.link_views import bp as magic_link_pages
    from referrals.own_space import bp as own_space_pages
    from referrals.self_referral_views import bp as self_referral_pages
    from referrals.views import bp as referral_pages
    from seed.cli import seed_cli

    app.register_blueprint(directory_pages)
    app.register_blueprint(account_pages)
    app.register_blueprint(geo_api)
    app.register_blueprint(hsds_api)
    app.register_blueprint(directory_api)
    app.register_blueprint(listing_pages)
    app.register_blueprint(matching_api)
    app.register_blueprint(organisation_pages)
    app.register_blueprint(organisation_editing_pages)
    app.register_blueprint(questionnaire_pages)
    app.register_blueprint(referral_pages)
    app.register_blueprint(own_space_pages)
    app.register_blueprint(document_pages)
    app.register_blueprint(self_referral_pages)
    app.register_blueprint(erasure_pages)
    app.register_blueprint(magic_link_pages)
    app.register_blueprint(service_api)
    app.register_blueprint(api_docs)
    app.register_blueprint(api_token_pages)
    app.cli.add_command(directory_cli)
    app.cli.add_command(search_cli)
    register_session_events()
    app.cli.add_command(geo_cli)
    app.cli.add_command(hsds_cli)
    app.cli.add_command(datainclusion_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(referrals_cli)
    app.cli.add_command(documents_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(users_cli)

    register_error_handlers(app)

    @app.context_processor
    def inject_locale():
        return {"current_locale": str(get_locale()), "supported_locales": SUPPORTED_LOCALES}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        return response

    return app
