"""The shape of the code, checked: layers import only downward, no import cycles, no module too
long to read in one sitting, and no doc or docstring citing a path or module that is not there.

Layers, lowest first: ``routing`` (the domain: value types and rules) -> ``storage`` (tables and
stores) and ``wiring`` (settings) -> ``monitoring`` and ``integrations`` (connectors to other
systems) -> ``actions`` -> ``bot``; ``evaluation``
sits beside ``bot``: it reads its NLU components and settings, and sets up staff for the fuzz and
load runs. Tests, migrations and benchmarks are outside the rules.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("routing", "storage", "wiring", "monitoring", "integrations", "actions", "bot", "evaluation")
MAY_IMPORT = {
    "routing": {"routing"},
    "storage": {"routing", "storage"},
    "wiring": {"routing", "wiring"},
    "monitoring": {"routing", "storage", "wiring", "monitoring"},
    "integrations": {"routing", "storage", "wiring", "integrations"},
    "actions": {"routing", "storage", "wiring", "monitoring", "integrations", "actions"},
    "bot": {"routing", "storage", "wiring", "monitoring", "integrations", "bot"},
    "evaluation": {"routing", "storage", "wiring", "monitoring", "integrations", "bot", "evaluation"},
}
MAX_LINES = 400
DOCUMENTS = ("README.md", "evaluation/sets/README.md", "endpoints.yml", "config.yml", "Makefile")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=1)
def modules() -> dict[str, Path]:
    """The project's own modules (migrations aside), by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


@lru_cache(maxsize=1)
def imports() -> dict[str, set[str]]:
    """Which project modules each module imports (at any depth in the file)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets.add(node.module)
                targets |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {target for target in targets if target in known and target != name}
    return graph


def test_every_layer_imports_only_the_layers_below_it():
    upward = [
        f"{name} imports {target}"
        for name, targets in imports().items()
        for target in targets
        if target.split(".")[0] not in MAY_IMPORT[name.split(".")[0]]
    ]
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_there_is_no_import_cycle():
    assert _cycles(imports()) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_can_be_read_in_one_sitting():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


# --- citations -------------------------------------------------------------------------------------

PATH = re.compile(
    r"(?<![\w./-])((?:" + "|".join((*PACKAGES, "tests", "bench", "data", "scripts")) + r")/[\w./*{}-]*[\w*}]/?)"
)
DOCUMENT = re.compile(r"\b([\w-]+\.md)\b")
DOTTED = re.compile(r"``((?:" + "|".join(PACKAGES) + r")(?:\.\w+)+)``")


def _texts() -> list[tuple[str, str]]:
    """(where, text) for every document and every docstring and comment in the code and tests."""
    texts = [(name, (ROOT / name).read_text(encoding="utf-8")) for name in DOCUMENTS]
    code = [*modules().values(), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    for path in code:
        source = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                docstring = ast.get_docstring(node, clean=False)
                if docstring:
                    texts.append((where, docstring))
        texts += [(where, line.split("#", 1)[1]) for line in source.splitlines() if "#" in line]
    return texts


def _top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def _dotted_exists(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        if module in modules():
            rest = parts[cut:]
            return not rest or rest[0] in _top_level_names(modules()[module])
    return False


@lru_cache(maxsize=1)
def _documents_here() -> set[str]:
    """The names of the Markdown files in the repository (a cited one must be one of them)."""
    return {path.name for path in ROOT.rglob("*.md") if not {"node_modules", ".venv"} & set(path.parts)}


def test_docs_and_docstrings_cite_only_paths_and_modules_that_exist():
    missing = set()
    for where, text in _texts():
        for cited in PATH.findall(text):
            if not (ROOT / cited.rstrip("/.")).exists() and "*" not in cited:
                missing.add(f"{where}: {cited}")
        missing |= {f"{where}: {dotted}" for dotted in DOTTED.findall(text) if not _dotted_exists(dotted)}
        missing |= {f"{where}: {name}" for name in DOCUMENT.findall(text) if name not in _documents_here()}
    assert sorted(missing) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [("see routing/nowhere.py for more", ["routing/nowhere.py"]), ("``storage.nowhere.Store``", [])],
)
def test_the_citation_check_notices_a_path_that_is_not_there(text, found):
    assert [cited for cited in PATH.findall(text) if not (ROOT / cited).exists()] == found
    assert all(not _dotted_exists(dotted) for dotted in DOTTED.findall(text))
