"""The X double's read endpoints: tweet lookup and a user's timeline, with metric fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from campaign.clock import Clock
from scheduler.sandbox.engagement import x_metrics
from scheduler.sandbox.faults import FaultInjector
from scheduler.sandbox.wsgi import json_response
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


@dataclass(frozen=True)
class TimelineQuery:
    """The query of `GET /2/users/:id/tweets`, with X's defaults."""

    limit: int
    start: datetime
    end: datetime
    before: int | None  # the pagination token: only tweets with a smaller id

    @classmethod
    def parse(cls, request: Request) -> TimelineQuery | Response:
        args = request.args
        try:
            query = cls(
                int(args.get("max_results") or 10),
                parse_x_time(args.get("start_time") or "1970-01-01T00:00:00Z"),
                parse_x_time(args.get("end_time") or "9999-12-31T23:59:59Z"),
                int(args.get("pagination_token") or "0", 16) or None,
            )
        except ValueError as exc:
            return invalid_request(f"Invalid parameter: {exc}", {})
        if not 5 <= query.limit <= 100:
            return invalid_request(
                f"The `max_results` query parameter value [{query.limit}] is not between 5 and 100",
                {"max_results": [str(query.limit)]},
            )
        return query

    def wants(self, tweet: TweetRecord) -> bool:
        return self.start <= tweet.created_at < self.end and (
            self.before is None or int(tweet.id) < self.before
        )


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
        fields = [f for f in (request.args.get("tweet.fields") or "").split(",") if f]
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
            if field in PRIVATE_GROUPS and not private_ok:
                errors += [
                    field_error(tweet.id, f"{field}.{name}", parameter) for name in metrics[field]
                ]
            elif field in PRIVATE_GROUPS or field == "public_metrics":
                item[field] = metrics[field]
            else:
                value = self._field(tweet, field)
                if value is not None:
                    item[field] = value
        return (None, errors) if errors else (item, [])

    def _field(self, tweet: TweetRecord, field: str) -> Any:
        """One of a tweet's plain fields; None when X leaves it out (e.g. not a reply)."""
        if field == "created_at":
            return x_time(tweet.created_at)
        if field == "author_id":
            return tweet.author_id
        if field == "conversation_id":
            return self._root(tweet).id
        if field == "in_reply_to_user_id" and tweet.in_reply_to:
            parent = self.tweet(tweet.in_reply_to)
            return parent.author_id if parent is not None else None
        if field == "referenced_tweets" and tweet.in_reply_to:
            return [{"type": "replied_to", "id": tweet.in_reply_to}]
        if field == "attachments" and tweet.media_ids:
            return {"media_keys": [f"3_{m}" for m in tweet.media_ids]}
        return None

    def _root(self, tweet: TweetRecord) -> TweetRecord:
        """The first tweet of the thread `tweet` is in."""
        while tweet.in_reply_to and (parent := self.tweet(tweet.in_reply_to)):
            tweet = parent
        return tweet

    def _rendered(
        self, tweets: list[TweetRecord], fields: list[str], viewer: XUser, parameter: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """Tweets as X lists them in `data`, and the errors for the fields it refused."""
        data, errors = [], []
        for tweet in tweets:
            item, refused = self._render(tweet, fields, viewer, parameter)
            errors += refused
            if item is not None:
                data.append(item)
        return data, errors

    def _lookup(self, request: Request, user: XUser) -> Response:
        ids = [i for i in (request.args.get("ids") or "").split(",") if i]
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
        now = self.clock.now()
        data, errors = [], []
        for tweet_id in ids:  # in the order asked, each error where its id was
            tweet = self.tweet(tweet_id)
            if tweet is None or not tweet.visible(now):
                errors.append(not_found_error(tweet_id, "tweet", "ids"))
                continue
            found, refused = self._rendered([tweet], fields, user, "ids")
            data += found
            errors += refused
        return json_response(200, with_errors(data, errors))

    def _timeline(self, request: Request, viewer: XUser, user_id: str) -> Response:
        if user_id not in self.users:
            return json_response(200, {"errors": [not_found_error(user_id, "user", "id")]})
        query = TimelineQuery.parse(request)
        if isinstance(query, Response):
            return query
        fields = self._fields(request)
        if isinstance(fields, Response):
            return fields
        now = self.clock.now()
        mine = (t for t in self.tweets if t.author_id == user_id and t.visible(now))
        candidates = sorted(filter(query.wants, mine), key=lambda t: int(t.id), reverse=True)
        page = candidates[: query.limit]
        data, errors = self._rendered(page, fields, viewer, "id")
        meta: dict[str, Any] = {"result_count": len(data)}
        if page:
            meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        if len(candidates) > query.limit:
            meta["next_token"] = f"{int(page[-1].id):x}"
        return json_response(200, {**with_errors(data, errors), "meta": meta})


def with_errors(data: list[dict[str, Any]], errors: list[dict[str, str]]) -> dict[str, Any]:
    """X's answer body: `data` only when something was found, `errors` only when any."""
    payload: dict[str, Any] = {"data": data} if data else {}
    if errors:
        payload["errors"] = errors
    return payload
