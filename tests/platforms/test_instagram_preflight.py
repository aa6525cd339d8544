"""`campaign preflight` fetches each due image Instagram will fetch from its public address and
compares it with the approved one, saying in plain words what to put where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.clock import ManualClock
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.preflight.media_urls import NotFetched, http_fetch
from campaign.preflight.run import run_checks
from campaign.store import Store
from scheduler.sandbox import PlatformSandbox
from tests.platforms.instagram_support import CAPTION, image_bytes, small_campaign

SQUARE, TALL = image_bytes(1080, 1080), image_bytes(1080, 1350)
WEEK_HOURS = 24 * 14


@pytest.fixture
def planned(tmp_path: Path, sandbox: PlatformSandbox, clock: ManualClock):
    """Two Instagram posts planned and approved; the public address serves nothing yet."""
    config_path = small_campaign(
        tmp_path / "week",
        [
            ("2020-04-20", "10:00", CAPTION, ["images/square.jpg"]),
            (
                "2020-04-21",
                "10:00",
                f"{CAPTION} Tuesday.",
                ["images/square.jpg", "images/tall.jpg"],
            ),
        ],
        {"images/square.jpg": SQUARE, "images/tall.jpg": TALL},
        media_base_url=sandbox.media_base_url,
        base_url=sandbox.base_url("instagram"),
    )
    store = Store.open(f"sqlite:///{tmp_path / 'week' / 'campaign.db'}", clock)
    store_plan(load_config(config_path), store, "officer")
    store.approve("instagram-week", "inspector")
    yield store, config_path
    store.engine.dispose()


def media_findings(store: Store, clock: ManualClock) -> list:
    report = run_checks(store, clock.now(), hours=WEEK_HOURS, fetch_media=http_fetch)
    return [f for f in report.findings if f.check == "media-urls"]


def test_images_served_as_approved_pass(planned, sandbox, clock) -> None:
    store, _ = planned
    sandbox.media.add("images/square.jpg", SQUARE)
    sandbox.media.add("images/tall.jpg", TALL)
    assert media_findings(store, clock) == []
    served = [r.path for r in sandbox.media.requests]
    assert sorted(served) == ["/images/square.jpg", "/images/tall.jpg"]  # each fetched once


def test_a_missing_image_says_what_to_put_where(planned, sandbox, clock) -> None:
    store, _ = planned
    sandbox.media.add("images/square.jpg", SQUARE)
    [problem] = media_findings(store, clock)
    url = f"{sandbox.media_base_url}/images/tall.jpg"
    assert problem.severity == "problem" and problem.post == "2020-04-21-instagram-post1"
    assert f"from {url}, which has no file there (404 Not Found)" in problem.what
    assert problem.fix.startswith("Put images/tall.jpg (the approved image") and url in problem.fix


def test_a_different_picture_under_the_name_is_a_problem(planned, sandbox, clock) -> None:
    store, _ = planned
    sandbox.media.add("images/square.jpg", image_bytes(1080, 1080, "JPEG")[:-10] + b"x" * 10)
    sandbox.media.add("images/tall.jpg", TALL)
    problems = media_findings(store, clock)
    assert {p.post for p in problems} == {
        "2020-04-20-instagram-post0",
        "2020-04-21-instagram-post1",
    }
    assert all("not the approved images/square.jpg" in p.what for p in problems)


def test_without_a_fetcher_no_web_request_is_made(planned, sandbox, clock) -> None:
    store, _ = planned
    report = run_checks(store, clock.now(), hours=WEEK_HOURS)
    assert not [f for f in report.findings if f.check == "media-urls"]
    assert sandbox.media.requests == []


def test_only_web_addresses_are_fetched() -> None:
    with pytest.raises(NotFetched, match="not a web address"):
        http_fetch("file:///etc/passwd")


def test_campaign_preflight_reports_a_missing_image(planned, sandbox, clock) -> None:
    store, config_path = planned
    sandbox.media.add("images/square.jpg", SQUARE)
    config = load_config(config_path)
    result = CliRunner().invoke(
        main,
        ["preflight", "--json", "--hours", str(WEEK_HOURS), "--config", str(config_path)],
        env=sandbox.credentials(list(config.accounts.values())),
        obj={"clock": clock},
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    found = [f for f in json.loads(result.output)["findings"] if f["check"] == "media-urls"]
    assert len(found) == 1 and "images/tall.jpg" in found[0]["fix"]
