"""What Excel needs to call the worksheet functions, as text to print and as an ``xlwings.conf`` file.

Used by the CLI command ``llmcost addin``: :func:`addin_instructions` returns the text to print,
:func:`write_conf` writes an ``xlwings.conf`` file next to a workbook. Nothing here imports xlwings or
the engine, so it is cheap to call. The full guide is ``docs/excel-addin.md``.

``xlwings.conf`` files hold one ``"KEY","value"`` line per setting (keys in capitals, as the xlwings
add-in reads them); a file in a workbook's folder overrides the user's add-in settings for the
workbooks in that folder, and a sheet named ``xlwings.conf`` (key in column A, value in column B)
overrides both for one workbook. The add-in's VBA reads the file with ``Open ... For Input``, i.e. in the
Windows ANSI code page, so the file is written in that code page (:data:`CONF_ENCODING`, Western European
Windows), not UTF-8: ``C:\\Users\\José\\...`` written as UTF-8 comes back as ``JosÃ©``. A value the code page
cannot hold is refused with a message (use the ``xlwings.conf`` sheet, which is Unicode, instead).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

__all__ = [
    "UDF_MODULE",
    "DISTRIBUTION",
    "CONF_NAME",
    "CONF_ENCODING",
    "TARGETS",
    "conf_settings",
    "conf_text",
    "conf_sheet_rows",
    "write_conf",
    "addin_instructions",
    "wheel_name",
]

#: The Python module that holds the worksheet functions (the add-in's "UDF Modules" setting).
UDF_MODULE = "addin.udfs"
#: The file (and sheet) name the xlwings add-in reads its settings from.
CONF_NAME = "xlwings.conf"
#: Where the functions can run; see :func:`addin_instructions`.
TARGETS = ("windows", "lite", "server")
#: The distribution's name on the package index (``llmcost`` there is another project's).
DISTRIBUTION = "llmcost-excel"
#: The code page the xlwings add-in's VBA reads ``xlwings.conf`` in (the ANSI code page of Western Windows).
CONF_ENCODING = "cp1252"


def wheel_name() -> str:
    """The file name of this version's wheel, ``llmcost_excel-<version>-py3-none-any.whl``."""
    from importlib import metadata

    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        version = "VERSION"
    return f"{DISTRIBUTION.replace('-', '_')}-{version}-py3-none-any.whl"


def _default_interpreter() -> str | None:
    """This Python, as the add-in should start it on Windows (``pythonw.exe``: no console window); None elsewhere."""
    if not sys.platform.startswith("win"):
        return None
    exe = Path(sys.executable)
    windowless = exe.with_name("pythonw.exe")
    return str(windowless if windowless.exists() else exe)


def conf_settings(
    udf_modules: str = UDF_MODULE, interpreter: str | None = None, pythonpath: str | None = None
) -> dict[str, str]:
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
        try:
            value.encode(CONF_ENCODING)
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"{key}: {value[exc.start : exc.end]!r} cannot be written in an xlwings.conf file, which "
                f"the add-in reads in the Windows code page ({CONF_ENCODING}); use the xlwings.conf "
                f"sheet or a folder without that character"
            ) from None
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

    The file is written atomically (a killed run leaves either the old file or the new one), with CRLF line ends,
    in :data:`CONF_ENCODING`, the code page the add-in's VBA reads it in.
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
        with os.fdopen(fd, "w", encoding=CONF_ENCODING, newline="\r\n") as f:
            f.write(body)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


_WINDOWS = """\
Excel on Windows, with the xlwings add-in (classic UDFs; free, open source)
  1. Install the functions into the Python that Excel will start:   pip install {dist}
     (from a checkout: pip install .; the command line needs "{dist}[cli]", the functions do not)
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
     after an upgrade that changes a function's arguments.
  7. Type a formula: =LLM_COST(Inputs!A2:B40, "api")   (functions are under the category "LLM Cost")
  Tables (LLM_COMPARE, LLM_CURVE, ...) spill in Excel 365/2021; in older Excel select the output
  range first and confirm with Ctrl+Shift+Enter. A bad argument shows the text "#LLM! <reason>"
  (test it with =ISNUMBER(cell), or =LEFT(cell,5)="#LLM!"; IFERROR does not catch text).
  Not on macOS: classic xlwings UDFs need Windows (COM and the VBA wrappers that call Python);
  on a Mac use xlwings Lite below.
"""

_LITE = """\
xlwings Lite (Windows, macOS and Excel on the web; Microsoft 365 or Office 2021+; free; no local Python)
  1. Home > Add-ins: search "xlwings" and add xlwings Lite; open its editor.
  2. requirements.txt: add one line, either the name (once the version is on the package index)
         {dist}
     or the URL of the wheel, which Lite downloads in the browser:
         https://YOUR-HOST/path/{wheel}
     Build the wheel with:  pip wheel . --no-deps -w dist   (one pure-Python file for every platform).
     Host it on an HTTPS server that allows cross-origin requests (CORS), e.g. a static site
     (GitHub Pages) or a storage bucket with CORS enabled; a file:// path or an intranet share
     without CORS cannot be fetched. Lite then installs numpy, pandas, pydantic, genai-prices
     (and nothing of the command line).
  3. main.py: paste
         from addin.udfs import *  # noqa: F401,F403  registers LLM_COST, LLM_BREAKEVEN, ... (addin.udfs.__all__)
     The functions register when main.py runs (restart xlwings Lite if they do not appear).
  4. Type =LLM_COST(A2:B40, "api") (no namespace, no category). Empty cells arrive as blank, tables spill.
  A bad argument gives Excel's #VALUE! error (IFERROR and ISERROR catch it); the reason is printed
  in Lite's output pane. To show "#LLM! <reason>" in the cell instead, put these two lines above the import:
         import os
         os.environ["LLMCOST_ERRORS"] = "text"
"""

_SERVER = """\
xlwings Server (Office.js add-in on Windows, macOS and the web; Excel 2021/365; needs an xlwings PRO
licence key, free for non-commercial use)
  1. In the server's Python environment:   pip install {dist}
  2. The project made by "xlwings-server init" has a package custom_functions/ (a folder with
     __init__.py). Add to custom_functions/__init__.py:
         from addin.udfs import *  # noqa: F401,F403
     (a file custom_functions.py next to it is never imported: the package wins).
  3. Functions carry the add-in's namespace: =XLWINGS.LLM_COST(A2:B40, "api") by default. Set
     XLWINGS_FUNCTIONS_NAMESPACE (e.g. "LLMCOST") in the server's .env and reinstall the manifest from
     /manifest. A workbook typed for classic xlwings (=LLM_COST(...)) shows #NAME? until its formulas
     are renamed (Find & Replace "LLM_" with "XLWINGS.LLM_", or your namespace).
  4. Sideload or deploy the manifest; the functions register when the add-in loads.
  Errors and empty cells as in xlwings Lite (#VALUE! with the reason in the server's log; LLMCOST_ERRORS=text
  in the server's environment shows the text instead).
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
        parts.append(
            _WINDOWS.format(module=module, conf=CONF_NAME, conf_lines=lines, interp_hint=hint, dist=DISTRIBUTION)
        )
    if "lite" in wanted:
        parts.append(_LITE.format(dist=DISTRIBUTION, wheel=wheel_name()))
    if "server" in wanted:
        parts.append(_SERVER.format(dist=DISTRIBUTION))
    return "\n".join(parts) + "\nMore: docs/excel-addin.md\n"
