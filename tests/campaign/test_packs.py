"""National packs: the shipped Stalking Awareness Week pack makes two forces' campaigns that
check clean, and a pack or facts file with a mistake is refused whole, naming file and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.config import load_config
from campaign.errors import ConfigError
from campaign.packs.adopt import adopt_pack, write_adoption
from campaign.planning import check_plan

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "examples" / "packs" / "stalking-awareness-week"
DERBYSHIRE = PACK / "forces" / "derbyshire.toml"
WEALDSHIRE = PACK / "forces" / "wealdshire" / "stalking-awareness-week.toml"


def _init(*args: str) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr)."""
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output


def _init_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["init", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def _check(directory: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(
        main, ["check", "--json", "--config", str(directory / "config.toml")]
    )
    return result.exit_code, json.loads(result.stdout)


def test_derbyshire_from_the_pack_is_the_shipped_week(tmp_path):
    directory = tmp_path / "derbyshire"
    write_adoption(adopt_pack(PACK, DERBYSHIRE, directory))
    config = load_config(directory / "config.toml")
    shipped = load_config(REPO / "config.toml")
    assert config.campaign.model_dump(exclude={"organisation_file"}) == (
        shipped.campaign.model_dump(exclude={"organisation_file"})
    )
    assert config.accounts == shipped.accounts and config.helplines == shipped.helplines
    assert config.contact == shipped.contact and config.checks == shipped.checks
    assert config.publishing == shipped.publishing and config.metrics == shipped.metrics
    checked = check_plan(config)
    assert checked.report.errors == [] and checked.report.warnings == []
    # The pack's templates give Derbyshire's facts exactly the words of the shipped week.
    assert [(p.key, p.scheduled_at, p.parts) for p in checked.posts] == [
        (p.key, p.scheduled_at, p.parts) for p in check_plan(shipped).posts
    ]
    # The pack's card names no force; its alt text says what the card says.
    alts = {i.alt for p in checked.posts for i in p.images}
    assert not any("Derbyshire" in alt for alt in alts)


def test_a_second_force_with_its_own_accounts_and_routes_checks_clean(tmp_path):
    code, output = _init(
        str(tmp_path / "wealdshire"), "--from-pack", str(PACK), "--facts", str(WEALDSHIRE)
    )
    assert code == 0, output
    assert "Not given (optional): contact.x_direct_message" in output
    code, data = _check(tmp_path / "wealdshire")
    assert code == 0 and data["errors"] == 0 and data["warnings"] == 0, data["findings"]
    config = load_config(tmp_path / "wealdshire" / "config.toml")
    shipped = load_config(REPO / "config.toml")
    assert config.campaign.organisation == "Wealdshire Police"
    assert config.organisation_path == (WEALDSHIRE.parent / "organisation.toml").resolve()
    assert config.accounts["x"].handle == "@WealdshirePol" != shipped.accounts["x"].handle
    assert config.accounts["facebook"].page_id != shipped.accounts["facebook"].page_id
    assert set(config.accounts["x"].credentials.values()).isdisjoint(
        shipped.accounts["x"].credentials.values()
    )
    # Its database is the one its organisation.toml names, beside organisation.toml.
    assert config.database_url({}) == f"sqlite:///{WEALDSHIRE.parent.resolve()}/wealdshire.db"
    text = "\n".join(part for post in data["posts"] for part in post["parts"])
    assert "Derby" not in text and "DerPol" not in text
    assert "www.wealdshire.police.uk/chat" in text  # its live chat, a route Derbyshire lacks
    assert "0808 157 0192" in text  # its local stalking advocacy service
    assert "DM our contact centre" not in text  # it gave no X direct-message route
    assert len(data["posts"]) == 23


def test_dry_run_lists_the_files_and_writes_nothing(tmp_path):
    code, data = _init_json(
        str(tmp_path / "week"), "--from-pack", str(PACK), "--facts", str(DERBYSHIRE), "--dry-run"
    )
    assert code == 0, data
    assert data["written"] is False and data["organisation"] == "Derbyshire Constabulary"
    assert "config.toml" in data["files"] and "posts/images/helpline-card.png" in data["files"]
    assert "posts/what-stalking-is/x.j2" in data["files"]
    assert data["optional_not_given"].keys() == {"contact.live_chat", "helplines.local_support"}
    assert not (tmp_path / "week").exists()


def test_images_are_copied_byte_for_byte(tmp_path):
    write_adoption(adopt_pack(PACK, DERBYSHIRE, tmp_path / "week"))
    for name in ("helpline-card.png", "see-stalking-clearly.png"):
        copied = tmp_path / "week" / "posts" / "images" / name
        assert copied.read_bytes() == (PACK / "posts" / "images" / name).read_bytes()


def test_facts_left_as_placeholders_are_check_errors_naming_file_and_fact(tmp_path):
    facts = tmp_path / "my-force.toml"
    shutil.copy(PACK / "facts.example.toml", facts)
    code, output = _init(str(tmp_path / "week"), "--from-pack", str(PACK), "--facts", str(facts))
    assert code == 0, output
    assert "still placeholders" in output
    code, data = _check(tmp_path / "week")
    assert code == 1
    found = {f["message"].split(" ")[0]: f for f in data["findings"] if f["rule"] == "placeholder"}
    assert {
        "campaign.organisation",
        "campaign.area",
        "campaign.website",
        "accounts.x.handle",
        "accounts.x.credentials.consumer_key",
        "accounts.facebook.page_id",
        "contact.online_form",
    } <= set(found)
    lines = (tmp_path / "week" / "config.toml").read_text().splitlines()
    for field, finding in found.items():
        assert finding["where"].startswith("config.toml:")
        assert lines[finding["line"] - 1].startswith(field.rsplit(".", 1)[1] + " = ")
    assert "a fact the pack needs" in found["contact.online_form"]["message"]


def test_check_names_every_fact_left_out_of_a_pack_campaign(tmp_path):
    directory = tmp_path / "week"
    write_adoption(adopt_pack(PACK, DERBYSHIRE, directory))
    config = directory / "config.toml"
    text = config.read_text()
    for line in ('online_form = "www.derbyshire.police.uk/Contact-Us"\n', 'area = "Derbyshire"\n'):
        assert line in text
        text = text.replace(line, "")
    config.write_text(text)
    code, data = _check(directory)
    assert code == 1
    facts = {f["message"].split(" ")[0]: f for f in data["findings"] if f["rule"] == "fact"}
    assert set(facts) == {"contact.online_form", "organisation.area"}
    lines = text.splitlines()
    assert lines[facts["contact.online_form"]["line"] - 1] == "[contact]"
    assert lines[facts["organisation.area"]["line"] - 1] == "[campaign]"
    assert "online contact form" in facts["contact.online_form"]["message"]


def test_a_fact_left_out_of_the_shared_organisation_file_is_named(tmp_path):
    force = tmp_path / "wealdshire"
    shutil.copytree(WEALDSHIRE.parent, force)
    write_adoption(adopt_pack(PACK, force / WEALDSHIRE.name, tmp_path / "week"))
    shared = force / "organisation.toml"
    shared.write_text(
        shared.read_text().replace('online_form = "www.wealdshire.police.uk/report"', "")
    )
    code, data = _check(tmp_path / "week")
    [fact] = [f for f in data["findings"] if f["rule"] == "fact"]
    assert code == 1 and fact["message"].startswith("contact.online_form is missing")
    assert "organisation.toml" in fact["fix"]


@pytest.mark.parametrize(
    ("old", "new", "named", "said"),
    [
        ('area = "Derbyshire"', "area = Derbyshire", "derbyshire.toml", "line 8"),
        ('"DERBYSHIRE_X_ACCESS_TOKEN"', '"s3cret-token"', "derbyshire.toml", "accounts.x"),
        ('number = "101"', 'number = "1O1"', "derbyshire.toml", "helplines.police.number"),
        ("[contact]\n", "[contact]\nphone = 101\n", "derbyshire.toml", "contact.phone"),
        (
            'online_form = "www.derbyshire.police.uk/Contact-Us"\n',
            "",
            "derbyshire.toml",
            "contact.online_form: the address of your online contact form",
        ),
        (
            "[accounts.x",
            "[accounts.twitter",
            "derbyshire.toml",
            "accounts.x: your X account",
        ),
    ],
)
def test_bad_facts_are_refused_naming_the_file_and_field_and_nothing_is_written(
    tmp_path, old, new, named, said
):
    facts = tmp_path / "derbyshire.toml"
    text = DERBYSHIRE.read_text()
    assert old in text
    facts.write_text(text.replace(old, new))
    code, output = _init(str(tmp_path / "week"), "--from-pack", str(PACK), "--facts", str(facts))
    assert code == 2, output
    assert named in output and said in " ".join(output.split())
    assert "s3cret-token" not in output and "Traceback" not in output
    assert not (tmp_path / "week").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["derbyshire.toml"]  # no staging left


def test_a_missing_pack_or_facts_file_is_bad_input(tmp_path):
    code, output = _init(
        str(tmp_path / "week"), "--from-pack", str(tmp_path), "--facts", str(DERBYSHIRE)
    )
    assert code == 2 and "pack.toml" in output and "file not found" in output
    code, output = _init(
        str(tmp_path / "week"), "--from-pack", str(PACK), "--facts", str(tmp_path / "no.toml")
    )
    assert code == 2 and "no.toml" in output and "file not found" in output
    assert not (tmp_path / "week").exists()


def test_a_facts_file_naming_a_missing_organisation_file_names_both(tmp_path):
    facts = tmp_path / "facts.toml"
    facts.write_text(WEALDSHIRE.read_text())  # names organisation.toml, not copied here
    code, output = _init(str(tmp_path / "week"), "--from-pack", str(PACK), "--facts", str(facts))
    assert code == 2 and "organisation.toml" in output and "facts.toml" in output


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('hashtag = "#SeeStalkingClearly"', 'hashtag = "SeeStalkingClearly"', "pack.hashtag"),
        ('"helplines.police" = ', '"helpline.police" = ', "helpline.police"),
        ("date = 2020-04-26", "date = 2020-04-27", "days[6].date"),
        ('template = "how-to-report/x.j2"', 'template = "how-to-report/x2.j2"', "days[5].posts[0]"),
        ('"accounts.facebook" = ', '"contact.facebook" = ', "accounts.facebook"),
    ],
)
def test_a_broken_pack_is_refused_naming_pack_toml_and_the_field(tmp_path, old, new, said):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    text = (pack / "pack.toml").read_text()
    assert old in text
    (pack / "pack.toml").write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        adopt_pack(pack, DERBYSHIRE, tmp_path / "week")
    assert caught.value.path == pack / "pack.toml" and said in str(caught.value)


