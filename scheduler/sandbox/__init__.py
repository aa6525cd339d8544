"""A local platform sandbox: HTTP doubles of the X API v2 and the Facebook Graph API.

Each double is a handler from werkzeug's `Request` to its `Response` with declared routes
(`x_api`, `graph_api`), wrapped with seeded fault injection as a WSGI application (`wsgi`) and
served on loopback with keep-alive (`server`). They answer with the platforms' JSON shapes,
error bodies and rate-limit headers and deterministic engagement numbers, so channels are
tested with the real client libraries and rehearsals run offline.

    with PlatformSandbox(SandboxSettings(rate_5xx=0.1), clock) as sandbox:
        environ = sandbox.credentials(config.accounts.values())
        ... sandbox.x_base_url, sandbox.graph_base_url, sandbox.x.tweets ...
"""

from scheduler.sandbox.engagement import engagement, facebook_metrics, x_metrics
from scheduler.sandbox.facade import PlatformSandbox, run_sandbox
from scheduler.sandbox.faults import SandboxSettings
from scheduler.sandbox.graph_model import CURRENT_METRICS, FacebookPostRecord, PhotoRecord
from scheduler.sandbox.wsgi import RequestRecord
from scheduler.sandbox.x_model import MediaRecord, TweetRecord, XUser

__all__ = [
    "CURRENT_METRICS",
    "FacebookPostRecord",
    "MediaRecord",
    "PhotoRecord",
    "PlatformSandbox",
    "RequestRecord",
    "SandboxSettings",
    "TweetRecord",
    "XUser",
    "engagement",
    "facebook_metrics",
    "run_sandbox",
    "x_metrics",
]
