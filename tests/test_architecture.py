"""The layout is a rule: the data path runs one way (import-linter), no module imports itself in a
circle, imports sit at the top of modules, and modules and functions stay a readable size.
These read the source tree; they need no database."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "parks", "banks", "reports")
CONTRACT = ROOT / ".ci" / "importlinter.ini"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# declarative tables (names, calibration data, the target catalogue) may be long; code may not
DECLARATIVE = {"reports/demo/catalogue.py", "reports/demo/calibration.py", "reports/targets/catalogue.py"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(CONTRACT)], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_data_path_runs_one_way_on_this_tree():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_wrong_way_import_breaks_the_build(tmp_path):
    """A filing service importing a dashboard (a later stage) is refused, and so is portal importing a domain app."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    services = tmp_path / "reports" / "filings" / "services.py"
    services.write_text(services.read_text(encoding="utf-8") + "\nfrom reports.dashboards import views  # noqa\n", encoding="utf-8")
    access = tmp_path / "portal" / "access.py"
    access.write_text(access.read_text(encoding="utf-8") + "\nimport parks.models  # noqa\n", encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "reports.filings is not allowed to import reports.dashboards" in result.stdout
    assert "portal is not allowed to import parks" in result.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    edges = {m: {t for t in graph.find_modules_directly_imported_by(m) if t.split(".")[0] in PACKAGES} for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_in_a_circle():
    """Every import statement counts, at the top of a module or inside a function (grimp reads both)."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("reports.a", "reports.b", "reports.c"):
        graph.add_module(module)
    graph.add_import(importer="reports.a", imported="reports.b")
    graph.add_import(importer="reports.b", imported="reports.a")
    graph.add_import(importer="reports.c", imported="reports.a")
    assert _cycles(graph) == [["reports.a", "reports.b"]]


def _function_level_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Imports inside functions, except in an AppConfig's ready() (Django loads models only after
    every app is registered, so the wiring of signals and rules must import there)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "ready" and path.name == "apps.py":
            allowed |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)) and id(inner) not in allowed:
                    out.append(f"{path.relative_to(root)}:{inner.lineno}")
    return out


def test_imports_sit_at_the_top_of_modules():
    found = [hit for path in _sources(*PACKAGES) for hit in _function_level_imports(path)]
    assert found == []


def _size_findings(path: Path, name: str) -> list[str]:
    """A reports module over the line limit (declarative tables apart), and any function over its limit."""
    text = path.read_text(encoding="utf-8")
    found = []
    if name.startswith("reports/") and name not in DECLARATIVE and text.count("\n") > MAX_MODULE_LINES:
        found.append(f"{name}: {text.count(chr(10))} lines")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    return found


def test_reports_modules_and_functions_stay_a_readable_size():
    found = [f for path in _sources(*PACKAGES) for f in _size_findings(path, str(path.relative_to(ROOT)))]
    assert found == []


def test_the_checks_see_a_long_module_a_long_function_and_an_import_inside_a_function(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("\n".join(f"x{i} = {i}" for i in range(MAX_MODULE_LINES + 1)) + "\n", encoding="utf-8")
    assert len(_size_findings(path, "reports/probe.py")) == 1
    path.write_text("def f():\n    import os\n" + "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES)) + "\n", encoding="utf-8")
    assert _size_findings(path, "reports/probe.py") == ["reports/probe.py:1 f(): 62 lines"]
    assert len(_function_level_imports(path, root=tmp_path)) == 1
