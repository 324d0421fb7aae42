"""`python -m bot …`: see `python -m bot --help`."""

from bot.app.cli import main

raise SystemExit(main())
