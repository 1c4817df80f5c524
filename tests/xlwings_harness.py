"""Run xlwings' Windows UDF machinery on Linux, for the add-in's tests (tests/test_addin_*.py).

On Linux ``xw.func`` / ``xw.arg`` / ``xw.ret`` are no-ops (the ``else:`` branch at the bottom of
``xlwings/__init__.py``): the real decorators live in ``xlwings/udfs.py``, which imports pywin32 at
module level. This helper:

1. executes ``xlwings/udfs.py`` as a *private* module (``xlwings._udfs_linux``) with tiny stand-ins for
   ``pythoncom``, ``pywintypes`` and ``win32com.client`` that are in ``sys.modules`` only during that import;
2. re-executes a UDF module (written the normal way, ``@xw.func`` ...) with the real decorators swapped
   into ``xlwings`` only while that module runs;
3. runs the real ``generate_vba_wrapper`` / ``import_udfs`` against a fake workbook that records the VBA
   module and the ``Application.MacroOptions`` calls;
4. registers a stub "excel" engine (its methods are the real ones, cut out of ``xlwings/_xlwindows.py``)
   so ``xlwings.conversion.read/write`` work, and runs the real ``call_udf`` with fake caller and range
   objects.

Nothing here changes ``xlwings`` for good: ``import xlwings.udfs`` still fails, ``xw.func`` stays a no-op
and ``xlwings.engines`` is restored after each use. The xlwings internals relied on are checked by
``test_xlwings_internals_still_there`` (tests/test_addin_registration.py), which fails when the installed
xlwings is not :data:`TESTED_WITH_XLWINGS`.

What cannot be checked here: compiling/running the VBA, COM marshalling, Excel's own spilling, the
function wizard's display, and xlwings Lite / Server (Office.js) registration.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import functools
import importlib.util
import io
import re
import sys
import types
from pathlib import Path

import xlwings
from xlwings import conversion

XLWINGS_DIR = Path(xlwings.__file__).parent
PRIVATE_UDFS_NAME = "xlwings._udfs_linux"  # never put into sys.modules

# What VBA hands to CallUDF for an omitted Optional argument (VT_ERROR
# DISP_E_PARAMNOTFOUND); call_udf compares against this literal.
MISSING = -2147352572

# The xlwings version this was written against; see README.md for the internals used.
TESTED_WITH_XLWINGS = "0.37.8"


# ---------------------------------------------------------------------------
# 1. Load xlwings/udfs.py with the COM modules stubbed
# ---------------------------------------------------------------------------
def _com_stub_modules() -> dict[str, types.ModuleType]:
    """Only the names udfs.py uses: ``import pythoncom``, ``import pywintypes``,
    ``from win32com.client import Dispatch`` (plus what ComRange calls)."""

    def module(name, **attrs):
        m = types.ModuleType(name, "stub made by harness.py")
        m.__dict__.update(attrs)
        return m

    class com_error(Exception):  # used in `except pywintypes.com_error:`
        pass

    pythoncom = module(
        "pythoncom",
        CoInitialize=lambda: None,  # ThreadPoolExecutor(initializer=...)
        IID_IDispatch="{00020400-0000-0000-C000-000000000046}",
        CoMarshalInterThreadInterfaceInStream=lambda iid, obj: obj,  # ComRange
        CoGetInterfaceAndReleaseStream=lambda stream, iid: stream,  # ComRange
    )
    pywintypes = module("pywintypes", com_error=com_error, TimeType=dt.datetime)
    client = module("win32com.client", Dispatch=lambda obj, *a, **kw: obj)
    win32com = module("win32com", client=client)
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
    }


@contextlib.contextmanager
def _temporary_modules(mods: dict[str, types.ModuleType]):
    """Add the given sys.modules entries (never overriding real ones, e.g. pywin32
    on Windows) and remove exactly those again afterwards."""
    added = [name for name in mods if name not in sys.modules]
    for name in added:
        sys.modules[name] = mods[name]
    try:
        yield
    finally:
        for name in added:
            sys.modules.pop(name, None)


@functools.lru_cache(maxsize=None)
def load_udfs() -> types.ModuleType:
    """Execute site-packages/xlwings/udfs.py as a private module and return it.

    Named ``xlwings._udfs_linux`` so its ``from . import ...`` resolve against the
    real xlwings package, but it is *not* registered in sys.modules nor set as an
    attribute of ``xlwings``: only callers of this function see it. Cached, so the
    module-level state (``udf_modules``, ``cache``) is shared across one session.
    """
    spec = importlib.util.spec_from_file_location(PRIVATE_UDFS_NAME, XLWINGS_DIR / "udfs.py")
    udfs = importlib.util.module_from_spec(spec)
    with _temporary_modules(_com_stub_modules()):
        spec.loader.exec_module(udfs)
    # call_udf/get_cache_key/ComRange reach COM through the global name
    # `xlwings._xlwindows`; rebind that name *inside the private module only*.
    udfs.xlwings = types.SimpleNamespace(_xlwindows=_FakeXlwindows)
    return udfs


# ---------------------------------------------------------------------------
# 2. Real decorators for a UDF module written with `import xlwings as xw`
# ---------------------------------------------------------------------------
@contextlib.contextmanager
def real_xw_decorators():
    """Temporarily make xw.func/arg/ret/script/sub the real udfs.py decorators
    (what xlwings/__init__.py binds on Windows), then restore the no-ops."""
    udfs = load_udfs()
    real = dict(
        func=udfs.xlfunc,
        arg=udfs.xlarg,
        ret=udfs.xlret,
        script=udfs.xlsub,
        sub=udfs.xlsub,
    )
    saved = {name: xlwings.__dict__[name] for name in real if name in xlwings.__dict__}
    xlwings.__dict__.update(real)
    try:
        yield udfs
    finally:
        for name in real:
            xlwings.__dict__.pop(name, None)
        xlwings.__dict__.update(saved)


def register_udf_module(module_name: str, module: types.ModuleType) -> None:
    """Pre-fill udfs.udf_modules so get_udf_module() (used by call_udf and
    import_udfs) finds the module without importing it or opening the workbook.
    filetime=None means "not reloadable" in get_udf_module."""
    load_udfs().udf_modules[module_name] = {
        "filename": getattr(module, "__file__", None),
        "filetime": None,
        "module": module,
    }


def _check_registered(module_name: str) -> None:
    # Otherwise get_udf_module would import it normally (no-op decorators) and,
    # given a workbook, try to read embedded code from it via COM.
    if module_name not in load_udfs().udf_modules:
        raise KeyError(f"{module_name!r}: call load_udf_module/register_udf_module first")


def load_udf_module(module_name: str) -> types.ModuleType:
    """Fresh, private copy of an importable UDF module, executed with the real
    decorators, registered for call_udf/import_udfs. The normally imported module
    (sys.modules[module_name], with no-op decorators) is left alone."""
    spec = importlib.util.find_spec(module_name)
    module = importlib.util.module_from_spec(spec)
    with real_xw_decorators():
        spec.loader.exec_module(module)
    register_udf_module(module_name, module)
    return module


# ---------------------------------------------------------------------------
# 3. VBA generation and MacroOptions registration against a fake workbook
# ---------------------------------------------------------------------------
class FakeWorkbook:
    """The COM workbook object, as far as udfs.generate_vba_wrapper and
    udfs.import_udfs use it. Records instead of doing."""

    def __init__(self, name: str = "Book1.xlsm", excel_version: str = "16.0"):
        self.Name = name  # .xlam -> VBA uses ActiveWorkbook instead of ThisWorkbook
        self.imported_vba: str | None = None  # text of the .bas Excel would import
        self.removed: list = []  # VBComponents removed before the import
        self.macro_options: dict[str, dict] = {}  # "'Book'!FUNC" -> MacroOptions kwargs
        self.VBProject = types.SimpleNamespace(VBComponents=_VBComponents(self))
        self.Application = types.SimpleNamespace(Version=excel_version, MacroOptions=self._macro_options)

    def _macro_options(self, macro, **kwargs):
        self.macro_options[macro] = kwargs


class _VBComponents:
    def __init__(self, wb):
        self.wb = wb

    def __call__(self, name):  # VBComponents("xlwings_udfs")
        return name

    def Remove(self, component):
        self.wb.removed.append(component)

    def Import(self, path):  # import_udfs writes a temp .bas file, then imports it
        self.wb.imported_vba = Path(path).read_text()


def generate_vba(module_name: str, module, workbook_name: str = "Book1.xlsm") -> str:
    """VBA text of udfs.generate_vba_wrapper (one Function/Sub per decorated object)."""
    buf = io.StringIO()
    load_udfs().generate_vba_wrapper(module_name, module, buf, FakeWorkbook(workbook_name))
    return buf.getvalue()


def import_udfs(module_names: str, workbook: FakeWorkbook | None = None) -> FakeWorkbook:
    """Run the real udfs.import_udfs ("Import Functions" button). module_names is
    ';'-separated like the add-in setting; each must be registered first
    (load_udf_module / register_udf_module). Returns the workbook with the
    imported VBA and the recorded Application.MacroOptions calls."""
    for name in module_names.split(";"):
        _check_registered(name)
    workbook = workbook or FakeWorkbook()
    udfs = load_udfs()
    # the classic (free) add-in's path: with a licence key in the environment (CI sets one for the Office.js
    # tests) xlwings takes its pro branch, which reads embedded code from a real workbook
    pro, udfs.__pro__ = udfs.__pro__, False
    try:
        udfs.import_udfs(module_names, workbook)
    finally:
        udfs.__pro__ = pro
    return workbook


# Reserved identifiers of MS-VBAL section 3.3.5.2 (a VBA parameter/function with one
# of these names does not compile). xlwings does not check this; Python allows them.
VBA_RESERVED = frozenset(
    w.lower()
    for w in """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng
    DefLngLng DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum
    Erase Event Exit For Friend Function Get Global GoSub GoTo If Implements Input Let
    Lock Loop LSet Next On Open Option Print Private Public Put RaiseEvent ReDim Resume
    Return RSet Seek Select Set Static Stop Sub Type Unlock Wend While With Write
    Any As ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve
    Spc Tab Then To AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor Array Circle
    InputB LBound Scale UBound Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng
    CLngPtr CSng CStr CVar CVErr Date Debug DoEvents Fix Int Len LenB Me PSet Sgn
    String Boolean Byte Currency Double Integer Long LongLong LongPtr Single Variant
    True False Nothing Empty Null Rem Attribute CDecl Decimal DefDec
    """.split()
)


def vba_name_problems(module) -> list[str]:
    """Names that would end up in the generated VBA but are not legal there:
    VBA identifier syntax, MS-VBAL reserved words, A1-style cell references."""
    problems = []
    for obj in vars(module).values():
        xlf = getattr(obj, "__xlfunc__", None)
        if xlf is None:
            continue
        fname = xlf["name"]
        names = [("function", fname)] + [
            ("argument", a["name"])
            for a in xlf["args"]
            if not a["vba"] and a["name"] != "caller"  # those are not in the signature
        ]
        for kind, name in names:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", name):
                problems.append(f"{fname}: {kind} {name!r} is not a VBA identifier")
            elif name.lower() in VBA_RESERVED:
                problems.append(f"{fname}: {kind} {name!r} is a reserved word in VBA")
        if re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", fname):
            problems.append(f"{fname}: function name looks like a cell reference")
    return problems


# ---------------------------------------------------------------------------
# 4. A stub "excel" engine for xlwings.conversion, and call_udf
# ---------------------------------------------------------------------------
# Definitions cut out of xlwings/_xlwindows.py (which cannot be imported on Linux:
# it needs ctypes.windll/oledll and loads pythoncom's DLL at import time).
_ENGINE_NAMES = {
    "time_types",
    "cell_errors",
    "_com_time_to_datetime",
    "_datetime_to_com_time",
    "_clean_value_data_element",
    "Engine",
}


def _defined_names(node) -> set:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.If):  # `if np: time_types = time_types + (...)`
        return set().union(*map(_defined_names, node.body))
    return set()


@functools.lru_cache(maxsize=None)
def excel_engine_impl():
    """An instance of the real ``_xlwindows.Engine`` class (name "excel", type
    "desktop", prepare_xl_data_element, clean_value_data), executed from the
    installed _xlwindows.py source with only the definitions it needs."""
    path = XLWINGS_DIR / "_xlwindows.py"
    tree = ast.parse(path.read_text())
    body = [n for n in tree.body if _defined_names(n) and _defined_names(n) <= _ENGINE_NAMES]
    found = set().union(*map(_defined_names, body))
    if found != _ENGINE_NAMES:
        raise RuntimeError(f"xlwings changed: {_ENGINE_NAMES - found} not in {path}")
    try:
        import numpy as np
    except ImportError:
        np = None
    try:
        import pandas as pd
    except ImportError:
        pd = None
    namespace = {
        "dt": dt,
        "np": np,
        "pd": pd,
        "pywintypes": _com_stub_modules()["pywintypes"],
        # _datetime_to_com_time marks datetimes as UTC for pywin32
        "win32timezone": types.SimpleNamespace(TimeZoneInfo=types.SimpleNamespace(utc=lambda: dt.timezone.utc)),
        "np_datetime_to_datetime": xlwings.utils.np_datetime_to_datetime,
    }
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), namespace)
    return namespace["Engine"]()


@contextlib.contextmanager
def excel_engine():
    """Register the stub as xlwings.engines["excel"] (what ConversionContext uses
    when rng is None, i.e. for every UDF value) and unregister it afterwards."""
    engines = xlwings.engines
    if "excel" in engines.engines_by_name:  # already there (nested use, Windows)
        yield engines["excel"]
        return
    engine = xlwings.Engine(impl=excel_engine_impl())
    engines.add(engine)
    try:
        yield engine
    finally:
        engines.engines.remove(engine)
        engines.engines_by_name.pop("excel", None)


def xl_read(value, **options):
    """conversion.read(None, value, options): how a UDF argument value arrives."""
    with excel_engine():
        return conversion.read(None, value, options)


def xl_write(value, **options):
    """conversion.write(value, None, options): what a UDF hands back to Excel."""
    with excel_engine():
        return conversion.write(value, None, options)


class XlRange:
    """A cell-reference argument (=F(A1:B3)): VBA passes a Range object and
    call_udf reads it through conversion.read(Range, ...). ``values`` is what the
    cells hold, as COM reports it: float / str / bool / None (empty) / datetime /
    int error codes (e.g. -2146826281 for #DIV/0!)."""

    def __init__(self, values):
        self.values = [list(r) for r in values] if isinstance(values, (list, tuple)) else [[values]]


class _App:  # what main.Range.sheet.book.app reaches (cache key, read engine)
    pid = 0
    engine = property(lambda self: excel_engine_impl())


_SHEET = types.SimpleNamespace(name="Sheet1", book=types.SimpleNamespace(name="Book1.xlsm", app=_App()))


class _ResizeRequested(Exception):
    def __init__(self, shape):
        super().__init__(f"xlwings asks Excel to resize the formula to {shape}")
        self.shape = shape


class _RangeImpl:
    """The ``impl`` of an xlwings Range (the part that would talk to COM)."""

    max_cells_per_read = None  # conversion.standard._resolve_read_chunksize
    api = types.SimpleNamespace(CLSID=None)  # ComRange
    sheet = _SHEET

    def __init__(self, shape, values=None, address="$A$1"):
        self.shape, self.values, self.address = shape, values, address
        self._anchor_seen = False

    @property
    def raw_value(self):  # like COM .Value: scalar for 1 cell, else tuple of tuples
        if self.shape == (1, 1):
            return self.values[0][0]
        return tuple(tuple(row) for row in self.values)

    def __call__(self, row, col):
        # main.Range.resize(r, c) evaluates self(1, 1) then self(r, c): the second
        # call tells us the size call_udf wants for a legacy dynamic array.
        if (row, col) == (1, 1) and not self._anchor_seen:
            self._anchor_seen = True
            return self
        raise _ResizeRequested((row, col))


class _FakeXlwindows:
    """Stands in for the module `xlwings._xlwindows` inside the private udfs."""

    BOOK_CALLER = None

    @staticmethod
    def Range(xl):
        if isinstance(xl, XlRange):
            shape = (len(xl.values), len(xl.values[0]))
            return _RangeImpl(shape, xl.values, address="$B$2")
        return xl  # the caller: already a _RangeImpl

    @staticmethod
    def is_range_instance(obj):
        return isinstance(obj, XlRange)


class _NoEventLoop:
    def call_soon_threadsafe(self, *args):
        raise NotImplementedError("async UDFs / async_mode need xlwings' COM server event loop (Windows)")


def call_udf(module_name: str, func_name: str, *args, caller_shape=(1, 1)):
    """Call the real udfs.call_udf as Excel's VBA wrapper would and return what
    Excel receives. Pass only the arguments visible in Excel; omitted trailing
    ones become MISSING, 'caller'/vba= ones get VBA's placeholder (None).
    Legacy dynamic arrays (@xw.ret(expand=...)) are replayed like Excel does:
    first call from a caller_shape cell, then (after xlwings' resize request)
    a second call from the resized range, which xlwings serves from its cache."""
    udfs = load_udfs()
    _check_registered(module_name)
    xlf = getattr(udfs.get_udf_module(module_name, None), func_name).__xlfunc__
    user_args, vba_args = list(args), []
    for info in xlf["args"]:
        if info["vararg"]:
            vba_args, user_args = vba_args + user_args, []
            break
        if info["vba"] or info["name"] == "caller":
            vba_args.append(None)
        else:
            vba_args.append(user_args.pop(0) if user_args else MISSING)
    if user_args:
        raise TypeError(f"{func_name}: too many arguments {user_args!r}")
    com_server = types.ModuleType("xlwings.com_server")
    com_server.loop = _NoEventLoop()  # call_udf does `from .com_server import loop`
    with excel_engine(), _temporary_modules({"xlwings.com_server": com_server}):
        try:
            return udfs.call_udf(module_name, func_name, tuple(vba_args), None, _RangeImpl(caller_shape))
        except _ResizeRequested as request:
            return udfs.call_udf(module_name, func_name, tuple(vba_args), None, _RangeImpl(request.shape))
