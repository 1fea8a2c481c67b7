import datetime as dt

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from parks.choices import Batch, DigitalStatus, EntityType, Industry, LinkStatus, ParkStatus, ParkType, PartnerRole, StarRating
from portal.uscc import validate_uscc


class Park(models.Model):
    """A small-business park of the economy bureaus' list (名单以经信部门提供为准)."""

    code = models.CharField("园区编码", max_length=20, unique=True, error_messages={"unique": "园区编码已存在。"})
    name = models.CharField("园区名称", max_length=100)
    county = models.ForeignKey(
        "portal.Region", verbose_name="所在县（市、区）", on_delete=models.PROTECT, related_name="parks"
    )
    operator = models.ForeignKey(
        "portal.Organisation",
        verbose_name="运营方",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operated_parks",
        limit_choices_to={"kind": "park_operator"},
    )
    manager = models.CharField("管理方", max_length=100, blank=True)
    batch = models.PositiveSmallIntegerField("批次", choices=Batch.choices)
    star_rating = models.PositiveSmallIntegerField("星级", choices=StarRating.choices, default=StarRating.UNRATED)
    digital_status = models.CharField("数字化园区", max_length=10, choices=DigitalStatus.choices, default=DigitalStatus.NONE)
    park_type = models.CharField("园区类型", max_length=20, choices=ParkType.choices)
    area_mu = models.DecimalField("占地面积（亩）", max_digits=10, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(0, message="占地面积不能为负数。")])
    status = models.CharField("状态", max_length=10, choices=ParkStatus.choices, default=ParkStatus.ACTIVE, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "小微企业园"
        verbose_name_plural = "小微企业园"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(star_rating__lte=5), name="park_star_rating_range"),
            models.CheckConstraint(condition=Q(area_mu__isnull=True) | Q(area_mu__gte=0), name="park_area_not_negative",
                                   violation_error_message="占地面积不能为负数。"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("parks:park_detail", args=[self.pk])


class Enterprise(models.Model):
    """An enterprise keyed by its 统一社会信用代码; it may be tenant of several parks over time."""

    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        error_messages={"unique": "该统一社会信用代码的企业已存在。"},
    )
    name = models.CharField("企业名称", max_length=100)
    entity_type = models.CharField("主体类型", max_length=20, choices=EntityType.choices, default=EntityType.ENTERPRISE)
    industry = models.CharField("所属行业", max_length=1, choices=Industry.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("parks:enterprise_detail", args=[self.pk])


class TenancyQuerySet(models.QuerySet):
    def in_force(self, *, on: dt.date) -> "TenancyQuerySet":
        """Stays in force on ``on`` (entered by then, not left before): THE definition of a park's
        tenants at a date (T2's 入园企业数, roll-ups, dashboards, access, the ledger checks)."""
        return self.filter(entered_on__lte=on).exclude(left_on__lt=on)

    def overlapping(self, *, start: dt.date, end: dt.date | None) -> "TenancyQuerySet":
        """Stays that share at least one day with [start, end] (``end`` None: open-ended)."""
        qs = self.exclude(left_on__lt=start)
        return qs if end is None else qs.filter(entered_on__lte=end)

    def annotate_in_force(self, *, on: dt.date) -> "TenancyQuerySet":
        """Each stay with ``in_force`` (bool): whether it is in force on ``on``."""
        return self.annotate(in_force=models.Exists(Tenancy.objects.in_force(on=on).filter(pk=models.OuterRef("pk"))))


class Tenancy(models.Model):
    """An enterprise's stay in a park (入园 / 退园), kept by the park's operator."""

    park = models.ForeignKey(Park, verbose_name="园区", on_delete=models.CASCADE, related_name="tenancies")
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="tenancies")
    entered_on = models.DateField("入园日期")
    left_on = models.DateField("退园日期", null=True, blank=True)
    history = HistoricalRecords()

    objects = TenancyQuerySet.as_manager()

    class Meta:
        verbose_name = "入园记录"
        verbose_name_plural = "入园记录"
        ordering = ["park", "-entered_on"]
        indexes = [models.Index(fields=["park", "left_on"]), models.Index(fields=["enterprise", "park"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("entered_on")),
                name="tenancy_leaves_after_entering",
                violation_error_message="退园日期不能早于入园日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.park}"

    def get_absolute_url(self) -> str:
        return reverse("parks:tenancy_detail", args=[self.pk])


class PartnerLinkQuerySet(models.QuerySet):
    def in_force(self, *, on: dt.date) -> "PartnerLinkQuerySet":
        """Confirmed links whose [since, until] interval holds ``on`` (both ends included): THE
        definition of "partner link in force" — access, 转报, T2, roll-ups, completeness, targets."""
        return self.filter(status=LinkStatus.CONFIRMED, since__lte=on).exclude(until__lt=on)

    def annotate_in_force(self, *, on: dt.date) -> "PartnerLinkQuerySet":
        """Each link with ``in_force`` (bool): whether it is in force on ``on``."""
        return self.annotate(in_force=models.Exists(PartnerLink.objects.in_force(on=on).filter(pk=models.OuterRef("pk"))))

    def lead_branch_id(self, *, park_id: int, on: dt.date) -> int | None:
        """The park's lead bank (主办行) in force on ``on``; the database allows one at a time."""
        return (self.in_force(on=on).filter(park_id=park_id, role=PartnerRole.LEAD)
                .order_by("since", "pk").values_list("branch_id", flat=True).first())


class PartnerLink(models.Model):
    """A bank city branch's partnership with a park (主办行 / 伙伴银行): proposed by the bank,
    confirmed by the park's operator (or the city's branch regulator). Only a confirmed link counts."""

    park = models.ForeignKey(Park, verbose_name="园区", on_delete=models.PROTECT, related_name="partner_links")
    branch = models.ForeignKey(
        "portal.Organisation",
        verbose_name="银行地市一级管理机构",
        on_delete=models.PROTECT,
        related_name="partner_links",
        limit_choices_to={"kind": "bank_branch"},
    )
    role = models.CharField("合作角色", max_length=10, choices=PartnerRole.choices, default=PartnerRole.PARTNER)
    sub_branch = models.CharField("对接支行", max_length=100)
    since = models.DateField("建立伙伴关系日期")
    until = models.DateField("终止日期", null=True, blank=True)
    status = models.CharField("确认状态", max_length=10, choices=LinkStatus.choices, default=LinkStatus.PROPOSED, db_index=True)
    proposed_by = models.ForeignKey("portal.User", verbose_name="申报人", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField("申报时间", null=True, blank=True)
    decided_by = models.ForeignKey("portal.User", verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.CharField("确认意见", max_length=200, blank=True)
    history = HistoricalRecords()

    objects = PartnerLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "伙伴银行关系"
        verbose_name_plural = "伙伴银行关系"
        ordering = ["park", "role", "branch"]
        indexes = [models.Index(fields=["branch", "until"]), models.Index(fields=["park", "until"])]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "branch"],
                condition=Q(until__isnull=True) & ~Q(status=LinkStatus.REJECTED),
                name="one_open_link_per_park_branch",
                violation_error_message="该机构与该园区已有有效的伙伴关系。",
            ),
            # One lead bank per park at a time. Portable part: one open-ended confirmed lead; on
            # PostgreSQL migration 0005 adds an exclusion constraint on overlapping intervals too.
            models.UniqueConstraint(
                fields=["park"],
                condition=Q(until__isnull=True, role=PartnerRole.LEAD, status=LinkStatus.CONFIRMED),
                name="one_open_lead_per_park",
                violation_error_message="该园区已有主办行，同一时间只能有一家主办行。",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="partner_link_ends_after_start",
                violation_error_message="终止日期不能早于建立日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} — {self.park}（{self.get_role_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("parks:partnerlink_detail", args=[self.pk])

    @property
    def is_confirmed(self) -> bool:
        return self.status == LinkStatus.CONFIRMED


class BrainReading(models.Model):
    """One month of "园区大脑" readings for one enterprise of a park (用电、用水、用气、设备运行时长),
    pushed in bulk by the park's system over the REST API and shown beside the ledger."""

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="brain_readings")
    park = models.ForeignKey(Park, verbose_name="园区", on_delete=models.CASCADE, related_name="brain_readings")
    month = models.DateField("月份", help_text="该月第一天")
    electricity_kwh = models.DecimalField("用电量（千瓦时）", max_digits=16, decimal_places=2, null=True, blank=True)
    water_t = models.DecimalField("用水量（吨）", max_digits=16, decimal_places=2, null=True, blank=True)
    gas_m3 = models.DecimalField("用气量（立方米）", max_digits=16, decimal_places=2, null=True, blank=True)
    equipment_hours = models.DecimalField("设备运行时长（小时）", max_digits=16, decimal_places=2, null=True, blank=True)
    pushed_by = models.ForeignKey(
        "portal.User", verbose_name="推送人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pushed_at = models.DateTimeField("推送时间")

    class Meta:
        verbose_name = "园区大脑读数"
        verbose_name_plural = "园区大脑读数"
        ordering = ["-month", "enterprise"]
        indexes = [models.Index(fields=["park", "month"])]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="one_brain_reading_per_enterprise_month"),
            *[
                models.CheckConstraint(condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}), name=f"brain_reading_{f}_not_negative")
                for f in ("electricity_kwh", "water_t", "gas_m3", "equipment_hours")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.month:%Y-%m}"
