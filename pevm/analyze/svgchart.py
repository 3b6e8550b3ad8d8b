"""`pevm analyze --plot OUT.svg`: the speedup chart written as SVG by hand, so it needs nothing.

matplotlib does not install on free-threaded 3.13, and a line chart is a few dozen SVG
elements. The picture is chart.py's: predicted speedup against workers on a log2 axis, one
polyline per block (class "block", its name as a tooltip) and the linear speedup (class "linear").
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

COLORS: Final = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                  "#17becf")  # matplotlib's, so both charts colour a block alike  # fmt: skip
LEFT: Final = 70  # the plot area, in pixels
TOP: Final = 40
WIDTH: Final = 480
HEIGHT: Final = 360
ROW: Final = 16  # legend line height


def y_ticks(top: float) -> list[float]:
    """0 up to at least `top` (> 0) in steps of 1, 2 or 5 times a power of ten, 4 to 7 of them."""
    raw = top / 6
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def write_svg(path: Path, workers: list[int], series: list[tuple[str, list[float]]]) -> None:
    """Write the chart; the y axis reaches the linear speedup at the most workers, like chart.py's."""
    low, high = math.log2(min(workers)), math.log2(max(workers))
    if high == low:  # one worker count: centre it
        low, high = low - 1, high + 1
    ticks = y_ticks(max([float(max(workers))] + [value for _, values in series for value in values]))
    bottom, right = TOP + HEIGHT, LEFT + WIDTH

    def x(n: int) -> float:
        return LEFT + (math.log2(n) - low) / (high - low) * WIDTH

    def y(value: float) -> float:
        return bottom - value / ticks[-1] * HEIGHT

    def polyline(name: str, color: str, attributes: str, values: list[float]) -> str:
        points = " ".join(f"{x(n):.1f},{y(value):.1f}" for n, value in zip(workers, values))
        return (f'<polyline points="{points}" fill="none" stroke="{color}" {attributes}>'
                f"<title>{escape(name)}</title></polyline>")  # fmt: skip

    lines = [("linear", "grey", 'class="linear" stroke-dasharray="2,3"', [float(n) for n in workers])] + [
        (name, COLORS[index % len(COLORS)], 'class="block" stroke-width="1.5"', values)
        for index, (name, values) in enumerate(series)
    ]
    height = max(bottom + 50, TOP + ROW * len(lines) + 10)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{right + 200}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{LEFT + WIDTH / 2}" y="{TOP - 15}" text-anchor="middle" font-size="14">'
        "pevm analyze: predicted Block-STM speedup</text>",
        f'<text x="{LEFT + WIDTH / 2}" y="{bottom + 40}" text-anchor="middle">workers</text>',
        f'<text transform="translate({LEFT - 45},{TOP + HEIGHT / 2}) rotate(-90)" text-anchor="middle">'
        "predicted speedup vs sequential</text>",
    ]
    for n in workers:
        out.append(f'<line x1="{x(n):.1f}" y1="{bottom}" x2="{x(n):.1f}" y2="{bottom + 5}" stroke="black"/>'
                   f'<text x="{x(n):.1f}" y="{bottom + 18}" text-anchor="middle">{n}</text>')  # fmt: skip
    for tick in ticks:
        out.append(f'<line x1="{LEFT - 5}" y1="{y(tick):.1f}" x2="{right}" y2="{y(tick):.1f}" stroke="#ddd"/>'
                   f'<text x="{LEFT - 8}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>')  # fmt: skip
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH}" height="{HEIGHT}" fill="none" stroke="black"/>')
    for row, (name, color, attributes, values) in enumerate(lines):
        middle = TOP + ROW * row + ROW / 2
        out.append(polyline(name, color, attributes, values))
        out.append(f'<line x1="{right + 15}" y1="{middle}" x2="{right + 40}" y2="{middle}" stroke="{color}" '
                   f'{attributes}/><text x="{right + 45}" y="{middle + 4}">{escape(name)}</text>')  # fmt: skip
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")
