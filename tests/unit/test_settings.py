"""Settings: defaults, URL normalisation, secrets kept secret, validation, `.env`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import DEFAULT_DB_PATH, Settings

ENV_NAMES = (
    "BOT_TOKEN",
    "DATABASE_URL",
    "REDIS_URL",
    "TELEGRAM_API_BASE",
    "BOT_USERNAME",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_HOST",
    "WEBHOOK_PORT",
    "DEFAULT_LOCALE",
    "TIMEZONE",
    "INVITATION_TTL_DAYS",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer environment or .env leaks into these tests."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = Settings()
    assert settings.bot_token is None
    assert settings.database_url == f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}"
    assert settings.is_sqlite
    assert settings.redis_url is None
    assert settings.telegram_api_base is None
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert settings.default_locale == "zh"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.invitation_ttl_days >= 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/qf", "postgresql+asyncpg://u:p@db:5432/qf"),
        ("postgres://u:p@db/qf", "postgresql+asyncpg://u:p@db/qf"),
        ("postgresql+asyncpg://u@db/qf", "postgresql+asyncpg://u@db/qf"),
        ("sqlite:///data/x.sqlite3", "sqlite+aiosqlite:///data/x.sqlite3"),
        ("sqlite+aiosqlite:////abs/x.sqlite3", "sqlite+aiosqlite:////abs/x.sqlite3"),
    ],
)
def test_database_url_gets_the_async_driver(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    settings = Settings()
    assert settings.database_url == expected
    assert settings.is_sqlite == expected.startswith("sqlite")


def test_secrets_do_not_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:VERY-SECRET-TOKEN")
    monkeypatch.setenv("WEBHOOK_SECRET", "hush-hush-secret")
    settings = Settings()
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "VERY-SECRET-TOKEN" not in shown
        assert "hush-hush-secret" not in shown
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "123456:VERY-SECRET-TOKEN"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_default_locale_accepts_our_languages(
    monkeypatch: pytest.MonkeyPatch, locale: str
) -> None:
    monkeypatch.setenv("DEFAULT_LOCALE", locale)
    assert Settings().default_locale == locale


@pytest.mark.parametrize("locale", ["fr", "", "zh-hans"])
def test_default_locale_refuses_others(monkeypatch: pytest.MonkeyPatch, locale: str) -> None:
    monkeypatch.setenv("DEFAULT_LOCALE", locale)
    with pytest.raises(ValidationError, match="DEFAULT_LOCALE"):
        Settings()


def test_dotenv_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "BOT_TOKEN=1:FROM-DOTENV\nDEFAULT_LOCALE=en\nWEBHOOK_PORT=9000\n"
        "DATABASE_URL=postgresql://u@h/db\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("WEBHOOK_PORT", "9100")
    settings = Settings()
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "1:FROM-DOTENV"
    assert settings.default_locale == "en"
    assert settings.webhook_port == 9100
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


def test_dotenv_can_be_switched_off(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_LOCALE=en\n", encoding="utf-8")
    assert Settings(_env_file=None).default_locale == "zh"  # type: ignore[call-arg]


def test_invitation_lifetime_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVITATION_TTL_DAYS", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_regrading_reminder_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings()
    assert (defaults.regrading_reminder_days, defaults.regrading_escalation_days) == (7, 21)
    monkeypatch.setenv("REGRADING_REMINDER_DAYS", "3")
    monkeypatch.setenv("REGRADING_ESCALATION_DAYS", "10")
    settings = Settings()
    assert (settings.regrading_reminder_days, settings.regrading_escalation_days) == (3, 10)
    monkeypatch.setenv("REGRADING_REMINDER_DAYS", "0")  # at least a day
    with pytest.raises(ValidationError):
        Settings()


def test_assessment_weights_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESSMENT_WEIGHTS", '{"publicity": 0, "coverage": 40}')
    settings = Settings()
    assert settings.assessment_weights["publicity"] == 0
    assert settings.assessment_weights["coverage"] == 40
    monkeypatch.setenv("ASSESSMENT_WEIGHTS", '{"speed": 1}')
    with pytest.raises(ValidationError, match="unknown indicator"):
        Settings()
