"""The report's charts, as SVG strings to inline in the HTML page.

Figures are built from `matplotlib.figure.Figure` directly, never pyplot, so no global figure
state or GUI backend is involved. Text is drawn as paths (`svg.fonttype = "path"`), so a chart looks
the same on any machine without fonts being fetched or installed. Every id inside an SVG is
prefixed with the chart's name, because several SVGs share one HTML document.

Each function returns "" when there is nothing to plot; the page then shows a "no data yet" note
rather than an empty set of axes.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, MultipleLocator, StrMethodFormatter

from campaign.present.times import short_date
from campaign.report.summary import GrowthPoint, Totals

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe-Ito: distinguishable with the common colour-vision deficiencies (yellow left out: too
# pale on white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
ACCENT = "#0b4f8a"  # the house navy of the HTML pages
INK = "#1b1f24"
MUTED = "#57606a"
GRID = "#d0d7de"

_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: no font needed where the page is opened
    "svg.hashsalt": "campaign-report",  # stable ids, so the same data gives the same page
    "font.family": "DejaVu Sans",  # shipped with matplotlib: never a missing-font warning
    "font.size": 9,
    "text.color": INK,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "legend.frameon": False,
}


def channel_colours(channels: Iterable[str]) -> dict[str, str]:
    """One palette colour per channel, by sorted name, so every chart and table agree."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(set(channels)))}


def engagement_over_time(growth: Sequence[GrowthPoint]) -> str:
    """Engagements against hours since publishing: one line per post, coloured by channel."""
    if not growth:
        return ""
    series: dict[str, list[GrowthPoint]] = {}
    for point in growth:
        series.setdefault(point.post_key, []).append(point)
    colours = channel_colours(point.channel for point in growth)
    posts_on = dict.fromkeys(colours, 0)
    for points in series.values():
        posts_on[points[0].channel] += 1

    def draw(ax: Axes) -> None:
        for points in series.values():
            points.sort(key=lambda p: p.hours_since_published)
            ax.plot(
                [p.hours_since_published for p in points],
                [p.engagements for p in points],
                color=colours[points[0].channel],
                marker="o",
                markersize=3.5,
                linewidth=1.6,
                alpha=0.85,
            )
        hours = max(p.hours_since_published for p in growth)
        if hours > 48:
            ax.xaxis.set_major_locator(MultipleLocator(24))
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.grid(axis="both", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel("Hours since published")
        ax.set_ylabel("Engagements")
        ax.set_title("Engagements over time, one line per post")
        handles = [
            Line2D([], [], color=colour, marker="o", markersize=4, linewidth=1.8)
            for colour in colours.values()
        ]
        labels = [f"{_plain(name)} ({posts_on[name]} posts)" for name in colours]
        ax.legend(handles, labels, title="Channel", loc="lower right", fontsize=8.5)

    return _render("growth", (9.6, 3.4), draw)


def rate_by_theme(by_theme: Sequence[Totals]) -> str:
    """Horizontal bars, so long theme names stay readable."""
    if all(t.engagement_rate is None for t in by_theme):
        return ""

    def draw(ax: Axes) -> None:
        labels = [textwrap.fill(_plain(t.label), 40) for t in by_theme]
        _rate_bars(ax, labels, [t.engagement_rate for t in by_theme], horizontal=True)
        ax.invert_yaxis()  # first theme of the week at the top
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("Engagement rate (% of impressions)")
        ax.set_title("Engagement rate by theme")

    return _render("theme", (9.6, 0.9 + 0.36 * len(by_theme)), draw)


def rate_by_day(by_day: Sequence[Totals]) -> str:
    """Vertical bars in campaign order, labelled with the weekday and date."""
    if all(t.engagement_rate is None for t in by_day):
        return ""

    def draw(ax: Axes) -> None:
        labels = [_day_label(t.label) for t in by_day]
        _rate_bars(ax, labels, [t.engagement_rate for t in by_day], horizontal=False)
        ax.set_ylabel("Engagement rate (%)")
        ax.set_title("Engagement rate by day")

    return _render("day", (5.2, 3.2), draw)


def _rate_bars(ax: Axes, labels: list[str], rates: list[float | None], *, horizontal: bool) -> None:
    """One bar per group, labelled with its rate; a group without one says so instead of 0."""
    known = [(i, rate) for i, rate in enumerate(rates) if rate is not None]
    at = [i for i, _ in known]
    values = [rate for _, rate in known]
    if horizontal:
        bars = ax.barh(at, values, color=ACCENT, height=0.62)
        ax.set_yticks(range(len(labels)), labels)
    else:
        bars = ax.bar(at, values, color=ACCENT, width=0.62)
        ax.set_xticks(range(len(labels)), labels)
    ax.bar_label(bars, labels=[_percent(v) for v in values], padding=3, fontsize=8.5)
    for i, rate in enumerate(rates):
        if rate is None:
            _unavailable(ax, i, horizontal)
    value_lim, group_lim = (0, max(values) * 1.18), (-0.6, len(labels) - 0.4)
    ax.set_xlim(*(value_lim if horizontal else group_lim))
    ax.set_ylim(*(group_lim if horizontal else value_lim))
    ax.grid(axis="x" if horizontal else "y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y" if horizontal else "x", length=0, labelcolor=INK)


def _unavailable(ax: Axes, at: float, horizontal: bool = False, words: str = "unavailable") -> None:
    """Mark a missing value at the baseline: never a zero-height bar, which would read as 0."""
    style: dict[str, Any] = {"fontsize": 8, "color": MUTED, "style": "italic"}
    if horizontal:
        ax.text(0, at, f" {words}", ha="left", va="center", **style)
    else:
        ax.text(at, 0, f" {words}", rotation=90, ha="center", va="bottom", **style)


def reach_by_channel(by_channel: Sequence[Totals]) -> str:
    """Impressions and engagements side by side per channel, in the channel's colour as in the
    growth chart: impressions solid, engagements hatched. Each bar carries its number."""
    if all(t.impressions is None and t.engagements is None for t in by_channel):
        return ""
    shown = list(by_channel)
    colours = channel_colours(t.label for t in shown)

    def draw(ax: Axes) -> None:
        width = 0.38
        for i, totals in enumerate(shown):
            colour = colours[totals.label]
            pair = ((totals.impressions, -width / 2, ""), (totals.engagements, width / 2, "////"))
            for value, shift, hatch in pair:
                if value is None:
                    _unavailable(ax, i + shift)
                    continue
                bars = ax.bar(i + shift, value, width, color=colour, hatch=hatch,
                              edgecolor="white" if hatch else colour, linewidth=0)  # fmt: skip
                ax.bar_label(bars, labels=[f"{value:,}"], padding=2, fontsize=8.5)
        ax.set_xticks(range(len(shown)), [_plain(t.label) for t in shown])
        ax.tick_params(axis="x", length=0, labelcolor=INK)
        top = max((t.impressions or 0) for t in shown) or max((t.engagements or 0) for t in shown)
        ax.set_ylim(0, (top or 1) * 1.3)  # headroom for the legend above the bars
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_ylabel("Count")
        ax.set_title("Impressions and engagements by channel")
        key = [Patch(facecolor=MUTED), Patch(facecolor=MUTED, hatch="////", edgecolor="white")]
        ax.legend(key, ["Impressions", "Engagements"], loc="upper left", ncols=2, fontsize=8.5)

    return _render("channel", (5.2, 3.2), draw)


def _render(name: str, size: tuple[float, float], draw: Callable[[Axes], None]) -> str:
    """Draw one chart in the house style and return it as inline-ready SVG markup."""
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=size, layout="constrained")
        draw(figure.add_subplot())
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _inline(buffer.getvalue(), name)


