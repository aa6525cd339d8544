"""Build throwaway campaigns for the benchmarks: many accounts, posts due together."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def write_campaign(
    folder: Path,
    *,
    accounts: int,
    day: date,
    time: str,
    x_url: str = "http://127.0.0.1:9",
    graph_url: str = "http://127.0.0.1:9",
    workers: int = 64,
    poll_seconds: float = 1.0,
) -> Path:
    """A one-day campaign: half the accounts on X, half on Facebook, one post each at `time`."""
    (folder / "posts" / "bench").mkdir(parents=True, exist_ok=True)
    (folder / "posts" / "bench" / "x.j2").write_text(
        "Benchmark post from {{ post.channel }}. Call {{ helplines.police.number }}.\n"
        "{{ campaign.hashtag }}"
    )
    (folder / "posts" / "bench" / "facebook.j2").write_text(
        "Benchmark page post from {{ post.channel }}. Call {{ helplines.police.number }}.\n"
        "{{ campaign.hashtag }}"
    )
    lines = [
        "[campaign]",
        'name = "Benchmark Week"',
        'slug = "benchmark-week"',
        'organisation = "Benchmark Force"',
        'hashtag = "#BenchmarkWeek"',
        f"start = {day}",
        f"end = {day}",
        'timezone = "Europe/London"',
        "[checks]",
        "min_reading_ease = 0",
        "[publishing]",
        f"workers = {workers}",
        f"poll_seconds = {poll_seconds}",
        "request_timeout_seconds = 5",
        "[helplines.police]",
        'name = "Police"',
        'number = "101"',
        'purpose = "non-emergency"',
    ]
    posts = []
    for n in range(accounts):
        key = f"a{n:04d}"
        if n % 2 == 0:
            lines += [
                f"[accounts.{key}]",
                'platform = "x"',
                f'name = "Force {n} on X"',
                f'handle = "@force{n}"',
                'tier = "basic"',
                f'base_url = "{x_url}"',
                f"[accounts.{key}.credentials]",
                f'consumer_key = "B{n}_CK"',
                f'consumer_secret = "B{n}_CS"',
                f'access_token = "B{n}_AT"',
                f'access_token_secret = "B{n}_ATS"',
            ]
            template = "bench/x.j2"
        else:
            lines += [
                f"[accounts.{key}]",
                'platform = "facebook"',
                f'name = "Force {n}"',
                f'page_id = "{900000 + n}"',
                f'base_url = "{graph_url}"',
                f"[accounts.{key}.credentials]",
                f'page_access_token = "B{n}_FB"',
            ]
            template = "bench/facebook.j2"
        posts.append(f'  {{ channel = "{key}", time = "{time}", template = "{template}" }},')
    lines += ["[[days]]", f"date = {day}", 'slug = "bench"', 'theme = "Benchmark"', "posts = ["]
    lines += posts + ["]"]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


# The shipped week's themes: each has an X and a Facebook template in the repository's posts/.
THEMES = (
    "what-stalking-is",
    "know-the-signs",
    "online-stalking",
    "family-and-friends",
    "helplines-and-support",
    "how-to-report",
    "take-it-seriously",
)
# The shipped week's images, on the same themes' posts as there.
IMAGES = {
    "what-stalking-is": (
        "images/see-stalking-clearly.png",
        "Dark blue card with the words: Stalking Awareness Week. See stalking clearly.",
    ),
    "helplines-and-support": (
        "images/helpline-card.png",
        "Card listing where to get help: National Stalking Helpline 0808 802 0300.",
    ),
}
SHIPPED_POSTS = Path(__file__).resolve().parents[1] / "posts"


def write_week(folder: Path, *, days: int, accounts: int, per_day: int, start: date) -> Path:
    """A campaign of `days` × `accounts` × `per_day` posts, written with the shipped templates.

    Half the accounts are on X, half on Facebook. Each post wraps one of the shipped week's
    templates, starting each thread part with a line naming the day and time, so no account
    repeats a text (the platforms refuse duplicates). Posts on the themes that have an image
    in the shipped week have it too. Posts run from 07:00 every 45 minutes, so some give the
    stalking helpline while it is closed: realistic warnings for the checks to find.
    """
    import shutil
    from datetime import timedelta

    shutil.copytree(SHIPPED_POSTS, folder / "posts")
    (folder / "posts" / "bench").mkdir()
    for slot in range(per_day):
        theme = THEMES[slot % len(THEMES)]
        for platform in ("x", "facebook"):
            (folder / "posts" / "bench" / f"{platform}-{slot:02d}.j2").write_text(
                "{% set when %}{{ day.weekday }} {{ day.number }}, "
                "{{ post.local_time.strftime('%H:%M') }}.{% endset %}\n"
                f'{{% set body %}}{{% include "{theme}/{platform}.j2" %}}{{% endset %}}\n'
                '{{ when }}\n{{ body | replace("\\n---\\n", "\\n---\\n" ~ when ~ "\\n") }}\n'
            )
    lines = [
        "[campaign]",
        'name = "Stalking Awareness Week (national)"',
        'slug = "national-week"',
        'organisation = "Every Force"',
        'hashtag = "#SeeStalkingClearly"',
        f"start = {start}",
        f"end = {start + timedelta(days=days - 1)}",
        'timezone = "Europe/London"',
        'website = "https://www.police.uk"',
        "[helplines.stalking]",
        'name = "National Stalking Helpline"',
        'number = "0808 802 0300"',
        'run_by = "Suzy Lamplugh Trust"',
        'purpose = "advice and support"',
        'hours = { mon = "09:30-16:00", tue = "09:30-16:00", wed = "13:00-16:00", '
        'thu = "09:30-16:00", fri = "09:30-16:00" }',
        "[helplines.emergency]",
        'name = "Emergency"',
        'number = "999"',
        'purpose = "immediate danger"',
        "[helplines.police]",
        'name = "Police non-emergency"',
        'number = "101"',
        'purpose = "concerns that are not immediate"',
        "[contact]",
        'facebook_message = "/Force"',
        'x_direct_message = "@ForceContact"',
        'online_form = "www.police.uk/contact"',
    ]
    for n in range(accounts):
        if n % 2 == 0:
            lines += [
                f"[accounts.a{n:04d}]",
                'platform = "x"',
                f'name = "Force {n} on X"',
                f'handle = "@force{n}"',
                'tier = "basic"',
                f"[accounts.a{n:04d}.credentials]",
                'consumer_key = "CK"',
                'consumer_secret = "CS"',
                'access_token = "AT"',
                'access_token_secret = "ATS"',
            ]
        else:
            lines += [
                f"[accounts.a{n:04d}]",
                'platform = "facebook"',
                f'name = "Force {n}"',
                f'page_id = "{900000 + n}"',
                f"[accounts.a{n:04d}.credentials]",
                'page_access_token = "FB"',
            ]
    for d in range(days):
        day = start + timedelta(days=d)
        lines += ["[[days]]", f"date = {day}", f'slug = "day-{d + 1}"', f'theme = "Day {d + 1}"']
        lines.append("posts = [")
        for n in range(accounts):
            platform = "x" if n % 2 == 0 else "facebook"
            for slot in range(per_day):
                minutes = 7 * 60 + 45 * slot
                file, alt = IMAGES.get(THEMES[slot % len(THEMES)], ("", ""))
                images = f', images = [{{ file = "{file}", alt = "{alt}" }}]' if file else ""
                lines.append(
                    f'  {{ channel = "a{n:04d}", time = "{minutes // 60:02d}:{minutes % 60:02d}", '
                    f'template = "bench/{platform}-{slot:02d}.j2"{images} }},'
                )
        lines.append("]")
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path
