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
