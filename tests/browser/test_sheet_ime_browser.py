"""表格编辑 with a Chinese input method: a filer selects a cell and types with 拼音 — the first key
an IME takes (keyCode 229, “Process”) opens the cell's editor and the composed text lands in it, as
typing Latin letters over a selected cell does."""
import datetime as dt

import pytest

from reports.filings import selectors, services
from reports.filings.models import Period
from tests import factories as f
from tests.browser.test_sheet_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ime_type(page, text: str) -> None:
    """What Chromium receives when a person types ``text`` with a 拼音 input method: a keydown the IME
    takes (229), the composition as it grows, then the committed text."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": "Process", "code": "KeyH", "windowsVirtualKeyCode": 229,
                                        "nativeVirtualKeyCode": 229})
    cdp.send("Input.imeSetComposition", {"text": "h", "selectionStart": 1, "selectionEnd": 1})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "h", "code": "KeyH", "windowsVirtualKeyCode": 72})
    cdp.send("Input.imeSetComposition", {"text": "hang", "selectionStart": 4, "selectionEnd": 4})
    cdp.send("Input.insertText", {"text": text})


def test_typing_with_a_pinyin_ime_over_a_selected_cell_edits_it(page, live_server):
    Period.objects.filter(code="2020Q3").update(lock_date=dt.date.today() + dt.timedelta(days=30))
    park = f.ParkFactory(code="330106001", name="西湖智造小微企业园", county=f.region("330106"))
    user = f.UserFactory(username="park", organisation=park.operator)
    uscc = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc("330106"))).enterprise.uscc
    filing = services.filing_open(actor=user, schedule="T1", period=Period.objects.get(code="2020Q3"), park=park)
    assert services.filing_rows_replace(actor=user, filing=filing, raw_rows=[f.t1_cells(uscc, enterprise_name="杭州旧名有限公司")]).saved

    login(page, live_server, "park")
    page.goto(f"{live_server.url}/filings/{filing.pk}/rows/")
    page.click("[data-testid=open-sheet]")
    page.wait_for_selector("#sheet[data-state=validated], #sheet[data-state=ready]")
    page.click("#sheet .tabulator-row >> nth=0 >> .tabulator-cell[tabulator-field=enterprise_name]")
    ime_type(page, "杭州新名有限公司")
    page.keyboard.press("Enter")
    page.wait_for_function("(sel) => document.querySelector(sel).textContent === '杭州新名有限公司'",
                           arg="#sheet .tabulator-row .tabulator-cell[tabulator-field=enterprise_name]", timeout=5000)
    page.wait_for_function("() => document.querySelector('#sheet').dataset.state === 'validated'")
    page.click("[data-testid=sheet-save]")
    page.wait_for_selector("#sheet[data-state=saved]")
    [row] = selectors.filing_row_values(filing=filing)
    assert row["enterprise_name"] == "杭州新名有限公司"
