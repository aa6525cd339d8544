"""The word-level diff an approver reads when a post changed since it was approved."""

from __future__ import annotations

from campaign.present.diff import parts_diff, word_diff


def test_a_changed_word_is_shown_removed_then_added_and_the_rest_is_the_same() -> None:
    runs = word_diff("Call 101 any time, day or night.", "Call 101 or 999 any time, day or night.")
    assert [(op, text.strip()) for op, text in runs] == [
        ("same", "Call 101"),
        ("added", "or 999"),
        ("same", "any time, day or night."),
    ]


def test_a_replaced_word_shows_the_old_and_the_new() -> None:
    runs = word_diff("Open on Monday.", "Open on Tuesday.")
    assert [(op, text.strip()) for op, text in runs] == [
        ("same", "Open on"),
        ("removed", "Monday."),
        ("added", "Tuesday."),
    ]


def test_joining_the_runs_gives_back_the_old_and_the_new_text_exactly() -> None:
    old = "Hate crime is\nnever OK.  Report it: 101 or online."
    new = "Hate crime is never acceptable.\n\nReport it: call 101, or online."
    runs = word_diff(old, new)
    assert "".join(text for op, text in runs if op != "added") == old
    assert "".join(text for op, text in runs if op != "removed") == new


def test_unchanged_text_is_one_same_run() -> None:
    assert word_diff("Same words here.", "Same words here.") == (("same", "Same words here."),)
    assert not parts_diff(["a b"], ["a b"])[0].changed


def test_a_part_added_to_a_thread_is_all_added_and_a_dropped_one_all_removed() -> None:
    added = parts_diff(["First part."], ["First part.", "Second part."])
    assert [(diff.number, diff.changed) for diff in added] == [(1, False), (2, True)]
    assert added[1].runs == (("added", "Second part."),)
    dropped = parts_diff(["One.", "Two."], ["One."])
    assert dropped[1].runs == (("removed", "Two."),)
