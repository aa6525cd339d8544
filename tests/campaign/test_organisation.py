"""organisation.toml: two campaigns share the force's facts, override what is theirs, and every
mistake names the file it is in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from campaign.config import load_config
from campaign.errors import ConfigError
from campaign.planning import check_plan

REPO = Path(__file__).resolve().parents[2]
SHIPPED = (REPO / "config.toml").read_text(encoding="utf-8")
HEAD, DAYS = SHIPPED.split("[[days]]", 1)
# The shipped config's shared tables ([database] to [contact]) are the force's facts.
SHARED = HEAD[HEAD.index("[database]") :]
ORGANISATION = (
    "[organisation]\n"
    'name = "Derbyshire Constabulary"\n'
    'area = "Derbyshire"\n'
    'timezone = "Europe/London"\n'
    'website = "https://www.derbyshire.police.uk"\n\n' + SHARED
)


def _campaign(name: str, slug: str, start: str, end: str, days: str, own: str = "") -> str:
    return (
        "[campaign]\n"
        f'name = "{name}"\n'
        f'slug = "{slug}"\n'
        'hashtag = "#SeeStalkingClearly"\n'
        f"start = {start}\n"
        f"end = {end}\n"
        'organisation_file = "../organisation.toml"\n\n' + own + "\n[[days]]" + days
    )


@pytest.fixture
def force(tmp_path: Path) -> Path:
    """A force folder: organisation.toml and two campaigns beside it that name it."""
    (tmp_path / "organisation.toml").write_text(ORGANISATION, encoding="utf-8")
    for folder, text in {
        "stalking-2020": _campaign(
            "Stalking Awareness Week 2020", "saw-2020", "2020-04-20", "2020-04-26", DAYS
        ),
        "stalking-2021": _campaign(
            "Stalking Awareness Week 2021",
            "saw-2021",
            "2021-04-19",
            "2021-04-25",
            DAYS.replace("2020-04-", "2021-04-"),
            own='[contact]\nx_direct_message = "@DerPolHelp"\n\n[publishing]\ngrace_minutes = 5\n',
        ),
    }.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "config.toml").write_text(text, encoding="utf-8")
        shutil.copytree(REPO / "posts", tmp_path / folder / "posts")
    text = (tmp_path / "stalking-2021" / "config.toml").read_text(encoding="utf-8")
    for day in range(20, 27):  # 2021's week runs Monday 19 to Sunday 25 April
        text = text.replace(f"date = 2021-04-{day}", f"date = 2021-04-{day - 1}")
    (tmp_path / "stalking-2021" / "config.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_two_campaigns_share_the_organisations_facts_and_database(force):
    shipped = load_config(REPO / "config.toml")
    first = load_config(force / "stalking-2020" / "config.toml")
    second = load_config(force / "stalking-2021" / "config.toml")
    for config in (first, second):
        assert config.campaign.organisation == "Derbyshire Constabulary"
        assert config.campaign.area == "Derbyshire"
        assert config.campaign.timezone == "Europe/London"
        assert config.campaign.website == "https://www.derbyshire.police.uk"
        assert config.accounts == shipped.accounts
        assert config.helplines == shipped.helplines
        assert config.checks == shipped.checks
        assert config.organisation_path == (force / "organisation.toml").resolve()
    # A relative SQLite path in organisation.toml is beside organisation.toml: one database.
    assert first.database_url({}) == second.database_url({})
    assert first.database_url({}) == f"sqlite:///{(force / 'campaign.db').resolve()}"
    # The first campaign is the shipped week, planned from the shared facts: same posts.
    assert first.days == shipped.days and first.contact == shipped.contact
    assert first.publishing == shipped.publishing
    rendered = [(p.key, p.text) for p in check_plan(first).posts]
    assert rendered == [(p.key, p.text) for p in check_plan(shipped).posts]
    assert check_plan(first).report.errors == []
    # The second overrides one contact route and one publishing setting, and keeps the rest.
    assert second.contact == {**shipped.contact, "x_direct_message": "@DerPolHelp"}
    assert second.publishing.grace_minutes == 5
    assert second.publishing.max_attempts == shipped.publishing.max_attempts
    assert check_plan(second).report.errors == []


def test_a_campaigns_own_account_replaces_the_shared_one_whole(force):
    path = force / "stalking-2021" / "config.toml"
    own = (
        '[accounts.x]\nplatform = "x"\nname = "Derbyshire Roads Policing"\n'
        'handle = "@DerbysRPU"\ntier = "free"\n'
        '[accounts.x.credentials]\nconsumer_key = "RPU_KEY"\nconsumer_secret = "RPU_SECRET"\n'
        'access_token = "RPU_TOKEN"\naccess_token_secret = "RPU_TOKEN_SECRET"\n'
    )
    path.write_text(path.read_text().replace("\n[[days]]", own + "\n[[days]]", 1))
    config = load_config(path)
    x = config.accounts["x"]
    assert (x.handle, x.tier, x.base_url) == ("@DerbysRPU", "free", None)  # nothing mixed in
    assert x.credentials["consumer_key"] == "RPU_KEY"
    assert config.accounts["facebook"].page_id == "104857361209584"  # still the shared one


def test_the_campaigns_own_organisation_name_wins(force):
    path = force / "stalking-2020" / "config.toml"
    path.write_text(path.read_text().replace("[campaign]\n", '[campaign]\narea = "Derby"\n'))
    config = load_config(path)
    assert config.campaign.area == "Derby"
    assert config.campaign.organisation == "Derbyshire Constabulary"


def test_toml_syntax_error_in_organisation_file_names_it_and_its_line(force):
    shared = force / "organisation.toml"
    shared.write_text(shared.read_text().replace('area = "Derbyshire"', "area = Derbyshire"))
    with pytest.raises(ConfigError) as caught:
        load_config(force / "stalking-2020" / "config.toml")
    assert caught.value.path == (force / "organisation.toml").resolve()
    assert "line 3" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('"DERBYSHIRE_X_ACCESS_TOKEN"', '"abc123-secret"', "accounts.x: credentials.access_token"),
        ('timezone = "Europe/London"', 'timezone = "Europe/Londn"', "organisation.timezone"),
        ('number = "0808 802 0300"', 'number = "0808 802 030"', "helplines.stalking.number"),
        ("grace_minutes = 15", "grace_minutes = -1", "publishing.grace_minutes"),
        ("[contact]", "[contact]\nlive_chat = 3", "contact.live_chat"),
    ],
)
def test_schema_error_in_organisation_file_names_it_and_the_field(force, old, new, field):
    shared = force / "organisation.toml"
    assert old in shared.read_text()
    shared.write_text(shared.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_config(force / "stalking-2020" / "config.toml")
    assert caught.value.path == (force / "organisation.toml").resolve()
    assert field in str(caught.value)
    assert "abc123-secret" not in str(caught.value)


def test_a_shared_value_the_campaign_breaks_names_the_campaign(force):
    path = force / "stalking-2020" / "config.toml"
    path.write_text(path.read_text().replace("[campaign]\n", '[campaign]\ntimezone = "Mars"\n'))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.path == path and "campaign.timezone" in str(caught.value)


def test_missing_organisation_file_names_the_config_field(force):
    path = force / "stalking-2020" / "config.toml"
    path.write_text(path.read_text().replace("../organisation.toml", "../organisaton.toml"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "organisaton.toml" in message and "campaign.organisation_file" in message


def test_a_placeholder_in_the_organisation_file_is_an_error_at_its_line(force):
    shared = force / "organisation.toml"
    text = shared.read_text().replace(
        'handle = "@DerbyshirePolice"', 'handle = "[[@YourHandle: the account\'s X handle]]"'
    )
    shared.write_text(text)
    report = check_plan(load_config(force / "stalking-2020" / "config.toml")).report
    [finding] = [f for f in report.findings if f.rule == "placeholder"]
    assert finding.where.startswith("../organisation.toml:")
    line = text.splitlines()[finding.line - 1]
    assert line.startswith("handle = ")
    assert finding.message.startswith("accounts.x.handle")


def test_both_campaigns_plan_into_the_organisations_database_on_shared_accounts(force, monkeypatch):
    from click.testing import CliRunner

    from campaign.cli import main
    from campaign.store import Store

    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    for folder in ("stalking-2020", "stalking-2021"):
        config = force / folder / "config.toml"
        result = CliRunner().invoke(main, ["plan", "--config", str(config)])
        assert result.exit_code == 0, result.output
    store = Store.open_existing(f"sqlite:///{force / 'campaign.db'}")
    assert [c.slug for c in store.campaigns()] == ["saw-2020", "saw-2021"]
    assert sorted(a.identity for a in store.all_accounts()) == [
        "bluesky:@derbyshirepolice.bsky.social",
        "facebook:104857361209584",
        "instagram:17841400008460056",
        "mastodon:@derbyshirepolice@mastodon.social",
        "threads:26234758113012345",
        "x:@derbyshirepolice",
    ]
    assert not (force / "stalking-2020" / "campaign.db").exists()


def test_a_shared_account_changed_in_organisation_toml_plans_into_every_campaign(
    force, monkeypatch
):
    """Both campaigns take the account from organisation.toml: a change there (a new daily
    limit) is one change, in step for both, so either campaign's next plan stores it."""
    from click.testing import CliRunner

    from campaign.cli import main
    from campaign.store import Store

    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    configs = [force / folder / "config.toml" for folder in ("stalking-2020", "stalking-2021")]
    for config in configs:
        assert CliRunner().invoke(main, ["plan", "--config", str(config)]).exit_code == 0
    shared = force / "organisation.toml"
    shared.write_text(
        shared.read_text(encoding="utf-8").replace("posts_per_24h = 25", "posts_per_24h = 20"),
        encoding="utf-8",
    )
    for config in configs:
        result = CliRunner().invoke(main, ["plan", "--config", str(config)])
        assert result.exit_code == 0, result.output
    store = Store.open_existing(f"sqlite:///{force / 'campaign.db'}")
    [facebook] = [a for a in store.all_accounts() if a.platform == "facebook"]
    assert facebook.definition is not None and facebook.definition["posts_per_24h"] == 20


