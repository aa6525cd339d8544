"""Group commit: many threads hand work in, one of them at a time does all that is waiting.

Workers finishing sends at once would each open a transaction to record one post, or each ask
the database for more due posts; instead the first to arrive does the job for everything handed
in until nothing is left, and the others go straight back to sending.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Calls `flush` with every item added, in batches, on the thread of whoever added one.

    No item is left behind: the flushing thread lets go only after finding the queue empty,
    under the same lock that `add` appends under.
    """

    def __init__(self, flush: Callable[[list[T]], None]) -> None:
        self._flush = flush
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._pending: list[T] = []

    def add(self, *items: T) -> None:
        with self._lock:
            self._pending.extend(items)
        self.run()

    def run(self) -> None:
        """Flush what is waiting unless another thread is already doing it (it will see it)."""
        if not self._flushing.acquire(blocking=False):
            return
        while True:
            with self._lock:
                items, self._pending = self._pending, []
                if not items:
                    self._flushing.release()
                    return
            try:
                self._flush(items)
            except BaseException:
                self._flushing.release()  # the caller hears of it; the next add flushes
                raise


class _Call(Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item
        self.done = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None


class BatchedCalls(Generic[T]):
    """`call(item)` returns `answer(items)[item]`, answering the items of concurrent calls in
    one batch: for a write each caller must see committed before it goes on."""

    def __init__(self, answer: Callable[[list[T]], dict[T, object]]) -> None:
        self._answer = answer
        self._group: GroupCommit[_Call[T]] = GroupCommit(self._flush)

    def call(self, item: T) -> object:
        call = _Call(item)
        self._group.add(call)
        call.done.wait()
        if call.error is not None:
            raise call.error
        return call.result

    def _flush(self, calls: list[_Call[T]]) -> None:
        try:
            answers = self._answer([call.item for call in calls])
        except Exception as exc:  # every caller of the batch hears of it
            for call in calls:
                call.error = exc
                call.done.set()
            return
        for call in calls:
            call.result = answers[call.item]
            call.done.set()
