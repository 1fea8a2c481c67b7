"""Helpers shared by the workflow test modules (no tests here)."""
from reports.filings import services
from tests.factories import t4_narrative


def bank_package_drafted(world, period):
    """The bank package of 甲银行杭州分行 in ``period``, saved as draft: a 附表5 with one row (lead bank
    of 西湖智造) and a 附表4 that agrees with it, its 推进情况 written. Returns ``(t4, t5)``."""
    user = world.users["bank_a_hz"]
    t5 = services.filing_open(actor=user, schedule="T5", period=period)
    assert services.filing_rows_replace(actor=user, filing=t5, raw_rows=[
        {"park_code": world.p_hz.code, "role": "主办行", "sub_branch": "甲银行西湖支行", "reported_to_regulator": "是",
         "ent_credit_amount": "100"}]).saved
    t4 = services.filing_open(actor=user, schedule="T4", period=period)
    assert services.filing_t4_save(actor=user, filing=t4, raw_values={
        "parks_served": "1", "partner_parks": "1", "lead_parks": "1", "ent_credit_amount": "100"}, narrative=t4_narrative()).saved
    return t4, t5
