"""Draw the shipped campaign's image cards into posts/images/ (run by hand when the words change).

The alt text in config.toml must say what the card says: update both together.
`--pack` draws the national pack's cards (no force named on them) into the pack's
posts/images/; their alt text is in the pack's pack.toml. `--cymru` draws the bilingual Welsh
example's square cards (Welsh first) into its posts/images/; their alt text in each language
is in its config.toml (`alts`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

NAVY, WHITE, YELLOW = "#0b2545", "#ffffff", "#ffd23f"
CARDS = {
    "see-stalking-clearly.png": [
        ("Stalking Awareness Week", 44, YELLOW),
        ("See stalking clearly", 72, WHITE),
        ("Stalking is a crime.", 48, WHITE),
        ("Derbyshire Constabulary", 36, YELLOW),
    ],
    "helpline-card.png": [
        ("Where to get help", 56, YELLOW),
        ("National Stalking Helpline 0808 802 0300", 40, WHITE),
        ("9.30am to 4pm weekdays, 1pm to 4pm Wednesdays", 32, WHITE),
        ("In an emergency call 999", 48, WHITE),
        ("Otherwise call 101", 48, WHITE),
    ],
}

# The national pack's cards: every force posts them, so they name none.
PACK = "examples/packs/stalking-awareness-week/posts/images"
PACK_CARDS = {
    "see-stalking-clearly.png": [
        *CARDS["see-stalking-clearly.png"][:3],
        ("#SeeStalkingClearly", 36, YELLOW),
    ],
    "helpline-card.png": CARDS["helpline-card.png"],
}


# The bilingual example's cards (Instagram: square JPEG), each line in Welsh, then English.
CYMRU = "examples/hate-crime-awareness-week-cymru/posts/images"
CYMRU_CARDS = {
    "report-it-square.jpg": [
        ("Wythnos Ymwybyddiaeth Troseddau Casineb", 40, YELLOW),
        ("Hate Crime Awareness Week", 40, YELLOW),
        ("Rhowch wybod", 84, WHITE),
        ("Report it", 84, WHITE),
        ("999 mewn argyfwng / in an emergency", 40, WHITE),
        ("101 os nad yw'n argyfwng", 40, WHITE),
        ("if it is not an emergency", 40, WHITE),
        ("Heddlu Gogledd Cymru / North Wales Police", 34, YELLOW),
    ],
    "support-square.jpg": [
        ("Cymorth am ddim, 24 awr y dydd", 48, YELLOW),
        ("Free support, 24 hours a day", 48, YELLOW),
        ("Canolfan Cymorth Casineb Cymru", 44, WHITE),
        ("Wales Hate Support Centre", 44, WHITE),
        ("0300 3031 982", 96, WHITE),
        ("Mewn argyfwng, ffoniwch 999", 40, WHITE),
        ("In an emergency, call 999", 40, WHITE),
    ],
}


def draw(
    lines: list[tuple[str, int, str]], target: Path, size: tuple[int, int] = (1200, 675)
) -> None:
    width, height = size
    image = Image.new("RGB", size, NAVY)
    pen = ImageDraw.Draw(image)
    total = sum(points + 30 for _, points, _ in lines)
    y = (height - total) // 2
    for text, points, colour in lines:
        font = ImageFont.load_default(size=points)
        length = pen.textlength(text, font=font)
        pen.text(((width - length) / 2, y), text, font=font, fill=colour)
        y += points + 30
    image.save(target, optimize=True)


if __name__ == "__main__":
    if "--cymru" in sys.argv[1:]:
        folder = Path(CYMRU)
        folder.mkdir(parents=True, exist_ok=True)
        for name, card in CYMRU_CARDS.items():
            draw(card, folder / name, (1080, 1080))
        sys.exit(0)
    pack = "--pack" in sys.argv[1:]
    args = [arg for arg in sys.argv[1:] if arg != "--pack"]
    folder = Path(args[0] if args else PACK if pack else "posts/images")
    for name, card in (PACK_CARDS if pack else CARDS).items():
        draw(card, folder / name)
