"""`probe()`: the cheap authenticated read each channel makes to check its credentials, with
the real clients over loopback HTTP against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaign.clock import ManualClock
from campaign.config import Account
from campaign.errors import AuthRejected, Transient
from scheduler.channels import FacebookChannel, XChannel
from scheduler.sandbox import PlatformSandbox

PAGE = "104857361209584"  # the shipped config.toml's page_id


def assert_no_secrets(exc: BaseException, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in str(exc)
        assert secret not in repr(exc)


# -- X ----------------------------------------------------------------------------------------


def test_x_probe_says_who_the_tokens_act_for(
    x_channel: XChannel, sandbox: PlatformSandbox, x_account: Account
) -> None:
    health = x_channel.probe()

    user = sandbox.x.user(str(x_account.handle))
    assert (health.platform, health.account_id) == ("x", user.id)
    assert health.handle == f"@{user.username}"
    assert health.expires_at is None  # OAuth 1.0a user tokens do not expire
    assert [(r.method, r.path) for r in sandbox.x.requests] == [("GET", "/2/users/me")]


@pytest.mark.parametrize("refusal", ["revoked", "expired_token"])
def test_x_probe_refused_token_is_auth_rejected(
    x_channel: XChannel,
    sandbox: PlatformSandbox,
    x_account: Account,
    secrets: list[str],
    refusal: str,
) -> None:
    if refusal == "revoked":
        sandbox.revoke_token(x_account)
    else:
        sandbox.update(expired_token=True)

    with pytest.raises(AuthRejected, match="401") as caught:
        x_channel.probe()
    assert_no_secrets(caught.value, secrets)

    sandbox.revoke_token(x_account, revoked=False)
    sandbox.update(expired_token=False)
    assert x_channel.probe().account_id == sandbox.x.user(str(x_account.handle)).id


def test_x_probe_server_error_is_transient(x_channel: XChannel, sandbox: PlatformSandbox) -> None:
    sandbox.update(rate_5xx=1.0)
    with pytest.raises(Transient, match="503") as caught:
        x_channel.probe()
    assert not isinstance(caught.value, AuthRejected)


def test_x_tokens_cannot_be_given_an_expiry(sandbox: PlatformSandbox, x_account: Account) -> None:
    with pytest.raises(ValueError, match="do not expire"):
        sandbox.expire_token(x_account, datetime(2020, 5, 1, tzinfo=UTC))


# -- Facebook ---------------------------------------------------------------------------------


def test_facebook_probe_reads_the_page_and_a_token_that_never_expires(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox, secrets: list[str]
) -> None:
    health = facebook_channel.probe()

    assert (health.platform, health.account_id) == ("facebook", PAGE)
    assert health.name == sandbox.facebook.pages[PAGE].name
    assert health.expires_at is None  # debug_token: expires_at 0
    # One batch POST: the token is in its body, never in a URL the sandbox saw.
    assert [(r.method, r.path) for r in sandbox.facebook.requests] == [("POST", "/v25.0/")]
    for record in sandbox.facebook.requests:
        assert not any(secret in str(record.query) for secret in secrets)


def test_facebook_probe_reads_the_token_expiry(
    facebook_channel: FacebookChannel,
    sandbox: PlatformSandbox,
    facebook_account: Account,
    clock: ManualClock,
) -> None:
    expires = (clock.now() + timedelta(days=3)).replace(microsecond=0)
    data_access = expires + timedelta(days=30)
    sandbox.expire_token(facebook_account, expires, data_access_at=data_access)

    health = facebook_channel.probe()

    assert health.expires_at == expires and health.expires_at.tzinfo is not None
    assert any(f"{expires:%Y-%m-%d %H:%M}" in note for note in health.notes)
    assert any(f"{data_access:%Y-%m-%d %H:%M}" in note for note in health.notes)

    # Data access ending first is what stops the token first.
    sandbox.expire_token(facebook_account, expires, data_access_at=expires - timedelta(days=1))
    assert facebook_channel.probe().expires_at == expires - timedelta(days=1)


def test_facebook_probe_expired_token_is_auth_rejected(
    facebook_channel: FacebookChannel,
    sandbox: PlatformSandbox,
    facebook_account: Account,
    clock: ManualClock,
    secrets: list[str],
) -> None:
    sandbox.expire_token(facebook_account, clock.now() + timedelta(hours=1))
    facebook_channel.probe()
    clock.advance(timedelta(hours=2))

    with pytest.raises(AuthRejected, match="Session has expired") as caught:
        facebook_channel.probe()
    assert_no_secrets(caught.value, secrets)


@pytest.mark.parametrize("refusal", ["revoked", "expired_token"])
def test_facebook_probe_refused_token_is_auth_rejected(
    facebook_channel: FacebookChannel,
    sandbox: PlatformSandbox,
    facebook_account: Account,
    secrets: list[str],
    refusal: str,
) -> None:
    if refusal == "revoked":
        sandbox.revoke_token(facebook_account)
    else:
        sandbox.update(expired_token=True)

    with pytest.raises(AuthRejected, match="code 190") as caught:
        facebook_channel.probe()
    assert_no_secrets(caught.value, secrets)


def test_facebook_probe_server_error_is_transient(
    facebook_channel: FacebookChannel, sandbox: PlatformSandbox
) -> None:
    sandbox.update(rate_5xx=1.0)
    for _ in range(4):  # both of Graph's 5xx answers: JSON code 2 and an HTML 502 page
        with pytest.raises(Transient) as caught:
            facebook_channel.probe()
        assert not isinstance(caught.value, AuthRejected)
