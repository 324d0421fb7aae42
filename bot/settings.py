"""Settings from the environment and an optional `.env` file (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain import assessment, grading, review_routing

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A checkout keeps its database in its own data/; an installed bot in the working directory's.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").exists()
DEFAULT_DB_PATH = (PROJECT_ROOT if IN_CHECKOUT else Path.cwd()) / "data" / "qingfeng.sqlite3"


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
    # How many bot processes serve this bot. With more than one, they all need the same
    # WEBHOOK_SECRET (`run` refuses to start without it), and exactly one of them should
    # register the webhook with Telegram: set WEBHOOK_REGISTER=false on the others.
    replicas: int = Field(default=1, ge=1)
    webhook_register: bool = True
    # Polling mode serves /healthz, /readyz and /metrics on this side port (0: not at all);
    # with a webhook they are served on the webhook's own port.
    health_host: str = "0.0.0.0"
    health_port: int = Field(default=8081, ge=0, le=65535)

    default_locale: str = "zh"
    timezone: str = "Asia/Shanghai"
    invitation_ttl_days: int = Field(default=14, ge=1, le=365)
    # A confirmed draft's key (a second press returns the first record) is kept this long.
    idempotency_keys_kept_days: int = Field(default=30, ge=1, le=3650)

    log_level: str = "INFO"
    # "text": one key=value line per update; "json": every log line is one JSON object.
    log_format: Literal["text", "json"] = "text"

    # Grading (科学定级) and review: documented in bot/domain/grading.py and
    # bot/domain/review_routing.py.
    # GRADING_WEIGHTS is JSON, e.g. {"harm": 2}; factors left out keep their default weight.
    grading_weights: dict[str, float] = Field(
        default_factory=lambda: dict(grading.DEFAULT_WEIGHTS)
    )
    grading_level1_min: float = grading.DEFAULT_LEVEL1_MIN
    grading_level2_min: float = grading.DEFAULT_LEVEL2_MIN
    # Focus-programme (惠民项目) risks grade at least this level; 3 switches the floor off.
    grading_focus_min_level: int = Field(default=grading.DEFAULT_FOCUS_MIN_LEVEL, ge=1, le=3)
    # Level → tier (department / bureau / district / commission), as JSON {"1": "commission"}.
    review_tier_by_level: dict[int, str] = Field(
        default_factory=lambda: dict(review_routing.DEFAULT_REVIEW_TIERS)
    )
    approval_tier_by_level: dict[int, str] = Field(
        default_factory=lambda: dict(review_routing.DEFAULT_APPROVAL_TIERS)
    )
    # 社会评议 window in days (0 skips social review); 定期调整 period in days.
    social_review_days: int = Field(default=5, ge=0, le=60)
    regrading_period_days: int = Field(default=365, ge=1, le=3650)
    # Reminders (bot/scheduling/reminders.py): measures due within this many days are reminded
    # daily (overdue ones weekly); reviews waiting longer than this are reminded daily.
    measure_reminder_days: int = Field(default=3, ge=0, le=60)
    review_reminder_days: int = Field(default=3, ge=1, le=60)
    # Campaigns (bot/domain/campaign_rules.py): remind these many days before the deadline
    # ("7,1,0":
    # a week before, the day before, on the day), then every N days while overdue (0: never).
    campaign_reminder_days: str = "7,1,0"
    campaign_overdue_every_days: int = Field(default=7, ge=0, le=90)
    # 定期调整 still pending: the holder is reminded this many days after it fell due, then
    # weekly; after `regrading_escalation_days` the reviewers of its tier hear of it weekly.
    regrading_reminder_days: int = Field(default=7, ge=1, le=90)
    regrading_escalation_days: int = Field(default=21, ge=1, le=365)
    # Citizens' feedback (bot/domain/feedback.py): items a person may send a day; days the
    # answering tier has before the 预警 ladder climbs (the tier above, then at twice this the
    # commission).
    feedback_per_day: int = Field(default=5, ge=1, le=100)
    feedback_answer_days: int = Field(default=5, ge=1, le=60)

    # The annual assessment (bot/domain/assessment.py): indicator weights as JSON, e.g.
    # {"publicity": 0}; indicators left out keep their default weight.
    assessment_weights: dict[str, float] = Field(
        default_factory=lambda: dict(assessment.DEFAULT_WEIGHTS)
    )

    # Delivery (bot/delivery): Telegram's limits as our own pacing budget, per bot process.
    delivery_global_rate: float = Field(default=30.0, gt=0)  # messages a second, all chats
    delivery_chat_rate: float = Field(default=1.0, gt=0)  # a second, one private chat
    delivery_chat_burst: float = Field(default=3.0, ge=1)  # a short reply burst is fine
    delivery_group_per_minute: int = Field(default=20, ge=1)  # groups / channels
    # Global tokens that bulk (outbox) sends leave for interactive replies.
    delivery_interactive_reserve: float = Field(default=3.0, ge=0)
    # Seconds of slack on every limit, for uneven network delays (pacing stays at the rate).
    delivery_timing_margin: float = Field(default=0.1, ge=0, le=1)
    # Non-urgent messages wait while the local time is in [start, end); equal means never.
    quiet_hours_start: str = "22:00"
    quiet_hours_end: str = "08:00"
    delivery_max_attempts: int = Field(default=6, ge=1)  # transient failures before giving up
    delivery_max_throttles: int = Field(default=10, ge=0)  # 429s re-queued free of charge
    delivery_retry_base_seconds: float = Field(default=5.0, gt=0)
    delivery_retry_max_seconds: float = Field(default=900.0, gt=0)
    delivery_lease_seconds: int = Field(default=120, ge=10)
    delivery_request_timeout: int = Field(default=30, ge=1)
    delivery_concurrency: int = Field(default=8, ge=1)  # also the duplicate bound on a crash
    delivery_poll_seconds: float = Field(default=2.0, gt=0)
    # Several replicas: how often a follower tries for the lead (and the leader checks it
    # still holds it); a SIGKILLed leader is replaced within about this long.
    leader_check_seconds: float = Field(default=2.0, gt=0)
    # A running broadcast's progress message is edited at most this often (when counts move).
    broadcast_progress_seconds: float = Field(default=5.0, gt=0)

    # Publicity rounds (社会公示): how long a round stays open, and the public channel (the
    # bot must be an admin of it); without a channel, rounds reach subscribers and /publicity.
    publicity_days: int = Field(default=7, ge=1, le=90)
    public_channel_id: int | None = None

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

    @field_validator("quiet_hours_start", "quiet_hours_end")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        from bot.domain.quiet_hours import parse_hhmm  # here: bot.delivery imports settings

        parse_hhmm(value)
        return value

    @field_validator("campaign_reminder_days")
    @classmethod
    def _reminder_days(cls, value: str) -> str:
        from bot.domain.campaign_rules import parse_days

        parse_days(value)  # ValueError names the problem
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("DEFAULT_LOCALE must be zh or en")
        return value

    @model_validator(mode="after")
    def _grading_makes_sense(self) -> Settings:
        """Refuse nonsensical grading or routing configuration at start-up, not per risk."""
        grading.GradingRule.from_settings(self)
        assessment.parse_weights(self.assessment_weights)
        for name, table in (
            ("REVIEW_TIER_BY_LEVEL", self.review_tier_by_level),
            ("APPROVAL_TIER_BY_LEVEL", self.approval_tier_by_level),
        ):
            if set(table) != set(grading.LEVELS):
                raise ValueError(f"{name} must give a tier for levels 1, 2 and 3")
            for tier in table.values():
                review_routing.Tier(tier)  # ValueError names the bad tier
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
