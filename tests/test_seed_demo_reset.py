"""``manage.py seed_demo``: reruns, --reset and --no-filings, each test seeding its own demo
(the data checks share one demo in test_seed_demo.py)."""
from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from banks.choices import InstitutionType
from banks.models import Institution
from parks.models import Park
from portal.choices import Role
from portal.models import Organisation, User
from reports.filings.models import Filing, ImportJob, Period, T1Row, T2Summary, T4Record, T5Row
from tests.test_seed_demo import SEED, SKIP_MESSAGE, seed, snapshot  # one copy of the helpers


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

