"""Several processes compiling the catalogs at once (the test workers, replicas starting
together) each finish: none finds its temporary file taken by another."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import bot.i18n as i18n

ROUNDS = 15


def _compile_repeatedly(locales_dir: str, start: multiprocessing.synchronize.Event) -> None:
    i18n.LOCALES_DIR = Path(locales_dir)
    po_files = list(Path(locales_dir).glob("*/LC_MESSAGES/*.po"))
    start.wait()
    for n in range(ROUNDS):
        for po in po_files:  # newer than its .mo: every process compiles again
            os.utime(po, (1e9 + n, 1e9 + n))
            if po.with_suffix(".mo").exists():
                os.utime(po.with_suffix(".mo"), (0, 0))
        i18n.compile_catalogs()


def test_parallel_compiles_all_succeed(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, locales, ignore=shutil.ignore_patterns("*.mo", "*.tmp"))
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    workers = [
        ctx.Process(target=_compile_repeatedly, args=(str(locales), start)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert not list(locales.glob("*/LC_MESSAGES/*.tmp"))
    for locale in i18n.LOCALES:
        assert (locales / locale / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo").stat().st_size > 1000
