"""Reading Page posts' engagement through Graph batch calls, and what Graph refuses on the way.

Mixed into `FacebookChannel`, which provides the batch call (`_batch`), the mapping of Graph's
error envelope (`_graph_error`) and the API version. Counts (shares, reactions, comments) and
insights are asked for in one operation per post; a metric Graph no longer knows (code 100) is
found by asking for each alone, and a post whose `insights.metric(...)` expansion Graph refuses
is read from its `/insights` edge instead, so no reading that Graph gave is ever dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from campaign.errors import AuthRejected, PublishError, RateLimited
from scheduler.channels.base import MetricReading
from scheduler.channels.http import chunks, redact

MAX_BATCH = 50
COUNT_FIELDS = (
    "shares,reactions.limit(0).summary(total_count),comments.limit(0).summary(total_count)"
)


class GraphAnswer(NamedTuple):
    """One operation's answer in a batch."""

    status: int
    body: dict[str, Any]
    headers: Mapping[str, str]


class GraphMetrics:
    """`metric_batches` and `fetch_metrics` for the Facebook channel."""

    metrics: tuple[str, ...]
    _secrets: tuple[str, ...]

    def __init__(self) -> None:
        self._bad_metrics: dict[str, str] = {}  # metric -> why, learnt from code 100 answers
        self._by_edge: set[str] = set()  # posts whose insights expansion Graph refuses
        self._good_metrics: set[str] = set()  # answered alone without error

    @property
    def api_version(self) -> str:
        raise NotImplementedError

    def _batch(self, relative_urls: Sequence[str]) -> list[GraphAnswer]:
        raise NotImplementedError

    def _graph_error(
        self, error: dict[str, Any], status: int, headers: Mapping[str, str] | None = None
    ) -> PublishError:
        raise NotImplementedError

    def fetch_metrics(self, platform_post_ids: Sequence[str]) -> dict[str, MetricReading]:
        """Counts and insights for many posts, up to 50 per batch request."""
        return {k: v for batch in self.metric_batches(platform_post_ids) for k, v in batch.items()}

    def metric_batches(
        self, platform_post_ids: Sequence[str]
    ) -> Iterator[dict[str, MetricReading]]:
        """The readings of each batch request's 50 posts as soon as they are read.

        A metric Graph refuses with code 100 (renamed or retired) is found by asking for each
        metric alone once, then reported as unavailable while the others are still read. If
        every metric works alone, Graph refused the `insights.metric(...)` expansion itself:
        those posts' insights are read from their `/insights` edge instead.
        """
        ids = list(dict.fromkeys(str(i) for i in platform_post_ids))
        for chunk in chunks(ids, MAX_BATCH):
            readings: dict[str, MetricReading] = {}
            self._read_metrics(chunk, readings)
            yield readings

    def _read_metrics(self, chunk: Sequence[str], readings: dict[str, MetricReading]) -> None:
        metrics = [m for m in self.metrics if m not in self._bad_metrics]
        by_edge = [p for p in chunk if p in self._by_edge] if metrics else []
        retry = self._read_by_fields([p for p in chunk if p not in by_edge], metrics, readings)
        if retry:
            if self._found_bad_metrics(retry[0], metrics):
                self._read_metrics(retry, readings)
                return
            # Each metric works alone: Graph refuses the field expansion on these posts.
            self._by_edge.update(retry)
            by_edge += retry
        for part in chunks(by_edge, MAX_BATCH // 2):
            self._read_by_edge(part, metrics, readings)

    def _read_by_fields(
        self, chunk: Sequence[str], metrics: Sequence[str], readings: dict[str, MetricReading]
    ) -> list[str]:
        """Counts and insights in one field expansion a post; returns the posts on which Graph
        refused the metrics (code 100, not a deleted post), to be read again another way."""
        if not chunk:
            return []
        fields = COUNT_FIELDS + (f",insights.metric({','.join(metrics)})" if metrics else "")
        answers = self._batch([f"{post_id}?fields={fields}" for post_id in chunk])
        retry = []
        for post_id, (status, body, headers) in zip(chunk, answers, strict=True):
            error = body.get("error")
            if not error:
                readings[post_id] = self._reading(post_id, body, metrics)
            elif error.get("code") == 100 and metrics and error.get("error_subcode") != 33:
                retry.append(post_id)
            else:
                readings[post_id] = self._refused(post_id, error, status, headers)
        return retry

    def _found_bad_metrics(self, post_id: str, metrics: Sequence[str]) -> bool:
        """Whether Graph refuses some metrics even alone (renamed or retired), learnt once: a
        metric set already answered alone is not asked about again."""
        known_good = set(metrics) <= self._good_metrics
        bad = {} if known_good else self._probe_metrics(post_id, metrics)
        self._good_metrics.update(m for m in metrics if m not in bad)
        self._bad_metrics.update(bad)
        return bool(bad)

    def _read_by_edge(
        self, chunk: Sequence[str], metrics: Sequence[str], readings: dict[str, MetricReading]
    ) -> None:
        """Counts from the post, insights from its `/insights` edge: two operations a post."""
        urls = []
        for post_id in chunk:
            urls += [
                f"{post_id}?fields={COUNT_FIELDS}",
                f"{post_id}/insights?metric={','.join(metrics)}",
            ]
        answers = self._batch(urls)
        for index, post_id in enumerate(chunk):
            (status, node, headers), insights = answers[2 * index], answers[2 * index + 1]
            if "error" in node:
                readings[post_id] = self._refused(post_id, node["error"], status, headers)
                continue
            reading = self._reading(post_id, {**node, "insights": insights.body}, metrics)
            error = insights.body.get("error")
            if error:  # keep the counts; say why the insights are missing
                problem = self._refused(post_id, error, insights.status, insights.headers)
                why = problem.unavailable.get("*", "refused by the Graph API")
                reading.unavailable.update({m: why for m in metrics})
            readings[post_id] = reading

    def _refused(
        self, post_id: str, error: dict[str, Any], status: int, headers: Mapping[str, str]
    ) -> MetricReading:
        """A post Graph would not read: deleted, or unreachable with Graph's reason. A rate
        limit or a rejected token stops the whole read (raised)."""
        if error.get("code") == 100 and error.get("error_subcode") == 33:
            return MetricReading(post_id, {}, api_version=self.api_version, deleted=True)
        problem = self._graph_error(error, status, headers)
        if isinstance(problem, RateLimited | AuthRejected):
            raise problem
        return MetricReading(post_id, {}, {"*": str(problem)}, api_version=self.api_version)

    def _probe_metrics(self, post_id: str, metrics: Sequence[str]) -> dict[str, str]:
        """Ask for each metric alone on one post; those answered with code 100 are bad."""
        answers = self._batch([f"{post_id}/insights?metric={m}" for m in metrics])
        bad = {}
        for metric, answer in zip(metrics, answers, strict=True):
            body = answer.body
            error = body.get("error") or {}
            if error.get("code") == 100:
                bad[metric] = redact(f"{error.get('message')} (code 100)", self._secrets)
        return bad

    def _reading(self, post_id: str, node: dict[str, Any], metrics: Sequence[str]) -> MetricReading:
        values = {
            "shares": int((node.get("shares") or {}).get("count", 0)),  # absent means none
        }
        unavailable = {m: why for m, why in self._bad_metrics.items() if m in self.metrics}
        for edge in ("reactions", "comments"):
            summary = (node.get(edge) or {}).get("summary") or {}
            if "total_count" in summary:
                values[edge] = int(summary["total_count"])
            else:
                unavailable[edge] = "no summary returned"
        returned = {item.get("name"): item for item in (node.get("insights") or {}).get("data", [])}
        for metric in metrics:
            item = returned.get(metric)
            if not item or not item.get("values"):
                unavailable[metric] = "not returned by the Graph API"
                continue
            value = item["values"][-1].get("value", 0)
            if isinstance(value, dict):
                values[metric] = sum(int(v) for v in value.values())
                values.update({f"{metric}.{k}": int(v) for k, v in value.items()})
            else:
                values[metric] = int(value)
        return MetricReading(post_id, values, unavailable, api_version=self.api_version)
