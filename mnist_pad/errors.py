"""The one family of errors a user may see: each carries its one plain sentence."""

from __future__ import annotations


class PlainError(Exception):
    """An input or output that cannot be used; ``str(error)`` is one plain sentence naming it.

    Loaders let out only their own subclass of this, so a handler catches ``PlainError``
    and shows the sentence, never a hand-kept tuple of classes.
    """


def first_line(error: BaseException) -> str:
    """An exception as a clause for a one-sentence message: its first line, no final stop."""
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__).rstrip(".")[:200]
