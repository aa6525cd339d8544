"""The environment is read once per session, not on every request a burst sends."""

from __future__ import annotations

import requests

from scheduler.channels.http import mount_base_url


def _session() -> requests.Session:
    session = requests.Session()
    mount_base_url(session, "https://api.example.test", "http://127.0.0.1:9", 5)
    return session


def test_without_proxies_the_ca_bundle_is_read_once_and_not_per_request(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/our-bundle.pem")
    session = _session()
    assert session.trust_env is False
    assert session.verify == "/etc/ssl/certs/our-bundle.pem"


def test_with_a_proxy_configured_requests_keeps_reading_the_environment(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    assert _session().trust_env is True
