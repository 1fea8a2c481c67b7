"""The streamed export (``reports.filings.xlsx.stream``) is the workbook openpyxl writes cell by
cell — same values, number formats, layout — and a big one is sent as a stream."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from reports.filings import selectors, services
from reports.filings.xlsx import filer_line, title_of, writer
from reports.filings.xlsx.exporter import filing_export
from reports.filings.xlsx.template import out_columns, write_grid
from reports.schedules import T1
from tests import factories as f


@pytest.fixture
def ledger(world, t1):
    rows = [f.t1_cells(world.e_hz.uscc, enterprise_name=world.e_hz.name)]
    rows += [f.t1_cells(f.next_uscc("330106"), enterprise_name=name, employees=7 + i, revenue=1234.56 + i, loan_rate="4.35%",
                        unmet_detail="  前后有空格 <&> ", main_bank="=HYPERLINK(\"x\")")
             for i, name in enumerate(["甲 & 乙有限公司", "'单引号'", "-减号开头"])]
    result = services.filing_rows_replace(actor=world.users["op_hz"], filing=t1, raw_rows=rows, expected_lock_version=t1.lock_version)
    assert result.saved, result.issue_dicts()
    return result.filing


def _cells(data: bytes) -> list[list[tuple]]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    grid = [[(c.value, c.number_format, c.data_type) for c in row] for row in ws.iter_rows()]
    return grid + [sorted(str(r) for r in ws.merged_cells.ranges), [ws.freeze_panes, ws.row_dimensions[4].hidden]]


def test_the_streamed_export_is_the_workbook_openpyxl_writes(ledger):
    wb = writer.new_workbook(write_only=True)
    ws = wb.create_sheet("附表1")
    write_grid(ws, title=title_of(ledger), subtitle=filer_line(ledger), cols=out_columns(T1.columns, T1.computed),
               rows=selectors.filing_row_values(filing=ledger))
    reference = writer.workbook_bytes(wb)
    assert _cells(filing_export(filing=ledger)) == _cells(reference)


def test_a_big_export_is_streamed(client, world, ledger, monkeypatch):
    client.force_login(world.users["op_hz"])
    url = reverse("reports:filing_export", args=[ledger.pk])
    assert not client.get(url).streaming  # a small one goes as one body
    monkeypatch.setattr(writer, "STREAM_ABOVE", 100)
    response = client.get(url)
    assert response.streaming and response["Content-Type"] == writer.XLSX
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert _cells(b"".join(response.streaming_content)) == _cells(filing_export(filing=ledger))


def _workbook_cells(data: bytes) -> list:
    """Every sheet: name, state, cells (value, format, type), merges, panes, hidden rows, dropdowns."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        out.append([ws.title, ws.sheet_state, ws.freeze_panes, sorted(str(r) for r in ws.merged_cells.ranges),
                    sorted((str(dv.sqref), dv.formula1, dv.type) for dv in ws.data_validations.dataValidation),
                    [n for n, d in ws.row_dimensions.items() if d.hidden],
                    [[(c.value, c.number_format, c.data_type) for c in row] for row in ws.iter_rows()]])
    return out


def test_the_streamed_template_is_the_template_openpyxl_writes(ledger):
    from reports.filings.xlsx.template import GRID_NOTES, _instructions, _Lists, template_build

    wb = writer.new_workbook(write_only=True)
    ws = wb.create_sheet("附表1")
    lists = _Lists()
    write_grid(ws, title=title_of(ledger), subtitle=filer_line(ledger), cols=out_columns(T1.columns),
               rows=selectors.filing_row_values(filing=ledger), lists=lists)
    _instructions(wb, T1, columns=T1.columns, notes=GRID_NOTES)
    lists.write(wb)
    reference = _workbook_cells(writer.workbook_bytes(wb))
    built = _workbook_cells(template_build(filing=ledger))
    assert [sheet[0] for sheet in built] == ["附表1", "填报说明", "下拉选项"] == [sheet[0] for sheet in reference]
    assert built == reference
    grid = built[0][6]
    col = [key for key, _, _ in grid[3]].index("enterprise_name")  # the hidden key row
    names = [row[col][0] for row in grid[4:]]  # as typed; a cell that could start a formula is made text
    assert names == ["西湖甲企业有限公司", "甲 & 乙有限公司", "'单引号'", "'-减号开头"]
