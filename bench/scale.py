"""A Zhejiang-scale quarter for the benches (import after ``django.setup()``): ``build`` writes
parks, partner links, tenants and approved 附表1 (77 ledger rows a park), 附表4 and 附表5."""
import random

from banks.models import Institution
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.models import Organisation, Region
from portal.uscc import uscc_make
from reports.filings.models import Filing, Period, T1Row, T4Record, T5Row
from reports.schedules.t1 import credit_tier

ROWS_PER_PARK = 77  # 780 × 77 ≈ 60,000


def build(*, parks_n: int, branches_n: int, period: Period, rng: random.Random, offset: int) -> None:
    counties = list(Region.objects.filter(level="county", province_code="330000"))
    inst = Institution.objects.create(name=f"基准银行{offset}", short_name=f"基准{offset}", type="large")
    cities = {c.code: c for c in Region.objects.filter(level="city", province_code="330000")}
    branches = Organisation.objects.bulk_create(
        Organisation(name=f"基准银行{offset}-{i}", kind="bank_branch", region=list(cities.values())[i % 11],
                     institution=inst if i < 11 else Institution.objects.create(name=f"基准银行{offset}-{i}", short_name=f"基准{offset}-{i}", type="joint_stock"))
        for i in range(branches_n))
    parks = Park.objects.bulk_create(
        Park(code=f"B{offset}{i:06d}", name=f"基准园区{offset}-{i}", county=counties[i % len(counties)], batch=1 + i % 3,
             star_rating=i % 6, park_type="manufacturing") for i in range(parks_n))
    by_city = {}
    for b in branches:
        by_city.setdefault(b.region.code, []).append(b)
    links = []
    for p in parks:
        for b in rng.sample(by_city[p.county.city_code], k=min(4, len(by_city[p.county.city_code]))):
            links.append(PartnerLink(park=p, branch=b, role="partner", sub_branch="支行", since=period.start, status="confirmed"))
    PartnerLink.objects.bulk_create(links, batch_size=5000)
    filings = Filing.objects.bulk_create(Filing(schedule="T1", period=period, park=p, status="approved") for p in parks)
    rows, ents, tenancies = [], [], []
    n = offset * 10_000_000
    for filing, park in zip(filings, parks):
        for j in range(ROWS_PER_PARK):
            n += 1
            code = uscc_make(f"91{park.county.code}{n:09d}")
            credit = rng.choice([0, 0, 5, 20, 80, 300, 800, 1500])
            loan = round(credit * 0.8, 2)
            ents.append(Enterprise(uscc=code, name=f"企业{n}", industry="C"))
            rows.append(T1Row(filing=filing, row_no=j + 1, enterprise_name=f"企业{n}", uscc=code, industry="C", employees=30,
                              revenue=800, operating_status="good", credit_status="good", has_demand=j % 7 == 0,
                              demand_amount=50 if j % 7 == 0 else None, demand_status="unmet" if j % 7 == 0 else "",
                              lending_bank_count=1 if credit else 0, credit_amount=credit, loan_balance=loan,
                              loan_rate=4.5 + (j % 10) / 10 if loan else None, credit_tier=credit_tier(credit),
                              inclusive=0 < credit <= 1000, category="A" if credit else "C"))
        if len(rows) >= 20_000:
            T1Row.objects.bulk_create(rows, batch_size=5000)
            rows = []
    T1Row.objects.bulk_create(rows, batch_size=5000)
    Enterprise.objects.bulk_create(ents, batch_size=5000)
    ent_ids = dict(Enterprise.objects.filter(name__startswith="企业").values_list("uscc", "pk"))
    tenancies = [Tenancy(park_id=r["filing__park_id"], enterprise_id=ent_ids[r["uscc"]], entered_on=period.start)
                 for r in T1Row.objects.filter(filing__in=filings).values("filing__park_id", "uscc")]
    Tenancy.objects.bulk_create(tenancies, batch_size=5000)
    bank_filings = Filing.objects.bulk_create(Filing(schedule=s, period=period, branch=b, status="approved")
                                              for b in branches for s in ("T4", "T5"))
    T4Record.objects.bulk_create(T4Record(filing=f, parks_served=4, partner_parks=4, ent_credit_amount=1000, ent_loan_balance=800,
                                          all_loan_balance=100000, sme_loan_balance=40000, inclusive_loan_balance=20000)
                                 for f in bank_filings if f.schedule == "T4")
    t5 = []
    for f in bank_filings:
        if f.schedule == "T5":
            for k, link in enumerate(PartnerLink.objects.filter(branch=f.branch).select_related("park")):
                t5.append(T5Row(filing=f, row_no=k + 1, park_code=link.park.code, park_name=link.park.name, role="partner", sub_branch="支行"))
    T5Row.objects.bulk_create(t5, batch_size=5000)


