"""The deployment files cannot drift: `.env.example` names every setting with its default,
compose.yaml is valid YAML with two replicas sharing one secret and one registering, and the
Dockerfile runs `qingfeng run` as a non-root user. (No Docker engine runs the files here.)"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, Settings

ENV_LINE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$")


def env_example() -> dict[str, str]:
    text = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    return {m[1]: m[2] for line in text.splitlines() if (m := ENV_LINE.match(line))}


def test_env_example_lists_every_setting_with_its_default() -> None:
    listed = env_example()
    assert set(listed) == {name.upper() for name in Settings.model_fields}
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    for name in Settings.model_fields:
        value, default = listed[name.upper()], getattr(defaults, name)
        if default is None or name == "database_url":
            continue  # unset, or a path that depends on where the bot runs
        if isinstance(default, dict):
            assert {str(k): v for k, v in json.loads(value).items()} == {
                str(k): v for k, v in default.items()
            }, name
        elif isinstance(default, bool):
            assert value == str(default).lower(), name
        elif isinstance(default, float):
            assert float(value) == default, name
        else:
            assert value == str(default), name


def test_env_example_values_are_valid_settings() -> None:
    values = {k.lower(): v for k, v in env_example().items() if v}
    json_settings = ("grading_weights", "review_tier_by_level", "approval_tier_by_level",
                     "assessment_weights")  # fmt: skip
    for name in json_settings:
        values[name] = json.loads(values[name])
    Settings(_env_file=None, **values)  # type: ignore[call-arg]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_two_replicas_one_secret_one_registers_behind_a_proxy() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "bot-1", "bot-2", "proxy"} <= set(services)
    bots = [services["bot-1"]["environment"], services["bot-2"]["environment"]]
    fields = {name.upper() for name in Settings.model_fields}
    for env in bots:
        assert set(env) <= fields  # no misspelt setting
        assert env["REPLICAS"] == "2"
        assert env["WEBHOOK_SECRET"] == "${WEBHOOK_SECRET:?set WEBHOOK_SECRET in .env}"
        assert env["DATABASE_URL"].startswith("postgresql://")
        assert env["REDIS_URL"].startswith("redis://")
    assert [env["WEBHOOK_REGISTER"] for env in bots] == ["true", "false"]
    caddyfile = (PROJECT_ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert "bot-1:8081 bot-2:8081" in caddyfile and "/readyz" in caddyfile


def test_dockerfile_and_systemd_unit() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.\d+-slim$", dockerfile, re.MULTILINE)
    assert re.search(r"^USER qingfeng$", dockerfile, re.MULTILINE)
    assert 'CMD ["qingfeng", "run"]' in dockerfile
    unit = (PROJECT_ROOT / "deploy" / "qingfeng.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/qingfeng/venv/bin/qingfeng run" in unit
    assert "User=qingfeng" in unit
