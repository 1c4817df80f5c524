"""The distribution: its own name, package data instead of a top-level ``templates``, and light functions."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CLI_IMPORTS = ("typer", "click", "rich", "openpyxl", "yaml", "defusedxml")


def _names(requirements):
    return {r.split(">")[0].split("<")[0].split("=")[0].strip() for r in requirements}


def test_name_of_our_own_and_the_command_stays_llmcost():
    assert PROJECT["project"]["name"] == "llmcost-excel"  # "llmcost" on the package index is another project's
    assert PROJECT["project"]["scripts"] == {"llmcost": "workbook.cli:main"}
    assert f"## {PROJECT['project']['version']}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_functions_need_only_the_engine_packages_and_tests_include_the_cli():
    assert _names(PROJECT["project"]["dependencies"]) == {"numpy", "pandas", "pydantic", "genai-prices", "xlwings"}
    extras = PROJECT["project"]["optional-dependencies"]
    assert set(extras["cli"]) <= set(extras["test"])


def test_no_top_level_templates_package():
    setup = PROJECT["tool"]["setuptools"]
    assert "templates" not in setup["packages"] and setup["package-dir"] == {"costengine.data": "templates"}
    assert all(p.split(".")[0] in {"costengine", "addin", "workbook"} for p in setup["packages"])


def test_addin_udfs_imports_none_of_the_cli_packages(tmp_path):
    """In a folder holding the user's own ``templates/`` package, first on sys.path as xlwings puts it."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "__init__.py").write_text("")
    (tmp_path / "templates" / "hardware.csv").write_text("id,broken\n")
    code = (
        "import sys; sys.path.insert(0, %r); import addin.udfs as u; "
        "print(sorted(m for m in %r if m in sys.modules)); print(u.LLM_GPU('H100-SXM', 'memory_gb'))"
        % (str(tmp_path), CLI_IMPORTS)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    loaded, memory = out.stdout.split("\n")[:2]
    assert loaded == "[]"
    assert float(memory) > 0
