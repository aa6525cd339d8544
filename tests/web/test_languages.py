"""Posts in several languages on the dashboard and in `campaign preview`: every text carries its
own `lang` (so a screen reader switches voice), a pair's posts are one unit (shown together,
approved and withdrawn together), and reading ease is never an English score on Welsh.

Over a small Welsh and English week (tests/web/welsh_week.py): a pair on X, one bilingual
Facebook post.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from campaign.checks.readability import flesch_reading_ease
from campaign.cli import main
from campaign.config import CampaignConfig, load_config
from campaign.planning import check_plan, store_plan
from campaign.preview import render_preview_html
from campaign.store import Store
from campaign.store.review import OWN_WORK
from campaign.store.review_queue import NEEDS_APPROVAL
from campaign.store.users import add_user
from campaign.web import create_app
from campaign.web.queue_view import QueuedPost, QueueView
from tests.web.conftest import PASSWORD, SECRET_KEY, Web
from tests.web.welsh_week import BILINGUAL, ENGLISH, PAIR, SLUG, WELSH, welsh_week

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
WELSH_TEXT = (
    "Mewn argyfwng, ffoniwch 999. #WythnosYmwybyddiaethTroseddauCasineb #HateCrimeAwarenessWeek"
)
ENGLISH_TEXT = "In an emergency, call 999. #HateCrimeAwarenessWeek"
PAIR_HEADING = "Welsh and English pair: Cymraeg (Welsh) first, then English"


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def words(self) -> str:
        return " ".join(self.text.split())

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def find(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.find(tag, cls))
        return found

    def by_id(self, ident: str) -> Node:
        [found] = [node for node in self.find() if node.attrs.get("id") == ident]
        return found

    def inside(self, tag: str, cls: str | None = None) -> Node | None:
        node = self.parent
        while node is not None:
            if node.tag == tag and (cls is None or cls in node.classes):
                return node
            node = node.parent
        return None


class Tree(HTMLParser):
    """A page as a tree of elements, enough to ask which text sits where, in which language."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self._open = self.root
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, self._open)
        self._open.children.append(node)
        if tag not in VOID:
            self._open = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self._open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self._open = node.parent

    def handle_data(self, data: str) -> None:
        self._open.children.append(data)


def page(markup: str) -> Node:
    return Tree(markup).root


def texts(root: Node) -> list[tuple[str, str, str]]:
    """Every post text on the page: (its card's post key, its own lang, its words)."""
    found = []
    for node in root.find(cls="text"):
        card = node.inside("article")
        assert card is not None, node.words
        found.append(
            (card.attrs["id"].removeprefix("post-"), node.attrs.get("lang", ""), node.words)
        )
    return found


# ---------------------------------------------------------------- fixtures: the Welsh week


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    target = tmp_path / "welsh-week"
    welsh_week(target)
    return target


@pytest.fixture
def config(campaign_dir: Path) -> CampaignConfig:  # the dashboard fixtures plan this campaign
    return load_config(campaign_dir / "config.toml")


@pytest.fixture
def alice(web) -> FlaskClient:
    return web.sign_in("alice")


def hashes(store: Store) -> dict[str, str]:
    return {row.key: row.content_hash for row in store.posts(SLUG)}


def states(store: Store) -> dict[str, str]:
    return {row.key: row.state for row in store.posts(SLUG)}


# ---------------------------------------------------------------- lang marks


def test_every_text_on_the_week_carries_its_own_language(alice: FlaskClient) -> None:
    root = page(alice.get("/week").text)
    assert root.find("html")[0].attrs["lang"] == "en-GB"  # the interface stays English
    assert texts(root) == [
        (WELSH, "cy", WELSH_TEXT),
        (ENGLISH, "en", ENGLISH_TEXT),
        (BILINGUAL, "cy", WELSH_TEXT),  # a bilingual post: each text in its own element
        (BILINGUAL, "en", ENGLISH_TEXT),
    ]


def test_a_bilingual_pictures_alt_text_is_marked_language_by_language(
    alice: FlaskClient,
) -> None:
    card = page(alice.get("/week").text).by_id(f"post-{BILINGUAL}")
    [alts] = card.find("ul", "alts")
    marked = [(span.attrs.get("lang"), span.words) for span in alts.find("span")]
    assert marked == [("cy", "Ffoniwch 999 mewn argyfwng"), ("en", "Call 999 in an emergency")]


