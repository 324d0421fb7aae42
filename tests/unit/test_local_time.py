"""Every time people read is in TIMEZONE, through one helper (a day boundary shows it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import local_time
from bot.settings import PROJECT_ROOT

ZONE = "Asia/Shanghai"


def test_an_evening_in_utc_is_the_next_morning_in_shanghai() -> None:
    moment = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    assert local_time.minute(moment, ZONE) == "2026-03-02 01:30"
    assert local_time.day(moment, ZONE) == "2026-03-02"
    assert local_time.stamp(moment, ZONE) == "20260302"
    assert local_time.local_date(moment, ZONE).isoformat() == "2026-03-02"


def test_a_naive_moment_from_sqlite_is_read_as_utc() -> None:
    assert local_time.minute(datetime(2026, 3, 1, 17, 30), ZONE) == "2026-03-02 01:30"


# Formatting a moment for people anywhere else would skip the zone.
FORMATTING = re.compile(r"\.strftime\(|\.astimezone\(\)|:%[YmdHM]")
ALLOWED = {"bot/domain/local_time.py"}
NOT_FOR_PEOPLE = ("bot/sandbox/",)  # the sandbox is a development tool, not the product


def test_no_other_module_formats_a_time() -> None:
    found = []
    for folder in ("bot", "handlers", "storage"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            rel = path.relative_to(PROJECT_ROOT).as_posix()
            if rel in ALLOWED or rel.startswith(NOT_FOR_PEOPLE):
                continue
            for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
                if FORMATTING.search(line):
                    found.append(f"{rel}:{number}: {line.strip()}")
    assert not found, "format times through bot.domain.local_time:\n" + "\n".join(found)
