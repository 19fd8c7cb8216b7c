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
        }
