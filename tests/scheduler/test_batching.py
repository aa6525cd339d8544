"""Group commit: what many sending threads hand in is all done, in fewer batches than items."""

from __future__ import annotations

import threading
import time

import pytest

from scheduler.batching import BatchedCalls, GroupCommit


def _together(count: int, work) -> None:  # noqa: ANN001
    start = threading.Barrier(count)
    threads = [threading.Thread(target=lambda n=n: (start.wait(), work(n))) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_every_item_is_flushed_once_and_concurrent_items_share_a_batch():
    batches: list[list[int]] = []

    def flush(items: list[int]) -> None:
        time.sleep(0.02)  # a transaction: others arrive meanwhile
        batches.append(items)

    group: GroupCommit[int] = GroupCommit(flush)
    _together(32, group.add)
    flushed = [item for batch in batches for item in batch]
    assert sorted(flushed) == list(range(32))
    assert len(batches) < 32


def test_each_caller_gets_its_own_answer_after_its_batch_is_done():
    done: set[int] = set()

    def answer(items: list[int]) -> dict[int, object]:
        time.sleep(0.02)
        done.update(items)
        return {item: item * 10 for item in items}

    calls: BatchedCalls[int] = BatchedCalls(answer)
    results: dict[int, object] = {}
    committed_first: dict[int, bool] = {}

    def call(n: int) -> None:
        results[n] = calls.call(n)
        committed_first[n] = n in done  # the answer comes only once its batch is done

    _together(16, call)
    assert results == {n: n * 10 for n in range(16)}
    assert all(committed_first.values()) and len(committed_first) == 16


def test_a_failed_batch_reaches_each_caller_and_the_next_call_still_works():
    fail = threading.Event()
    fail.set()

    def answer(items: list[int]) -> dict[int, object]:
        if fail.is_set():
            raise RuntimeError("database gone")
        return {item: "ok" for item in items}

    calls: BatchedCalls[int] = BatchedCalls(answer)
    with pytest.raises(RuntimeError, match="database gone"):
        calls.call(1)
    fail.clear()
    assert calls.call(2) == "ok"
