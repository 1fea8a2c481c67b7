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


class AuditAction(models.TextChoices):
    """What an audit event records (``portal.AuditEvent``)."""

    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    LOCKED_OUT = "locked_out", "账号锁定"
    CREATE = "create", "新增登记"
    CHANGE = "change", "修改登记"
    DELETE = "delete", "删除登记"
    SUBMIT = "submit", "提交报表"
    CONFIRM = "confirm", "主办行确认转报"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回"
    AMEND = "amend", "发起修订"
    REOPEN = "reopen", "重新打开报表"
    PERIOD_OPEN = "period_open", "开设报送期"
    PERIOD_CHANGE = "period_change", "修改报送期"
    TARGET_CHANGE = "target_change", "修改目标"
    TARGET_SET_CHANGE = "target_set_change", "修改目标组"
    THRESHOLD_CHANGE = "threshold_change", "修改质量校验阈值"
