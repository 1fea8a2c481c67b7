"""Helpers shared by the review-inbox tests (no tests here): parks whose 附表1 is submitted (clean,
or with a warning the operator explained), as a person would file them through the services."""
from reports.filings import services
from reports.filings.models import Filing
from reports.workflow import services as workflow
from tests import factories as f
from tests.test_t1_t2 import raw_row


def park_t1_submitted(period, *, code: str, name: str, county: str = "330106", warnings: bool = False, lead=None,
                      forward_by=None) -> Filing:
    """A new park of ``county`` with one tenant on its submitted 附表1. ``warnings``: a second tenant
    left off the ledger (the 未列入附表1 warning), explained by the operator. ``lead``: its lead bank
    (an Organisation); ``forward_by``: the bank user who then forwards (转报) it."""
    park = f.ParkFactory(code=code, name=name, county=f.region(county))
    operator = f.UserFactory(organisation=park.operator)
    tenant = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc(county)))
    if warnings:
        f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(uscc=f.next_uscc(county)))
    if lead is not None:
        f.PartnerLinkFactory(park=park, branch=lead, role="lead")
    filing = services.filing_open(actor=operator, schedule="T1", period=period, park=park)
    assert services.filing_rows_replace(actor=operator, filing=filing, raw_rows=[raw_row(0, tenant.enterprise.uscc, "0")]).saved
    if warnings:
        services.filing_explanation_save(actor=operator, filing=Filing.objects.get(pk=filing.pk), explanation="新入园企业尚未建档，下季补报。")
    workflow.filing_submit(actor=operator, filing=filing)
    if forward_by is not None:
        workflow.filing_confirm(actor=forward_by, filing=filing)
    filing = Filing.objects.get(pk=filing.pk)
    assert (filing.warning_count > 0) == warnings, filing.issues
    return filing
