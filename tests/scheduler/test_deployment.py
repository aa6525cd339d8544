"""One daemon over every campaign in the database (the in-process `Daemon`, real SQLite, the
real clients over HTTP to the sandbox): each post by its own campaign's settings, a campaign
planned while it runs is published, and an account it cannot build is held alone."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from campaign.config import load_config
from campaign.planning import store_plan
from campaign.store import PostState, Store
from scheduler.daemon import Daemon
from scheduler.deployment import DaemonSettings, LiveDeployment, environment_channels
from scheduler.sandbox import PlatformSandbox, SandboxSettings

FIRST = "stalking-awareness-week-2020"
SECOND = "second-force-week-2020"
MONDAY_X = datetime(2020, 4, 20, 9, 0, tzinfo=UTC)  # 10:00 BST, both forces
MONDAY_FACEBOOK = datetime(2020, 4, 20, 11, 0, tzinfo=UTC)


def _publishing(grace_minutes: float, **more: float) -> str:
    lines = [f"grace_minutes = {grace_minutes}", *(f"{k} = {v}" for k, v in more.items())]
    return "[publishing]\n" + "\n".join(lines)


class Forces:
    """Two forces' weeks (Derbyshire's and a second force's, same days and times, accounts of
    their own) in one database, and the sandbox; a daemon serves the whole database."""

    def __init__(self, tmp_path, clock, campaign_dir, another_campaign, point_at_sandbox):
        self.clock = clock
        clock.set(MONDAY_X - timedelta(days=7))
        self.sandbox = PlatformSandbox(SandboxSettings(seed=21), clock).start()
        self.store = Store.open(f"sqlite:///{tmp_path / 'force.db'}", clock)
        self.paths = {
            FIRST: campaign_dir / "config.toml",
            SECOND: another_campaign(SECOND, shift_days=0),
        }
        self.point = point_at_sandbox
        self.environ: dict[str, str] = {}
        self.daemons: list[Daemon] = []

    def plan(
        self,
        slug: str,
        *,
        grace_minutes: float = 15,
        credentials: bool = True,
        metrics: str = "",
    ) -> None:
        path = self.paths[slug]
        publishing = _publishing(grace_minutes)
        self.point(path, self.sandbox, other_force=slug == SECOND, publishing=publishing)
        if metrics:  # this campaign's own [metrics] table
            text = path.read_text(encoding="utf-8")
            start, end = text.index("[metrics]"), text.index("# Accounts:")
            path.write_text(text[:start] + metrics.strip() + "\n\n" + text[end:])
        config = load_config(path)
        store_plan(config, self.store, "officer")
        self.store.approve(slug, "inspector")
        if credentials:
            self.environ.update(self.sandbox.credentials(list(config.accounts.values())))
        else:
            self.sandbox.credentials(list(config.accounts.values()))  # the platform knows it

    def daemon(self) -> Daemon:
        factory = environment_channels(self.environ)
        deployment = LiveDeployment.from_database(self.store, None, factory=factory)
        daemon = Daemon(self.store, deployment, self.clock, rng=random.Random(5))
        self.daemons.append(daemon)
        return daemon

    def at(self, daemon: Daemon, moment: datetime) -> None:
        self.clock.set(moment)
        daemon.run_once()

    def states(self, slug: str) -> dict[str, PostState]:
        return {post.key: post.state for post in self.store.posts(slug)}

    def close(self) -> None:
        for daemon in self.daemons:
            daemon.pool.shutdown(wait=True)
        self.sandbox.stop()
        self.store.engine.dispose()


@pytest.fixture
def forces(tmp_path, clock, campaign_dir, another_campaign, point_at_sandbox):
    made = Forces(tmp_path, clock, campaign_dir, another_campaign, point_at_sandbox)
    yield made
    made.close()


def test_each_campaign_keeps_its_own_grace_window(forces):
    forces.plan(FIRST, grace_minutes=15)
    forces.plan(SECOND, grace_minutes=600)
    daemon = forces.daemon()
    # The daemon was down all Monday morning; it starts at 13:00 BST.
    forces.at(daemon, MONDAY_FACEBOOK + timedelta(hours=1))

    first, second = forces.store.posts(FIRST), forces.store.posts(SECOND)
    monday = {"2020-04-20-x", "2020-04-20-facebook"}
    assert {p.key: p.state for p in first if p.key in monday} == dict.fromkeys(
        monday, PostState.MISSED
    )
    assert all("15 min grace" in p.last_error for p in first if p.key in monday)
    assert {p.key: p.state for p in second if p.key in monday} == dict.fromkeys(
        monday, PostState.PUBLISHED
    )
    # Late, but within the second force's ten hours, and on its own accounts.
    assert {t.author_id for t in forces.sandbox.x.tweets} == {
        forces.sandbox.x.user("SecondForce").id
    }
    assert {p.page_id for p in forces.sandbox.facebook.posts} == {"204857361209584"}


def test_a_campaign_planned_while_the_daemon_runs_is_published(forces):
    forces.plan(FIRST)
    daemon = forces.daemon()
    forces.at(daemon, MONDAY_X - timedelta(minutes=30))
    assert [c.slug for c in daemon.deployment.campaigns.values()] == [FIRST]

    forces.plan(SECOND, grace_minutes=45)  # by another process, while this daemon runs
    forces.at(daemon, MONDAY_X)
    forces.at(daemon, MONDAY_FACEBOOK)

    assert {c.slug for c in daemon.deployment.campaigns.values()} == {FIRST, SECOND}
    for slug in (FIRST, SECOND):
        states = forces.states(slug)
        assert states["2020-04-20-x"] == states["2020-04-20-facebook"] == PostState.PUBLISHED
    pages = sorted(p.page_id for p in forces.sandbox.facebook.posts)
    assert pages == ["104857361209584", "204857361209584"]
    # Its own settings came with it.
    second = next(c for c in daemon.deployment.campaigns.values() if c.slug == SECOND)
    assert second.publishing.grace == timedelta(minutes=45)


def test_sweeps_read_the_deployment_again_only_when_it_changed(forces):
    forces.plan(FIRST)
    api = forces.store.publishing
    reads: list[int] = []

    def read():
        reads.append(1)
        return api.deployment(None)

    factory = environment_channels(forces.environ)
    deployment = LiveDeployment(
        read, factory, scope=None, version=lambda: api.deployment_version(None)
    )
    daemon = Daemon(forces.store, deployment, forces.clock)
    forces.daemons.append(daemon)
    for minute in range(5):
        forces.clock.set(MONDAY_X - timedelta(hours=2, minutes=-minute))
        daemon.sweep()
    assert len(reads) == 1  # when it started; each sweep asked only the cheap question

    forces.plan(SECOND)
    daemon.sweep()
    assert len(reads) == 2
    assert {c.slug for c in deployment.campaigns.values()} == {FIRST, SECOND}


def test_an_account_without_credentials_is_held_while_the_other_force_publishes(forces):
    forces.plan(FIRST)
    forces.plan(SECOND, credentials=False)  # SECOND_X_... and SECOND_FB_... not exported
    daemon = forces.daemon()
    forces.at(daemon, MONDAY_X)
    assert forces.states(FIRST)["2020-04-20-x"] == PostState.PUBLISHED
    assert forces.states(SECOND)["2020-04-20-x"] == PostState.SCHEDULED  # held, not lost
    forces.at(daemon, MONDAY_FACEBOOK)

    assert forces.states(FIRST)["2020-04-20-facebook"] == PostState.PUBLISHED
    second = {post.key: post for post in forces.store.posts(SECOND)}
    assert second["2020-04-20-facebook"].state == PostState.SCHEDULED
    # Held past its grace window, it was missed with the reason (the misfire rule).
    assert second["2020-04-20-x"].state == PostState.MISSED
    assert "needed new credentials" in second["2020-04-20-x"].last_error
    held = {a.handle or a.identity: a for a in forces.store.accounts(SECOND)}
    # Held: the accounts whose posts fell due while the daemon ran (X 10:00, Facebook 12:00).
    assert held["@SecondForce"].needs_credentials
    assert held["/DerbyshireConstabulary"].needs_credentials
    x_problem = held["@SecondForce"].credentials_problem
    assert "SECOND_X_CONSUMER_KEY" in x_problem and "not set" in x_problem
    assert all(a.needs_credentials is False for a in forces.store.accounts(FIRST))
    # Nothing reached the second force's accounts.
    assert {p.page_id for p in forces.sandbox.facebook.posts} == {"104857361209584"}


def test_process_settings_are_chosen_on_the_safe_side():
    from campaign.config import Publishing

    quick = Publishing(workers=4, poll_seconds=0.5, heartbeat_timeout_seconds=30)
    patient = Publishing(
        workers=32, poll_seconds=2, heartbeat_timeout_seconds=120, request_timeout_seconds=20
    )
    chosen = DaemonSettings.across([quick, patient])
    assert (chosen.workers, chosen.poll_seconds, chosen.heartbeat_timeout_seconds) == (32, 0.5, 120)


def test_an_account_the_database_has_no_settings_for_is_held_with_what_to_do(forces):
    from sqlalchemy import update

    from campaign.store.models import AccountRow

    forces.plan(FIRST)
    forces.plan(SECOND)
    with forces.store.transaction() as session:  # as a plan by an older version left it
        session.execute(
            update(AccountRow).where(AccountRow.handle == "@SecondForce").values(definition=None)
        )
    daemon = forces.daemon()
    forces.at(daemon, MONDAY_X)

    assert forces.states(FIRST)["2020-04-20-x"] == PostState.PUBLISHED
    assert forces.states(SECOND)["2020-04-20-x"] == PostState.SCHEDULED
    [account] = [a for a in forces.store.accounts(SECOND) if a.handle == "@SecondForce"]
    assert account.needs_credentials
    assert "run `campaign plan`" in account.credentials_problem


def test_serving_the_whole_database_each_sweep_searches_posts_by_campaign_state_and_time(
    forces, tmp_path
):
    """Idle-cheap across campaigns too: a sweep's questions about posts name the campaigns, so
    they read the (campaign, state, time) index, not every scheduled post in the database."""
    import sqlite3

    from sqlalchemy import event

    forces.plan(FIRST)
    forces.plan(SECOND)
    daemon = forces.daemon()
    forces.clock.set(MONDAY_X - timedelta(hours=3))
    daemon.sweep()  # schedules both weeks
    statements: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if " posts" in statement and statement.lstrip().startswith(("SELECT", "UPDATE")):
            statements.append((statement, parameters))

    event.listen(forces.store.engine, "before_cursor_execute", capture)
    daemon.sweep()
    event.remove(forces.store.engine, "before_cursor_execute", capture)

    assert len(statements) >= 4
    database = sqlite3.connect(tmp_path / "force.db")
    for statement, parameters in statements:
        plan = [row[3] for row in database.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        on_posts = [step for step in plan if " posts " in f"{step} "]
        wanted = ("USING INDEX ix_posts_campaign_state_time (campaign_id=? AND state=?", "rowid=?")
        shown = (" ".join(statement.split())[:200], plan)
        assert on_posts and all(any(w in step for w in wanted) for step in on_posts), shown
    database.close()


def test_each_campaign_is_measured_at_its_own_offsets_with_its_own_graph_metrics(forces):
    forces.plan(FIRST)  # the shipped offsets (1h first) and Graph metric names
    forces.plan(
        SECOND,
        metrics="""