def test_each_card_says_its_language(alice: FlaskClient) -> None:
    root = page(alice.get("/week").text)
    said = {
        key: root.by_id(f"post-{key}").find("span", "language")[0]
        for key in (WELSH, ENGLISH, BILINGUAL)
    }
    assert said[WELSH].words == "Cymraeg (Welsh)"
    assert said[ENGLISH].words == "English"
    assert said[BILINGUAL].words == "Bilingual: Cymraeg (Welsh), then English"
    # The language's own name is marked as written in it: a screen reader says "Cymraeg" in Welsh.
    assert [(s.attrs["lang"], s.words) for s in said[BILINGUAL].find("span")] == [
        ("cy", "Cymraeg"),
        ("en", "English"),
    ]


def test_a_one_language_campaign_marks_its_texts_in_its_language() -> None:
    """The shipped week (en-GB, no [languages]): every text marked en-GB, no language label."""
    config = load_config(Path(__file__).resolve().parents[2] / "config.toml")
    checked = check_plan(config)
    root = page(render_preview_html(config, checked.posts, checked.report))
    found = texts(root)
    assert found and {lang for _, lang, _ in found} == {"en-GB"}
    assert not root.find("span", "language")
    assert not root.find("section", "pair")


# ---------------------------------------------------------------- reading ease


def reading_ease(card: Node) -> dict[str, str]:
    figures = card.find("dl", "figures")[0]
    terms = [node.words for node in figures.find("dt")]
    values = [node.words for node in figures.find("dd")]
    return {term: value for term, value in zip(terms, values, strict=True) if "Reading" in term}


def test_welsh_is_not_given_an_english_reading_ease_score(alice: FlaskClient) -> None:
    root = page(alice.get("/week").text)
    assert reading_ease(root.by_id(f"post-{WELSH}")) == {"Reading ease": "Not scored (Welsh)"}
    english = reading_ease(root.by_id(f"post-{ENGLISH}"))["Reading ease"]
    assert english == f"{flesch_reading_ease(ENGLISH_TEXT):.0f}"
    # The bilingual post: its English text scored alone, its Welsh one not at all.
    assert reading_ease(root.by_id(f"post-{BILINGUAL}")) == {
        "Reading ease (Welsh)": "Not scored (Welsh)",
        "Reading ease (English)": english,
    }


# ---------------------------------------------------------------- the pair, one unit


def test_the_pair_is_shown_together_under_one_heading(alice: FlaskClient) -> None:
    root = page(alice.get("/week").text)
    [pair] = [node for node in root.find("section", "pair")]
    assert pair.find("h3")[0].words == PAIR_HEADING
    cards = [node.attrs["id"] for node in pair.find("article")]
    assert cards == [f"post-{WELSH}", f"post-{ENGLISH}"]  # Welsh first, as they go out
    assert root.by_id(f"post-{BILINGUAL}").inside("section", "pair") is None


def approve_forms(node: Node) -> list[list[tuple[str, str]]]:
    return [
        [(i.attrs["name"], i.attrs.get("value", "")) for i in form.find("input")]
        for form in node.find("form")
        if form.attrs.get("action", "").endswith("/approve")
    ]


def test_the_pair_has_one_approve_button_carrying_both_posts_hashes(
    alice: FlaskClient, planned: Store
) -> None:
    root = page(alice.get("/week").text)
    [pair] = root.find("section", "pair")
    for key in (WELSH, ENGLISH):  # no card of the pair can be approved alone
        assert approve_forms(root.by_id(f"post-{key}")) == []
    [form] = approve_forms(pair)
    stored = hashes(planned)
    assert [value for name, value in form if name == "post"] == [
        f"{WELSH}:{stored[WELSH]}",
        f"{ENGLISH}:{stored[ENGLISH]}",
    ]
    [button] = [b for b in pair.find("button") if "Approve" in b.words]
    assert button.words == "✓ Approve both posts of the Monday 10:00 X pair"


def test_approving_the_pair_approves_both_and_withdrawing_withdraws_both(
    web, alice: FlaskClient, planned: Store
) -> None:
    root = page(alice.get("/week").text)
    [form] = approve_forms(root.find("section", "pair")[0])
    token = web.token(alice.get("/week").text)
    response = alice.post("/week/approve", data=MultiDict([*form, ("csrf_token", token)]))
    assert response.status_code == 302
    after = states(planned)
    assert (after[WELSH], after[ENGLISH], after[BILINGUAL]) == ("approved", "approved", "draft")

    root = page(alice.get("/week").text)
    [pair] = root.find("section", "pair")
    [withdraw] = [
        form for form in pair.find("form") if form.attrs.get("action", "").endswith("/withdraw")
    ]
    keys = [i.attrs["value"] for i in withdraw.find("input") if i.attrs["name"] == "key"]
    assert keys == [WELSH, ENGLISH]
    data = [
        (i.attrs["name"], i.attrs.get("value", ""))
        for i in withdraw.find("input")
        if i.attrs["name"] != "reason"
    ]
    response = alice.post(
        "/week/withdraw", data=MultiDict([*data, ("reason", "wording under review")])
    )
    assert response.status_code == 302
    assert {states(planned)[key] for key in (WELSH, ENGLISH)} == {"draft"}


