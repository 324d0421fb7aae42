"""`N_()`: marks a message key for extraction where the key is chosen at run time.

A key is always written out whole, as a literal, so Babel's standard extraction
(`make i18n`) finds it. Where the code picks a key from a value, it keeps a dict of literal
keys marked with `N_` (`{Role.STAFF: N_("roles.staff"), …}`) and never builds one with an
f-string. `N_` returns its argument: translating happens later, in the reader's language.
Here, in the pure rules, so they can mark keys too; everyone else imports it from `bot.i18n`.
"""

from __future__ import annotations


def N_(key: str) -> str:  # the conventional gettext name for "mark, don't translate"
    """Return `key` unchanged; Babel extracts the literal as a message id."""
    return key