def test_a_shared_account_one_campaign_configures_differently_is_still_refused(force, monkeypatch):
    """The other campaign's own files still say the old settings: the change is not in step."""
    from click.testing import CliRunner

    from campaign.cli import main

    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    first, second = (force / f / "config.toml" for f in ("stalking-2020", "stalking-2021"))
    for config in (first, second):
        assert CliRunner().invoke(main, ["plan", "--config", str(config)]).exit_code == 0
    own = SHARED[SHARED.index("[accounts.facebook]") : SHARED.index("[helplines")]
    second.write_text(
        second.read_text(encoding="utf-8").replace(
            "[[days]]", own.replace("posts_per_24h = 25", "posts_per_24h = 20") + "\n[[days]]", 1
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["plan", "--config", str(second)])
    assert result.exit_code == 1, result.output  # refused before anything is written
    assert "shared-account" in result.output and "Traceback" not in result.output
    checked = CliRunner().invoke(main, ["check", "--json", "--config", str(second)])
    [why] = [
        f["message"]
        for f in json.loads(checked.output)["findings"]
        if f["channel"] == "facebook" and f["rule"] == "shared-account"
    ]
    assert "'saw-2020'" in why and "posts_per_24h: 25 there, 20 here" in why


NOT_A_SETTING = (
    "{field}: Extra inputs are not permitted: not a setting here, did you mean {meant!r}?"
)


@pytest.mark.parametrize(
    ("old", "new", "field", "meant"),
    [
        ("[organisation]", "[organisaton]", "organisaton", "organisation"),
        ('area = "Derbyshire"', 'aera = "Derbyshire"', "organisation.aera", "area"),
        (
            "posts_per_24h = 25",
            "post_per_24h = 25",
            "accounts.facebook.post_per_24h",
            "posts_per_24h",
        ),
        ("grace_minutes = 15", "grace_minute = 15", "publishing.grace_minute", "grace_minutes"),
    ],
)
def test_a_misspelt_setting_in_organisation_file_suggests_the_right_one(
    force, old, new, field, meant
):
    """A typo is the commonest mistake: say it is not a setting, and which one was meant."""
    shared = force / "organisation.toml"
    assert old in shared.read_text()
    shared.write_text(shared.read_text().replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_config(force / "stalking-2020" / "config.toml")
    assert caught.value.path == (force / "organisation.toml").resolve()
    assert NOT_A_SETTING.format(field=field, meant=meant) in str(caught.value)


def test_a_misspelt_setting_in_config_suggests_the_right_one(force):
    path = force / "stalking-2020" / "config.toml"
    path.write_text(path.read_text().replace("hashtag = ", "hastag = ", 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    said = NOT_A_SETTING.format(field="campaign.hastag", meant="hashtag")
    assert said in str(caught.value)


def test_one_account_under_two_keys_in_one_campaign_is_refused(force):
    """A campaign's own [accounts.roads] on the shared X handle would be counted apart from
    [accounts.x] by the caps and duplicate checks, though the platform counts them together."""
    path = force / "stalking-2020" / "config.toml"
    x = SHARED[SHARED.index("[accounts.x]") : SHARED.index("[accounts.facebook]")]
    roads = x.replace("[accounts.x", "[accounts.roads").replace(
        'name = "Derbyshire Constabulary on X"', 'name = "Derbyshire Roads Policing"'
    )
    assert roads != x
    path.write_text(path.read_text().replace("\n[[days]]", "\n" + roads + "\n[[days]]", 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "accounts.roads" in message and "accounts.x" in message, message
    assert "@DerbyshirePolice" in message and "one key" in message


def test_a_copied_folder_still_holding_the_slug_does_not_take_over_the_stored_campaign(
    force, monkeypatch
):
    """Last year's folder copied to start this year's week, slug unchanged: planning it would
    rename, re-date and cancel last year's stored campaign. A moved folder, or another
    checkout of the same campaign (same name and dates), is the same one."""
    from click.testing import CliRunner

    from campaign.cli import main
    from campaign.store import Store

    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    first = force / "stalking-2020" / "config.toml"
    assert CliRunner().invoke(main, ["plan", "--config", str(first)]).exit_code == 0
    shutil.copytree(force / "stalking-2020", force / "stalking-2022")
    copy = force / "stalking-2022" / "config.toml"
    checkout = CliRunner().invoke(main, ["plan", "--config", str(copy)])
    assert checkout.exit_code == 0, checkout.output
    assert CliRunner().invoke(main, ["plan", "--config", str(first)]).exit_code == 0
    copy.write_text(copy.read_text().replace("Stalking Awareness Week 2020", "SAW 2022"))
    result = CliRunner().invoke(main, ["plan", "--config", str(copy)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "'saw-2020' is planned from" in said and str(first.resolve()) in said
    assert "give this campaign its own [campaign] slug" in said
    store = Store.open_existing(f"sqlite:///{force / 'campaign.db'}")
    assert store.campaign("saw-2020").name == "Stalking Awareness Week 2020"
    store.engine.dispose()
    # Moved rather than copied: the old folder is gone, so the new one is that campaign.
    shutil.rmtree(force / "stalking-2020")
    moved = CliRunner().invoke(main, ["plan", "--config", str(copy)])
    assert moved.exit_code == 0, moved.output


ORGANISATION_CHANNELS = """
[alerts.channels.duty-email]
kind = "email"
to = ["comms-duty@example.police.uk"]
sender = "campaign-alerts@example.police.uk"
host = "smtp.example.police.uk"
severity = "warning"

[alerts.channels.saw-2020-only]
kind = "webhook"
url_env = "SAW_2020_HOOK"
severity = "info"
campaigns = ["saw-2020"]
"""
OWN_CHANNEL = """[alerts]
lead_minutes = 45

[alerts.channels.saw-2021-teams]
kind = "teams"
url_env = "SAW_2021_TEAMS_URL"
topics = ["post-failed", "account-held"]
"""


def test_alert_channels_are_shared_by_name_and_routed_by_campaign_severity_and_topic(
    force, monkeypatch
):
    """organisation.toml's channels serve every campaign; a campaign adds its own (and keeps
    the shared settings it does not set). An event concerning both campaigns reaches a shared
    channel once; each channel gets only the campaigns, severities and topics it asked for."""
    from datetime import UTC, datetime

    from click.testing import CliRunner

    from campaign.cli import main
    from campaign.store import Store
    from campaign.store.alert_rows import AlertDeliveryRow
    from campaign.store.models import CampaignRow
    from campaign.store.outbox import AlertEvent, raise_alert

    shared = force / "organisation.toml"
    shared.write_text(shared.read_text(encoding="utf-8") + ORGANISATION_CHANNELS, "utf-8")
    own = force / "stalking-2021" / "config.toml"
    own.write_text(
        own.read_text(encoding="utf-8").replace("[publishing]", OWN_CHANNEL + "\n[publishing]"),
        "utf-8",
    )
    older, newer = (
        load_config(force / f / "config.toml") for f in ("stalking-2020", "stalking-2021")
    )
    assert sorted(older.alerts.channels) == ["duty-email", "saw-2020-only"]
    assert sorted(newer.alerts.channels) == ["duty-email", "saw-2020-only", "saw-2021-teams"]
    assert (older.alerts.lead_minutes, newer.alerts.lead_minutes) == (30, 45)

    monkeypatch.setenv("CAMPAIGN_USER", "pc.tester")
    for folder in ("stalking-2020", "stalking-2021"):
        result = CliRunner().invoke(main, ["plan", "--config", str(force / folder / "config.toml")])
        assert result.exit_code == 0, result.output
    store = Store.open_existing(f"sqlite:///{force / 'campaign.db'}")
    now = datetime(2021, 4, 19, 9, 0, tzinfo=UTC)
    routed: dict[str, list[str]] = {}
    with store.transaction() as session:
        both = list(session.query(CampaignRow).order_by(CampaignRow.slug))
        for topic, concerns in (
            ("account-held", both),  # critical, about a shared account
            ("resumed", both[1:]),  # info, 2021 only
            ("post-late", both[:1]),  # warning, 2020 only
        ):
            alert = raise_alert(session, concerns, AlertEvent(f"{topic}:1", topic, topic), now)
            assert alert is not None
            session.flush()
            deliveries = session.query(AlertDeliveryRow).filter_by(alert_id=alert.id)
            routed[topic] = sorted(d.channel_name for d in deliveries)
    store.engine.dispose()
    assert routed == {
        "account-held": ["duty-email", "saw-2020-only", "saw-2021-teams"],
        "resumed": [],  # info: below duty-email's warning; not a topic the Teams channel wants
        "post-late": ["duty-email", "saw-2020-only"],
    }
