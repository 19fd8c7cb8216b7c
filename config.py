"""One Settings object read from the environment, with defaults that are safe for local use."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _default_instance_path() -> Path:
    return Path(os.environ.get("RELAIS_INSTANCE_PATH", ROOT / "instance"))


def _read_or_create_secret(instance_path: Path) -> str:
    """A per-installation secret kept in the instance folder, so sessions survive restarts
    without anyone committing a key. Production sets SECRET_KEY explicitly."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass
class Settings:
    instance_path: Path = field(default_factory=_default_instance_path)
    database_url: str = ""
    secret_key: str = ""
    data_dir: Path = Path()
    default_locale: str = "fr"
    default_radius_km: float = 50.0
    log_level: str = "INFO"
    # Email: SMTP server and sender. Nothing is sent when smtp_host is empty (mail stays in
    # the outbox table and is logged), so local use needs no mail server.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Relais <no-reply@relais.localhost>"
    # An email that keeps failing is tried this many times (with growing delays), then given up.
    mail_max_attempts: int = 8
    # Where rate-limit counters live: memory:// for one process, redis://… when several.
    ratelimit_storage_uri: str = "memory://"
    # Requests one organisation API token may make (directory/service_api.py).
    api_rate_limit: str = "120 per minute"
    # Cookies marked Secure: on by default, off only for local http.
    secure_cookies: bool = True
    # A missing search index is rebuilt during the search up to this many services; beyond,
    # in the background while searches use the database.
    search_sync_rebuild_max: int = 2000
    # Referrals unanswered this many days after they were sent expire (`flask referrals
    # expire`); the receiving organisation is reminded once after `referral_reminder_days`.
    referral_expiry_days: int = 30
    # Key of the identity hashes (referrals/identity.py); derived from SECRET_KEY when empty.
    identity_secret: str = ""
    referral_reminder_days: int = 10
    # Documents (referrals/documents.py): where the encrypted files live (outside static),
    # the master keys (base64, comma-separated, first one current; else a 0600 file in the
    # instance folder), the size limit, how long a signed download link lasts, how long
    # documents of declined/cancelled/expired referrals and of closed ones are kept, and
    # the ClamAV daemon (a socket path or host:port; empty: documents are "not scanned").
    documents_dir: Path | None = None
    documents_master_key: str = field(default="", repr=False)
    documents_max_bytes: int = 10 * 1024 * 1024
    document_link_minutes: int = 15
    documents_retention_days: int = 30
    documents_closed_retention_days: int = 183
    clamav_socket: str = ""
    clamav_timeout: float = 30.0
    # A magic link (referrals/magic_link.py) lets an organisation with no account answer one
    # referral for this many days; it can then be renewed, to the organisation's address.
    magic_link_days: int = 8

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        instance_path = Path(overrides.pop("instance_path", None) or _default_instance_path())
        env = os.environ
        data_dir = Path(env.get("RELAIS_DATA_DIR", instance_path / "data"))
        settings = cls(
            instance_path=instance_path,
            database_url=env.get("DATABASE_URL", ""),
            secret_key=env.get("SECRET_KEY", ""),
            data_dir=data_dir,
            default_locale=env.get("RELAIS_DEFAULT_LOCALE", "fr"),
            default_radius_km=float(env.get("RELAIS_DEFAULT_RADIUS_KM", "50")),
            log_level=env.get("RELAIS_LOG_LEVEL", "INFO"),
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_user=env.get("SMTP_USER", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=env.get("SMTP_STARTTLS", "") in ("1", "true", "yes"),
            mail_from=env.get("MAIL_FROM", "Relais <no-reply@relais.localhost>"),
            mail_max_attempts=int(env.get("RELAIS_MAIL_MAX_ATTEMPTS", "8")),
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI", "memory://"),
            api_rate_limit=env.get("RELAIS_API_TOKEN_RATE_LIMIT", "120 per minute"),
            secure_cookies=env.get("RELAIS_SECURE_COOKIES", "1") not in ("0", "false", "no"),
            search_sync_rebuild_max=int(env.get("RELAIS_SEARCH_SYNC_REBUILD_MAX", "2000")),
            referral_expiry_days=int(env.get("RELAIS_REFERRAL_EXPIRY_DAYS", "30")),
            identity_secret=env.get("RELAIS_IDENTITY_SECRET", ""),
            referral_reminder_days=int(env.get("RELAIS_REFERRAL_REMINDER_DAYS", "10")),
            documents_dir=Path(env["RELAIS_DOCUMENTS_DIR"]) if env.get("RELAIS_DOCUMENTS_DIR")
            else None,
            documents_master_key=env.get("RELAIS_DOCUMENTS_MASTER_KEY", ""),
            documents_max_bytes=int(env.get("RELAIS_DOCUMENTS_MAX_BYTES", str(10 * 1024 * 1024))),
            document_link_minutes=int(env.get("RELAIS_DOCUMENT_LINK_MINUTES", "15")),
            documents_retention_days=int(env.get("RELAIS_DOCUMENTS_RETENTION_DAYS", "30")),
            documents_closed_retention_days=int(
                env.get("RELAIS_DOCUMENTS_CLOSED_RETENTION_DAYS", "183")),
            clamav_socket=env.get("RELAIS_CLAMAV_SOCKET", ""),
            clamav_timeout=float(env.get("RELAIS_CLAMAV_TIMEOUT", "30")),
            magic_link_days=int(env.get("RELAIS_MAGIC_LINK_DAYS", "8")),
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        if not settings.database_url:
            settings.database_url = f"sqlite:///{instance_path / 'relais.sqlite3'}"
        if not settings.secret_key:
            settings.secret_key = _read_or_create_secret(instance_path)
        return settings

    @property
    def search_index_dir(self) -> Path:
        return self.data_dir / "search-index"

    @property
    def documents_path(self) -> Path:
        return self.documents_dir or self.data_dir / "documents"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def flask_config(self) -> dict:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
            "RELAIS_DEFAULT_RADIUS_KM": self.default_radius_km,
            "RELAIS_DATA_DIR": str(self.data_dir),
            "RELAIS_SEARCH_INDEX_DIR": str(self.search_index_dir),
            "RELAIS_SEARCH_SYNC_REBUILD_MAX": self.search_sync_rebuild_max,
            "RELAIS_REFERRAL_EXPIRY_DAYS": self.referral_expiry_days,
            "RELAIS_IDENTITY_SECRET": self.identity_secret,
            "RELAIS_REFERRAL_REMINDER_DAYS": self.referral_reminder_days,
            "RELAIS_MAGIC_LINK_DAYS": self.magic_link_days,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            "RATELIMIT_HEADERS_ENABLED": True,
            "RELAIS_API_TOKEN_RATE_LIMIT": self.api_rate_limit,
            "RELAIS_SMTP": {
                "host": self.smtp_host, "port": self.smtp_port, "user": self.smtp_user,
                "password": self.smtp_password, "starttls": self.smtp_starttls,
            },
            "RELAIS_MAIL_FROM": self.mail_from,
            "RELAIS_MAIL_MAX_ATTEMPTS": self.mail_max_attempts,
        }
