"""Charts as SVG pictures, drawn on the server with pygal (no JavaScript reaches the browser).

pygal always writes a ``<script>`` with its tooltip configuration into the SVG; it is removed here,
so a chart is a plain picture. The page embeds each as ``<img src="data:image/svg+xml;base64,…">``
(allowed by the staff CSP's ``img-src 'self' data:``), with the same numbers in a table beside it.
Nothing is drawn at import.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

if TYPE_CHECKING:
    from pygal.graph.graph import Graph
    from pygal.style import Style

WIDTH, HEIGHT = 720, 320
FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
COLOURS = ("#1f4e8c", "#e07b39", "#3a9d5d", "#9b59b6", "#7f8c8d")


def _style() -> Style:
    from pygal.style import Style

    return Style(
        background="white",
        plot_background="white",
        foreground="#333",
        foreground_strong="#111",
        foreground_subtle="#888",
        colors=COLOURS,
        font_family=FONT,
        title_font_size=16,
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
        value_font_size=11,
    )


def _config(**extra: object) -> Dict[str, object]:
    return {
        "style": _style(),
        "width": WIDTH,
        "height": HEIGHT,
        "js": [],
        "disable_xml_declaration": True,
        "no_data_text": "暂无数据",
        "legend_at_bottom": True,
        "print_values": False,
        "truncate_label": -1,
        "explicit_size": True,
        **extra,
    }


def _svg(chart: Graph) -> str:
    """The chart's SVG text without any script element."""
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if str(child.tag).rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    from pygal.etree import etree

    svg: str = etree.tostring(tree, encoding="unicode")
    return svg


def _cjk_margin(labels: Sequence[str]) -> int:
    """pygal sizes label room for Latin letters; a CJK character is about twice as wide."""
    longest = max((sum(1 for ch in label if ord(ch) > 0x2E80) for label in labels), default=0)
    return 8 + int(longest * 12 * 0.5)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _day_labels(labels: Sequence[str]) -> Dict[str, object]:
    """Every label when few, else about ten of them (the table has them all)."""
    step = max(1, len(labels) // 10)
    return {
        "x_labels": list(labels),
        "x_labels_major": list(labels)[::step],
        "show_minor_x_labels": step == 1,
        "x_label_rotation": 0 if len(labels) <= 10 else 30,
    }


def stacked_days(title: str, labels: Sequence[str], series: Dict[str, List[int]]) -> str:
    """One stacked bar per day, a colour per channel."""
    import pygal

    chart = pygal.StackedBar(title=title, **_config(**_day_labels(labels)))
    for name, values in series.items():
        chart.add(name, values)
    return _svg(chart)


def rate_line(title: str, labels: Sequence[str], values: List[Optional[float]]) -> str:
    """A percentage per day (None: no message that day, a gap)."""
    import pygal

    chart = pygal.Line(
        title=title,
        range=(0, 100),
        show_legend=False,
        allow_interruptions=True,
        value_formatter=lambda v: f"{v:.0f}%",
        **_config(**_day_labels(labels)),
    )
    chart.add("回答率", [None if v is None else round(v * 100, 1) for v in values])
    return _svg(chart)


def bars(title: str, labels: Sequence[str], values: Sequence[int], horizontal: bool = True) -> str:
    """A bar per label (topics, verdicts …)."""
    import pygal

    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(
        title=title,
        show_legend=False,
        margin_left=_cjk_margin(labels) if horizontal else 20,
        **_config(height=max(HEIGHT // 2, 40 + 28 * len(labels))),
    )
    chart.x_labels = list(labels)
    chart.add("数量", list(values))
    return _svg(chart)


def grouped(title: str, labels: Sequence[str], series: Dict[str, List[int]]) -> str:
    """Bars side by side per label, one series per colour (verdicts per notice and level)."""
    import pygal

    chart = pygal.HorizontalStackedBar(
        title=title, margin_left=_cjk_margin(labels), **_config(height=max(HEIGHT // 2, 120 + 40 * len(labels)))
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, values)
    return _svg(chart)


def side_by_side(title: str, labels: Sequence[str], series: Dict[str, List[Optional[float]]]) -> str:
    """Bars side by side per label, one series per colour (a median beside its 90th percentile)."""
    import pygal

    chart = pygal.HorizontalBar(
        title=title, margin_left=_cjk_margin(labels), **_config(height=max(HEIGHT // 2, 120 + 48 * len(labels)))
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart)
