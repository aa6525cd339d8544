"""The Mastodon card: the sign-off preview shows each post as the instance would."""

from __future__ import annotations

import re

from click.testing import CliRunner

from campaign.cli import main
from tests.platforms.mastodon_support import mastodon_campaign


def test_the_preview_draws_mastodon_posts_as_threads_with_the_full_handle(campaign_dir):
    config = mastodon_campaign(campaign_dir)
    output = campaign_dir / "preview.html"
    result = CliRunner().invoke(main, ["preview", "--config", str(config), "-o", str(output)])
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    assert page.count('class="mock masto"') == 3
    assert page.count('class="toot"') == 6  # a 3-part thread, a 2-part thread, one post
    assert page.count("@derbyshirepolice@police.social.example") == 6
    assert page.count("Replying to your post above") == 3
    # The image goes with the first part, with its alt text.
    first = page[page.index('id="post-2020-04-20-mastodon-x"') :]
    first = first[: first.index("</article>")]
    assert re.search(r'<img src="data:image/png;base64,[^"]+" alt="Dark blue card', first)
    assert ".platform.mastodon" in page and ".toot .rail" in page
