"""LibreOffice helpers for tests: recalculate workbooks headless and render them to PDF and PNG.

A private LibreOffice profile (one per test process) sets Calc's "recalculation on file load" options
to *always*, so every formula of a workbook written by openpyxl (which stores no cached values) is
computed when LibreOffice opens it; converting it back to xlsx stores the values, which openpyxl reads
with ``data_only=True``. Many files are converted per ``soffice`` run to keep start-up cost low, and a long
list is split over one run per core (each with its own profile), side by side.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["LOCALES", "soffice", "profile_dir", "recalc", "to_pdf", "to_png"]

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Calculation"><prop oor:name="UseThreadedCalculationForFormulaGroups" oor:op="fuse"><value>false</value></prop></item>
{locale}</oor:items>
"""
#: The locale setting (number formats, decimal separator) and the UI locale, when a profile sets a locale.
_LOCALE = """<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{0}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>{0}</value></prop></item>
"""
#: Locales a profile may be set to (a BCP 47 tag; "" is LibreOffice's default, en-US on the test machines).
LOCALES = ("", "de-DE")

_PROFILES: dict[tuple[int, str], Path] = {}


def soffice() -> str | None:
    """Path of the ``soffice`` executable, or None when LibreOffice is not installed."""
    return shutil.which("soffice")


def profile_dir(slot: int = 0, locale: str = "") -> Path:
    """A LibreOffice user profile (one per process, slot and locale) that recalculates every file on load.

    Concurrent ``soffice`` runs need a profile each (LibreOffice locks its user installation). ``locale`` (one of
    :data:`LOCALES`, e.g. ``de-DE``: comma decimals) sets the profile's locale setting and UI locale.
    """
    if locale not in LOCALES:
        raise ValueError(f"locale {locale!r}: one of {LOCALES}")
    if (slot, locale) not in _PROFILES:
        root = Path(tempfile.mkdtemp(prefix=f"llmcost-lo-profile{slot}{locale}-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        (root / "user").mkdir()
        registry = _REGISTRY.format(locale=_LOCALE.format(locale) if locale else "")
        (root / "user" / "registrymodifications.xcu").write_text(registry, encoding="utf-8")
        _PROFILES[(slot, locale)] = root
    return _PROFILES[(slot, locale)]


def _workers(n_files: int) -> int:
    """How many soffice runs convert ``n_files`` side by side: one per core, at least 4 files each
    (``LLMCOST_LO_WORKERS`` overrides it)."""
    env = os.environ.get("LLMCOST_LO_WORKERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return min(int(env), max(n_files, 1))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, 4, n_files // 4))


def _run(exe: str, slot: int, target: str, outdir: Path, todo: Sequence[Path], locale: str) -> subprocess.Popen:
    cmd = [
        exe,
        f"-env:UserInstallation={profile_dir(slot, locale).as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, todo),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _convert(paths: Sequence[Path], target: str, outdir: Path, timeout_s: float, locale: str = "") -> list[Path]:
    exe = soffice()
    if exe is None:
        raise RuntimeError("soffice (LibreOffice) is not on PATH")
    outdir.mkdir(parents=True, exist_ok=True)
    ext = target.split(":")[0]
    out = [outdir / f"{Path(p).stem}.{ext}" for p in paths]
    todo = list(paths)
    stdout = stderr = ""
    code = None
    for _attempt in range(2):  # LibreOffice itself sometimes crashes (signal 11) on a loaded machine: once more
        n = _workers(len(todo))
        procs = [_run(exe, slot, target, outdir, todo[slot::n], locale) for slot in range(n)]
        for proc in procs:
            try:
                stdout, stderr = proc.communicate(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                for p in procs:
                    p.kill()
                raise
            code = proc.returncode if proc.returncode else code
        todo = [p for p, o in zip(paths, out) if not o.exists()]
        if not todo:
            break
    missing = [str(o) for o in out if not o.exists()]
    if missing:
        raise RuntimeError(
            f"soffice failed (exit {code}); missing {missing}\nstdout: {stdout[-2000:]}\nstderr: {stderr[-2000:]}"
        )
    return out


def recalc(
    paths: Iterable[Path | str], outdir: Path | str | None = None, timeout_s: float = 1200, locale: str = ""
) -> list[Path]:
    """Open each workbook in LibreOffice (under a profile set to ``locale``, when given: see :func:`profile_dir`),
    recalculate every formula and save it as xlsx in ``outdir``.

    Returns the recalculated copies (same stems, in ``outdir``; a temporary folder when not given),
    in the order of ``paths``. Read them with ``openpyxl.load_workbook(p, data_only=True)``.
    """
    paths = [Path(p) for p in paths]
    out = Path(outdir) if outdir is not None else Path(tempfile.mkdtemp(prefix="llmcost-recalc-"))
    if any(p.parent.resolve() == out.resolve() for p in paths):
        raise ValueError("outdir must differ from the workbooks' folder (the copies have the same names)")
    return _convert(paths, "xlsx:Calc MS Excel 2007 XML", out, timeout_s, locale)


def to_pdf(paths: Iterable[Path | str], outdir: Path | str, timeout_s: float = 600) -> list[Path]:
    """Recalculate and print each workbook (every sheet, with its print setup) to a PDF in ``outdir``."""
    return _convert([Path(p) for p in paths], "pdf:calc_pdf_Export", Path(outdir), timeout_s)


def to_png(
    pdf: Path | str, outdir: Path | str, dpi: int = 70, first: int | None = None, last: int | None = None
) -> list[Path]:
    """Render the pages of a PDF to PNG files (``pdftoppm``); returns them in page order."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise RuntimeError("pdftoppm (poppler-utils) is not on PATH")
    pdf, outdir = Path(pdf), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "-png", "-r", str(dpi)]
    if first is not None:
        cmd += ["-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    prefix = outdir / pdf.stem
    subprocess.run([*cmd, str(pdf), str(prefix)], check=True, capture_output=True, timeout=300)
    return sorted(outdir.glob(f"{pdf.stem}-*.png"))
