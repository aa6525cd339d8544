"""Tables of the alerts outbox (migration 0010): each alert once, and its delivery to each
channel, with the retry and lease state that lets any live process deliver it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.store.models import Base


class AlertRow(Base):
    """Something worth telling people, written in the transaction of the event it reports.

    `key` is the event's own name ("post-failed:42:3", "no-daemon:1:<last beat>"): a second
    attempt to raise the same event finds it and adds nothing, so an alert is raised once.
    `facts` holds what the messages say (plain words and values, never a secret).
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertDeliveryRow(Base):
    """One alert to one channel: pending until sent; retried with backoff while it fails.

    `key` (the alert's key and the channel's name) goes with every attempt as its idempotency
    key, so a receiver can drop a repeat. `channel` is the channel's definition as configured
    when the alert was raised (environment variable NAMES, never their values). A delivery is
    leased (`lease_by`, `lease_until`) by the process sending it, so two processes never send
    it at once; a lease that runs out (the process died) lets another take it.
    """

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    channel_name: Mapped[str] = mapped_column(String(100), index=True)
    channel: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), index=True)  # pending | sent | given-up
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    lease_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    alert: Mapped[AlertRow] = relationship()
