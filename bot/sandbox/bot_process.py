"""The real bot as a child process (`python -m bot run`) pointed at the sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO


class BotProcess:
    """Starts, stops, kills and restarts `python -m bot run` with the given environment."""

    def __init__(self, env: Mapping[str, str], *, cwd: Path, log_path: Path | None = None) -> None:
        self.env = {**os.environ, **env}
        self.cwd = cwd
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        if self.running:
            return
        output = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            output = self.log_path.open("ab")  # kept open as long as the child runs
            self._log_file = output
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.cwd,
            env=self.env,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT if output else None,
        )

    async def stop(self, timeout: float = 10.0) -> None:
        """A graceful stop (SIGINT, as Ctrl-C), then SIGKILL if it hangs."""
        if not self.running or self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            await self.kill()
        self._close_log()

    async def kill(self) -> None:
        """SIGKILL: the crash the bot must survive without losing anything."""
        if self.process is None or self.process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()
        self._close_log()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
