"""Enumerations shared by every app (NetBox style: one place for choices)."""
from django.db import models

ZHEJIANG_CODE = "330000"
NINGBO_CODE = "330200"


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "地市"
    COUNTY = "county", "县（市、区）"


class OrgKind(models.TextChoices):
    PROVINCE_REGULATOR = "province_regulator", "省级监管局"
    BRANCH_REGULATOR = "branch_regulator", "银保监分局"
    ECONOMY_BUREAU = "economy_bureau", "经信部门"
    BANK_BRANCH = "bank_branch", "银行保险机构地市一级管理机构"
    PARK_OPERATOR = "park_operator", "园区运营方/管理方"


class Role(models.TextChoices):
    PROVINCE_REGULATOR = "province_regulator", "省局监管员"
    BRANCH_REGULATOR = "branch_regulator", "分局监管员"
    ECONOMY_BUREAU = "economy_bureau", "经信部门用户"
    BANK_FILER = "bank_filer", "银行保险机构填报员"
    PARK_OPERATOR = "park_operator", "园区填报员"


# The one role each organisation kind's users hold.
ROLE_FOR_KIND = {
    OrgKind.PROVINCE_REGULATOR: Role.PROVINCE_REGULATOR,
    OrgKind.BRANCH_REGULATOR: Role.BRANCH_REGULATOR,
    OrgKind.ECONOMY_BUREAU: Role.ECONOMY_BUREAU,
    OrgKind.BANK_BRANCH: Role.BANK_FILER,
    OrgKind.PARK_OPERATOR: Role.PARK_OPERATOR,
}
