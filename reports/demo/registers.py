"""The demo registers: regulators, economy bureaus, banks and insurers with their city branches,
777 parks (505 first-batch, 272 second/third-batch) with their operators, about 31,000 tenant
enterprises, partner-bank links and one login per role.

Everything comes from ``random.Random`` instances seeded from ``seed`` (one stream per stage, so
changing one stage does not reshuffle the others): the same ``scale`` and ``seed`` always give the
same data. Rows are written with ``bulk_create`` (no simple-history records for seed data).
"""
from __future__ import annotations

import random
from collections import Counter
from typing import IO, Any

from banks.choices import InstitutionType
from banks.models import Institution
from parks.choices import Batch, DigitalStatus, EntityType, PartnerRole, StarRating
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import NINGBO_CODE, ROLE_FOR_KIND, OrgKind
from portal.models import Organisation, User
from reports.demo.catalogue import BATCH_SIZE, DEMO_LOGINS, DEMO_PASSWORD, HANGZHOU_CODE
from reports.demo.helpers import bulk_insert, write
from reports.demo.institutions import BankInfo, branch_name, institutions_create, is_home_city
from reports.demo.links import links_make, proposed_link
from reports.demo.park_plan import ParkPlan, demo_park_pick, plan_parks
from reports.demo.regions import bureau_name, city_short, zhejiang_load
from reports.demo.tenants import tenants_make


class _Builder:
    def __init__(self, *, scale: float, seed: int, stdout: IO[str] | None) -> None:
        self.scale, self.seed, self.stdout = scale, seed, stdout
        self.zj = zhejiang_load()
        self.city_by_code = {city.code: city for city in self.zj.cities}
        self.orgs: dict[str, Organisation] = {}  # demo-login keys -> organisation

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}/{stage}")

    # organisations

    def organisations(
        self,
        institutions: list[Institution],
        info: dict[int, BankInfo],
        branch_cities: dict[int, list[str]],
        plans: list[ParkPlan],
    ) -> list[Organisation]:
        zj = self.zj
        orgs: list[Organisation] = [
            Organisation(name="浙江银保监局", kind=OrgKind.PROVINCE_REGULATOR, region=zj.province),
            Organisation(name="浙江省经济和信息化厅", kind=OrgKind.ECONOMY_BUREAU, region=zj.province),
        ]
        for city in zj.cities:
            if city.code == NINGBO_CODE:
                orgs.append(Organisation(name="宁波银保监局", kind=OrgKind.BRANCH_REGULATOR, region=city, separately_planned=True))
            else:
                orgs.append(Organisation(name=f"{city_short(city)}银保监分局", kind=OrgKind.BRANCH_REGULATOR, region=city))
        for city in zj.cities:
            orgs.append(Organisation(name=f"{city.name}经信局", kind=OrgKind.ECONOMY_BUREAU, region=city))
            for county in zj.counties[city.code]:
                orgs.append(Organisation(name=bureau_name(county, city), kind=OrgKind.ECONOMY_BUREAU, region=county))
        for inst in institutions:
            for code in branch_cities[inst.pk]:
                city = self.city_by_code[code]
                name = branch_name(info[inst.pk], city, is_home_city(inst, code))
                orgs.append(Organisation(name=name, kind=OrgKind.BANK_BRANCH, region=city, institution=inst))
        for plan in plans:
            orgs.append(Organisation(name=plan.operator_name, kind=OrgKind.PARK_OPERATOR, region=plan.county))
        return bulk_insert(Organisation, orgs, "name")

    # users

    def users(self) -> list[dict[str, str]]:
        logins = []
        for username, display_name, key in DEMO_LOGINS:
            org = self.orgs.get(key)
            user = User.objects.filter(username=username).first()
            note = ""
            if user is None:
                user = _login_create(username, display_name, org)
            else:
                note = "已存在，未修改"
            logins.append({
                "username": username,
                "password": DEMO_PASSWORD if not note else "（原密码）",
                "name": user.first_name,
                "organisation": user.organisation.name if user.organisation_id else ("（超级管理员）" if user.is_superuser else "（无）"),
                "role": user.role,
                "role_label": user.get_role_display() if user.role else ("超级管理员" if user.is_superuser else "（无）"),
                "note": note,
            })
        return logins

    def login_orgs(self, by_name: dict[str, Organisation], demo: ParkPlan, bank: Organisation) -> dict[str, Organisation]:
        """The organisation of each demo login, by its key in ``DEMO_LOGINS``."""
        hangzhou = self.city_by_code[HANGZHOU_CODE]
        demo_county = demo.county
        return {
            "province": by_name["浙江银保监局"],
            "hz_branch": by_name[f"{city_short(hangzhou)}银保监分局"],
            "nb_branch": by_name["宁波银保监局"],
            "jxt": by_name["浙江省经济和信息化厅"],
            "county_jxj": by_name[bureau_name(demo_county, self.city_by_code[demo_county.city_code])],
            "bank": bank,
            "insurer": by_name[branch_name(BankInfo("人保财险", InstitutionType.INSURER), hangzhou, False)],
            "park": by_name[demo.operator_name],
        }

    # everything

    def build(self) -> dict[str, Any]:
        out = self.stdout
        plans = plan_parks(scale=self.scale, seed=self.seed)
        demo = demo_park_pick(plans)
        write(out, f"园区规划：{len(plans)} 个")

        institutions, info, branch_cities = institutions_create(self.rng("institutions"), self.zj, self.city_by_code)
        write(out, f"法人机构：{len(institutions)} 家")

        orgs = self.organisations(institutions, info, branch_cities, plans)
        by_name = {org.name: org for org in orgs}
        branches = [org for org in orgs if org.kind == OrgKind.BANK_BRANCH]
        write(out, f"机构：{len(orgs)} 个")

        parks = _parks_create(plans, [by_name[plan.operator_name] for plan in plans])
        write(out, f"园区：{len(parks)} 个")

        enterprises, tenancies = tenants_make(self.rng("enterprises"), parks, plans, self.city_by_code)
        bulk_insert(Enterprise, enterprises, "uscc")
        # bulk_create fills each tenancy's enterprise_id from its (now saved) enterprise.
        Tenancy.objects.bulk_create(tenancies, batch_size=BATCH_SIZE)
        write(out, f"企业：{len(enterprises)} 家，入园记录：{len(tenancies)} 条")

        hangzhou = self.city_by_code[HANGZHOU_CODE]
        icbc_hz = by_name[branch_name(BankInfo("工商银行", InstitutionType.LARGE), hangzhou, False)]
        links = links_make(self.rng("links"), parks, plans, branches, info, demo, icbc_hz)
        links.append(proposed_link(parks, plans, links, branches, info, demo))
        PartnerLink.objects.bulk_create(links, batch_size=BATCH_SIZE)
        write(out, f"伙伴银行关系：{len(links)} 条")

        self.orgs = self.login_orgs(by_name, demo, icbc_hz)
        logins = self.users()
        return {
            "scale": self.scale,
            "seed": self.seed,
            **_organisations_summary(institutions, orgs),
            **self.parks_summary(plans),
            **_tenants_summary(enterprises, tenancies, links),
            "demo_park": {"code": demo.code, "name": demo.name},
            "logins": logins,
        }

    def parks_summary(self, plans: list[ParkPlan]) -> dict[str, Any]:
        first = [p for p in plans if p.batch == Batch.FIRST]
        later = [p for p in plans if p.batch != Batch.FIRST]
        return {
            "parks": len(plans),
            "parks_first_batch": len(first),
            "parks_first_batch_ningbo": sum(p.city_code == NINGBO_CODE for p in first),
            "parks_later_batches": len(later),
            "parks_later_batches_ningbo": sum(p.city_code == NINGBO_CODE for p in later),
            "parks_by_city": {
                city.name: sum(p.city_code == city.code for p in plans) for city in self.zj.cities
            },
            "parks_by_star": {
                StarRating(star).label: sum(p.star_rating == star for p in plans) for star in sorted(StarRating.values, reverse=True)
            },
            "digital_demo": sum(p.digital_status == DigitalStatus.DEMO for p in plans),
            "digital_pilot": sum(p.digital_status == DigitalStatus.PILOT for p in plans),
            "digital_pilot_ningbo": sum(p.digital_status == DigitalStatus.PILOT and p.city_code == NINGBO_CODE for p in plans),
        }


