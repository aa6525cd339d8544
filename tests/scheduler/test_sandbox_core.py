"""The sandbox as a whole: engagement curves, settings, credentials, seeded faults, serving."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from campaign.clock import ManualClock
from campaign.config import Account, CampaignConfig
from scheduler.sandbox import (
    PlatformSandbox,
    SandboxSettings,
    engagement,
    facebook_metrics,
    run_sandbox,
    x_metrics,
)
from scheduler.sandbox.facade import DOUBLES
from scheduler.sandbox.faults import Fault, FaultInjector


@given(
    seed=st.integers(0, 1000),
    post_id=st.text(min_size=1, max_size=20),
    earlier=st.floats(0, 30 * 86_400),
    later_by=st.floats(0, 30 * 86_400),
)
def test_engagement_never_shrinks(seed: int, post_id: str, earlier: float, later_by: float) -> None:
    assert engagement(seed, post_id, "likes", earlier) <= engagement(
        seed, post_id, "likes", earlier + later_by
    )


def test_engagement_is_deterministic_and_seeded() -> None:
    week = timedelta(days=7)
    assert x_metrics(3, "1", week) == x_metrics(3, "1", week)
    assert x_metrics(3, "1", week) != x_metrics(4, "1", week)
    assert engagement(3, "1", "likes", -5) == 0
    counts = facebook_metrics(3, "1_2", week)
    assert counts["reactions"] == sum(counts["post_reactions_by_type_total"].values())
    assert counts["post_total_media_view_unique"] <= counts["post_media_view"]


@pytest.mark.parametrize("field", ["rate_429", "rate_5xx", "rate_slow", "rate_drop_after_create"])
def test_settings_refuse_rates_outside_0_to_1(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        SandboxSettings(**{field: 1.5})


def test_update_validates_and_rejects_unknown_settings(sandbox: PlatformSandbox) -> None:
    assert sandbox.update(rate_5xx=0.25).rate_5xx == 0.25
    with pytest.raises(TypeError, match="rate_500"):
        sandbox.update(rate_500=1.0)
    with pytest.raises(ValueError):
        sandbox.update(rate_slow=-1.0)


def test_faults_repeat_for_the_same_seed() -> None:
    settings = SandboxSettings(seed=11, rate_429=0.2, rate_5xx=0.2, rate_drop_after_create=0.2)

    def run() -> list[Fault]:
        injector = FaultInjector(settings, "x")
        return [injector.draw(creates=n % 2 == 0) for n in range(200)]

    first = run()
    assert first == run()
    assert {Fault.THROTTLE, Fault.SERVER_ERROR, Fault.DROP, Fault.NONE} <= set(first)


def test_credentials_are_stable_per_seed_and_name_variables(
    shipped_config: CampaignConfig, clock: ManualClock
) -> None:
    accounts = list(shipped_config.accounts.values())
    one = PlatformSandbox(SandboxSettings(seed=1), clock).credentials(accounts)
    again = PlatformSandbox(SandboxSettings(seed=1), clock).credentials(accounts)
    other = PlatformSandbox(SandboxSettings(seed=2), clock).credentials(accounts)
    assert one == again and one != other
    assert set(one) == {var for account in accounts for var in account.credentials.values()}


def test_the_date_header_follows_the_sandbox_clock(sandbox: PlatformSandbox) -> None:
    answer = requests.get(f"{sandbox.x_base_url}/2/users/me", timeout=5)
    assert answer.headers["Date"] == "Mon, 13 Apr 2020 09:00:00 GMT"


def test_latency_delays_every_answer(sandbox: PlatformSandbox) -> None:
    sandbox.update(latency_seconds=0.1)
    started = datetime.now(UTC)
    requests.get(f"{sandbox.graph_base_url}/v25.0/1", timeout=5)
    assert datetime.now(UTC) - started >= timedelta(seconds=0.1)


def test_run_sandbox_serves_until_stopped(shipped_config: CampaignConfig) -> None:
    stop = threading.Event()
    seen: dict[str, str] = {}
    accounts: list[Account] = list(shipped_config.accounts.values())

    def ready(running: PlatformSandbox) -> None:
        seen.update(running.credentials(accounts))
        answer = requests.get(f"{running.x_base_url}/2/users/me", timeout=5)
        seen["status"] = str(answer.status_code)
        stop.set()

    urls = run_sandbox("127.0.0.1", 0, SandboxSettings(), accounts, ready=ready, stop=stop)

    assert seen["status"] == "401" and "DERBYSHIRE_FB_PAGE_TOKEN" in seen
    assert set(urls) == {"x", "facebook", *DOUBLES} and urls["x"].startswith("http://127.0.0.1:")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{urls['x']}/2/users/me", timeout=1)
