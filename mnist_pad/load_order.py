"""Which of several model loads in flight ends up serving: the newest one that succeeds.

"The newest request wins" alone fails when the newest request fails: a bad model
opened while the default one is still loading left no model at all. Here a
request's result waits while a newer request may still succeed; once none can,
the newest success is used, or, when every newer request failed, the model in
use stays. Pure: the window feeds it what its loader threads report.
"""

from __future__ import annotations

from typing import Generic, Hashable, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")

_PENDING, _FAILED = object(), object()


class NewestSuccessWins(Generic[Request, Result]):
    def __init__(self):
        self._requests: dict[Hashable, Request] = {}  # in the order asked, oldest first
        self._outcomes: dict[Hashable, object] = {}  # a result, _PENDING or _FAILED

    def request(self, key: Hashable, request: Request) -> None:
        """A new load, known by ``key`` (one per load), of ``request`` (e.g. its path)."""
        self._requests[key] = request
        self._outcomes[key] = _PENDING

    def succeeded(self, key: Hashable, result: Result) -> Result | None:
        """Record a success; the result to use now, or None."""
        return self._settle(key, result)

    def failed(self, key: Hashable) -> Result | None:
        """Record a failure; an older success to use now that nothing newer can win, or None."""
        return self._settle(key, _FAILED)

    def newest_pending(self) -> Request | None:
        """What the newest load still running was asked for, or None when none runs."""
        return next((self._requests[k] for k in reversed(self._outcomes) if self._outcomes[k] is _PENDING), None)

    def _settle(self, key: Hashable, outcome) -> Result | None:
        if key not in self._outcomes:
            return None  # older than a result already used: it lost
        self._outcomes[key] = outcome
        for newer in reversed(self._outcomes):
            state = self._outcomes[newer]
            if state is _PENDING:
                return None  # it may still succeed: wait for it
            if state is not _FAILED:
                self._forget()  # every newer one failed, every older one lost
                return state
        self._forget()  # all failed: the model in use stays
        return None

    def _forget(self) -> None:
        self._requests.clear()
        self._outcomes.clear()
