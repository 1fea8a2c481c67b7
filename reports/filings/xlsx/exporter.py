"""Exports of filings in the official layout (title, filer/period/unit row, header row of labels,
HIDDEN row of keys, data), so that an export re-imports losslessly through ``reader.read_rows``.

T1 carries its computed columns after the input columns, T4 its previous year-end values, the
change since then (比年初增减), the growth rate (增速) and the main ratios, plus the narrative sheet.
Every string cell goes through ``safe_cell`` (formula injection)."""
from __future__ import annotations

from typing import IO, Any, Callable, Iterator

from parks.choices import Batch, DigitalStatus, StarRating
from reports.filings import selectors
from reports.filings.choices import ScheduleCode
from reports.filings.kinds import is_insurer_branch
from reports.filings.models import T2Summary, T4Record
from reports.filings.xlsx import filer_line, title_of
from reports.filings.xlsx.template import grid_workbook_file, out_columns, write_grid, write_narrative_sheet, write_t4_sheet
from reports.filings.xlsx.writer import new_workbook, workbook_bytes, workbook_file
from reports.schedules import SCHEDULES
from reports.schedules.numbers import ratio
from reports.schedules.t2 import FIGURES, REGISTER
from reports.schedules.t4 import NARRATIVE, narrative_columns

__all__ = ["filing_export", "filing_export_file", "t2_export", "t4_ratios"]

T4_RATIOS = (  # label, numerator, denominator — recomputed from the sums, never averaged
    ("入园企业不良贷款率(%)", "ent_npl_balance", "ent_loan_balance"),
    ("入园企业普惠型小微企业贷款占比(%)", "ent_inclusive_balance", "ent_loan_balance"),
    ("入园企业信用贷款占比(%)", "ent_credit_loan_balance", "ent_loan_balance"),
    ("各项贷款不良率(%)", "all_npl_balance", "all_loan_balance"),
    ("普惠型小微企业贷款不良率(%)", "inclusive_npl_balance", "inclusive_loan_balance"),
    ("小微企业信用贷款占比(%)", "sme_credit_loan_balance", "sme_loan_balance"),
)


def t4_ratios(values: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(label, ratio(values.get(num), values.get(den)) if values.get(num) is not None else None)
            for label, num, den in T4_RATIOS]


def filing_export(*, filing) -> bytes:
    """The filing (T1, T4 or T5) as an xlsx in the official layout."""
    with filing_export_file(filing=filing) as f:
        return f.read()


def filing_export_file(*, filing, rows_wrap: Callable[[Iterator[dict]], Iterator[dict]] | None = None) -> IO[bytes]:
    """:func:`filing_export` written to a temporary file (returned open, at its start; deleted when
    closed): the rows are read in chunks (a server-side cursor) and their XML is streamed
    straight into the zip (``template.grid_workbook_file``), so an export of any size is written and sent
    (``FileResponse``) in flat memory. ``rows_wrap`` sees the rows go by (an export job's progress)."""
    schedule = SCHEDULES.get(filing.schedule)
    if schedule is None:
        raise ValueError(f"no export for {filing.schedule}; use t2_export for 附表2")
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(f"附表{schedule.number}")
    title, subtitle = title_of(filing), filer_line(filing)
    if filing.schedule == ScheduleCode.T4:
        stored = selectors.filing_row_values(filing=filing)
        values = stored[0] if stored else {}
        write_t4_sheet(ws, title=title, subtitle=subtitle, values=values, baseline=selectors.t4_baseline(filing=filing),
                       formulas=False, growth=True, extra_rows=t4_ratios(values))
        texts = T4Record.objects.filter(filing=filing).values(*[c.key for c in NARRATIVE]).first() or {}
        write_narrative_sheet(wb, texts=texts, columns=narrative_columns(insurer=is_insurer_branch(filing.branch)))
    else:
        return grid_workbook_file(wb, ws, title=title, subtitle=subtitle, cols=out_columns(schedule.columns, schedule.computed),
                                  rows=(rows_wrap or iter)(selectors.filing_row_values_iter(filing=filing)))
    return workbook_file(wb)


def t2_export(*, filing) -> bytes:
    """附表2 of a park's T1 filing: the register columns and the figures, one data row."""
    if filing.schedule != ScheduleCode.T1 or not filing.park_id:
        raise ValueError("附表2 belongs to a park's 附表1 filing")
    park = filing.park
    t2 = T2Summary.objects.filter(filing=filing).select_related("county").first()
    row: dict[str, Any] = {"park_name": park.name}
    if t2 is not None:
        row.update({
            "county": t2.county.name,
            "star_rating": StarRating(t2.star_rating).label,
            "digital_status": DigitalStatus(t2.digital_status).label if t2.digital_status in DigitalStatus.values else t2.digital_status,
            "batch": Batch(t2.batch).label if t2.batch in Batch.values else t2.batch,
        })
        row.update({c.key: getattr(t2, c.key) for c in FIGURES})
    else:
        row.update({"county": park.county.name, "star_rating": park.get_star_rating_display(),
                    "digital_status": park.get_digital_status_display(), "batch": park.get_batch_display()})
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet("附表2")
    write_grid(ws, title=title_of(filing, schedule=ScheduleCode.T2), subtitle=filer_line(filing),
               cols=out_columns((), REGISTER + FIGURES), rows=[row], frozen_cols=1)
    return workbook_bytes(wb)
