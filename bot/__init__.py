"""Qingfeng (清风): a Telegram bot for integrity-risk prevention and control (廉政风险防控)."""
