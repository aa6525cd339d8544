"""A plan of hundreds of posts: the terminal gets a summary; `--json` and the HTML keep them all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import main
from campaign.cli.overview import LARGE_PLAN

ACCOUNTS = 30
PER_ACCOUNT = 8  # 240 posts, above LARGE_PLAN


def _write_campaign(folder: Path) -> Path:
    """One day of 240 posts; account a00's posts give a number that is no helpline (errors),
    and the posts at 16:00 give the support line while it is closed (warnings)."""
    (folder / "posts").mkdir(parents=True)
    (folder / "posts" / "post.j2").write_text(
        "Worried about fraud? {{ post.channel }} is here at "
        "{{ post.local_time.strftime('%H:%M') }}. Call {{ helplines.support.number }}.\n"
        "{{ campaign.hashtag }}\n"
    )
    (folder / "posts" / "wrong.j2").write_text(
        "Worried about fraud? Call 0800 555 0199 at {{ post.local_time.strftime('%H:%M') }}.\n"
        "{{ campaign.hashtag }}\n"
    )
    lines = [
        "[campaign]",
        'name = "Fraud Week"',
        'slug = "fraud-week"',
        'organisation = "Anyshire Police"',
        'hashtag = "#StopFraud"',
        "start = 2030-03-04",
        "end = 2030-03-04",
        'timezone = "Europe/London"',
        "[checks]",
        "min_reading_ease = 0",
        "[helplines.support]",
        'name = "Support line"',
        'number = "0808 802 0300"',
        'purpose = "advice"',
        'hours = { mon = "09:00-16:00" }',
    ]
    posts = []
    for n in range(ACCOUNTS):
        platform = "x" if n % 2 == 0 else "facebook"
        lines += [f"[accounts.a{n:02d}]", f'platform = "{platform}"', f'name = "Force {n}"']
        if platform == "x":
            lines += [
                f'handle = "@force{n}"',
                'tier = "basic"',
                f"[accounts.a{n:02d}.credentials]",
                'consumer_key = "CK"',
                'consumer_secret = "CS"',
                'access_token = "AT"',
                'access_token_secret = "ATS"',
            ]
        else:
            lines += [f'page_id = "{9000 + n}"', f"[accounts.a{n:02d}.credentials]"]
            lines.append('page_access_token = "FB"')
        template = "wrong.j2" if n == 0 else "post.j2"
        for slot in range(PER_ACCOUNT):
            time = f"{9 + slot:02d}:00"
            posts.append(
                f'  {{ channel = "a{n:02d}", time = "{time}", template = "{template}", '
                f'key = "a{n:02d}-{9 + slot:02d}00" }},'
            )
    lines += ["[[days]]", "date = 2030-03-04", 'slug = "day-1"', 'theme = "Fraud"', "posts = ["]
    lines += [*posts, "]"]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def large(tmp_path: Path) -> Path:
    return _write_campaign(tmp_path / "large")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_check_of_a_large_plan_prints_a_summary_and_the_posts_with_findings(large):
    assert ACCOUNTS * PER_ACCOUNT > LARGE_PLAN
    code, output = _run("check", "--config", str(large))
    assert code == 1  # a00's number is no helpline
    assert "240 posts: this is a summary" in output and "campaign check --json" in output
    assert "Posts with findings" in output and "Findings by rule" in output
    # Errors come first among the posts listed one by one; a post with nothing to fix is not.
    assert "a00-0900" in output and "phone-unknown" in output and "helpline-closed" in output
    assert "a01-0900" not in output  # on time, a helpline: nothing found
    assert "240 posts, 8 errors, 29 warnings." in output
    # The day's line counts every post, by platform, with its findings.
    day = next(line for line in output.splitlines() if "Mon 4 Mar 2030" in line)
    assert [cell.strip() for cell in day.split("│")[2:8]] == ["240", "120", "120", "240", "8", "29"]


def test_check_json_of_a_large_plan_still_lists_every_post_and_finding(large):
    code, output = _run("check", "--config", str(large), "--json")
    data = json.loads(output)
    assert code == 1 and len(data["posts"]) == ACCOUNTS * PER_ACCOUNT
    assert len(data["findings"]) == data["errors"] + data["warnings"] == 8 + 29


def test_preview_of_a_large_plan_prints_a_summary_and_writes_every_card(large, tmp_path):
    page = tmp_path / "preview.html"
    code, output = _run("preview", "--config", str(large), "-o", str(page))
    assert code == 0 and "240 posts: this is a summary" in output
    assert "a01-0900" not in output and "a00-0900" in output
    html = page.read_text(encoding="utf-8")
    assert all(f"a{n:02d}-{9 + s:02d}00" in html for n in range(ACCOUNTS) for s in range(8))


def test_a_small_plan_still_gets_a_row_per_post(run_shipped):
    code, output = run_shipped("check")
    assert code == 0 and "this is a summary" not in output
    for key in ("2020-04-20-x", "2020-04-22-facebook", "2020-04-26-x"):
        assert key in output


@pytest.fixture
def run_shipped(campaign_dir):
    def _run_shipped(*args: str) -> tuple[int, str]:
        return _run(*args, "--config", str(campaign_dir / "config.toml"))

    return _run_shipped
