"""Dependencies point one way: costengine imports no front-end library and writes no files."""

import ast
from pathlib import Path

FORBIDDEN = {"xlwings", "openpyxl", "typer", "click", "rich", "addin", "workbook"}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_costengine_imports_no_front_end():
    root = Path(__file__).resolve().parents[1] / "costengine"
    files = sorted(root.rglob("*.py"))
    assert len(files) >= 5
    for path in files:
        bad = _imports(path) & FORBIDDEN
        assert not bad, f"{path.name} imports {bad}"


def test_costengine_writes_no_files():
    root = Path(__file__).resolve().parents[1] / "costengine"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("open(", ".write_text(", ".write_bytes(", "to_csv(", "to_excel("):
            assert needle not in text.replace("read_text(", ""), f"{path.name} uses {needle}"


ROOT = Path(__file__).resolve().parents[1]
OPENPYXL_ROOM = ROOT / "workbook" / "xlsx"
CLI_ROOM = ROOT / "workbook" / "cli"
CLI_LIBRARIES = {"typer", "click", "rich", "yaml"}


def _py_files(*folders: str) -> list[Path]:
    files = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    assert files, folders
    return files


def _inside(path: Path, room: Path) -> bool:
    return room in path.parents


def _absolute_imports(path: Path) -> set[str]:
    """Every module named by an absolute import (full dotted names and all their parents)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        mods = []
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for mod in mods:
            parts = mod.split(".")
            names |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return names


def _relative_targets(path: Path) -> set[str]:
    """The workbook subpackages (sheets, kit, xlsx, cli, ...) a module reaches with relative imports."""
    out = set()
    rel = path.relative_to(ROOT).with_suffix("").parts  # ("workbook", "sheets", "inputs")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(rel[: len(rel) - node.level])
            target = base + (node.module.split(".") if node.module else [])
            out.add(".".join(target))
    return out


def test_addin_imports_only_costengine():
    for path in _py_files("addin"):
        bad = {
            n
            for n in _absolute_imports(path)
            if n.split(".")[0] in {"workbook", "openpyxl", "typer", "rich", "yaml", "click"}
        }
        assert not bad, f"{path.name} imports {bad}"


def test_only_the_cli_imports_typer_rich_or_yaml():
    for path in _py_files("costengine", "addin", "workbook"):
        if _inside(path, CLI_ROOM):
            continue
        bad = {n for n in _absolute_imports(path) if n in CLI_LIBRARIES}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_workbook_outside_the_cli_does_not_import_addin_or_the_cli():
    for path in _py_files("workbook"):
        if _inside(path, CLI_ROOM):
            continue
        bad = {n for n in _absolute_imports(path) if n.split(".")[0] == "addin"}
        bad |= {t for t in _relative_targets(path) if t.startswith("workbook.cli")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def _openpyxl_private_uses(path: Path) -> list[str]:
    """Imports from openpyxl's private modules, and ``x._name`` on anything but our own ``self``/``cls``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            for mod in mods:
                if mod.split(".")[0] == "openpyxl" and any(p.startswith("_") for p in mod.split(".")):
                    found.append(f"line {node.lineno}: import {mod}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            found.append(f"line {node.lineno}: ._{node.attr[1:]}")
    return found


def test_openpyxl_private_names_stay_in_workbook_xlsx():
    """Only workbook/xlsx/ may touch openpyxl internals (the version range in pyproject.toml is for them)."""
    for path in _py_files("workbook"):
        if _inside(path, OPENPYXL_ROOM):
            continue
        found = _openpyxl_private_uses(path)
        assert not found, f"{path.relative_to(ROOT)}: {found}"


def test_the_openpyxl_room_does_touch_them_and_the_pin_names_it():
    assert any(_openpyxl_private_uses(p) for p in _py_files("workbook/xlsx"))
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"openpyxl>=3.1,<3.2"' in text and "workbook/xlsx/" in text


def test_no_module_level_state_keyed_by_objects_and_no_global():
    for path in _py_files("costengine", "addin", "workbook"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not any(isinstance(n, ast.Global) for n in ast.walk(tree)), f"{path.relative_to(ROOT)} uses global"
        assert "WeakKeyDictionary" not in path.read_text(encoding="utf-8"), path.relative_to(ROOT)


def test_modules_stay_small():
    for path in _py_files("costengine", "addin", "workbook"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        name = path.relative_to(ROOT).as_posix()
        assert lines <= 400, f"{name} has {lines} lines"


def test_every_sheet_module_names_its_sheet_and_has_one_build():
    import importlib

    from workbook.builder import SHEET_ORDER, TABS

    helpers = {  # parts of sheets
        "__init__",
        "catalog_table",
        "catalog_user",
        "price_dates",
        "constants_table",
        "sensitivity_data",
        "projection_hybrid",
        "comparison_api",
        "comparison_cloud",
        "comparison_onprem",
        "comparison_parts",
        "sizing_model",
        "sizing_gpus",
        "sizing_layouts",
        "sizing_chosen",
        "hybrid_day",
        "hybrid_candidates",
        "hybrid_cost",
        "projection_table",
        "inputs_checks",
        "breakeven_segments",
        "breakeven_bisect",
        "serverless_cost",
    }
    names = {p.stem for p in (ROOT / "workbook" / "sheets").glob("*.py")} - helpers
    assert {m.__name__.rsplit(".", 1)[1] for m in TABS} == names
    for name in names:
        module = importlib.import_module(f"workbook.sheets.{name}")
        assert callable(module.build) and module.SHEET in SHEET_ORDER, name


# --- import order: floors ----------------------------------------------------------------------------

#: The engine's modules in import order, by floor, bottom first: a module imports only modules listed before
#: it (on its floor or below), function-level imports included. ``__init__`` is the package's public API.
#: docs/architecture.md "Import order" draws the same floors.
ENGINE_FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("errors and input text", ("errors", "acceptance", "problems")),
    (
        "catalogs",
        (
            "token_prices",
            "price_rules",
            "catalog_rows",
            "model_rows",
            "model_config",
            "catalogs",
            "offer_filter",
            "profiles",
            "user_rows",
            "lookup",
        ),
    ),
    (
        "serving",
        (
            "serving.parameters",
            "serving.memory",
            "serving.step",
            "serving.layouts",
            "serving.replica",
            "serving.throughput",
            "serving",
            "sizing",
        ),
    ),
    ("inputs", ("workloads", "scenario_keys_base", "scenario_keys", "scenario", "rules", "columns")),
    ("billing and plan", ("billing", "serverless", "plan", "selfhosted", "api_stage", "resolve", "binding")),
    ("crossing and hybrid", ("crossing", "hybrid_split")),
    ("engine", ("sweeps", "engine")),
    ("decisions", ("projection", "verdict", "sensitivity", "uncertainty", "finetune")),
    ("public API", ("__init__",)),
)
#: The workbook's rooms in import order, bottom first: a module imports only its own room and the rooms below.
#: A room is a folder (``xlsx`` is every module under workbook/xlsx/) or one module; a module named here on its
#: own is taken out of its folder's room (``xlsx.template_cache`` fills a saved template, above the builder).
WORKBOOK_FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("xlsx", ("xlsx", "xlwings_setup")),
    ("kit", ("kit",)),
    ("sheets", ("sheets",)),
    ("builder", ("builder", "xlsx.template_cache")),
    ("cli", ("cli", "__init__")),
)


def _module_name(path: Path, package: str) -> str:
    rel = path.relative_to(ROOT / package).with_suffix("").parts
    if rel[-1] == "__init__":
        return ".".join(rel[:-1]) or "__init__"
    return ".".join(rel)


def _package_imports(path: Path, package: str, modules: set[str]) -> set[str]:
    """The modules of ``package`` that ``path`` imports anywhere in its AST (relative or absolute)."""
    base = list(path.relative_to(ROOT).with_suffix("").parts[:-1])  # the package a relative import starts from
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        found = []
        if isinstance(node, ast.Import):
            found = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            head = base[: len(base) - node.level + 1] if node.level else []
            mod = ".".join(head + ([node.module] if node.module else []))
            found = [
                f"{mod}.{a.name}" if f"{mod}.{a.name}".removeprefix(package + ".") in modules else mod
                for a in node.names
            ]
        for name in found:
            if name == package:
                out.add("__init__")
            elif name.startswith(package + "."):
                out.add(name.removeprefix(package + "."))
    return out & modules


def _floor_of(module: str, floors) -> int:
    rooms = [(room, i) for i, (_, members) in enumerate(floors) for room in members]
    best = max(
        (r for r in rooms if module == r[0] or module.startswith(r[0] + ".")), key=lambda r: len(r[0]), default=None
    )
    assert best is not None, f"{module} is on no floor"
    return best[1]


def test_engine_modules_import_only_modules_below_them():
    order = [m for _, members in ENGINE_FLOORS for m in members]
    files = {_module_name(p, "costengine"): p for p in _py_files("costengine")}
    assert set(files) == set(order), set(files) ^ set(order)
    for name, path in files.items():
        for target in _package_imports(path, "costengine", set(files)) - {name}:
            assert order.index(target) < order.index(name), f"costengine.{name} imports costengine.{target} above it"


def test_workbook_rooms_import_only_their_own_room_and_below():
    files = {_module_name(p, "workbook"): p for p in _py_files("workbook")}
    for name, path in files.items():
        floor = _floor_of(name, WORKBOOK_FLOORS)
        for target in _package_imports(path, "workbook", set(files)) - {name}:
            assert _floor_of(target, WORKBOOK_FLOORS) <= floor, f"workbook.{name} imports workbook.{target} above it"


def _drawn_floors(heading: str) -> list[tuple[str, tuple[str, ...]]]:
    """The floors a table of docs/architecture.md draws (top floor first in the file), bottom first."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = next(b for b in text.split(heading, 1)[1].split("\n\n") if b.startswith("|"))
    rows = [line.split("|")[1:-1] for line in block.splitlines() if line.startswith("|")][2:]
    return [(floor.strip(), tuple(m.strip(" `") for m in mods.split(","))) for floor, mods in reversed(rows)]


def test_the_architecture_document_draws_the_floors():
    assert _drawn_floors("Import order of `costengine/`") == list(ENGINE_FLOORS)
    assert _drawn_floors("Import order of `workbook/`") == list(WORKBOOK_FLOORS)