def test_live_updates_ask_for_the_pair_whole(alice: FlaskClient, planned: Store) -> None:
    status = alice.get("/api/status").json
    assert status is not None and PAIR in status["units"]
    before = status["units"][PAIR]["version"]
    planned.approve(SLUG, "ann", keys=(WELSH, ENGLISH), expected=hashes(planned))
    assert alice.get("/api/status").json["units"][PAIR]["version"] != before  # type: ignore[index]
    answer = alice.get(f"/api/week/cards?key={PAIR}").json
    assert answer is not None
    fresh = page(answer["posts"][PAIR]["card"])
    [pair] = fresh.find("section", "pair")
    assert pair.attrs["data-card"] == PAIR
    assert [lang for _, lang, _ in texts(fresh)] == ["cy", "en"]
    assert "approved by ann" in answer["announce"]


def test_the_compact_list_keeps_the_pair_together_and_marks_each_line(
    alice: FlaskClient,
) -> None:
    root = page(alice.get("/week?view=list").text)
    [pair] = root.find("li", "pair-lines")
    assert pair.find("span", "pair-head")[0].words == PAIR_HEADING
    lines = [
        (line.attrs["id"], line.find("span", "line-text")[0].attrs["lang"])
        for line in pair.find("li", "line")
    ]
    assert lines == [(f"post-{WELSH}", "cy"), (f"post-{ENGLISH}", "en")]


# ---------------------------------------------------------------- the approval queue


def test_the_queue_shows_the_pair_together_and_approves_both(
    web, alice: FlaskClient, planned: Store
) -> None:
    root = page(alice.get("/review").text)
    [pair] = root.find("section", "queue-pair")
    assert pair.find("h3")[0].words.startswith(PAIR_HEADING)
    assert [(key, lang) for key, lang, _ in texts(pair)] == [(WELSH, "cy"), (ENGLISH, "en")]
    [form] = approve_forms(pair)
    stored = hashes(planned)
    assert sorted(value for name, value in form if name == "post") == [
        f"{WELSH}:{stored[WELSH]}",
        f"{ENGLISH}:{stored[ENGLISH]}",
    ]
    token = web.token(alice.get("/review").text)
    assert (
        alice.post("/review/approve", data=MultiDict([*form, ("csrf_token", token)])).status_code
        == 302
    )
    after = states(planned)
    assert (after[WELSH], after[ENGLISH], after[BILINGUAL]) == ("approved", "approved", "draft")


# ---------------------------------------------------------------- campaign preview


