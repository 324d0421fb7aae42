"""Settings from the environment and an optional `.env` file (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "qingfeng.sqlite3"


class Settings(BaseSettings):
    """Every knob of the bot; names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    bot_token: SecretStr | None = None
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}"
    redis_url: str | None = None
    redis_prefix: str = "qingfeng"
    telegram_api_base: str | None = None
    bot_username: str | None = None

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8081

    default_locale: str = "zh"
    timezone: str = "Asia/Shanghai"
    invitation_ttl_days: int = Field(default=14, ge=1, le=365)

    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept plain `postgresql://` / `sqlite://` URLs and pick the async driver."""
        for plain, asynchronous in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return asynchronous + url[len(plain) :]
        return url

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("DEFAULT_LOCALE must be zh or en")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
