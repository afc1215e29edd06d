"""Figures render to PNG and SVG (Agg, no display), label computed things, and the CLI writes them atomically."""

from __future__ import annotations

import builtins
import sys
from pathlib import Path

import pytest

import modelpick
from modelpick import InvalidQuery
from modelpick import plot

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def fx():
    return modelpick.load_catalog(FIXTURES / "frontiers.yaml", embedded=False, use_env=False)


def figure_text_list(fig) -> list[str]:
    """Every text a figure shows: figure texts, axis labels, titles, annotations and legends."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        out += [t.get_text() for t in ax.texts]
        leg = ax.get_legend()
        if leg:
            out += [t.get_text() for t in leg.get_texts()]
    return out


def _texts(fig) -> str:
    return "\n".join(figure_text_list(fig))


@pytest.mark.parametrize("kind,device,kwargs", [
    ("accuracy-fps", "mem-dev", {"min_fps": 100, "max_mem_gb": 1.0}),
    ("accuracy-fps", "log-dev", {"form": "log"}),
    ("accuracy-flops", None, {}),
    ("accuracy-flops", "mem-dev", {}),
    ("density", "mem-dev", {}),
    ("memory-params", "mem-dev", {"runtime": "pytorch"}),
])
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_render_png_and_svg(fx, kind, device, kwargs, fmt):
    data = plot.render(kind, device, fmt, catalog=fx, **kwargs)
    assert len(data) > 5000
    if fmt == "png":
        assert data.startswith(PNG_MAGIC)
    else:
        assert b"<svg" in data[:2000]


def test_accuracy_fps_labels_units_selection_sources_and_computed(fx):
    fig = plot.accuracy_fps("mem-dev", min_fps=100, max_mem_gb=1.0, catalog=fx)
    text = _texts(fig)
    assert "FPS (images/s, log scale)" in text and "batch 1" in text and "runtime" in text and "precision fp32" in text
    assert "top-1 accuracy (%)" in text
    assert "Numbers: fx" in text and "Computed by modelpick" in text
    assert "fitted upper bound (computed" in text and "Pareto front" in text
    assert "recommendation for max_mem_gb=1, min_fps=100: n1.a" in text
    assert fig.axes[0].get_xscale() == "log"


def test_accuracy_fps_infeasible_constraints_say_so(fx):
    text = _texts(plot.accuracy_fps("mem-dev", min_fps=10_000, catalog=fx))
    assert "no model meets min_fps=10000" in text and "no feasible model" in text


def test_estimated_memory_is_drawn_hollow(fx):
    fig = plot.memory_params("mem-dev", runtime="pytorch", catalog=fx)
    text = _texts(fig)
    assert "estimated, not measured (1 architectures; computed)" in text
    assert "least-squares fit (computed): 1.100 × weights + 900 MB, R² 1.00; used for estimates" in text
    assert "memory (MB), measured — classifiers (Top-1 accuracy)" in text and "batch 1, runtime pytorch, precision fp32" in text


def test_bad_arguments(fx, tmp_path):
    with pytest.raises(InvalidQuery, match=r"kind='pie'.*accuracy-flops, accuracy-fps, density, memory-params"):
        plot.render("pie", "mem-dev", catalog=fx)
    with pytest.raises(InvalidQuery, match="format='gif'"):
        plot.render("density", "mem-dev", "gif", catalog=fx)
    with pytest.raises(InvalidQuery, match="needs a device"):
        plot.figure("accuracy-fps", None, catalog=fx)
    with pytest.raises(InvalidQuery, match=r"output=.*\.png, \.svg"):
        plot.save(plot.density("mem-dev", catalog=fx), tmp_path / "x.jpg")
    with pytest.raises(InvalidQuery, match="top"):
        plot.density("mem-dev", top=0, catalog=fx)


def test_without_matplotlib_says_how_to_install(fx, monkeypatch):
    real_import = builtins.__import__

    def no_mpl(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, mod)
    with pytest.raises(plot.PlotUnavailable, match=r"pip install 'modelpick\[plot\]'"):
        plot.accuracy_fps("mem-dev", catalog=fx)


def test_save_is_atomic_and_by_suffix(fx, tmp_path):
    fig = plot.density("mem-dev", catalog=fx)
    out = plot.save(fig, tmp_path / "d.svg")
    assert out.read_bytes().lstrip().startswith(b"<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["d.svg"]  # no temp file left behind
