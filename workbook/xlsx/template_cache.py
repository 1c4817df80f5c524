"""Many workbooks fast: build the template once per process, then rebuild only the Inputs sheet.

Only the Inputs sheet of the template depends on the scenario (the other sheets are formulas over it
and catalog tables), but for two static texts: the currency in chart axis titles and the Projection's printed
months; so one template is built per distinct pair (:func:`layout_key`), usually one for a whole batch. Building a
whole template takes about a second, nearly all of it for the
scenario-independent sheets (the Token Pricing sheet alone has some 20,000 cells); rebuilding the
Inputs sheet with the builder's own :func:`workbook.sheets.inputs.build` and splicing its XML
into the cached archive takes about 50 ms. The result is byte-identical to
:func:`workbook.builder.workbook_bytes` for the same scenario:

- the Inputs sheet is rebuilt inside the cached workbook object and written by the builder's own writer
  (:func:`workbook.xlsx.writer.xlsx_bytes`), so its cell style indices are those of the full workbook;
  if a scenario ever adds a style the cached workbook lacks, the style tables would change, so that
  scenario takes the full build;
- on start, one probe scenario (every key given, no default left) is built both ways and compared; if
  the bytes differ (the builder changed what depends on the scenario) the cache switches itself off and
  every workbook takes the full build.

The file is written like :func:`workbook.builder.write_workbook`: to a hidden temporary file in the
same folder, flushed to disk and renamed into place.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from costengine import Scenario

from ..builder import build_book, workbook_bytes
from ..kit import Book
from ..sheets import constants, inputs, projection
from ..sheets.inputs import SHEET
from .files import write_bytes_atomically
from .writer import xlsx_bytes

__all__ = ["TemplateCache", "PROBE"]

#: A scenario that gives every key a value different from its default (text keys included).
PROBE = Scenario(
    requests_per_month=2_345_678,
    prompt_tokens=1234,
    output_tokens=321,
    peak_to_average=1.7,
    currency="EUR",
    usd_to_currency=0.9,
    api_model="gpt-4o-mini",
    api_input_price_per_mtok=0.7,
    api_output_price_per_mtok=2.9,
    api_cached_input_share=0.2,
    api_cached_input_price_per_mtok=0.07,
    api_batch_share=0.1,
    api_batch_discount=0.4,
    api_monthly_fixed=50,
    model="llama-3.1-8b",
    model_params_billion=8,
    precision="fp8",
    memory_overhead=1.3,
    seconds_per_request=0.8,
    target_utilization=0.6,
    min_replicas=3,
    hours_per_month=720,
    staff_monthly=1500,
    cloud_gpu="L40S",
    cloud_price_per_gpu_hour=1.2,
    cloud_gpus_per_replica=1,
    cloud_billing="per_second",
    cloud_monthly_overhead=250,
    onprem_gpu="A100-80GB",
    onprem_gpus_per_server=2,
    onprem_capex_per_server=40_000,
    onprem_amortization_months=48,
    onprem_interest_rate=0.05,
    onprem_maintenance_monthly=300,
    onprem_power_kw=1.5,
    onprem_pue=1.3,
    onprem_price_per_kwh=0.2,
    growth_rate_monthly=0.02,
    horizon_months=24,
    discount_rate_annual=0.1,
    workload="rag",
)

_STYLE_TABLES = (
    "_cell_styles",
    "_fonts",
    "_fills",
    "_borders",
    "_number_formats",
    "_protections",
    "_alignments",
    "_named_styles",
)


class TemplateCache:
    """The template built once; :meth:`workbook_bytes` gives any scenario's file from it.

    ``fast`` is False when the start-up probe found a difference with the full build (then every call
    takes the full build); ``full_builds`` counts the calls that took it.
    """

    def __init__(self) -> None:
        self._templates: dict[tuple, _Template] = {}
        self._constants = constants.build(Book.new([constants.SHEET]))
        self.full_builds = 0
        self.fast = True
        self.fast = self.workbook_bytes(PROBE) == workbook_bytes(PROBE)
        self.full_builds = 0

    def _template(self, s: Scenario) -> "_Template":
        """The template for the parts of ``s`` that static texts of other sheets depend on (one per key)."""
        key = layout_key(s)
        if key not in self._templates:
            self._templates[key] = _Template(Scenario(currency=s.currency, horizon_months=s.horizon_months))
        return self._templates[key]

    def _inputs_xml(self, t: "_Template", s: Scenario) -> bytes | None:
        """The Inputs sheet's XML for ``s``, or None when it needed a style the template lacks.

        The sheet is rebuilt inside the cached workbook (so it shares its style tables) and written by the
        builder's own writer with the workbook reduced to that one sheet for the moment.
        """
        wb = t.book.wb
        index = wb.sheetnames.index(SHEET)
        ws = t.book.replace_sheet(SHEET)
        inputs.build(t.book, s, self._constants)
        sheets, active = wb._sheets, wb._active_sheet_index
        wb._sheets = [ws]
        try:
            _, alone = _archive_members(xlsx_bytes(wb))
        finally:
            wb._sheets, wb._active_sheet_index = sheets, active
        assert wb.sheetnames.index(SHEET) == index
        if _style_sizes(wb) != t.sizes:  # the tables grew: start again from a fresh template
            self._templates.pop(layout_key(s), None)
            return None
        return alone["xl/worksheets/sheet1.xml"]

    def workbook_bytes(self, s: Scenario) -> bytes:
        """The ``.xlsx`` bytes of the template for ``s`` (equal to :func:`workbook.builder.workbook_bytes`)."""
        t = self._template(s) if self.fast else None
        xml = self._inputs_xml(t, s) if t is not None else None
        if xml is None:
            self.full_builds += 1
            return workbook_bytes(s)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for info in t.infos:
                archive.writestr(_copy_info(info), xml if info.filename == t.part else t.members[info.filename])
        return buf.getvalue()

    def write(self, path: str | os.PathLike[str], s: Scenario, *, force: bool = False) -> Path:
        """Write the workbook of ``s`` to ``path`` atomically; an existing file needs ``force``."""
        target = Path(path)
        if target.exists() and not force:
            raise FileExistsError(f"{target} exists; use --force to overwrite")
        return write_bytes_atomically(target, self.workbook_bytes(s))


def layout_key(s: Scenario) -> tuple:
    """What of a scenario the sheets other than Inputs show as static text: the currency in chart axis titles
    and the Projection's printed months. Scenarios with the same key share one template."""
    return s.currency, projection.print_months(s.horizon_months)


def _style_sizes(wb) -> tuple[int, ...]:
    return (*(len(getattr(wb, name)) for name in _STYLE_TABLES), len(wb._differential_styles.dxf))


class _Template:
    """One built template: its workbook (a :class:`Book`), archive entries and the Inputs sheet's part name."""

    def __init__(self, s: Scenario) -> None:
        self.book = build_book(s)
        self.infos, self.members = _archive_members(xlsx_bytes(self.book.wb))
        self.part = f"xl/worksheets/sheet{self.book.wb.sheetnames.index(SHEET) + 1}.xml"
        self.sizes = _style_sizes(self.book.wb)


def _archive_members(data: bytes) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    """The entries of an archive (in order) and their uncompressed contents."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        return infos, {info.filename: z.read(info) for info in infos}


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry header with the name, date, permissions and compression of ``info``."""
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    return new