def test_init_refuses_an_existing_campaign_and_mixed_options(tmp_path):
    args = ["--from-pack", str(PACK), "--facts", str(DERBYSHIRE)]
    assert _init(str(tmp_path / "week"), *args)[0] == 0
    code, output = _init(str(tmp_path / "week"), *args)
    assert code == 2 and "already holds a campaign" in output
    code, output = _init(str(tmp_path / "other"), *args, "--name", "Week")
    assert code == 2 and "--name" in output
    code, output = _init(str(tmp_path / "other"), "--from-pack", str(PACK))
    assert code == 2 and "--facts" in output
    code, output = _init(str(tmp_path / "other"), "--name", "Week")
    assert code == 2 and "--hashtag" in output
    assert not (tmp_path / "other").exists()


def test_an_organisation_toml_is_a_facts_file_too(tmp_path):
    shared = WEALDSHIRE.parent / "organisation.toml"
    write_adoption(adopt_pack(PACK, shared, tmp_path / "week"))
    config = load_config(tmp_path / "week" / "config.toml")
    assert config.campaign.organisation == "Wealdshire Police"
    assert config.organisation_path is None  # its facts are written into config.toml
    assert config.database_url({}) == f"sqlite:///{WEALDSHIRE.parent.resolve()}/wealdshire.db"
    assert check_plan(config).report.errors == []


