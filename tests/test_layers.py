"""The layering of leadbook/ (docs/architecture.md), asserted from its import graph.

The graph is read from the source with ``ast``: every import statement of every
module counts, at module level, inside a function or under ``if TYPE_CHECKING``
(a type is a dependency too), relative or absolute. Each module belongs to one
layer; a layer may import itself and the earlier layers it lists, never a later
one, and no modules import each other round in a cycle, however far round.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "leadbook"

# The layers in the order data flows, each with its modules (dotted names).
LAYERS: dict[str, frozenset[str]] = {
    # Neutral helpers and plain records: they import nothing of the layers below.
    "base": frozenset({
        "leadbook", "leadbook.model", "leadbook.cells", "leadbook.excel", "leadbook.lifeline",
        "leadbook.own_files", "leadbook.labels", "leadbook.config_keys", "leadbook.days",
        "leadbook.daycount",
        # the words of every message, zh and en: the issue codes' registry and its parts
        "leadbook.texts", "leadbook.issue_codes", "leadbook.value_words", "leadbook.rule_words",
    }),
    # The dealer's words, how a cell's text is read, the store's configuration.
    "domain": frozenset({
        "leadbook.vocab", "leadbook.values", "leadbook.horizon", "leadbook.masking",
        "leadbook.config",
    }),
    "read": frozenset({
        "leadbook.read", "leadbook.read.biff_layout", "leadbook.read.cfb",
        "leadbook.read.discover", "leadbook.read.extent", "leadbook.read.grid",
        "leadbook.read.header_hint", "leadbook.read.headers", "leadbook.read.htmlgrid",
        "leadbook.read.isolated", "leadbook.read.legacy_formats", "leadbook.read.month_grid",
        "leadbook.read.safety", "leadbook.read.sheet_parts", "leadbook.read.sheets",
        "leadbook.read.sniff", "leadbook.read.textgrid", "leadbook.read.file_words",
    }),
    "records": frozenset({
        "leadbook.record_types", "leadbook.records", "leadbook.grid_activity",
        "leadbook.grade_words", "leadbook.spend", "leadbook.frames",
    }),
    "rules": frozenset({
        "leadbook.ownership", "leadbook.grading", "leadbook.schedule", "leadbook.worklist",
    }),
    "metrics": frozenset({"leadbook.metrics"}),
    # One store's analysis: the inbox read, then records, rules and figures; no output.
    "pipeline": frozenset({"leadbook.pipeline"}),
    "history": frozenset({
        "leadbook.history", "leadbook.history.model", "leadbook.history.summary",
        "leadbook.history.compare", "leadbook.history.store", "leadbook.history.remember",
    }),
    "write": frozenset({
        "leadbook.write", "leadbook.write.annotated_grid", "leadbook.write.annotation_cells",
        "leadbook.write.atomic", "leadbook.write.copy_checks", "leadbook.write.group_outputs",
        "leadbook.write.group_xlsx", "leadbook.write.html", "leadbook.write.html_history",
        "leadbook.write.report_history", "leadbook.write.report_xlsx", "leadbook.write.split",
        "leadbook.write.xlsx_comments", "leadbook.write.xlsx_package", "leadbook.write.xlsx_rows",
        "leadbook.write.xlsx_sheet", "leadbook.write.xlsx_stream", "leadbook.write.xlsx_styles",
        "leadbook.write.xlsx_table", "leadbook.write.xlsx_text", "leadbook.write.xlsx_zip",
        "leadbook.write.output_words",
        "leadbook.write.xml_scan",
    }),
    # A run around the core: outputs written, the copies made, history kept.
    "run": frozenset({
        "leadbook.run", "leadbook.outputs", "leadbook.output_jobs", "leadbook.workers",
        "leadbook.early_report", "leadbook.annotate", "leadbook.layout", "leadbook.progress",
    }),
    "group": frozenset({"leadbook.group", "leadbook.rollup"}),
    "cli": frozenset({"leadbook.cli", "leadbook.cli_words", "leadbook.__main__"}),
}

# The earlier layers each layer may import. The rules, the figures, the history
# and the writers never see a sheet as read: they take records and figures, and a
# copy's writer is handed the grids it copies (leadbook.annotate).
_CORE = ("base", "domain", "records", "rules", "metrics")
USES: dict[str, tuple[str, ...]] = {
    "base": (),
    "domain": ("base",),
    "read": ("base", "domain"),
    "records": ("base", "domain", "read"),
    "rules": ("base", "domain", "records"),
    "metrics": _CORE[:4],
    "pipeline": ("read", *_CORE),
    "history": _CORE,
    "write": (*_CORE, "history"),
    "run": ("read", *_CORE, "pipeline", "history", "write"),
    "group": ("read", *_CORE, "pipeline", "history", "write", "run"),
    "cli": tuple(LAYERS)[:-1],
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom,
             modules: dict[str, Path]) -> list[str]:
    """The leadbook modules one import statement names."""
    if isinstance(node, ast.Import):
        wanted = [alias.name for alias in node.names]
    else:
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            base = ".".join(package[:len(package) - node.level + 1])
            source = f"{base}.{node.module}" if node.module else base
        else:
            source = node.module or ""
        # ``from . import htmlgrid`` names a module; ``from .model import Issue`` a name in one.
        wanted = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                  for alias in node.names]
    found = []
    for target in wanted:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target.startswith("leadbook") and target != name:
            found.append(target)
    return found


@functools.cache
def import_graph() -> dict[str, dict[str, int]]:
    """module → {module it imports: line of the first such import}."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(name, path, node, modules):
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def _layer_of() -> dict[str, str]:
    return {module: layer for layer, modules in LAYERS.items() for module in modules}


def test_every_module_has_one_layer() -> None:
    modules = set(_modules())
    named = [module for group in LAYERS.values() for module in group]
    unplaced, gone = sorted(modules - set(named)), sorted(set(named) - modules)
    assert not unplaced, f"modules with no layer (add each to LAYERS): {unplaced}"
    assert not gone, f"LAYERS names modules that do not exist: {gone}"
    assert len(named) == len(set(named)), "a module is in two layers"


def test_each_layer_uses_only_earlier_layers() -> None:
    order = list(LAYERS)
    assert list(USES) == order
    for layer, uses in USES.items():
        assert all(order.index(u) < order.index(layer) for u in uses), layer


@pytest.mark.slow
def test_the_graph_sees_imports_inside_functions() -> None:
    graph = import_graph()
    assert "leadbook.run" in graph["leadbook.cli"]  # imported in the command's function
    assert "leadbook.read.htmlgrid" in graph["leadbook.read.grid"]  # in a function, relative


def test_no_import_against_the_flow() -> None:
    layer_of = _layer_of()
    wrong = []
    for module, edges in sorted(import_graph().items()):
        mine = layer_of[module]
        for target, line in sorted(edges.items()):
            theirs = layer_of[target]
            if theirs != mine and theirs not in USES[mine]:
                wrong.append(f"{module} (line {line}) imports {target}: "
                             f"{mine} does not use {theirs}")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    graph = import_graph()
    # Tarjan's strongly connected components: a component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not cycles, "modules that import each other, round:\n" + "\n".join(
        " ↔ ".join(cycle) for cycle in cycles)