def test_campaign_preview_marks_languages_and_groups_the_pair(
    campaign_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", f"sqlite:///{tmp_path / 'preview.db'}")
    output = tmp_path / "preview.html"
    runner = CliRunner()
    config = str(campaign_dir / "config.toml")
    for args in (["plan"], ["preview", "-o", str(output)]):  # the cards show the stored posts
        result = runner.invoke(main, [*args, "--config", config])
        assert result.exit_code == 0, result.output
    root = page(output.read_text(encoding="utf-8"))
    assert root.find("html")[0].attrs["lang"] == "en-GB"
    assert texts(root) == [
        (WELSH, "cy", WELSH_TEXT),
        (ENGLISH, "en", ENGLISH_TEXT),
        (BILINGUAL, "cy", WELSH_TEXT),
        (BILINGUAL, "en", ENGLISH_TEXT),
    ]
    [pair] = root.find("section", "pair")
    assert pair.find("h3")[0].words == PAIR_HEADING
    assert [node.attrs["id"] for node in pair.find("article")] == [
        f"post-{WELSH}",
        f"post-{ENGLISH}",
    ]
    assert reading_ease(root.by_id(f"post-{WELSH}")) == {"Reading ease": "Not scored (Welsh)"}
    hashtags = [
        (s.attrs["lang"], s.words)
        for s in root.find("header")[0].find("span")
        if s.attrs.get("lang")
    ]
    assert hashtags == [
        ("cy", "#WythnosYmwybyddiaethTroseddauCasineb"),
        ("en", "#HateCrimeAwarenessWeek"),
    ]


# ---------------------------------------------------------------- pausing one account of a pair


def test_pausing_one_account_of_the_pair_says_the_other_post_waits_too(
    web, alice: FlaskClient
) -> None:
    confirm = page(alice.get("/control/pause").text)
    notes = [node.words for node in confirm.find("p", "hint") if "pairs" in node.words]
    assert notes == [
        "X @HeddluGogCymru: its posts go out in pairs with X @NWPolice (one post per language, "
        "sent together), so while it is paused the other post of each pair waits too.",
        "X @NWPolice: its posts go out in pairs with X @HeddluGogCymru (one post per language, "
        "sent together), so while it is paused the other post of each pair waits too.",
    ]
    response = web.post(
        alice,
        "/control/pause",
        {"scope": "account", "account": "x-cymraeg", "reason": "Welsh account hacked"},
        page="/control/pause",
    )
    assert response.status_code == 302
    said = page(alice.get("/week").text).find("ul", "flashes")[0].words
    assert "PAUSED X @HeddluGogCymru" in said
    assert "the other post of each pair waits too" in said


# ---------------------------------------------------------------- "Approve all" and a pair


def _queued(key: str, unit: str | None, *, own: bool = False, group: str = NEEDS_APPROVAL):
    return QueuedPost(
        key=key,
        group=group,
        label=key,
        when="",
        content_hash="0" * 64,
        due=datetime(2026, 10, 12, 9, tzinfo=UTC),
        card=None,
        parts=[],
        changed_by="",
        author=None,
        own=own,
        unit=unit,
    )


def test_approve_all_leaves_a_pair_whole_when_one_of_its_posts_cannot_be_approved() -> None:
    """The viewer wrote the Welsh post: neither post of the pair is in "Approve all" (approving
    the English one alone would send it without its Welsh post)."""
    queue = QueueView(
        [
            _queued(WELSH, PAIR, own=True),
            _queued(ENGLISH, PAIR),
            _queued(BILINGUAL, None),
        ]
    )
    assert [post.key for post in queue.approvable] == [BILINGUAL]
    assert [(post.key, why) for post, why in queue.skipped] == [
        (WELSH, OWN_WORK),
        (ENGLISH, "its pair's other post is not approved now, and a pair is approved together"),
    ]
    [pair, alone] = queue.units(NEEDS_APPROVAL)
    assert (pair.key, [post.key for post in pair.posts], pair.own) == (PAIR, [WELSH, ENGLISH], True)
    assert (alone.key, alone.paired) == (BILINGUAL, False)


def test_a_campaign_shown_as_stored_marks_each_text_with_its_language(
    tmp_path: Path, store: Store, session_clock
) -> None:
    """Its files are gone: its posts are listed as stored, each text still in its language."""
    shipped = load_config(Path(__file__).resolve().parents[2] / "config.toml")
    store_plan(shipped, store, "olly")
    store_plan(load_config(welsh_week(tmp_path / "gone")), store, "olly")
    shutil.rmtree(tmp_path / "gone")
    add_user(store, "alice", PASSWORD, "approver")
    app = create_app(shipped, store, secret_key=SECRET_KEY, clock=session_clock)
    root = page(Web(app).sign_in("alice").get(f"/c/{SLUG}/week").text)
    assert "Shown as stored" in [node.words for node in root.find("h2")]
    marked = {
        row.attrs["id"]: [
            (span.attrs["lang"], span.words) for span in row.find("span") if span.attrs.get("lang")
        ]
        for row in root.find("tr")
        if row.attrs.get("id")
    }
    assert marked == {
        f"post-{WELSH}": [("cy", WELSH_TEXT)],
        f"post-{ENGLISH}": [("en", ENGLISH_TEXT)],
        f"post-{BILINGUAL}": [("cy", WELSH_TEXT), ("en", ENGLISH_TEXT)],
    }


def test_the_month_list_marks_each_first_line_with_its_language(alice: FlaskClient) -> None:
    root = page(alice.get("/calendar?month=2026-10&view=list").text)
    lines = [(node.attrs.get("lang"), node.words) for node in root.find("span", "line-text")]
    assert lines == [
        ("cy", WELSH_TEXT),
        ("en", ENGLISH_TEXT),
        ("cy", WELSH_TEXT),  # a bilingual post's first line is its first language's
    ]


def test_approving_one_post_of_the_pair_alone_is_refused_in_plain_words(
    web, alice: FlaskClient, planned: Store
) -> None:
    """A form naming only the Welsh post (an old page, a hand-made request) approves nothing."""
    stored = hashes(planned)
    response = web.post(
        alice, "/week/approve", {"scope": "post", "key": WELSH, "post": f"{WELSH}:{stored[WELSH]}"}
    )
    assert response.status_code == 302
    assert {states(planned)[key] for key in (WELSH, ENGLISH)} == {"draft"}
    said = page(alice.get("/week").text).find("ul", "flashes")[0].words
    assert said == (
        f"Attention: Nothing was approved: {WELSH} is one of a pair (one post per language, "
        f"sent together), so it is approved with {ENGLISH}. Use the pair's button, \"Approve "
        'both posts", under the two posts.'
    )
