"""`campaign check`: every rule over every rendered post, and the plan as a whole."""

from __future__ import annotations

from campaign.checks.content import check_post, part_lengths
from campaign.checks.duplicates import check_duplicates
from campaign.checks.findings import CheckReport, Finding, Severity
from campaign.checks.images import ImageFacts, NotAnImage, check_images
from campaign.checks.languages import check_language_facts
from campaign.checks.limits import check_limits
from campaign.checks.markup import check_markup
from campaign.checks.placeholders import check_placeholders
from campaign.checks.readability import check_readability, english_score, reading_scores
from campaign.config import CampaignConfig
from campaign.content.library import Library
from campaign.render import RenderedPost

__all__ = ["CheckReport", "Finding", "Severity", "run_checks"]


def run_checks(
    posts: list[RenderedPost], config: CampaignConfig, library: Library | None = None
) -> CheckReport:
    """Check each post and the plan; never raises for content problems, reports them.

    `library` gives the images' bytes (default: the posts folder)."""
    report = CheckReport()
    opened: dict[str, ImageFacts | NotAnImage | None] = {}  # each image file is decoded once
    for post in posts:
        lengths = report.lengths[post.key] = part_lengths(post)
        report.findings.extend(check_post(post, config, lengths))
        report.findings.extend(check_images(post, config, opened, library))
        report.findings.extend(check_markup(post, config))
        scores = report.reading_ease_by_language[post.key] = reading_scores(post, config)
        score = english_score(scores)
        if score is not None:
            report.reading_ease[post.key] = score
        report.findings.extend(check_readability(post, config, scores))
    report.findings.extend(check_placeholders(posts, config))
    report.findings.extend(check_limits(posts, config))
    report.findings.extend(check_duplicates(posts))
    report.findings.extend(check_language_facts(posts, config))
    return report
