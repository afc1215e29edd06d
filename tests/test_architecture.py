"""The house's shape: the library and the service import each other's modules without cycles (function-level
imports count), the library never imports Flask or the service, each module opens with a docstring that says what
it is for, and no module, script or class grows past its size limit (issue 24)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "modelpick"
SERVICE_DIR = ROOT / "service"
#: The packages whose imports are followed: the library and the web service above it.
PACKAGES = ("modelpick", "service")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# gunicorn.conf.py is gunicorn's config file (read by gunicorn, never imported): not a module
MODULES: dict[str, Path] = {_module_name(p): p for d in (PACKAGE_DIR, SERVICE_DIR) for p in sorted(d.rglob("*.py"))
                            if "." not in p.stem}
LIBRARY = sorted(m for m in MODULES if m.split(".")[0] == "modelpick")


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _resolve(module: str, level: int, target: str | None) -> str:
    if not level:
        return target or ""
    base = _package_of(module).split(".")
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _internal(name: str) -> str | None:
    """The modelpick or service module an import of ``name`` executes (the longest existing prefix), or None if external."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> tuple[set[str], set[str]]:
    """(our modules, top-level external names) that ``module`` imports anywhere, including inside functions.

    Modules that call importlib.import_module also count every string constant that names one of our modules
    (absolute, relative, or a bare submodule name of their package), so lazy and plugin imports are seen too.
    """
    tree = ast.parse(MODULES[module].read_text())
    internal: set[str] = set()
    external: set[str] = set()
    dynamic = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found = _internal(alias.name)
                (internal.add(found) if found else external.add(alias.name.split(".")[0]))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node.level, node.module)
            if not node.level and base.split(".")[0] not in PACKAGES:
                external.add(base.split(".")[0])
                continue
            for alias in node.names:
                found = _internal(f"{base}.{alias.name}") or _internal(base)
                if found:
                    internal.add(found)
        elif isinstance(node, ast.Attribute) and node.attr == "import_module":
            dynamic = True
    if dynamic:
        package = _package_of(module)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
                text = node.value.partition(":")[0]  # "package.module:attr" entry points name a module too
                for candidate in (text if text.startswith("modelpick.") else "",
                                  _resolve(module, 1, text[1:]) if text[:1] == "." and text[1:] else "",
                                  f"{package}.{text}"):
                    if candidate in MODULES:
                        internal.add(candidate)
                        break
    internal.discard(module)
    return internal, external


GRAPH = {m: imports_of(m)[0] for m in MODULES}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_scan_sees_function_level_relative_and_lazy_imports():
    assert "modelpick.cli.toolkit" in GRAPH["modelpick.cli"]
    assert "modelpick.cli.frontiers" in GRAPH["modelpick.cli"]  # importlib.import_module("modelpick.cli.frontiers")
    assert "modelpick.bounds" in GRAPH["modelpick"]  # PEP 562 lazy name
    assert "modelpick.bounds" in GRAPH["modelpick.cli.frontiers"]  # imported inside a function
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_anywhere():
    # the service included: service.common and service.problems imported each other until issue 24
    assert any(m.startswith("service.") for m in GRAPH) and "service.json_body" in GRAPH["service.problems"]
    cycle = _find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("module", LIBRARY)
def test_library_never_imports_flask(module):
    assert "flask" not in imports_of(module)[1], f"{module} imports flask"


@pytest.mark.parametrize("module", LIBRARY)
def test_library_never_reaches_the_service(module):
    service = sorted(m for m in _reachable(module) if m.split(".")[0] == "service")
    assert not service, f"{module} reaches {service}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_opens_with_a_docstring(module):
    tree = ast.parse(MODULES[module].read_text())
    doc = ast.get_docstring(tree)
    assert doc and doc.strip(), f"{module} has no module docstring"
    assert MODULES[module].read_text().lstrip().startswith(('"""', "'''")), f"{module}: the docstring comes first"


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in GRAPH[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_catalog_knows_nothing_of_the_solver():
    for module in (m for m in MODULES if m == "modelpick.catalog" or m.startswith("modelpick.catalog.")):
        forbidden = {m for m in _reachable(module) if m in ("modelpick", "modelpick.solver", "modelpick.api")
                     or m.startswith(("modelpick.predict", "modelpick.cli"))}
        assert not forbidden, f"{module} reaches {sorted(forbidden)}"


def test_solver_is_handed_its_estimator_and_never_imports_prediction():
    forbidden = {m for m in _reachable("modelpick.solver") if m in ("modelpick", "modelpick.api")
                 or m.startswith(("modelpick.predict", "modelpick.cli", "modelpick.bounds"))}
    assert not forbidden, f"modelpick.solver reaches {sorted(forbidden)}"


def test_prediction_sits_below_the_front_door():
    for module in (m for m in MODULES if m == "modelpick.predict" or m.startswith("modelpick.predict.")):
        forbidden = {m for m in _reachable(module) if m in ("modelpick", "modelpick.api")
                     or m.startswith("modelpick.cli")}
        assert not forbidden, f"{module} reaches {sorted(forbidden)}"


def test_a_core_command_loads_no_other_command_group():
    # Cold `modelpick best` stays fast because core commands skip the other groups' modules (and their imports).
    import subprocess
    import sys

    mini = Path(__file__).resolve().parent / "fixtures" / "mini.yaml"
    code = ("import sys; from modelpick.cli import main; main(['validate', '--standalone', sys.argv[1]]); "
            "print(' '.join(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code, str(mini)], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE_DIR.parent)
    assert proc.returncode == 0, proc.stderr
    loaded = set(proc.stdout.split())
    assert {"modelpick.cli.recommend", "modelpick.cli.data"} <= loaded
    heavy = {"modelpick.cli.frontiers", "modelpick.cli.measure", "modelpick.cli.predict", "modelpick.cli.imports",
             "modelpick.bounds", "modelpick.plot", "modelpick.measure", "modelpick.importers", "matplotlib", "scipy",
             "torch"}
    assert not heavy & loaded, sorted(heavy & loaded)


def test_no_class_is_over_400_lines():
    # issue 24: the solver's Catalog is a facade over mixins (_resolve, _masks, _rank, _views, _facts, _records,
    # _explain); no class grows back into a god class
    long = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 400:
                long.append(f"{module}.{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert not long, long


#: issue 24's limits: lines per Python module (anywhere in the repository) and per static script, and per module of
#: the explorer's script (service/static/*.js are all its ES modules)
MAX_MODULE_LINES = 800
MAX_EXPLORER_MODULE_LINES = 400


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_python_module_or_static_script_is_over_800_lines():
    files = [p for d in ("modelpick", "service", "scripts", "bench", "tests") for p in (ROOT / d).rglob("*.py")]
    files += list((SERVICE_DIR / "static").rglob("*.js"))
    assert len(files) > 100
    long = [f"{p.relative_to(ROOT)}: {_lines(p)} lines" for p in files if _lines(p) > MAX_MODULE_LINES]
    assert not long, long


def test_no_explorer_module_is_over_400_lines():
    scripts = sorted((SERVICE_DIR / "static").glob("*.js"))
    assert len(scripts) > 5, "the explorer's script is a set of ES modules"
    long = [f"{p.name}: {_lines(p)} lines" for p in scripts if _lines(p) > MAX_EXPLORER_MODULE_LINES]
    assert not long, long
