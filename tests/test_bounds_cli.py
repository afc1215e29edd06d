"""CLI: bound, pareto, grid, memory-model, plot (in-process, on the frontier fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import modelpick
from modelpick import cli
from modelpick.cli import frontiers as cli_frontiers

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def fixture_catalog(monkeypatch):
    # the commands read the catalog through catalog_from_args; point it at the fixture alone
    cat = modelpick.load_catalog(FIXTURES / "frontiers.yaml", embedded=False, use_env=False)
    monkeypatch.setattr(cli_frontiers, "catalog_from_args", lambda args: cat)
    return cat


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bound_text_and_json(capsys):
    code, out, _ = run(capsys, "bound", "--device", "lin-dev", "--fps", "25", "--fps", "100")
    assert code == 0
    assert "[computed]" in out and "top1 = 86 - 0.4 * fps" in out
    assert "fitted on 4 checkpoints" in out and "n5.a" in out
    assert "at 100 FPS the bound allows top-1 <= 46.00% [computed] (extrapolated" in out
    code, out, _ = run(capsys, "bound", "-d", "log-dev", "--form", "log", "--json")
    d = json.loads(out)
    assert code == 0 and d["computed"] is True and d["form"] == "log"
    assert d["a"] == pytest.approx(83.0) and d["b"] == pytest.approx(5.0)
    assert d["selection"]["device"] == "log-dev" and d["n_points"] == 4


def test_bound_errors_exit_codes(capsys):
    code, _, err = run(capsys, "bound", "-d", "one-dev")
    assert code == 3 and "at least 2 candidate point(s)" in err
    code, _, err = run(capsys, "bound", "-d", "nope")
    assert code == 2 and "device='nope'" in err and "Valid choices" in err
    code, out, _ = run(capsys, "bound", "-d", "one-dev", "--json")
    assert code == 3 and json.loads(out)["error"] == "no-feasible-model"
    with pytest.raises(SystemExit) as exc:
        cli.main(["bound", "-d", "lin-dev", "--form", "cubic"])
    assert exc.value.code == 2
    assert "invalid choice: 'cubic'" in capsys.readouterr().err


def test_pareto_text_and_json(capsys):
    code, out, _ = run(capsys, "pareto", "-d", "mem-dev")
    assert code == 0 and "2 of 7 checkpoints" in out and "[computed]" in out
    assert out.index("n100.a") < out.index("n1.a")
    code, out, _ = run(capsys, "pareto", "-d", "lin-dev", "--json")
    d = json.loads(out)
    assert d["computed"] is True
    effs = {p["checkpoint"]: p["efficiency"] for p in d["points"]}
    assert effs["n5.a"]["computed"] is True and effs["n5.a"]["gap_below_bound_pts"] == pytest.approx(0.0, abs=1e-9)


def test_grid_text_and_json(capsys):
    code, out, _ = run(capsys, "grid", "-d", "mem-dev", "--runtime", "pytorch")
    assert code == 0 and "Table 3" in out and "n100.a 84.00%" in out and "<= 0.7 GB, >= 15 FPS: no model" in out
    code, out, _ = run(capsys, "grid", "-d", "mem-dev", "--mem-levels", "1,2", "--fps-levels", "100", "--json")
    d = json.loads(out)
    assert d["mem_levels_gb"] == [1.0, 2.0] and d["fps_levels"] == [100.0]
    assert [c["best"]["checkpoint"] for c in d["cells"]] == ["n1.a", "n1.a"]
    with pytest.raises(SystemExit):
        cli.main(["grid", "-d", "mem-dev", "--mem-levels", "1,-2"])
    assert "expected a finite number > 0, got '-2'" in capsys.readouterr().err


def test_memory_model_command(capsys):
    code, out, _ = run(capsys, "memory-model", "-d", "mem-dev", "--runtime", "pytorch")
    assert code == 0 and "memory_mb = 1.1000 x weights_mb + 900.0" in out and "[computed]" in out
    code, _, err = run(capsys, "memory-model", "-d", "mem-dev")
    assert code == 2 and "choose one" in err and "onnxruntime, pytorch" in err


def test_plot_command_writes_file(capsys, tmp_path):
    target = tmp_path / "afps.svg"
    code, _, err = run(capsys, "plot", "accuracy-fps", "-d", "mem-dev", "--min-fps", "100", "-o", str(target))
    assert code == 0 and target.stat().st_size > 5000 and f"wrote {target}" in err
    code, _, err = run(capsys, "plot", "density", "-d", "mem-dev", "--min-fps", "100", "-o", str(tmp_path / "d.png"))
    assert code == 2 and "accuracy-fps plot only" in err
    code, _, err = run(capsys, "plot", "density", "-d", "mem-dev", "-o", str(tmp_path / "d.bmp"))
    assert code == 2 and ".png, .svg" in err


def test_plot_command_without_matplotlib(capsys, tmp_path, monkeypatch):
    from modelpick import plot

    def unavailable(*a, **k):
        raise plot.PlotUnavailable(f"plotting needs matplotlib, which is not installed; install the extra: "
                                   f"{plot.INSTALL_HINT}")

    monkeypatch.setattr(plot, "_figure", unavailable)
    code, _, err = run(capsys, "plot", "accuracy-fps", "-d", "mem-dev", "-o", str(tmp_path / "x.png"))
    assert code == 2 and "pip install 'modelpick[plot]'" in err
    assert not (tmp_path / "x.png").exists()
