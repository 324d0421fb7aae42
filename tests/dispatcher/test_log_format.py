"""LOG_FORMAT=json: every line one JSON object, the update line's facts as keys, never the
text someone wrote; APScheduler's routine INFO lines quietened in either format."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest
from aiogram import Dispatcher

from bot.app.logs import TEXT_FORMAT, JsonFormatter, configure_logging
from bot.settings import Settings
from tests.kit.mocked_bot import MockedBot, message_update, user

SECRET = "我的身份证号 110101199003077777"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers: put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("apscheduler", "alembic")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, each in levels.items():
        logging.getLogger(name).setLevel(each)


async def test_the_update_line_as_json_without_the_text(
    dp: Dispatcher, bot: MockedBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await dp.feed_update(bot, message_update(user(9301), SECRET))
    await dp.feed_update(bot, message_update(user(9301), "/help"))
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    objects = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all("\n" not in line for line in lines)
    updates = [o for o in objects if o["logger"] == "qingfeng.updates" and o["msg"] == "update"]
    assert [u["handler"] for u in updates] == [
        "handlers.common.fallback.outside_any_flow",
        "handlers.common.help.show_help",
    ]
    first = updates[0]
    assert set(first) == {"time", "level", "logger", "msg", "type", "handler", "person",
                          "outcome", "ms", "sql", "conns"}  # fmt: skip
    assert (first["type"], first["outcome"], first["level"]) == ("message", "ok", "INFO")
    assert isinstance(first["person"], int) and isinstance(first["ms"], float)
    assert first["sql"] >= 1 and first["conns"] == 1  # the update's one connection
    for line in lines:
        assert "110101199003077777" not in line
        assert "身份证" not in line and "\\u8eab" not in line


def test_an_exception_stays_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", ("job",), None)
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "failed job"
    assert "ValueError: boom" in entry["exc"]


@pytest.mark.usefixtures("root_logging")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_configure_logging_picks_the_format_and_quietens_apscheduler(
    settings: Settings, log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger().handlers.clear()  # as in a fresh process (pytest's are put back)
    configure_logging(settings.model_copy(update={"log_format": log_format}))
    (handler,) = logging.getLogger().handlers
    if log_format == "json":
        assert isinstance(handler.formatter, JsonFormatter)
    else:
        assert handler.formatter is not None and handler.formatter._fmt == TEXT_FORMAT
    ticking = logging.getLogger("apscheduler.executors.default")
    assert not ticking.isEnabledFor(logging.INFO)
    assert ticking.isEnabledFor(logging.WARNING)
    assert logging.getLogger("qingfeng.updates").isEnabledFor(logging.INFO)


def test_log_format_is_a_setting(settings: Settings) -> None:
    assert Settings(_env_file=None).log_format == "text"  # type: ignore[call-arg]
    assert Settings(_env_file=None, log_format="json").log_format == "json"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="log_format"):
        Settings(_env_file=None, log_format="xml")  # type: ignore[call-arg]
