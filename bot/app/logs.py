"""Logging for the process: plain lines, or one JSON object per line (`LOG_FORMAT=json`).

The update log middleware passes its facts as `extra={"fields": {...}}`: in JSON they become
keys of the object (`{"msg": "update", "type": "message", "handler": ..., "ms": 12.3}`), in text
they are already in the line (`update type=message handler=... ms=12.3`). Message text is
never logged, in either format.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose INFO lines are routine chatter (APScheduler logs every tick of every minute).
QUIET_LOGGERS = ("alembic", "apscheduler", "aiohttp.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry["msg"] = fields.get("event", record.getMessage())
            entry.update((k, v) for k, v in fields.items() if k != "event")
        else:
            entry["msg"] = record.getMessage()
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """The root logger's one handler, in the configured format; chatty libraries quietened.

    Like `logging.basicConfig`, a root logger that already has handlers (an embedding
    program, pytest) keeps them."""
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
