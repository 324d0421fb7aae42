"""Delivery's use cases: what the bot says to someone who did not just write to it.

- `outbox`: `enqueue()` / `enqueue_many()` a message in the caller's transaction (and
  per-person rendering): it is sent, or vanishes, with the change that caused it;
- `lease`: claiming due rows for a sender, and recording an outcome only under its lease;
- `reachability`: people who blocked the bot.

The loops that send are app-level runners: `bot.app.sender` (`OutboxSender`, woken after a
commit by `bot.app.outbox_wake`), pacing within Telegram's limits in `bot.app.pacing` and
`bot.app.pacing_middleware`; quiet hours are a pure rule, `bot.domain.quiet_hours`. This
file imports nothing: importing `bot.delivery.outbox` must not pull the sender into every
service.
"""
