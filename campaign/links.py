"""Public addresses of posts on the platforms, for status lines, pages and reports."""

from __future__ import annotations


def post_url(platform: str, handle: str | None, post_id: str) -> str:
    """An X status or a Facebook Page post ("PAGEID_POSTID") as a link people can open."""
    if platform == "x":
        name = (handle or "").lstrip("@")
        return (
            f"https://x.com/{name}/status/{post_id}"
            if name
            else f"https://x.com/i/web/status/{post_id}"
        )
    page, _, post = post_id.partition("_")
    return (
        f"https://www.facebook.com/{page}/posts/{post}"
        if post
        else f"https://www.facebook.com/{post_id}"
    )
