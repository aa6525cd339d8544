"""Draw the shipped campaign's image cards into posts/images/ (run by hand when the words change).

The alt text in config.toml must say what the card says: update both together.
`--pack` draws the national pack's cards (no force named on them) into the pack's
posts/images/; their alt text is in the pack's pack.toml.
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


def draw(lines: list[tuple[str, int, str]], target: Path) -> None:
    image = Image.new("RGB", (1200, 675), NAVY)
    pen = ImageDraw.Draw(image)
    total = sum(size + 30 for _, size, _ in lines)
    y = (675 - total) // 2
    for text, size, colour in lines:
        font = ImageFont.load_default(size=size)
        width = pen.textlength(text, font=font)
        pen.text(((1200 - width) / 2, y), text, font=font, fill=colour)
        y += size + 30
    image.save(target, optimize=True)


if __name__ == "__main__":
    pack = "--pack" in sys.argv[1:]
    args = [arg for arg in sys.argv[1:] if arg != "--pack"]
    folder = Path(args[0] if args else PACK if pack else "posts/images")
    for name, card in (PACK_CARDS if pack else CARDS).items():
        draw(card, folder / name)