[metrics]
offsets = ["24h"]
facebook = ["post_clicks"]
facebook_impressions = "post_clicks"
facebook_clicks = "post_clicks"
""",
    )
    daemon = forces.daemon()
    forces.at(daemon, MONDAY_X)
    forces.at(daemon, MONDAY_FACEBOOK)
    forces.clock.set(MONDAY_FACEBOOK + timedelta(hours=1, minutes=5))
    daemon.metrics.collect_due()

    def snapshots(slug: str) -> dict[str, list]:
        posts, taken = forces.store.posts_and_snapshots(slug)
        keys = {post.id: post.key for post in posts}
        found: dict[str, list] = {}
        for snapshot in taken:
            found.setdefault(keys[snapshot.post_id], []).append(snapshot)
        return found

    first, second = snapshots(FIRST), snapshots(SECOND)
    assert [s.offset for s in first["2020-04-20-facebook"]] == ["1h"]
    assert second == {}  # its first reading is at 24 hours
    assert "post_media_view" in first["2020-04-20-facebook"][0].values

    forces.clock.set(MONDAY_FACEBOOK + timedelta(hours=24, minutes=5))
    daemon.metrics.collect_due()
    [reading] = snapshots(SECOND)["2020-04-20-facebook"]
    assert reading.offset == "24h"
    assert "post_clicks" in reading.values and "post_media_view" not in reading.values


def test_a_setting_changed_by_a_new_plan_is_read_within_a_minute(forces):
    forces.plan(FIRST, grace_minutes=15)
    api = forces.store.publishing
    seconds = [0.0]
    deployment = LiveDeployment(
        lambda: api.deployment(None),
        environment_channels(forces.environ),
        scope=None,
        version=lambda: api.deployment_version(None),
        monotonic=lambda: seconds[0],
    )
    daemon = Daemon(forces.store, deployment, forces.clock)
    forces.daemons.append(daemon)
    [campaign_id] = deployment.campaigns

    forces.plan(FIRST, grace_minutes=600)  # the same campaign and accounts, a new window
    daemon.sweep()
    assert deployment.campaign(campaign_id).publishing.grace == timedelta(minutes=15)
    seconds[0] += 61
    daemon.sweep()
    assert deployment.campaign(campaign_id).publishing.grace == timedelta(minutes=600)


def test_two_campaigns_on_one_account_publish_through_it_once_each(forces):
    """Two campaigns on the same X account and Page (their own words: a platform refuses a
    text repeated on one account): one account row, one channel, each post sent once."""
    forces.plan(FIRST)
    second = forces.paths[SECOND]
    for template in (second.parent / "posts").rglob("*.j2"):
        text = template.read_text(encoding="utf-8")
        if template.parent.name != "_partials":
            text = text.replace("\n---\n", " (2)\n---\n").rstrip("\n") + " (2)\n"
        template.write_text(text, encoding="utf-8")
    forces.point(second, forces.sandbox, publishing=_publishing(15))  # Derbyshire's accounts
    config = load_config(second)
    store_plan(config, forces.store, "officer")
    forces.store.approve(SECOND, "inspector")
    assert len(forces.store.all_accounts()) == 6  # X, Facebook, Instagram, Bluesky, ...
    daemon = forces.daemon()
    assert len(daemon.deployment.campaigns) == 2 and len(daemon.deployment.current.accounts) == 6

    forces.at(daemon, MONDAY_X)
    forces.at(daemon, MONDAY_FACEBOOK)

    for slug in (FIRST, SECOND):
        states = forces.states(slug)
        assert states["2020-04-20-x"] == states["2020-04-20-facebook"] == PostState.PUBLISHED
    derbyshire = forces.sandbox.x.user("DerbyshirePolice").id
    texts = [t.text for t in forces.sandbox.x.tweets if t.author_id == derbyshire]
    assert (
        len(texts) == len(set(texts)) and sum(t.endswith("(2)") for t in texts) == len(texts) // 2
    )
    pages = [p.page_id for p in forces.sandbox.facebook.posts]
    assert pages == ["104857361209584", "104857361209584"]


def test_images_are_sent_from_the_database_when_the_posts_folder_is_gone(forces, campaign_dir):
    forces.plan(FIRST)
    picture = (campaign_dir / "posts/images/see-stalking-clearly.png").read_bytes()
    shutil.rmtree(campaign_dir / "posts")  # a daemon on another machine has only the database
    daemon = forces.daemon()
    forces.at(daemon, MONDAY_X)

    assert forces.states(FIRST)["2020-04-20-x"] == PostState.PUBLISHED
    (uploaded,) = forces.sandbox.x.media.values()
    assert uploaded.size == len(picture) and uploaded.mime_type == "image/png"
    assert uploaded.alt_text and uploaded.alt_text.startswith("Dark blue card")
