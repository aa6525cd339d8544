"""`[alerts]` as officers write it: mistakes named by file and field with what to do, and the
channels kept whole when stored with the plan."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store.outbox import alert_settings

MIXED = """
[alerts.channels.comms-teams]
kind = "teams"
url_env = "FORCE_TEAMS_URL"
to = ["comms-duty@derbyshire.police.uk"]
"""


@pytest.mark.parametrize(
    ("channel", "said"),
    [
        (MIXED, "alerts.channels.comms-teams: to: not a setting of a teams channel"),
        (
            '\n[alerts.channels.duty]\nkind = "email"\nto = ["a@b.police.uk"]\n'
            'sender = "c@b.police.uk"\nhost = "smtp.b.police.uk"\nurl_env = "HOOK"\n',
            "url_env: not a setting of an email channel",
        ),
    ],
)
def test_a_setting_of_another_kind_of_channel_is_refused(campaign_dir, channel, said):
    config = campaign_dir / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + channel, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "config.toml" in result.output and said in result.output
    assert "Traceback" not in result.output


def test_stored_channels_read_back_whole(campaign_dir, store):
    """What a plan stores is what deliveries are routed by: no channel lost on the way."""
    config = campaign_dir / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[alerts.channels.comms-teams]\nkind = "teams"\nurl_env = "FORCE_TEAMS_URL"\n'
        + '\n[alerts.channels.duty]\nkind = "email"\nto = ["a@b.police.uk"]\n'
        + 'sender = "c@b.police.uk"\nhost = "smtp.b.police.uk"\n',
        encoding="utf-8",
    )
    loaded = load_config(config)
    store_plan(loaded, store, "officer")
    assert alert_settings(store.campaign(loaded.campaign.slug)) == loaded.alerts


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ('"7:00"', None),
        ('"25:00"', "'25:00' is not a time of day: write it as HH:MM"),
        ('"seven"', "'seven' is not a time of day: write it as HH:MM"),
    ],
)
def test_the_morning_time_is_read_as_people_write_it(campaign_dir, written, said):
    config = campaign_dir / "config.toml"
    text = config.read_text(encoding="utf-8").replace('morning = "07:00"', f"morning = {written}")
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    if said is None:
        assert load_config(config).alerts.morning.hour == 7
    else:
        assert result.exit_code == 2 and "alerts.morning" in result.output
        assert said in result.output
