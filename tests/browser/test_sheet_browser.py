"""表格编辑 in a real browser: a 20 × 30 block read from an xlsx (full-width digits, “万元” among the
values, one value made invalid) is pasted into the empty 附表1 sheet; the server's dry run marks the
one bad cell; the filer types the right value, the error goes, 保存 stores the rows — the same rows
as uploading that xlsx (the upload path, on a second filing of the same park)."""
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from reports.filings import imports, selectors, services
from reports.filings.models import Filing, Period
from reports.schedules import T1
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
ASCII = str.maketrans("０１２３４５６７８９．", "0123456789.")
BAD_ROW, BAD_KEY = 7, "employees"  # 1-based data row, column made invalid in the paste


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def ledger_xlsx(usccs: list[str]) -> bytes:
    """20 rows × the 30 columns of 附表1 under the official labels; numbers as numbers, as text with
    full-width digits, and with the unit (“万元”) written after them."""
    wb = Workbook()
    ws = wb.active
    keys = [c.key for c in T1.columns]
    ws.append([T1.by_key[k].label for k in keys])
    for i, uscc in enumerate(usccs):
        row = f.t1_cells(uscc, enterprise_name=f"杭州表格{i + 1}号科技有限公司", employees=20 + i, revenue=1000 + 100 * i,
                         credit_amount=500 + 10 * i, loan_balance=300 + i)
        if i % 3 == 0:
            row["employees"] = str(row["employees"]).translate(FULL_WIDTH)  # “２０”
        if i % 4 == 1:
            row["revenue"] = f"{row['revenue']}万元"
        if i % 5 == 2:
            row["total_assets"] = f"{row['total_assets']:,}.5万元".translate(FULL_WIDTH)
        ws.append([row[k] for k in keys])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def tsv_of(xlsx: bytes) -> tuple[list[list[str]], str]:
    """The data cells as Excel / WPS put them on the clipboard (tab-separated, CRLF, a final newline)."""
    ws = load_workbook(io.BytesIO(xlsx)).active
    cells = [[cell_text(v) for v in row] for row in ws.iter_rows(min_row=2, values_only=True)]
    return cells, "".join("\t".join(r) + "\r\n" for r in cells)


def paste(page, text):
    """The paste event a browser fires for Ctrl+V, with that text on the clipboard."""
    page.evaluate("""(text) => {
        const dt = new DataTransfer(); dt.setData('text/plain', text);
        document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
    }""", text)


def stored(filing):
    return [{k: v for k, v in r.items() if k != "row_no"} for r in selectors.filing_row_values(filing=filing)]


def test_sheet_paste_block_fix_error_save_equals_upload(page, live_server):
    Period.objects.filter(code__in=["2020Q2", "2020Q3"]).update(lock_date=dt.date.today() + dt.timedelta(days=30))
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"))
    user = f.UserFactory(username="park", organisation=park.operator)
    usccs = [f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106"))).enterprise.uscc
             for _ in range(20)]
    xlsx = ledger_xlsx(usccs)
    # the same workbook through the upload path, on a second filing (the park's previous quarter)
    other = services.filing_open(actor=user, schedule="T1", period=Period.objects.get(code="2020Q2"), park=park)
    job = imports.filing_upload(actor=user, filing=other, name="附表1.xlsx", data=xlsx, expected_lock_version=other.lock_version)
    assert job.status == "done", job.result
    filing = services.filing_open(actor=user, schedule="T1", period=Period.objects.get(code="2020Q3"), park=park)

    cells, tsv = tsv_of(xlsx)
    assert len(cells) == 20 and all(len(r) == 30 for r in cells)
    assert "２０" in tsv and "万元" in tsv
    col = [c.key for c in T1.columns].index(BAD_KEY)
    good = cells[BAD_ROW - 1][col]
    bad_tsv = tsv.replace(tsv.split("\r\n")[BAD_ROW - 1], "\t".join(cells[BAD_ROW - 1][:col] + ["约三十人"] + cells[BAD_ROW - 1][col + 1:]))

    login(page, live_server, "park")
    page.goto(f"{live_server.url}/filings/{filing.pk}/rows/")
    page.click("[data-testid=open-sheet]")
    page.wait_for_selector("#sheet[data-state=ready]")
    page.click("#sheet .tabulator-row >> nth=0 >> .tabulator-cell[tabulator-field=enterprise_name]")
    paste(page, bad_tsv)
    page.wait_for_selector("#sheet[data-state=validated]")
    errors = page.locator("#sheet .tabulator-cell.cell-error")
    assert errors.count() == 1
    assert errors.first.get_attribute("tabulator-field") == BAD_KEY
    assert errors.first.get_attribute("title").startswith("错误：")
    assert "1 个错误" in page.inner_text("[data-testid=sheet-status]")

    # the paste is one step of undo; redo brings it back (with its check)
    assert "共 20 行" in page.inner_text("[data-testid=sheet-count]")
    page.click("[data-testid=sheet-undo]")
    page.wait_for_function("() => document.querySelector('[data-testid=sheet-count]').textContent.startsWith('共 0 行')")
    page.click("[data-testid=sheet-redo]")
    page.wait_for_function("() => document.querySelector('[data-testid=sheet-count]').textContent.startsWith('共 20 行')")
    page.wait_for_function("() => document.querySelectorAll('#sheet .cell-error').length === 1 && "
                           "document.querySelector('#sheet').dataset.state === 'validated'")
    errors = page.locator("#sheet .tabulator-cell.cell-error")

    # fix it from the keyboard: select the cell, type, Enter
    errors.first.click()
    page.keyboard.type(str(int(good.translate(ASCII))))  # a person types “26” where the sheet had “２６”
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#sheet .cell-error').length === 0 && "
                           "document.querySelector('#sheet').dataset.state === 'validated'")
    page.click("[data-testid=sheet-save]")
    page.wait_for_selector("#sheet[data-state=saved]")
    # the only console messages: the dry runs answered 400 (rows with errors), as the API says
    assert all("status of 400" in e for e in page.console_errors), page.console_errors

    filing = Filing.objects.get(pk=filing.pk)
    assert filing.row_count == 20
    assert stored(filing) == stored(other)
    assert stored(filing)[0]["employees"] == 20 and stored(filing)[1]["revenue"] == 1100

    # back to the filing page, which links to the sheet and shows the rows
    page.click("[data-testid=back-to-table]")
    assert "杭州表格1号科技有限公司" in page.inner_text("main")
