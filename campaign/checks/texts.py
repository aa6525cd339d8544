"""A post's texts by language, for the rules that judge each text on its own: the campaign
hashtag in the text's language, where it stands, readability, the template line to fix."""

from __future__ import annotations

from campaign.config import CampaignConfig, language_name
from campaign.render import RenderedPost, Variant


def texts_of(post: RenderedPost, config: CampaignConfig) -> tuple[Variant, ...]:
    """The post's texts by language, in order (a post without variants: one text in the
    campaign's language, from its one template)."""
    if post.variants:
        return post.variants
    return (Variant(config.campaign.language, post.parts, post.spec.template, post.source_text),)


def text_label(post: RenderedPost, variant: Variant, what: str = "post") -> str:
    """ "the Cymraeg (Welsh) text" of a bilingual post; "the post" (`what`) otherwise."""
    return f"the {language_name(variant.lang)} text" if post.bilingual else f"the {what}"
