"""What Excel needs to call the worksheet functions, as text to print and as an ``xlwings.conf`` file.

Used by the CLI command ``llmcost addin``: :func:`addin_instructions` returns the text to print,
:func:`write_conf` writes an ``xlwings.conf`` file next to a workbook. Nothing here imports xlwings or
the engine, so it is cheap to call. The full guide is ``docs/excel-addin.md``.

``xlwings.conf`` files hold one ``"KEY","value"`` line per setting (keys in capitals, as the xlwings
add-in reads them); a file in a workbook's folder overrides the user's add-in settings for the
workbooks in that folder, and a sheet named ``xlwings.conf`` (key in column A, value in column B)
overrides both for one workbook.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

__all__ = ["UDF_MODULE", "CONF_NAME", "TARGETS", "conf_settings", "conf_text", "conf_sheet_rows", "write_conf",
           "addin_instructions"]

#: The Python module that holds the worksheet functions (the add-in's "UDF Modules" setting).
UDF_MODULE = "addin.udfs"
#: The file (and sheet) name the xlwings add-in reads its settings from.
CONF_NAME = "xlwings.conf"
#: Where the functions can run; see :func:`addin_instructions`.
TARGETS = ("windows", "lite", "server")


def _default_interpreter() -> str | None:
    """This Python, as the add-in should start it on Windows (``pythonw.exe``: no console window); None elsewhere."""
    if not sys.platform.startswith("win"):
        return None
    exe = Path(sys.executable)
    windowless = exe.with_name("pythonw.exe")
    return str(windowless if windowless.exists() else exe)


def conf_settings(udf_modules: str = UDF_MODULE, interpreter: str | None = None,
                  pythonpath: str | None = None) -> dict[str, str]:
    """The settings to give the xlwings add-in, key -> value (keys as the add-in spells them).

    ``interpreter`` (Windows path to ``pythonw.exe`` or ``python.exe``) defaults to this Python when run
    on Windows and is left out elsewhere (the add-in's own setting then applies). ``pythonpath`` is only
    needed when the package is not installed into that Python.
    """
    settings = {"UDF MODULES": udf_modules}
    interpreter = interpreter if interpreter is not None else _default_interpreter()
    if interpreter:
        settings["INTERPRETER_WIN"] = interpreter
    if pythonpath:
        settings["PYTHONPATH"] = pythonpath
    for key, value in settings.items():
        if '"' in value or "\n" in value:
            raise ValueError(f"{key}: the value must not contain quotes or line breaks (got {value!r})")
    return settings


def conf_text(**settings: str | None) -> str:
    """The text of an ``xlwings.conf`` file: ``"KEY","value"`` lines (arguments as :func:`conf_settings`)."""
    return "".join(f'"{k}","{v}"\n' for k, v in conf_settings(**settings).items())


def conf_sheet_rows(**settings: str | None) -> list[list[str]]:
    """Rows of an ``xlwings.conf`` sheet (column A: setting, column B: value), for a workbook builder."""
    names = {"UDF MODULES": "UDF Modules", "INTERPRETER_WIN": "Interpreter_Win", "PYTHONPATH": "PYTHONPATH"}
    return [[names[k], v] for k, v in conf_settings(**settings).items()]


def write_conf(path: str | os.PathLike[str], *, force: bool = False, **settings: str | None) -> Path:
    """Write an ``xlwings.conf`` file and return its path.

    Parameters
    ----------
    path : path
        A folder (the file is ``<folder>/xlwings.conf``, read for every workbook in that folder) or a file path.
    force : bool
        Replace an existing file; without it an existing file raises :class:`FileExistsError`.
    **settings
        ``udf_modules``, ``interpreter``, ``pythonpath`` (see :func:`conf_settings`).

    The file is written atomically: a killed run leaves either the old file or the new one.
    """
    target = Path(path)
    if target.is_dir():
        target = target / CONF_NAME
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; pass force=True (llmcost addin --force) to replace it")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{target.parent} is not a folder")
    body = conf_text(**settings)
    fd, tmp = tempfile.mkstemp(prefix=".xlwings.conf.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\r\n") as f:
            f.write(body)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


_WINDOWS = """\
Excel on Windows, with the xlwings add-in (classic UDFs; free, open source)
  1. Install llmcost into the Python that Excel will start:   pip install llmcost
  2. Install the xlwings add-in (the same xlwings version):    xlwings addin install
  3. In Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings:
     tick "Trust access to the VBA project object model" (needed to import the functions).
  4. Use a macro-enabled workbook (.xlsm) with a reference to xlwings
     (VBA editor, Alt+F11: Tools > References > xlwings), e.g. one made by:  xlwings quickstart myproject
  5. Tell xlwings where the functions are, in one of these ways:
     - the xlwings tab of the ribbon: UDF Modules = {module}{interp_hint}
     - a file {conf} next to the workbook (llmcost addin --write-conf FOLDER) containing:
{conf_lines}
     - a sheet named {conf} in the workbook: A1 "UDF Modules", B1 "{module}"
  6. On the xlwings tab click "Import Functions" ("Import Python UDFs" in older add-ins); do it again
     after an upgrade of llmcost that changes a function's arguments.
  7. Type a formula: =LLM_COST(Inputs!A2:B40, "api")   (functions are under the category "LLM Cost")
  Tables (LLM_COMPARE, LLM_CURVE, ...) spill in Excel 365/2021; in older Excel select the output
  range first and confirm with Ctrl+Shift+Enter. Classic UDFs do not run on macOS.
"""

_LITE = """\
xlwings Lite (Windows, macOS and Excel on the web; Microsoft 365 or Office 2021+; no local Python)
  1. Home > Add-ins: search "xlwings" and add xlwings Lite.
  2. In the xlwings Lite editor, requirements.txt: add   llmcost
  3. In main.py:   from addin.udfs import *
  The same functions register (names, descriptions and argument descriptions; the category is not used).
  Python runs in the browser (Pyodide): llmcost and its dependencies must install there; this is not
  tested by llmcost's own test suite. The xlwings docs say an empty cell may arrive as 0 in Office.js
  functions: leave an optional argument out rather than pointing it at an empty cell.
"""

_SERVER = """\
xlwings Server (Office.js add-in on Windows, macOS and the web; Excel 2021/365; needs an xlwings PRO
licence key, free for non-commercial use)
  1. Install llmcost next to xlwings Server.
  2. In the server's custom_functions.py:   from addin.udfs import *
  3. Sideload or deploy the add-in manifest; the functions register when the add-in loads.
  Same remarks as for xlwings Lite (category unused; empty cells may arrive as 0; not tested here).
"""


def addin_instructions(target: str = "all", interpreter: str | None = None, module: str = UDF_MODULE) -> str:
    """The setup steps for Excel, as text to print.

    Parameters
    ----------
    target : {"all", "windows", "lite", "server"}
        Which way of running the functions to describe (default all three).
    interpreter : str, optional
        Python path to show for the Windows add-in (default: this Python when run on Windows).
    module : str
        The UDF module (default ``addin.udfs``).
    """
    wanted = TARGETS if target == "all" else (target,)
    if any(t not in TARGETS for t in wanted):
        raise ValueError(f"target must be one of all, {', '.join(TARGETS)} (got {target!r})")
    settings = conf_settings(udf_modules=module, interpreter=interpreter)
    interp = settings.get("INTERPRETER_WIN")
    parts = []
    if "windows" in wanted:
        lines = "\n".join(f'         "{k}","{v}"' for k, v in settings.items())
        hint = f", Interpreter = {interp}" if interp else " (and Interpreter = your python.exe, if not set)"
        parts.append(_WINDOWS.format(module=module, conf=CONF_NAME, conf_lines=lines, interp_hint=hint))
    if "lite" in wanted:
        parts.append(_LITE)
    if "server" in wanted:
        parts.append(_SERVER)
    return "\n".join(parts) + "\nMore: docs/excel-addin.md\n"
