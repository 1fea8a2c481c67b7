"""factory_boy factories for every registry model. Regions come from the real fixture."""
import datetime as dt
import itertools

import factory

from banks.choices import InstitutionType
from banks.models import Institution
from parks.choices import Batch, Industry, ParkType, PartnerRole
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from portal.choices import ROLE_FOR_KIND, OrgKind
from portal.models import Organisation, Region, User
from portal.uscc import ALPHABET, uscc_make

PASSWORD = "Test@pass2026"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


_uscc_counter = itertools.count(1)


def next_uscc(county_code: str = "330106", prefix: str = "91") -> str:
    n = next(_uscc_counter)
    body = ""
    for _ in range(9):
        n, r = divmod(n, len(ALPHABET))
        body = ALPHABET[r] + body
    return uscc_make(f"{prefix}{county_code}{body}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"测试银行{n}股份有限公司")
    short_name = factory.Sequence(lambda n: f"测试银行{n}")
    type = InstitutionType.JOINT_STOCK


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = OrgKind.PARK_OPERATOR
    region = factory.LazyFunction(lambda: region("330106"))


def province_regulator(**kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.PROVINCE_REGULATOR, region=region("330000"), **kw)


def branch_regulator(city: str = "330100", **kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.BRANCH_REGULATOR, region=region(city), **kw)


def economy_bureau(region_code: str = "330100", **kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.ECONOMY_BUREAU, region=region(region_code), **kw)


def bank_branch(city: str = "330100", institution: Institution | None = None, **kw) -> Organisation:
    return OrganisationFactory(
        kind=OrgKind.BANK_BRANCH, region=region(city), institution=institution or InstitutionFactory(), **kw
    )


def park_operator(county: str = "330106", **kw) -> Organisation:
    return OrganisationFactory(kind=OrgKind.PARK_OPERATOR, region=region(county), **kw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = factory.LazyAttribute(lambda o: ROLE_FOR_KIND[o.organisation.kind] if o.organisation else "")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试小微企业园{n}")
    county = factory.LazyFunction(lambda: region("330106"))
    operator = factory.LazyAttribute(lambda o: park_operator(o.county.code))
    batch = Batch.FIRST
    park_type = ParkType.MANUFACTURING


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(next_uscc)
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    industry = Industry.C


class TenancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenancy

    park = factory.SubFactory(ParkFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    entered_on = dt.date(2019, 1, 1)


class PartnerLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerLink

    park = factory.SubFactory(ParkFactory)
    branch = factory.LazyAttribute(lambda o: bank_branch(o.park.county.city_code))
    role = PartnerRole.PARTNER
    sub_branch = "测试支行"
    since = dt.date(2019, 7, 1)
