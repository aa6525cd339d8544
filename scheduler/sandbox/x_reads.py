"""The X double's read endpoints: tweet lookup and a user's timeline, with metric fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from campaign.clock import Clock
from scheduler.sandbox.engagement import x_metrics
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.server import Request, Response, json_response
from scheduler.sandbox.x_model import (
    TweetRecord,
    XUser,
    field_error,
    invalid_request,
    not_found_error,
    parse_x_time,
    x_time,
)

TWEET_FIELDS = frozenset(
    {
        "id", "text", "edit_history_tweet_ids", "created_at", "author_id", "conversation_id",
        "in_reply_to_user_id", "referenced_tweets", "attachments", "public_metrics",
        "non_public_metrics", "organic_metrics",
    }
)  # fmt: skip
PRIVATE_GROUPS = ("non_public_metrics", "organic_metrics")


class XReads:
    """Mixed into `XApi`: GET /2/tweets and GET /2/users/:id/tweets.

    A tweet whose private metrics (non_public/organic) are refused is left out of `data` and
    each refused field gets a "Field Authorization Error" in `errors`, as X does: the client
    must ask again without those fields to get the public ones.
    """

    clock: Clock
    _faults: FaultInjector
    users: dict[str, XUser]
    tweets: list[TweetRecord]
    tweet: Callable[[str], TweetRecord | None]

    def _fields(self, request: Request) -> list[str] | Response:
        fields = [f for f in (request.arg("tweet.fields") or "").split(",") if f]
        bad = [f for f in fields if f not in TWEET_FIELDS]
        if bad:
            return invalid_request(
                f"The `tweet.fields` query parameter value [{bad[0]}] is not one of "
                f"[{','.join(sorted(TWEET_FIELDS))}]",
                {"tweet.fields": bad},
            )
        return fields

    def _render(
        self, tweet: TweetRecord, fields: list[str], viewer: XUser, parameter: str
    ) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
        """A tweet as X returns it; None plus errors when a requested field is refused."""
        item: dict[str, Any] = {
            "id": tweet.id,
            "text": tweet.display_text,
            "edit_history_tweet_ids": [tweet.id],
        }
        now = self.clock.now()
        metrics = x_metrics(self._faults.settings.seed, tweet.id, now - tweet.created_at)
        private_ok = tweet.author_id == viewer.id and now - tweet.created_at < timedelta(
            days=self._faults.settings.private_metrics_days
        )
        errors: list[dict[str, str]] = []
        for field in fields:
            if field == "created_at":
                item["created_at"] = x_time(tweet.created_at)
            elif field == "author_id":
                item["author_id"] = tweet.author_id
            elif field == "conversation_id":
                root = tweet
                while root.in_reply_to and (parent := self.tweet(root.in_reply_to)):
                    root = parent
                item["conversation_id"] = root.id
            elif field == "in_reply_to_user_id" and tweet.in_reply_to:
                parent = self.tweet(tweet.in_reply_to)
                if parent is not None:
                    item["in_reply_to_user_id"] = parent.author_id
            elif field == "referenced_tweets" and tweet.in_reply_to:
                item["referenced_tweets"] = [{"type": "replied_to", "id": tweet.in_reply_to}]
            elif field == "attachments" and tweet.media_ids:
                item["attachments"] = {"media_keys": [f"3_{m}" for m in tweet.media_ids]}
            elif field == "public_metrics":
                item[field] = metrics[field]
            elif field in PRIVATE_GROUPS:
                if private_ok:
                    item[field] = metrics[field]
                else:
                    errors += [
                        field_error(tweet.id, f"{field}.{name}", parameter)
                        for name in metrics[field]
                    ]
        return (None, errors) if errors else (item, [])

    def _lookup(self, request: Request, user: XUser, _: str) -> Response:
        ids = [i for i in (request.arg("ids") or "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return invalid_request(
                f"The number of values in the `ids` query parameter list [{len(ids)}] is not "
                "between 1 and 100",
                {"ids": ids},
            )
        if not all(i.isdigit() for i in ids):
            return invalid_request("The `ids` query parameter value is not valid", {"ids": ids})
        fields = self._fields(request)
        if isinstance(fields, Response):
            return fields
        data, errors = [], []
        for tweet_id in ids:
            tweet = self.tweet(tweet_id)
            if tweet is None or not tweet.visible(self.clock.now()):
                errors.append(not_found_error(tweet_id, "tweet", "ids"))
                continue
            item, refused = self._render(tweet, fields, user, "ids")
            errors += refused
            if item is not None:
                data.append(item)
        payload: dict[str, Any] = {"data": data} if data else {}
        if errors:
            payload["errors"] = errors
        return json_response(200, payload)

    def _timeline(self, request: Request, viewer: XUser, user_id: str) -> Response:
        if user_id not in self.users:
            return json_response(200, {"errors": [not_found_error(user_id, "user", "id")]})
        try:
            limit = int(request.arg("max_results") or 10)
            start = parse_x_time(request.arg("start_time") or "1970-01-01T00:00:00Z")
            end = parse_x_time(request.arg("end_time") or "9999-12-31T23:59:59Z")
            before = int(request.arg("pagination_token") or "0", 16) or None
        except ValueError as exc:
            return invalid_request(f"Invalid parameter: {exc}", {})
        if not 5 <= limit <= 100:
            return invalid_request(
                f"The `max_results` query parameter value [{limit}] is not between 5 and 100",
                {"max_results": [str(limit)]},
            )
        fields = self._fields(request)
        if isinstance(fields, Response):
            return fields
        candidates = sorted(
            (
                t
                for t in self.tweets
                if t.author_id == user_id
                and t.visible(self.clock.now())
                and start <= t.created_at < end
                and (before is None or int(t.id) < before)
            ),
            key=lambda t: int(t.id),
            reverse=True,
        )
        page = candidates[:limit]
        data, errors = [], []
        for tweet in page:
            item, refused = self._render(tweet, fields, viewer, "id")
            errors += refused
            if item is not None:
                data.append(item)
        meta: dict[str, Any] = {"result_count": len(data)}
        if page:
            meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        if len(candidates) > limit:
            meta["next_token"] = f"{int(page[-1].id):x}"
        payload: dict[str, Any] = {"data": data} if data else {}
        if errors:
            payload["errors"] = errors
        payload["meta"] = meta
        return json_response(200, payload)
