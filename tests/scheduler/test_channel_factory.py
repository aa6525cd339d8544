"""make_channel and the helpers both channels share: redaction, normalisation, error mapping."""

from __future__ import annotations

import pytest
import requests

from campaign.config import CampaignConfig
from campaign.errors import AuthRejected
from scheduler.channels import FacebookChannel, XChannel, make_channel
from scheduler.channels.http import normalise_text, redact, transport_error


def test_make_channel_builds_each_platform(
    shipped_config: CampaignConfig, environ: dict[str, str]
) -> None:
    x = shipped_config.accounts["x"]
    facebook = shipped_config.accounts["facebook"]
    with make_channel(x, environ) as x_channel, make_channel(facebook, environ) as fb_channel:
        assert isinstance(x_channel, XChannel) and x_channel.platform == "x"
        assert isinstance(fb_channel, FacebookChannel) and fb_channel.api_version == "v25.0"


def test_a_missing_variable_is_named_never_its_value(
    shipped_config: CampaignConfig, environ: dict[str, str]
) -> None:
    partial = {k: v for k, v in environ.items() if k != "DERBYSHIRE_X_ACCESS_TOKEN_SECRET"}
    with pytest.raises(AuthRejected) as caught:
        make_channel(shipped_config.accounts["x"], partial)
    message = str(caught.value)
    assert "DERBYSHIRE_X_ACCESS_TOKEN_SECRET" in message and "export" in message
    assert all(value not in message for value in environ.values())
    assert caught.value.platform == "x"


def test_redact_removes_values_and_token_parameters() -> None:
    text = (
        "GET /v25.0/1/feed?access_token=abc123XYZ&fields=id&appsecret_proof=ff00 "
        'Authorization: OAuth oauth_token="tok", oauth_signature="sig" secret-value'
    )
    cleaned = redact(text, ["secret-value"])
    for leaked in ("abc123XYZ", "ff00", '"tok"', '"sig"', "secret-value"):
        assert leaked not in cleaned
    assert "fields=id" in cleaned


def test_normalise_text_ignores_tco_rewrites_entities_and_spacing() -> None:
    sent = "Report it at www.derbyshire.police.uk/Contact-Us & call 101.\n\n#SeeStalkingClearly"
    shown = (
        "Report it at https://t.co/AbCdEfGhIj &amp; call 101. #SeeStalkingClearly https://t.co/x"
    )
    assert normalise_text(sent) == normalise_text(shown)
    assert normalise_text("one") != normalise_text("two")


def test_a_connect_timeout_sent_nothing() -> None:
    error = transport_error(
        requests.exceptions.ConnectTimeout("connect timed out"),
        platform="x",
        creates=True,
        secrets=[],
    )
    assert type(error).__name__ == "Transient" and "nothing was sent" in str(error)
    unknown = transport_error(
        requests.exceptions.ReadTimeout("read timed out"), platform="x", creates=True, secrets=[]
    )
    assert type(unknown).__name__ == "OutcomeUnknown"
    read = transport_error(
        requests.exceptions.ReadTimeout("read timed out"), platform="x", creates=False, secrets=[]
    )
    assert type(read).__name__ == "Transient"
