"""A small world on a fresh SQLite file, for tests that run their own server process on SQLite
(the ``make run`` default) whatever database the suite itself uses.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.sqlite_world   # prints the ids as JSON

One park operator with an API token, a park with a tenant, and three 附表1 filings with one row
each: 2020Q3 (draft, for row writes), 2020Q2 (draft, to submit), 2020Q1 (approved, to amend)."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys


def build() -> dict:
    from portal.api.tokens import token_create
    from reports.filings import services
    from reports.filings.models import Filing, Period
    from tests import factories as f

    Period.objects.update(lock_date=dt.date(2099, 12, 31))
    operator = f.park_operator("330106", name="并发测试园运营公司")
    f.branch_regulator("330100", name="杭州银保监分局")
    user = f.UserFactory(username="sqlite_op", organisation=operator)
    park = f.ParkFactory(code="330106001", name="并发测试小微企业园", county=f.region("330106"), operator=operator)
    tenant = f.TenancyFactory(park=park, enterprise=f.EnterpriseFactory(name="并发测试企业有限公司")).enterprise
    filings = {}
    for code in ("2020Q3", "2020Q2", "2020Q1"):
        filing = services.filing_open(actor=user, schedule="T1", period=Period.objects.get(code=code), park=park)
        result = services.filing_rows_replace(actor=user, filing=filing, raw_rows=[f.t1_cells(tenant.uscc, enterprise_name=tenant.name)])
        assert result.saved, result.issue_dicts()
        filings[code] = filing.pk
    Filing.objects.filter(pk=filings["2020Q1"]).update(status="approved")
    _, token = token_create(user=user, name="并发测试", days=30)
    return {"token": token, "park": park.pk, "uscc": tenant.uscc, "name": tenant.name, "rows_filing": filings["2020Q3"],
            "submit_filing": filings["2020Q2"], "amend_filing": filings["2020Q1"],
            "lock_version": Filing.objects.get(pk=filings["2020Q3"]).lock_version}


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    print(json.dumps(build(), ensure_ascii=False))
