"""`campaign init` end to end: a scaffold that checks once written, and bad input refused whole."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from campaign.cli import main


def test_init_scaffolds_a_campaign_whose_placeholders_fail_the_check_until_written(
    tmp_path, write_placeholders
):
    directory = tmp_path / "new-week"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "init",
            str(directory),
            "--name",
            "Fraud Awareness Week 2027",
            "--hashtag",
            "#StopFraud",
            "--start",
            "2027-03-01",
            "--organisation",
            "Anyshire Police",
        ],
    )
    assert result.exit_code == 0, result.output
    config = directory / "config.toml"
    check = runner.invoke(main, ["check", "--json", "--config", str(config)])
    data = json.loads(check.output)
    assert check.exit_code == 1 and len(data["posts"]) == 14
    placeholders = [f for f in data["findings"] if f["rule"] == "placeholder"]
    assert data["errors"] == len(placeholders) == 2 + 7 + 14  # accounts, themes, templates
    where = {f["where"].split(":")[0] for f in placeholders}
    assert where == {"config.toml"} | {
        f"day-{n}/{channel}.j2" for n in range(1, 8) for channel in ("x", "facebook")
    }
    in_config = [f for f in placeholders if f["where"].startswith("config.toml:")]
    fields = {f["message"].split(" ")[0] for f in in_config}
    assert {"accounts.x.handle", "accounts.facebook.page_id", "days[0].theme"} <= fields
    assert all(f["line"] for f in placeholders)
    # Writing what each placeholder asks for is all it takes to pass.
    write_placeholders(directory)
    check = runner.invoke(main, ["check", "--json", "--config", str(config)])
    data = json.loads(check.output)
    assert check.exit_code == 0, data["findings"]
    assert (directory / "posts" / "README.md").is_file()  # the guide error messages point to
    again = runner.invoke(
        main,
        [
            "init",
            str(directory),
            "--name",
            "x",
            "--hashtag",
            "#X",
            "--start",
            "2027-03-01",
            "--organisation",
            "y",
        ],
    )
    assert again.exit_code == 2 and "already holds a campaign" in again.output


def test_init_warns_of_a_week_in_the_past_and_not_of_one_ahead(tmp_path, write_placeholders):
    runner = CliRunner()
    common = ["--name", "Fraud Week", "--hashtag", "#StopFraud", "--organisation", "Anyshire"]
    past = runner.invoke(main, ["init", str(tmp_path / "old"), "--start", "2021-03-01", *common])
    assert past.exit_code == 0, past.output
    assert "is in the past" in past.output and "Mon 1 Mar 2021" in past.output
    ahead = runner.invoke(main, ["init", str(tmp_path / "new"), "--start", "2099-03-02", *common])
    assert ahead.exit_code == 0 and "in the past" not in ahead.output
    write_placeholders(tmp_path / "new")
    check = runner.invoke(main, ["check", "--config", str(tmp_path / "new" / "config.toml")])
    assert check.exit_code == 0 and "in the past" not in check.output


def _init(directory, *extra: str, name="Fraud Awareness Week 2027", organisation="Anyshire Police"):
    options = {"--hashtag": "#StopFraud", "--start": "2027-03-01"}
    args = ["init", str(directory), "--name", name, "--organisation", organisation]
    for option, value in options.items():
        if option not in extra:
            args += [option, value]
    return CliRunner().invoke(main, [*args, *extra])


@pytest.mark.parametrize(
    ("extra", "kwargs", "expected"),
    [
        (("--timezone", "Mars/Olympus"), {}, "--timezone: unknown timezone 'Mars/Olympus'"),
        (("--hashtag", "StopFraud"), {}, "--hashtag: 'StopFraud' must look like #SeeStalking"),
        (("--start", "9999-12-30"), {}, "--start: 9999-12-30 plus 7 days is past the year 9999"),
        ((), {"name": "  "}, "--name: must not be empty"),
        ((), {"name": "Fraud\nWeek"}, "--name: must be one line"),
        ((), {"organisation": "Anyshire\tPolice"}, "--organisation: must be one line"),
    ],
)
def test_init_refuses_bad_input_and_writes_nothing(tmp_path, extra, kwargs, expected):
    directory = tmp_path / "new-week"
    result = _init(directory, *extra, **kwargs)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert expected in result.output and "Traceback" not in result.output
    assert not directory.exists() and list(tmp_path.iterdir()) == []


def test_init_writes_valid_toml_whatever_the_name_holds(tmp_path, write_placeholders):
    from campaign.config import load_config

    directory = tmp_path / "new-week"
    name = 'The "Safe at Home" Week \\ 2027 – Wythnos'
    organisation = 'Anyshire Police ("North") \\ Heddlu'
    result = _init(directory, name=name, organisation=organisation)
    assert result.exit_code == 0, result.output
    config = load_config(directory / "config.toml")
    assert (config.campaign.name, config.campaign.organisation) == (name, organisation)
    assert config.campaign.slug == "the-safe-at-home-week-2027-wythnos"
    assert config.accounts["facebook"].name == organisation
    text = (directory / "config.toml").read_text()
    assert "# Credentials are the NAMES of environment variables" in text  # comments kept
    write_placeholders(directory)
    check = CliRunner().invoke(main, ["check", "--config", str(directory / "config.toml")])
    assert check.exit_code == 0, check.output


def test_init_into_an_existing_empty_folder_leaves_no_staging_behind(tmp_path):
    directory = tmp_path / "week"
    directory.mkdir()
    (directory / "notes.txt").write_text("plans")
    assert _init(directory).exit_code == 0
    assert sorted(p.name for p in directory.iterdir()) == ["config.toml", "notes.txt", "posts"]


def test_an_ambiguous_time_exits_2_with_the_fix(tmp_path):
    directory = tmp_path / "autumn"
    assert _init(directory, "--start", "2026-10-22").exit_code == 0
    config = directory / "config.toml"
    text = config.read_text()
    config.write_text(
        text.replace(
            'time = "10:00", template = "day-4/x.j2"', 'time = "01:30", template = "day-4/x.j2"'
        )
    )
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "happens twice" in result.output and "fold = 1" in result.output