def _inline(svg: str, prefix: str) -> str:
    """Strip what an inline SVG must not carry and make its ids unique within the page.

    Goes: the XML prolog and doctype, the RDF metadata, comments (matplotlib copies chart text into
    them) and the `*{...}` style rule, which inline would apply to the whole page. The fixed
    width and height go too, so CSS can size the chart from its viewBox.
    """
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    svg = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", svg, count=1)
    svg = re.sub(r'\bid="', f'id="{prefix}-', svg)
    svg = re.sub(r'(href="#|url\(#)', rf"\g<1>{prefix}-", svg)
    return svg.strip()


def _plain(text: str) -> str:
    """Keep matplotlib from reading a `$` in a label as the start of mathtext."""
    return text.replace("$", r"\$")


def _percent(rate: float) -> str:
    return f"{rate:.2f} %"


def _day_label(label: str) -> str:
    """'2020-04-20 Monday' (summary's label) -> 'Mon\\n20 Apr'; anything else as given."""
    try:
        day = date.fromisoformat(label[:10])
    except ValueError:
        return _plain(label)
    return short_date(day).replace(" ", "\n", 1)


def side_by_side(
    name: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], Sequence[str]]],
    *,
    unit: str = "",
) -> str:
    """Two campaigns' values per group (campaign day, platform) as bars side by side, each
    labelled with its value. Each series is (legend, values, why): where a value is None, its
    `why` ("unavailable", "no posts") is written at the baseline instead of a zero bar. `unit`
    "%" formats rates; otherwise counts."""
    if all(value is None for _, values, _ in series for value in values):
        return ""

    def show(value: float) -> str:
        return _percent(value) if unit == "%" else f"{value:,.0f}"

    def draw(ax: Axes) -> None:
        width = 0.8 / len(series)
        top = max(v for _, values, _ in series for v in values if v is not None) or 1
        for n, (legend, values, why) in enumerate(series):
            shift = (n - (len(series) - 1) / 2) * width
            known = [(i, v) for i, v in enumerate(values) if v is not None]
            bars = ax.bar([i + shift for i, _ in known], [v for _, v in known], width * 0.92,
                          color=PALETTE[n], label=_plain(legend), hatch="////" if n else "",
                          edgecolor="white", linewidth=0)  # fmt: skip
            ax.bar_label(bars, labels=[show(v) for _, v in known], padding=2, fontsize=7.5)
            for i, value in enumerate(values):
                if value is None:
                    _unavailable(ax, i + shift, words=why[i])
        ax.set_xticks(range(len(labels)), [_plain(label) for label in labels])
        ax.tick_params(axis="x", length=0, labelcolor=INK)
        ax.set_ylim(0, top * 1.15)  # headroom for the bars' labels
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.2f}" if unit == "%" else "{x:,.0f}"))
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_ylabel("Engagement rate (%)" if unit == "%" else "Count")
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=1, fontsize=8.5)

    return _render(name, (max(5.2, 1.2 * len(labels) + 1.5), 3.6), draw)
