"""The transports against real loopback servers: STARTTLS with a certificate made for the test,
the generic webhook's signature, the Slack and JSON shapes, and failures in plain words."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import ssl
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaign.alerts.messages import AlertContent, email_text
from campaign.alerts.transports import Transports, signature
from campaign.config.alerts import AlertChannel
from campaign.errors import AlertNotSent
from scheduler.sandbox.alert_sinks import SmtpSink, WebhookSink

ALERT = AlertContent(
    key="account-held:3",
    topic="account-held",
    severity="critical",
    title="The X account @DerbysPolice is held",
    facts={
        "what": "X refused the account's token.",
        "lines": ["Mon 10:00 – Recognising stalking", "Tue 12:30 – Reporting <stalking> & help"],
        "what_to_do": "Renew the token, then resume the account.",
        "held_posts": 2,
    },
    created_at=datetime(2020, 4, 20, 8, 2, tzinfo=UTC),
    campaign_name="Stalking Awareness Week 2020",
    campaign_slug="stalking-awareness-week-2020",
    timezone="Europe/London",
    dashboard_url=None,
)


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made now with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return key, cert


def test_email_goes_over_starttls_with_the_login_from_the_environment(certificate):
    key, cert = certificate
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))
    channel = AlertChannel(
        kind="email",
        to=("duty@derbyshire.police.uk",),
        sender="alerts@derbyshire.police.uk",
        host="127.0.0.1",
        security="starttls",
        username_env="MAIL_USER",
        password_env="MAIL_PASSWORD",
    )
    environ = {"MAIL_USER": "sender", "MAIL_PASSWORD": "s3cret-pw"}
    with SmtpSink(tls_context=server_side, credentials=("sender", "s3cret-pw")) as mail:
        channel = channel.model_copy(update={"port": mail.port})
        Transports(ssl_context=trusting).send(channel, ALERT, "account-held:3/duty", environ)
        [received] = mail.received
        assert received.encrypted and received.login == "sender"
        assert received.message["Subject"] == (
            "[critical] Stalking Awareness Week 2020: The X account @DerbysPolice is held"
        )

        # The system's trust store does not know the test certificate: refused, in words.
        with pytest.raises(AlertNotSent) as refused:
            Transports().send(channel, ALERT, "account-held:3/duty", environ)
        assert str(refused.value) == (
            f"the secure connection to the mail server 127.0.0.1:{mail.port} failed (its "
            "certificate was not accepted, or it does not speak TLS on that port)"
        )

        # A wrong password: the variables are named, their values never.
        wrong = {"MAIL_USER": "sender", "MAIL_PASSWORD": "not-it-9"}
        with pytest.raises(AlertNotSent) as rejected:
            Transports(ssl_context=trusting).send(channel, ALERT, "k/duty", wrong)
        text = str(rejected.value)
        assert "MAIL_USER and MAIL_PASSWORD" in text and "535" in text
        assert "sender" not in text.replace("sender@", "") and "not-it-9" not in text
        assert rejected.value.__context__ is None and rejected.value.__cause__ is None
    assert len(mail.messages) == 1


def test_a_starttls_channel_never_sends_in_clear_to_a_server_without_it():
    with SmtpSink() as mail:
        channel = AlertChannel(
            kind="email",
            to=("duty@derbyshire.police.uk",),
            sender="alerts@derbyshire.police.uk",
            host="127.0.0.1",
            port=mail.port,
        )
        with pytest.raises(AlertNotSent, match="does not offer STARTTLS"):
            Transports().send(channel, ALERT, "k/duty", {})
        assert mail.messages == []


def test_the_generic_webhook_is_signed_and_says_every_fact():
    channel = AlertChannel(kind="webhook", url_env="HOOK_URL", secret_env="HOOK_SECRET")
    with WebhookSink() as hooks:
        environ = {"HOOK_URL": hooks.url("/in/abc"), "HOOK_SECRET": "shared-secret"}
        Transports().send(channel, ALERT, "account-held:3/ops", environ)
        [call] = hooks.messages
    expected = hmac.new(b"shared-secret", call.body, hashlib.sha256).hexdigest()
    assert call.header("X-Campaign-Signature") == f"sha256={expected}"
    assert signature("shared-secret", call.body) == f"sha256={expected}"
    assert call.header("Idempotency-Key") == "account-held:3/ops"
    assert call.json == {
        "key": "account-held:3",
        "topic": "account-held",
        "severity": "critical",
        "title": "The X account @DerbysPolice is held",
        "facts": ALERT.facts,
        "campaign": {
            "slug": "stalking-awareness-week-2020",
            "name": "Stalking Awareness Week 2020",
        },
        "created_at": "2020-04-20T08:02:00+00:00",
        "link": None,
    }


def test_a_slack_message_has_text_and_blocks_with_markup_escaped():
    channel = AlertChannel(kind="slack", url_env="SLACK_URL")
    with WebhookSink() as hooks:
        Transports().send(channel, ALERT, "k/slack", {"SLACK_URL": hooks.url("/services/T/B/x")})
        [call] = hooks.messages
    payload = call.json
    assert payload["text"] == ALERT.subject
    kinds = [block["type"] for block in payload["blocks"]]
    assert kinds == ["header", "section", "context"]  # no dashboard address: no button
    assert payload["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "The X account @DerbysPolice is held",
    }
    section = payload["blocks"][1]["text"]
    assert section["type"] == "mrkdwn"
    assert "*What happened:* X refused the account's token." in section["text"]
    assert "• Tue 12:30 – Reporting &lt;stalking&gt; &amp; help" in section["text"]
    assert "*Held posts:* 2" in section["text"]


def test_the_email_lists_lines_and_unknown_facts_in_words():
    text = email_text(ALERT)
    assert text.splitlines()[:4] == [
        "The X account @DerbysPolice is held",
        "",
        "What happened: X refused the account's token.",
        "Held posts: 2",
    ]
    assert "- Mon 10:00 – Recognising stalking" in text
    assert "Open the dashboard" not in text  # no dashboard address configured
    assert "Raised Mon 20 Apr 2020 09:02 BST" in text  # the campaign's time


def test_a_webhook_address_that_is_not_one_is_refused_without_showing_it():
    channel = AlertChannel(kind="teams", url_env="TEAMS_URL")
    with pytest.raises(AlertNotSent) as refused:
        Transports().send(channel, ALERT, "k/t", {"TEAMS_URL": "ftp-secret-thing"})
    assert "ftp-secret-thing" not in str(refused.value)
    assert "TEAMS_URL is not a web address" in str(refused.value)


def test_a_webhook_address_over_plain_http_to_another_machine_is_refused_unsent():
    """A webhook's address is its secret: never sent in clear across a network."""
    channel = AlertChannel(kind="webhook", url_env="HOOK_URL")
    address = "http://hooks.example.invalid/x?token=REMOTE-TOKEN-1"
    with pytest.raises(AlertNotSent) as refused:
        Transports().send(channel, ALERT, "k/hook", {"HOOK_URL": address})
    assert "HOOK_URL is a plain http address" in str(refused.value)
    assert "REMOTE-TOKEN" not in str(refused.value) and "example.invalid" not in str(refused.value)


def test_a_login_to_a_mail_server_that_offers_none_says_so():
    with SmtpSink() as mail:  # no login offered
        channel = AlertChannel(
            kind="email",
            to=("duty@derbyshire.police.uk",),
            sender="alerts@derbyshire.police.uk",
            host="127.0.0.1",
            port=mail.port,
            security="none",
            username_env="SMTP_USER",
            password_env="SMTP_PASSWORD",
        )
        environ = {"SMTP_USER": "alerts", "SMTP_PASSWORD": "pw-not-shown"}
        with pytest.raises(AlertNotSent) as refused:
            Transports().send(channel, ALERT, "k/duty", environ)
        assert "does not offer a login" in str(refused.value)
        assert "pw-not-shown" not in str(refused.value) and mail.messages == []
