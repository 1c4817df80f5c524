"""Setup help for Excel (workbook.xlwings_setup): the text ``llmcost addin`` prints and the xlwings.conf it writes."""

import re
import subprocess
import sys

import pytest

from workbook import xlwings_setup as install


def parse_conf(text):
    """Read an xlwings.conf file the way the add-in's VBA does (``Input #f, name, value`` per line)."""
    out = {}
    for line in text.splitlines():
        m = re.fullmatch(r'"([^"]*)","([^"]*)"', line)
        assert m, f"not a conf line: {line!r}"
        out[m.group(1)] = m.group(2)
    return out


def test_conf_names_the_udf_module_in_the_add_ins_spelling():
    text = install.conf_text(interpreter=r"C:\Python311\pythonw.exe")
    assert parse_conf(text) == {"UDF MODULES": "addin.udfs", "INTERPRETER_WIN": r"C:\Python311\pythonw.exe"}
    with_path = parse_conf(install.conf_text(interpreter="", pythonpath=r"D:\src\llmcost"))
    assert with_path == {"UDF MODULES": "addin.udfs", "PYTHONPATH": r"D:\src\llmcost"}


def test_interpreter_defaults_to_this_python_only_on_windows():
    settings = install.conf_settings()
    if sys.platform.startswith("win"):
        assert settings["INTERPRETER_WIN"].lower().endswith(("pythonw.exe", "python.exe"))
    else:
        assert "INTERPRETER_WIN" not in settings


def test_values_that_would_break_the_file_are_refused():
    with pytest.raises(ValueError, match="quotes"):
        install.conf_settings(interpreter='C:\\a "b"\\python.exe')


def test_write_conf_into_a_folder_and_not_over_an_existing_file(tmp_path):
    path = install.write_conf(tmp_path, interpreter=r"C:\Py\pythonw.exe")
    assert path == tmp_path / "xlwings.conf"
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == 2  # CRLF lines, as Windows' VBA `Input #` expects
    assert parse_conf(raw.decode()) == {"UDF MODULES": "addin.udfs", "INTERPRETER_WIN": r"C:\Py\pythonw.exe"}
    with pytest.raises(FileExistsError, match="force"):
        install.write_conf(tmp_path, interpreter="")
    assert path.read_bytes() == raw  # untouched
    install.write_conf(path, force=True, interpreter="", udf_modules="addin.udfs;mine")
    assert parse_conf(path.read_text()) == {"UDF MODULES": "addin.udfs;mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xlwings.conf"]  # no temporary file left


def test_write_conf_needs_an_existing_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        install.write_conf(tmp_path / "missing" / "xlwings.conf")


def test_conf_sheet_rows():
    assert install.conf_sheet_rows(interpreter="") == [["UDF Modules", "addin.udfs"]]


def test_instructions_cover_windows_lite_and_server():
    text = install.addin_instructions(interpreter=r"C:\Py\pythonw.exe")
    for needle in (
        "xlwings addin install",
        "Trust access to the VBA project object model",
        "UDF Modules = addin.udfs",
        '"UDF MODULES","addin.udfs"',
        "Import Functions",
        "=LLM_COST(",
        "Not on macOS",
        "xlwings Lite",
        "requirements.txt",
        "from addin.udfs import *",
        "xlwings Server",
        "custom_functions.py",
        "licence key",
        "docs/excel-addin.md",
        r"Interpreter = C:\Py\pythonw.exe",
    ):
        assert needle in text, needle
    lite = install.addin_instructions("lite")
    assert "xlwings Lite" in lite and "Trust access" not in lite and "xlwings Server" not in lite
    with pytest.raises(ValueError, match="target"):
        install.addin_instructions("mac")


def test_star_import_gives_exactly_the_functions():
    namespace = {}
    exec("from addin.udfs import *", namespace)
    names = sorted(k for k in namespace if not k.startswith("__"))
    assert names and all(k.startswith("LLM_") for k in names)


def test_install_module_stays_light():
    """``llmcost addin`` must not pay for importing xlwings, pandas or the engine."""
    code = (
        "import sys, workbook.xlwings_setup; "
        "print(sorted(m for m in ('xlwings', 'pandas', 'numpy', 'costengine') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_conf_is_written_in_the_code_page_the_add_in_reads(tmp_path):
    """Regression: written as UTF-8, C:\\Users\\José\\ came back through VBA's ``Input #`` as JosÃ© (not found)."""
    interpreter = r"C:\Users\José\venv\Scripts\pythonw.exe"
    path = install.write_conf(tmp_path, interpreter=interpreter)
    raw = path.read_bytes()
    assert "é".encode("cp1252") in raw and "é".encode("utf-8") not in raw
    assert parse_conf(raw.decode(install.CONF_ENCODING))["INTERPRETER_WIN"] == interpreter


def test_a_path_the_code_page_cannot_hold_is_refused(tmp_path):
    with pytest.raises(ValueError, match="code page.*cp1252"):
        install.write_conf(tmp_path, interpreter=r"C:\Users\Łukasz\venv\Scripts\pythonw.exe")
    assert not list(tmp_path.iterdir())


def test_instructions_for_each_platform():
    windows = install.addin_instructions("windows", interpreter="")
    assert "pip install llmcost-excel" in windows and "Not on macOS" in windows and "ISNUMBER" in windows
    lite = install.addin_instructions("lite")
    assert "requirements.txt" in lite and install.wheel_name() in lite and "pip wheel . --no-deps" in lite
    assert "CORS" in lite and "from addin.udfs import *" in lite and "#VALUE!" in lite
    assert install.wheel_name().startswith("llmcost_excel-") and install.wheel_name().endswith("-py3-none-any.whl")
    server = install.addin_instructions("server")
    assert "custom_functions/__init__.py" in server and "XLWINGS.LLM_COST" in server
    assert "XLWINGS_FUNCTIONS_NAMESPACE" in server and "#NAME?" in server
