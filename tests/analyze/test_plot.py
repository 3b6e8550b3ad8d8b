"""`pevm analyze --plot`: the dependency-free SVG chart, the format checks, and matplotlib drawn
in-process or in the `make peers-plot` GIL Python. Fake analyses: real ones take too long."""

from __future__ import annotations

import ast
import math
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pevm.analyze import report
from pevm.analyze.report import BlockAnalysis, check_plot_support, draw_in_peer, plot
from pevm.analyze.svgchart import y_ticks
from pevm.cli import build_parser
from pevm.errors import UserError

SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parents[2]
PEER = REPO / report.PLOT_PEER


def fake(name: str, speedups: dict[int, float]) -> BlockAnalysis:
    analysis = BlockAnalysis(name, txs=10, gas=1_000_000, edges=3, critical_share=0.5, ideal=2.0)
    analysis.predicted = dict(speedups)
    return analysis


def polylines(path: Path, kind: str) -> list[ElementTree.Element]:
    root = ElementTree.parse(path).getroot()  # raises unless well-formed
    assert root.tag == f"{SVG}svg"
    return root.findall(f".//{SVG}polyline[@class='{kind}']")


def points(line: ElementTree.Element) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (point.split(",") for point in line.attrib["points"].split())]


@pytest.mark.pure
def test_svg_chart(tmp_path: Path) -> None:
    workers = [1, 2, 4, 8]
    analyses = [fake("19000000", {1: 0.9, 2: 1.7, 4: 2.9, 8: 3.5}), fake("raw-8 <&>", {1: 1.0, 2: 2.0, 4: 3.9, 8: 7.5})]
    out = tmp_path / "chart.svg"
    plot(out, analyses, workers)
    blocks = polylines(out, "block")
    assert [line.findtext(f"{SVG}title") for line in blocks] == ["19000000", "raw-8 <&>"]
    (linear,) = polylines(out, "linear")
    xs = [x for x, _ in points(linear)]
    steps = [b - a for a, b in zip(xs, xs[1:])]
    assert max(steps) - min(steps) < 0.2  # doubling the workers is one step on a log2 axis
    for line in blocks:
        assert [x for x, _ in points(line)] == xs
    assert points(linear)[-1][1] < points(blocks[1])[-1][1] < points(blocks[0])[-1][1]  # higher speedup, smaller y
    texts = [text.text for text in ElementTree.parse(out).getroot().iter(f"{SVG}text")]
    assert all(str(n) in texts for n in workers) and "raw-8 <&>" in texts and "linear" in texts


@pytest.mark.pure
@settings(max_examples=40, deadline=None)
@given(
    workers=st.lists(st.integers(1, 256), min_size=1, max_size=8, unique=True).map(sorted),
    names=st.lists(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), max_size=12),
    speedup=st.floats(0.01, 500.0),
)
def test_svg_is_well_formed_for_any_blocks(tmp_path_factory: pytest.TempPathFactory, workers: list[int],
                                           names: list[str], speedup: float) -> None:  # fmt: skip
    out = tmp_path_factory.mktemp("svg") / "chart.svg"
    analyses = [fake(name, {n: speedup * (i + 1) / len(names) for n in workers}) for i, name in enumerate(names)]
    plot(out, analyses, workers)
    blocks = polylines(out, "block")
    assert [line.findtext(f"{SVG}title") or "" for line in blocks] == names
    for line in blocks + polylines(out, "linear"):
        assert all(math.isfinite(x) and math.isfinite(y) for x, y in points(line))
        assert len(points(line)) == len(workers)


@pytest.mark.pure
@pytest.mark.parametrize("top", [0.3, 1.0, 3.7, 32.0, 517.0])
def test_y_ticks_cover_the_data(top: float) -> None:
    ticks = y_ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= top and 4 <= len(ticks) <= 8


@pytest.mark.pure
@pytest.mark.parametrize("name", ["chart.jpg", "chart", "chart.svgz"])
def test_unknown_format(name: str) -> None:
    with pytest.raises(UserError, match="unknown chart format.*use .svg, .png or .pdf"):
        check_plot_support(Path(name))


@pytest.mark.pure
@pytest.mark.parametrize("name", ["chart.png", "chart.PDF"])
def test_no_matplotlib_fails_before_any_work(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(report, "matplotlib_in_process", lambda: False)
    monkeypatch.setattr(report, "peer_python", lambda: None)
    assert check_plot_support(tmp_path / "chart.svg") is None  # SVG needs nothing
    # The block file does not exist: the chart is checked before the files, let alone the analysis.
    args = build_parser().parse_args(["analyze", str(tmp_path / "missing.json.gz"), "--plot", str(tmp_path / name)])
    with pytest.raises(UserError, match=r"make peers-plot.*--plot OUT\.svg"):
        args.run(args)


@pytest.mark.pure
def test_chart_script_imports_nothing_from_pevm() -> None:
    """The peer Python runs it by path, without pevm installed."""
    tree = ast.parse(report.CHART_SCRIPT.read_text())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert imported and not [name for name in imported if name.split(".")[0] == "pevm"]


WORKERS = [1, 2, 4, 8]
SERIES = [("19000000", [1.0, 1.8, 3.1, 4.0]), ("raw-8", [1.0, 2.0, 3.9, 7.5])]


@pytest.mark.pure
@pytest.mark.skipif(not PEER.is_file(), reason=f"{PEER} not found: `make peers-plot` installs it")
@pytest.mark.parametrize(("name", "magic"), [("chart.png", b"\x89PNG"), ("chart.pdf", b"%PDF")])
def test_peer_draws_png_and_pdf(name: str, magic: bytes, tmp_path: Path) -> None:
    draw_in_peer(PEER, tmp_path / name, WORKERS, SERIES)
    assert (tmp_path / name).read_bytes().startswith(magic)


@pytest.mark.pure
@pytest.mark.skipif(not PEER.is_file(), reason=f"{PEER} not found: `make peers-plot` installs it")
def test_peer_failure_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="could not draw the chart: .*Error"):
        draw_in_peer(PEER, tmp_path / "no-such-directory" / "chart.png", WORKERS, SERIES)


@pytest.mark.pure
@pytest.mark.skipif(not PEER.is_file(), reason=f"{PEER} not found: `make peers-plot` installs it")
def test_plot_uses_the_peer_without_matplotlib_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(report, "matplotlib_in_process", lambda: False)
    assert check_plot_support(tmp_path / "chart.png") is not None
    plot(tmp_path / "chart.png", [fake(name, dict(zip(WORKERS, values))) for name, values in SERIES], WORKERS)
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.pure
@pytest.mark.skipif(not report.matplotlib_in_process(), reason="matplotlib does not import here (free-threaded build)")
def test_plot_in_process(tmp_path: Path) -> None:
    plot(tmp_path / "chart.png", [fake(name, dict(zip(WORKERS, values))) for name, values in SERIES], WORKERS)
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