def _login_create(username: str, display_name: str, org: Organisation | None) -> User:
    user = User(username=username, first_name=display_name, organisation=org)
    if org is None:
        user.is_superuser = user.is_staff = True
    else:
        user.role = ROLE_FOR_KIND[OrgKind(org.kind)]
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _parks_create(plans: list[ParkPlan], operators: list[Organisation]) -> list[Park]:
    return bulk_insert(Park, [
        Park(
            code=p.code, name=p.name, county=p.county, operator=op, manager=p.manager, batch=p.batch,
            star_rating=p.star_rating, digital_status=p.digital_status, park_type=p.park_type,
            area_mu=p.area_mu, status=p.status,
        )
        for p, op in zip(plans, operators)
    ], "code")


def _organisations_summary(institutions: list[Institution], orgs: list[Organisation]) -> dict[str, Any]:
    kinds = Counter(org.kind for org in orgs)
    return {
        "institutions": len(institutions),
        "institutions_by_type": dict(Counter(inst.type for inst in institutions)),
        "organisations": len(orgs),
        "organisations_by_kind": {kind.value: kinds.get(kind.value, 0) for kind in OrgKind},
    }


def _tenants_summary(enterprises: list[Enterprise], tenancies: list[Tenancy], links: list[PartnerLink]) -> dict[str, Any]:
    return {
        "enterprises": len(enterprises),
        "individuals": sum(e.entity_type == EntityType.INDIVIDUAL for e in enterprises),
        "tenancies": len(tenancies),
        "tenancies_left": sum(t.left_on is not None for t in tenancies),
        "partner_links": len(links),
        "lead_links": sum(link.role == PartnerRole.LEAD for link in links),
    }


def registers_build(*, scale: float, seed: int, stdout: IO[str] | None) -> dict[str, Any]:
    """Write the registers (institutions, organisations, parks, enterprises, tenancies, partner
    links, demo logins) into an empty database; returns the counts and the demo logins."""
    return _Builder(scale=scale, seed=seed, stdout=stdout).build()

