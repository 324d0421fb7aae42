"""The collector and what start-up loads: modules, catalogs, the dispatcher, the engine live
as long as the process and are never garbage, yet every full collection walks them all.

`freeze_startup_heap` moves them out of the collector's sight (`gc.freeze`) once the bot is
ready to serve, so a full collection walks only what was made since. A province's overview
(a few hundred thousand objects alive beside it) spent about an eighth of its time in those
walks; afterwards it spends almost none. Cycles made later are still collected as before.

It also collects less often than CPython's default (700 net allocations, then every 10th and
100th of those walks the older generations too). What an update allocates dies with it by
reference counting (a run of thousands of updates leaves about a hundred objects for the
collector to free), so a collection finds almost nothing, but it walks every object of the
updates still in flight: under load, with a hundred of them at once, the bot spent about a
tenth of its CPU in collections and stopped for a full one (30–80 ms) every few seconds.
With these thresholds it spent two fifths of that (1.0 s against 2.3–2.6 s of collections in
a `bench.updates` run), with one walk of the older generations a run instead of a hundred.
"""

from __future__ import annotations

import gc

# Net allocations before a young collection; young collections before a middle one; middle
# ones before a full one (CPython's defaults: 700, 10, 10).
THRESHOLDS = (2_000, 100, 100)


def freeze_startup_heap() -> None:
    """Collect what start-up left over, exempt everything alive from later collections, and
    collect less often from then on."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
