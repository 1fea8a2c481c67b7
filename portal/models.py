from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from portal.choices import NINGBO_CODE, ROLE_FOR_KIND, AuditAction, OrgKind, RegionLevel, Role


class Region(models.Model):
    """An administrative division (GB/T 2260): province, prefecture-level city or county."""

    code = models.CharField("行政区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    province_code = models.CharField("省级代码", max_length=6, db_index=True)
    city_code = models.CharField("地市代码", max_length=6, blank=True, db_index=True)
    separately_planned = models.BooleanField("计划单列市", default=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:region_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        if self.level == RegionLevel.COUNTY and self.parent_id:
            return f"{self.parent.name}{self.name}"
        return self.name

    @property
    def is_ningbo(self) -> bool:
        return self.city_code == NINGBO_CODE


class Organisation(models.Model):
    """Every user belongs to one organisation; its kind, region and links decide what it sees."""

    name = models.CharField("机构名称", max_length=100, unique=True)
    kind = models.CharField("机构类别", max_length=30, choices=OrgKind.choices, db_index=True)
    region = models.ForeignKey(Region, verbose_name="所在地区", on_delete=models.PROTECT, related_name="organisations")
    institution = models.ForeignKey(
        "banks.Institution",
        verbose_name="所属法人机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
        help_text="仅银行保险机构地市一级管理机构填写",
    )
    separately_planned = models.BooleanField("计划单列", default=False, help_text="宁波银保监局等计划单列市监管机构")
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("有效", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["kind", "region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "region"],
                condition=models.Q(kind="bank_branch"),
                name="one_branch_per_institution_city",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:organisation_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.kind == OrgKind.BANK_BRANCH:
            if not self.institution_id:
                errors["institution"] = "银行保险机构地市一级管理机构必须选择所属法人机构。"
            if self.region_id and self.region.level != RegionLevel.CITY:
                errors["region"] = "地市一级管理机构的所在地区必须是地市。"
        elif self.institution_id:
            errors["institution"] = "只有银行保险机构地市一级管理机构可以填写所属法人机构。"
        if self.kind == OrgKind.BRANCH_REGULATOR and self.region_id and self.region.level != RegionLevel.CITY:
            errors["region"] = "银保监分局的所在地区必须是地市。"
        if self.kind == OrgKind.PROVINCE_REGULATOR and self.region_id and self.region.level != RegionLevel.PROVINCE:
            errors["region"] = "省级监管局的所在地区必须是省。"
        if errors:
            raise ValidationError(errors)


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices, blank=True)
    phone = models.CharField("手机号码", max_length=30, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def clean(self) -> None:
        super().clean()
        if self.organisation_id and self.role and ROLE_FOR_KIND.get(self.organisation.kind) != self.role:
            raise ValidationError({"role": "角色与所属机构的类别不符。"})

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Notification(models.Model):
    """An in-app message (reminders, returns, approvals); the header shows the unread count."""

    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


# --- REST API --------------------------------------------------------------------------

class ApiTokenInfo(models.Model):
    """The name of a django-rest-knox API token (only the token's hash is stored, by knox): one token
    per client system (e.g. "园区大脑"), created and revoked by its user on the profile page, acting
    as that user. Deleted with its token (revoked, or expired and dropped by knox).

    ``credentials_hash`` binds the token to its user's credentials as they were when it was made
    (the user's ``get_session_auth_hash()``, as Django binds a session): once the password changes,
    by whatever path, the token is refused and dropped (``portal.api.auth``). A ``read_only`` token
    may only read (GET / HEAD / OPTIONS)."""

    token = models.OneToOneField("knox.AuthToken", verbose_name="令牌", primary_key=True, on_delete=models.CASCADE,
                                 related_name="info")
    name = models.CharField("令牌名称", max_length=50, help_text="用途或客户端名称，如“园区大脑”")
    read_only = models.BooleanField("只读", default=False, help_text="只读令牌只能查询，不能提交、修改或推送数据")
    credentials_hash = models.CharField("账号凭据摘要", max_length=128, blank=True, editable=False,
                                        help_text="创建时用户密码的 HMAC 摘要：密码修改后令牌失效")

    class Meta:
        verbose_name = "API令牌名称"
        verbose_name_plural = "API令牌名称"

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key`` header: a repeated request with
    the same key (same user, method, path and body) gets this answer again without acting twice."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    key = models.CharField("幂等键", max_length=255)
    method = models.CharField("请求方法", max_length=10)
    path = models.CharField("请求路径", max_length=500)
    request_hash = models.CharField("请求摘要", max_length=64)
    response_status = models.PositiveSmallIntegerField("响应状态码", null=True, blank=True, help_text="空：首次请求仍在处理")
    response_body = models.JSONField("响应内容", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class AuditEvent(models.Model):
    """One thing a user did — a workflow step, a registry change, a settings change, a login — with
    who, from which organisation and address, when and why. Written by ``portal.audit.audit_record``;
    portal imports no domain app, so the object is kept as its model label, id and a text label."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人账号", max_length=150, blank=True, help_text="登录失败时为尝试的用户名")
    organisation = models.ForeignKey(Organisation, verbose_name="操作机构", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, help_text="模型标签，如 reports.filing、parks.park")
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_label = models.CharField("对象", max_length=300, blank=True)
    object_url = models.CharField("对象链接", max_length=300, blank=True)
    reason = models.TextField("原因 / 意见", blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True, help_text="字段：[原值, 新值]")

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_label}"
