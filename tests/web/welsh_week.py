"""A small Welsh and English campaign for the pages' language tests: on Monday 12 October 2026
a pair on X (a Welsh post on @HeddluGogCymru, an English one on @NWPolice) and one bilingual
Facebook post with a picture whose alt text is given in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SLUG = "hate-crime-awareness-week-2026"
PAIR = "2026-10-12-x"  # the pair's key; its posts are PAIR-cy and PAIR-en
WELSH, ENGLISH = f"{PAIR}-cy", f"{PAIR}-en"
BILINGUAL = "2026-10-12-facebook"

CONFIG = """\
[campaign]
name = "Hate Crime Awareness Week 2026"
slug = "hate-crime-awareness-week-2026"
organisation = "Heddlu Gogledd Cymru"
hashtag = "#HateCrimeAwarenessWeek"
start = 2026-10-10
end = 2026-10-17
timezone = "Europe/London"

[languages]
order = ["cy", "en"]
hashtags = { cy = "#WythnosYmwybyddiaethTroseddauCasineb", en = "#HateCrimeAwarenessWeek" }
pairs = { x = { cy = "x-cymraeg", en = "x-english" } }

[accounts.x-cymraeg]
platform = "x"
name = "Heddlu Gogledd Cymru"
handle = "@HeddluGogCymru"
[accounts.x-cymraeg.credentials]
consumer_key = "A"
consumer_secret = "B"
access_token = "C"
access_token_secret = "D"
[accounts.x-english]
platform = "x"
name = "North Wales Police"
handle = "@NWPolice"
[accounts.x-english.credentials]
consumer_key = "A2"
consumer_secret = "B2"
access_token = "C2"
access_token_secret = "D2"
[accounts.facebook]
platform = "facebook"
name = "Heddlu Gogledd Cymru / North Wales Police"
page_id = "104857600123456"
[accounts.facebook.credentials]
page_access_token = "FBT"

[helplines.emergency]
name = "Emergency"
number = "999"
purpose = "immediate danger"

[[days]]
date = 2026-10-12
slug = "day1"
theme = "Report it"
[[days.posts]]
channel = "x"
time = "10:00"
templates = { cy = "day1/x.cy.j2", en = "day1/x.en.j2" }

[[days.posts]]
channel = "facebook"
time = "11:00"
templates = { cy = "day1/facebook.cy.j2", en = "day1/facebook.en.j2" }
[[days.posts.images]]
file = "images/card.png"
alt = "Call 999"
alts = { cy = "Ffoniwch 999 mewn argyfwng", en = "Call 999 in an emergency" }
"""
# Each Welsh text also carries the English hashtag, as Welsh forces' posts often do.
WELSH_TEXT = (
    "Mewn argyfwng, ffoniwch {{ helplines.emergency.number }}. "
    '{{ campaign.hashtag }} {{ campaign.hashtags["en"] }}\n'
)
ENGLISH_TEXT = "In an emergency, call {{ helplines.emergency.number }}. {{ campaign.hashtag }}\n"
TEMPLATES = {
    "day1/x.cy.j2": WELSH_TEXT,
    "day1/x.en.j2": ENGLISH_TEXT,
    "day1/facebook.cy.j2": WELSH_TEXT,
    "day1/facebook.en.j2": ENGLISH_TEXT,
}


def welsh_week(target: Path) -> Path:
    """Write the campaign into `target` (config.toml and posts/): its config's path."""
    posts = target / "posts"
    for name, text in TEMPLATES.items():
        (posts / name).parent.mkdir(parents=True, exist_ok=True)
        (posts / name).write_text(text, encoding="utf-8")
    (posts / "images").mkdir(exist_ok=True)
    shutil.copy(REPO / "posts" / "images" / "helpline-card.png", posts / "images" / "card.png")
    config = target / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config
