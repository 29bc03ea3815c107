"""The layers of docs/architecture.md, enforced (ruff's banned-api rule checks imports too)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "storykit"

ALLOWED = {
    "git": set(),  # GitPython is for the tests; storykit starts git itself (runner.py)
    "ruamel": {"yamlio"},
    "typer": {"cli"},
    "rich": {"cli/render/output.py"},
    # the browser board's stack: only the web package, which only serve/export import
    "starlette": {"web"},
    "uvicorn": {"web"},
    "jinja2": {"web"},
    "watchfiles": {"web"},
    "mcp": {"mcpserver"},  # the MCP SDK: only the server that `storykit mcp` starts
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_third_party_libraries_live_behind_one_module() -> None:
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        for library, allowed in ALLOWED.items():
            if library in _imports(path):
                assert any(rel == a or rel.startswith(a + "/") for a in allowed), (rel, library)


def test_lower_layers_do_not_import_upper_ones() -> None:
    # locations, clock and printable depend on (almost) nothing in storykit: they sit at the
    # bottom with the model.
    order = {
        "model": 0,
        "config": 0,
        "errors": 0,
        "locations": 0,
        "clock": 0,
        "printable": 0,
        "processes": 0,
        # the mechanisms: storage, history, merging, repository, yamlio, editor, project (1)
        "services": 2,
        "cli": 3,
        "web": 3,  # the browser's face, beside the command line's (which starts it)
        "mcpserver": 3,  # the coding agents' face, beside them too
    }
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.name == "__main__.py":
            continue
        layer = order.get(rel.parts[0].removesuffix(".py"), 1)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("storykit."):
                target = (node.module or "").split(".")[1]
                assert order.get(target, 1) <= layer, (str(rel), node.module)


def _modules_after(*args: str) -> set[str]:
    code = (
        "import sys\n"
        "from storykit.cli.app import app\n"
        "from typer.testing import CliRunner\n"
        f"CliRunner().invoke(app, {list(args)!r})\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_help_imports_neither_ruamel_nor_pydantic() -> None:
    loaded = _modules_after("--help")
    assert "ruamel" not in loaded
    assert "pydantic" not in loaded


def test_only_serve_and_export_load_the_web_stack() -> None:
    web = {"starlette", "uvicorn", "jinja2", "watchfiles", "storykit.web"}
    for args in (["--help"], ["list", "--help"], ["show", "--help"], ["serve", "--help"]):
        assert not web & _modules_after(*args), args


def test_no_module_is_over_400_lines() -> None:
    """One reason to change per module: past 400 lines a module holds two (issue 12)."""
    for path in SRC.rglob("*.py"):
        lines = len(path.read_text().splitlines())
        assert lines <= 400, (path.relative_to(SRC), lines)


def _module_graph() -> dict[str, set[str]]:
    """{module: the storykit modules it imports}, type-only and function-level imports
    included, read from the code."""
    names = {
        ".".join(("storykit", *p.relative_to(SRC).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): p
        for p in SRC.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            found |= {t for t in targets if t in names and t != name}
        graph[name] = found
    return graph


def test_no_import_circles() -> None:
    """No two modules need each other, however indirectly (what they share lives below
    both); a package's face (`__init__`) imports nothing of its own package."""
    graph = _module_graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                raise AssertionError(" -> ".join([*path[path.index(target) :], target]))
            if target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_the_package_root_holds_the_bottom_floor_and_little_else() -> None:
    loose = sorted(p.stem for p in SRC.glob("*.py") if not p.stem.startswith("__"))
    assert len(loose) <= 9, loose