def test_a_fact_left_out_and_one_left_a_placeholder_are_named_in_one_check(tmp_path):
    """The posts cannot be rendered without the missing fact, but the placeholders in the
    facts are still listed: one run of `campaign check` names everything the force must do."""
    force = tmp_path / "wealdshire"
    shutil.copytree(WEALDSHIRE.parent, force)
    write_adoption(adopt_pack(PACK, force / WEALDSHIRE.name, tmp_path / "week"))
    shared = force / "organisation.toml"
    text = shared.read_text()
    text = text.replace('"www.wealdshire.police.uk/report"', '"[[your online contact form]]"')
    police = text[text.index("[helplines.police]") : text.index("[contact]")]
    shared.write_text(text.replace(police, ""))
    code, data = _check(tmp_path / "week")
    assert code == 1
    rules = {f["message"].split(" ")[0]: f["rule"] for f in data["findings"]}
    assert rules.get("helplines.police") == "fact", data["findings"]
    assert rules.get("contact.online_form") == "placeholder", data["findings"]


def test_a_contact_route_the_pack_does_not_know_is_named_at_init(tmp_path):
    """A misspelt optional route would silently be left out of every post: init says so."""
    force = tmp_path / "wealdshire"
    shutil.copytree(WEALDSHIRE.parent, force)
    facts = force / WEALDSHIRE.name
    facts.write_text(
        facts.read_text().replace("facebook_message = ", "facebook_mesage = "), encoding="utf-8"
    )
    code, output = _init(str(tmp_path / "week"), "--from-pack", str(PACK), "--facts", str(facts))
    assert code == 0, output
    said = " ".join(output.split())
    assert "contact.facebook_mesage is not a fact of the pack" in said, said
    assert "did you mean contact.facebook_message?" in said
    code, data = _init_json(
        str(tmp_path / "again"), "--from-pack", str(PACK), "--facts", str(facts), "--dry-run"
    )
    assert data["not_in_pack"] == {"contact.facebook_mesage": "contact.facebook_message"}
