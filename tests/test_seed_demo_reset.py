"""``manage.py seed_demo``: reruns, --reset and --no-filings, each test seeding its own demo
(the data checks share one demo in test_seed_demo.py)."""
from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q, Sum

from banks.choices import InstitutionType
from banks.models import Institution
from parks.choices import Batch, DigitalStatus, EntityType, ParkType, PartnerRole
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE, OrgKind, RegionLevel, Role
from portal.demo import DEMO_PASSWORD, plan_parks
from portal.models import Organisation, Region, User
from portal.uscc import uscc_is_valid
from reports import selectors
from reports.choices import FilingStatus
from reports.demo import NOW, PERIOD_CODES
from reports.models import Filing, ImportJob, Period, T1Row, T2Summary, T4Record, T5Row
from reports.schedules import T1, T4, T5
from reports.schedules.t2 import AMOUNT_KEYS, COUNT_KEYS, HIDDEN_SUMS, t2_compute

SCALE, SEED = 0.02, 7
SKIP_MESSAGE = "演示数据已存在，跳过（使用 --reset 重新生成）。"


def seed(**options: Any) -> str:
    out = io.StringIO()
    call_command("seed_demo", **{"scale": SCALE, "seed": SEED, **options}, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    return {
        "parks": list(Park.objects.order_by("code").values_list(
            "code", "name", "county__code", "batch", "star_rating", "digital_status", "park_type", "area_mu",
            "status", "manager", "operator__name",
        )),
        "enterprises": list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "entity_type", "industry")),
        "tenancies": list(Tenancy.objects.order_by("enterprise__uscc").values_list(
            "park__code", "enterprise__uscc", "entered_on", "left_on",
        )),
        "links": list(PartnerLink.objects.order_by("park__code", "branch__name").values_list(
            "park__code", "branch__name", "role", "sub_branch", "since", "until",
        )),
        "organisations": list(Organisation.objects.order_by("name").values_list(
            "name", "kind", "region__code", "institution__short_name",
        )),
        "filings": list(Filing.objects.order_by("schedule", "period__code", "park__code", "branch__name").values_list(
            "schedule", "period__code", "park__code", "branch__name", "status", "created_at", "updated_at",
            "submitted_at", "approved_at", "days_late", "row_count", "warning_count",
        )),
        "t1": list(T1Row.objects.order_by("filing__period__code", "filing__park__code", "row_no").values_list(
            "filing__period__code", "filing__park__code", "row_no", *[c.key for c in T1.columns], *[c.key for c in T1.computed],
        )),
        "t4": list(T4Record.objects.order_by("filing__period__code", "filing__branch__name").values_list(
            "filing__period__code", "filing__branch__name", *[c.key for c in T4.columns],
        )),
        "t5": list(T5Row.objects.order_by("filing__period__code", "filing__branch__name", "row_no").values_list(
            "filing__period__code", "filing__branch__name", "row_no", *[c.key for c in T5.columns],
        )),
    }


@pytest.mark.django_db
def test_same_seed_gives_same_data_and_another_seed_does_not():
    seed()
    first = snapshot()
    output = seed(reset=True)
    assert "演示数据已生成" in output
    assert snapshot() == first
    seed(reset=True, seed=SEED + 1)
    other = snapshot()
    assert other["enterprises"] != first["enterprises"]
    assert [r[3:] for r in other["t1"][:50]] != [r[3:] for r in first["t1"][:50]]
    assert [p[:2] for p in other["parks"]] != [p[:2] for p in first["parks"]]


@pytest.mark.django_db
def test_second_run_skips_without_reset():
    seed()
    before = snapshot()
    output = seed(seed=SEED + 1)
    assert SKIP_MESSAGE in output
    assert snapshot() == before


@pytest.mark.django_db
def test_refuses_to_mix_with_existing_registries():
    Institution.objects.create(name="某银行股份有限公司", short_name="某银行", type=InstitutionType.JOINT_STOCK)
    with pytest.raises(CommandError, match="--reset"):
        seed()


@pytest.mark.django_db
def test_reset_keeps_other_superusers():
    seed()
    root = User.objects.create_superuser("root", "root@example.com", "Root@pass2026", organisation=Organisation.objects.get(name="浙江银保监局"))
    User.objects.create_user("someone", password="Some@pass2026", organisation=Organisation.objects.get(name="杭州银保监分局"), role=Role.BRANCH_REGULATOR)
    seed(reset=True)
    root.refresh_from_db()
    assert root.is_superuser and root.organisation is None
    assert not User.objects.filter(username="someone").exists()
    assert User.objects.filter(username__in=["admin", "province", "park"]).count() == 3


# --- demo filings --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_no_filings_option_and_reset_clears_reports_data():
    seed()
    filing = Filing.objects.filter(schedule="T1").first()
    ImportJob.objects.create(filing=filing, original_name="台帐.xlsx")
    periods = Period.objects.count()
    output = seed(reset=True, no_filings=True)
    assert "未生成" in output
    for model in (ImportJob, T1Row, T2Summary, T4Record, T5Row, Filing):
        assert not model.objects.exists(), model
    assert Period.objects.count() == periods == 8
    assert Park.objects.exists()
    seed(reset=True)
    assert Filing.objects.exists() and T1Row.objects.exists()

