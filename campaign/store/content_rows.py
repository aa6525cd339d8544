"""Tables of the content written in the browser (migration 0009): post revisions, the
campaign's templates, images, and review comments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaign.store.models import Base


class RevisionRow(Base):
    """One version of a post's source and what it rendered to. Written once, never changed:
    the history says who changed what, when, and which content each approval was for."""

    __tablename__ = "post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per post
    origin: Mapped[str] = mapped_column(String(20))  # "files" | "browser"
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    template: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    day_slug: Mapped[str] = mapped_column(String(100))
    theme: Mapped[str] = mapped_column(String(200))
    time: Mapped[str] = mapped_column(String(20))
    fold: Mapped[int | None] = mapped_column(Integer)
    images: Mapped[list[Any]] = mapped_column(JSON)
    parts: Mapped[list[Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_hash: Mapped[str] = mapped_column(String(64))
    # A post in several languages (migration 0011): the language of `text`, the pair's key,
    # and a bilingual post's other languages ([{"lang", "template", "text"}], in order).
    lang: Mapped[str | None] = mapped_column(String(35))
    unit: Mapped[str | None] = mapped_column(String(200))
    others: Mapped[list[Any] | None] = mapped_column(JSON)


class TemplateRow(Base):
    """A template of the campaign's posts folder as last planned (partials included)."""

    __tablename__ = "campaign_templates"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class MediaRow(Base):
    """An image's bytes, by their SHA-256: planned from files or uploaded, shared by posts."""

    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)


class CommentRow(Base):
    """A remark on a post in review; "changes-requested" sends the revision back."""

    __tablename__ = "post_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("post_revisions.id"))
    author: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))  # "comment" | "changes-requested"
    body: Mapped[str] = mapped_column(Text)
