"""Check that trovemock's imports form a ladder: no import circle, and no module importing
from a layer above its own.

    python3 tools/import_graph.py          # exit 1 and name every offence; CI runs it
    python3 tools/import_graph.py --show   # also print each layer and its modules

Every import counts, those under `if TYPE_CHECKING:` and inside functions included (a type
is a dependency too). A function-level import is allowed only in the modules of LAZY, which
import on first use to keep start-up and the pytest plugin's import cheap; anywhere else it
would only hide a circle, so it is an offence.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("trovemock", "conftest_plugin")

# Bottom first. A module belongs to the first layer with a prefix that names it (a prefix
# ending in "." names a package's modules); it may import its own layer and those below.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("ground", ("trovemock.clock", "trovemock.fidelity", "trovemock.exchange",
                "trovemock.checks", "trovemock.tokens", "trovemock.schema")),
    ("settings", ("trovemock.config",)),
    ("data plane", ("trovemock.dataplane.", "trovemock.dataplane")),
    ("model", ("trovemock.model.", "trovemock.model")),
    ("journal", ("trovemock.journal",)),
    ("trove api", ("trovemock.api.", "trovemock.api")),
    ("test control", ("trovemock.faults", "trovemock.scheduled_runs", "trovemock.openapi")),
    ("identity", ("trovemock.identity.", "trovemock.identity")),
    ("server", ("trovemock.server.", "trovemock.server")),
    ("control api", ("trovemock.control.", "trovemock.control")),
    ("facade", ("trovemock.mock",)),
    ("faces", ("trovemock.demo", "trovemock.cli", "trovemock.transport", "trovemock.contract.",
               "trovemock.contract", "trovemock.pytest_entry", "conftest_plugin.",
               "conftest_plugin", "trovemock")),
]

# Modules that import on first use, by design (start-up time, the plugin's import cost).
LAZY = ("trovemock", "trovemock.cli", "trovemock.pytest_entry", "conftest_plugin.",
        "trovemock.dataplane", "trovemock.dataplane.servers")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or (prefix.endswith(".") and module.startswith(prefix)):
                return index
    raise SystemExit(f"{module} is in no layer: add it to LAYERS in {Path(__file__).name}")


def imports_of(path: Path, module: str, known: set[str]) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of a project module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [  # a submodule by name, else the module the name comes from
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in child.names
                ]
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    found.append((target, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return list(dict.fromkeys(found))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        item = stack.pop()
                        on_stack.discard(item)
                        component.append(item)
                        if item == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def main(argv: list[str]) -> int:
    files = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}
    known = set(files)
    graph: dict[str, set[str]] = {m: set() for m in files}
    offences: list[str] = []
    for module, path in files.items():
        mine = layer_of(module)
        lazy = any(module == p or (p.endswith(".") and module.startswith(p)) for p in LAZY)
        for target, line, in_function in imports_of(path, module, known):
            graph[module].add(target)
            where = f"{path.relative_to(ROOT)}:{line}"
            if layer_of(target) > mine:
                offences.append(
                    f"{where}: {module} ({LAYERS[mine][0]}) imports {target} "
                    f"({LAYERS[layer_of(target)][0]}), a layer above it"
                )
            if in_function and not lazy:
                offences.append(f"{where}: {module} imports {target} inside a function")
    for component in cycles(graph):
        offences.append("import circle: " + " -> ".join(component))
    if "--show" in argv:
        for number, (name, _) in enumerate(LAYERS):
            members = sorted(m for m in files if layer_of(m) == number)
            print(f"{number:2} {name:13} {', '.join(members)}")
    edges = sum(len(targets) for targets in graph.values())
    for offence in offences:
        print(offence)
    print(f"{len(files)} modules, {edges} imports, {len(LAYERS)} layers: "
          f"{len(offences)} offence(s)")
    return 1 if offences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
