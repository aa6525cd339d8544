"""The banner tells the truth about publishing: "ON" in green only while a publishing service
is alive; otherwise it says that approved posts will not go out and who must start it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

ON = "Publishing is ON"
STOPPED = "Approved posts will NOT go out"


def _banner(page: str) -> str:
    match = re.search(
        r'<section class="banner ([a-z]+)" data-live="banner"(.*?)</section>', page, re.S
    )
    assert match, "no banner on the page"
    return match.group(1) + " " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2)))


def test_no_daemon_ever_is_a_warning_naming_who_must_start_it(web, planned):
    client = web.sign_in("alice")
    shown = _banner(client.get("/week").text)
    assert shown.startswith("stopped ")
    assert ON not in shown and STOPPED in shown
    assert "The person who runs the server for your team must start it" in shown
    assert "has not been started for this database yet" in shown
    assert "campaign daemon" not in shown  # no command names for officers
    status = client.get("/api/status").json["banner"]
    assert (status["tone"], status["title"]) == (
        "stopped",
        f"{STOPPED}: the publishing service is not running",
    )
    assert not status["daemons_ok"]


def test_a_daemon_whose_heartbeat_is_stale_is_not_publishing(web, planned, clock, config):
    timeout = config.publishing.heartbeat_timeout_seconds
    planned.publishing.heartbeat("d-1", clock.now() - timedelta(seconds=timeout + 1))
    client = web.sign_in("alice")
    shown = _banner(client.get("/week").text)
    assert shown.startswith("stopped ") and STOPPED in shown and ON not in shown
    assert "last heard from at Mon 13 Apr 09:59 BST; it has stopped" in shown
    assert client.get("/api/status").json["banner"]["tone"] == "stopped"


def test_a_fresh_daemon_is_publishing_on(web, planned, clock):
    planned.publishing.heartbeat("d-1", clock.now() - timedelta(seconds=5))
    client = web.sign_in("alice")
    shown = _banner(client.get("/week").text)
    assert shown.startswith("on ") and ON in shown and STOPPED not in shown
    assert "Publishing daemon running" in shown
    status = client.get("/api/status").json["banner"]
    assert (status["tone"], status["title"], status["daemons_ok"]) == ("on", ON, True)


@pytest.mark.parametrize("fresh", [False, True])
def test_a_pause_outranks_the_daemons(web, planned, clock, fresh):
    if fresh:
        planned.publishing.heartbeat("d-1", clock.now())
    client = web.sign_in("alice")
    web.post(client, "/control/pause", {"reason": "incident"}, page="/control/pause")
    shown = _banner(client.get("/week").text)
    assert shown.startswith("paused ") and "PAUSED" in shown
