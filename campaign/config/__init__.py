"""The campaign configuration: `config.toml` parsed once into frozen, validated objects.

Everything force-specific (names, hashtag, helplines, accounts, days) lives in the file, never in
code, so any force can run any awareness week. Errors name the file, the line (for TOML syntax) or
the field path (for schema problems) and what to do.

The parts, one job each: `accounts` (platform accounts and the API address check), `helplines`
(numbers and opening hours), `days` (days, posts, images, post keys), `settings` (checks,
publishing, metrics, database), `alerts` (who is told what, through which channel), `model`
(the whole campaign and its cross-field rules), `organisation` (the force's facts shared by
campaigns, organisation.toml) and `loading` (reading the files). Import names from here:
`from campaign.config import Account`.
"""

from campaign.config.accounts import (
    DEFAULT_BASE_URLS,
    LOOPBACK_HOSTS,
    REQUIRED_CREDENTIALS,
    X_TIER_LIMITS,
    Account,
    Platform,
    check_base_url,
)
from campaign.config.alerts import TOPICS, AlertChannel, Alerts, Severity, Topic
from campaign.config.base import Frozen, Slug
from campaign.config.days import Day, Image, PostSpec, post_key, variant_key
from campaign.config.helplines import DAY_NAMES, WEEKDAYS, Helpline, OpeningHours, Weekday
from campaign.config.languages import (
    BILINGUAL_SEPARATOR,
    Languages,
    LanguageTag,
    language_name,
    same_language,
)
from campaign.config.loading import config_from_toml, describe_validation_error, load_config
from campaign.config.model import (
    HASHTAG_PATTERN,
    CampaignConfig,
    CampaignInfo,
    Outgoing,
    PackOrigin,
)
from campaign.config.organisation import OrganisationFile, merge_shared, read_toml
from campaign.config.settings import (
    DATABASE_URL_ENV,
    Checks,
    Database,
    Metrics,
    Publishing,
    Review,
    parse_offset,
)

__all__ = [
    "DATABASE_URL_ENV",
    "DAY_NAMES",
    "DEFAULT_BASE_URLS",
    "HASHTAG_PATTERN",
    "LOOPBACK_HOSTS",
    "REQUIRED_CREDENTIALS",
    "WEEKDAYS",
    "X_TIER_LIMITS",
    "TOPICS",
    "Account",
    "AlertChannel",
    "Alerts",
    "CampaignConfig",
    "CampaignInfo",
    "Checks",
    "Database",
    "Day",
    "Frozen",
    "Helpline",
    "Image",
    "Metrics",
    "OpeningHours",
    "OrganisationFile",
    "PackOrigin",
    "Platform",
    "PostSpec",
    "Publishing",
    "Review",
    "Severity",
    "Slug",
    "Topic",
    "Weekday",
    "check_base_url",
    "config_from_toml",
    "describe_validation_error",
    "load_config",
    "merge_shared",
    "parse_offset",
    "post_key",
    "read_toml",
    "BILINGUAL_SEPARATOR",
    "Languages",
    "LanguageTag",
    "Outgoing",
    "language_name",
    "same_language",
    "variant_key",
]
