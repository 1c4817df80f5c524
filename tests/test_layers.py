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
    files = sorted(root.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        bad = _imports(path) & FORBIDDEN
        assert not bad, f"{path.name} imports {bad}"


def test_costengine_writes_no_files():
    root = Path(__file__).resolve().parents[1] / "costengine"
    for path in root.glob("*.py"):
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
            base = list(rel[:len(rel) - node.level])
            target = base + (node.module.split(".") if node.module else [])
            out.add(".".join(target))
    return out


def test_addin_imports_only_costengine():
    for path in _py_files("addin"):
        bad = {n for n in _absolute_imports(path) if n.split(".")[0] in {"workbook", "openpyxl", "typer", "rich",
                                                                           "yaml", "click"}}
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
        assert lines <= 420, f"{path.relative_to(ROOT)} has {lines} lines"


def test_every_sheet_module_names_its_sheet_and_has_one_build():
    import importlib

    from workbook.builder import SHEET_ORDER, TABS

    helpers = {"__init__", "catalog_table", "catalog_user", "sensitivity_data", "projection_hybrid"}  # parts of sheets
    names = {p.stem for p in (ROOT / "workbook" / "sheets").glob("*.py")} - helpers
    assert {m.__name__.rsplit(".", 1)[1] for m in TABS} == names
    for name in names:
        module = importlib.import_module(f"workbook.sheets.{name}")
        assert callable(module.build) and module.SHEET in SHEET_ORDER, name
