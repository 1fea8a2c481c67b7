from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal import access
from reports.filings.choices import FilingStatus, ScheduleCode
from reports.schedules import T1, T4, T5
from reports.schedules.base import AMOUNT, BOOL, COUNT, RATE
from reports.schedules.t2 import FIGURES, HIDDEN_SUMS
from reports.schedules.t4 import NARRATIVE


class Period(models.Model):
    """A calendar quarter. ``2018Q4`` is the 2018 year-end baseline (附表4 only)."""

    code = models.CharField("报送期", max_length=7, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    start = models.DateField("开始日期")
    end = models.DateField("季末日期")
    filer_due = models.DateField("填报截止日期", help_text="园区、银行保险机构：默认季后15日")
    branch_due = models.DateField("分局报送截止日期", help_text="附表3及辖内附表4：默认季后20日")
    lock_date = models.DateField("锁定日期", help_text="此后仅监管部门可重新打开报表")
    is_baseline = models.BooleanField("年末基数期", default=False, help_text="2018年末基数，仅用于附表4")

    class Meta:
        verbose_name = "报送期"
        verbose_name_plural = "报送期"
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["year", "quarter"], name="one_period_per_quarter")]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("reports:period_settings", args=[self.pk])

    @property
    def previous_year_end_code(self) -> str:
        """The period ``比年初`` compares with: the previous year's Q4."""
        return f"{self.year - 1}Q4"

    def is_locked(self, on: dt.date) -> bool:
        return on > self.lock_date


class Filing(models.Model):
    """One schedule for one subject and period; ``version`` counts amendments."""

    schedule = models.CharField("报表", max_length=2, choices=ScheduleCode.choices, db_index=True)
    period = models.ForeignKey(Period, verbose_name="报送期", on_delete=models.PROTECT, related_name="filings")
    park = models.ForeignKey("parks.Park", verbose_name="园区", null=True, blank=True, on_delete=models.PROTECT, related_name="filings")
    branch = models.ForeignKey("portal.Organisation", verbose_name="填报机构", null=True, blank=True, on_delete=models.PROTECT, related_name="filings")
    city = models.ForeignKey("portal.Region", verbose_name="地市", null=True, blank=True, on_delete=models.PROTECT, related_name="filings")
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_current = models.BooleanField("当前版本", default=True)
    amends = models.ForeignKey("self", verbose_name="修订自", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments")
    status = models.CharField("状态", max_length=10, choices=FilingStatus.choices, default=FilingStatus.DRAFT, db_index=True)
    lock_version = models.PositiveIntegerField("修改序号", default=0, help_text="乐观锁：每次保存加1")
    explanation = models.TextField("提示说明", blank=True, help_text="对校验提示（警告）的书面说明")
    row_count = models.PositiveIntegerField("行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    issues = models.JSONField("校验结果", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核通过时间", null=True, blank=True)
    days_late = models.PositiveIntegerField("逾期天数", default=0)
    reopened = models.BooleanField("已重新打开", default=False, help_text="锁定后由监管部门重新打开，填报人可再修改")
    snapshot = models.JSONField("汇总快照", default=dict, blank=True, encoder=DjangoJSONEncoder,
                                help_text="附表3：生成时的地市汇总（含辖内附表4合计）")

    class Meta:
        verbose_name = "报表"
        verbose_name_plural = "报表"
        ordering = ["-period__year", "-period__quarter", "schedule", "id"]
        indexes = [models.Index(fields=["period", "schedule", "is_current"])]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "period", "park", "version"], condition=Q(park__isnull=False), name="one_park_filing_version"),
            models.UniqueConstraint(fields=["schedule", "period", "branch", "version"], condition=Q(branch__isnull=False), name="one_branch_filing_version"),
            models.UniqueConstraint(fields=["schedule", "period", "city", "version"], condition=Q(city__isnull=False), name="one_city_filing_version"),
            models.UniqueConstraint(fields=["schedule", "period", "park"], condition=Q(park__isnull=False, is_current=True), name="one_current_park_filing"),
            models.UniqueConstraint(fields=["schedule", "period", "branch"], condition=Q(branch__isnull=False, is_current=True), name="one_current_branch_filing"),
            models.CheckConstraint(
                condition=(Q(park__isnull=False, branch__isnull=True, city__isnull=True)
                           | Q(park__isnull=True, branch__isnull=False, city__isnull=True)
                           | Q(park__isnull=True, branch__isnull=True, city__isnull=False)),
                name="filing_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_schedule_display()} · {self.subject} · {self.period.code}" + (f" · 第{self.version}版" if self.version > 1 else "")

    def get_absolute_url(self) -> str:
        return reverse("reports:filing_detail", args=[self.pk])

    @property
    def subject(self):
        return self.park or self.branch or self.city

    @property
    def is_editable(self) -> bool:
        return self.status in (FilingStatus.DRAFT, FilingStatus.RETURNED)

    def locked_for(self, user, on: dt.date | None = None) -> bool:
        """THE lock rule: after its period's lock date a filing is
        closed to its filers until a regulator reopens it; regulators are never locked out. Editing
        (``reports.filings.services``), the workflow steps (``reports.workflow``) and the pages all ask here."""
        return self.period.is_locked(on or timezone.localdate()) and not self.reopened and not access.is_regulator(user)


def _value_field(kind: str) -> models.Field:
    if kind == COUNT:
        return models.PositiveIntegerField(default=0)
    if kind == AMOUNT:
        return models.DecimalField(max_digits=18, decimal_places=2, default=0)
    if kind == RATE:
        return models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    if kind == BOOL:
        return models.BooleanField(null=True, blank=True)
    return models.CharField(max_length=100, blank=True, default="")


class HashedRow(models.Model):
    """A row of a multi-row schedule with the digest of what the bulk path wrote (``bulk.row_hash``),
    so a full replace leaves a row it would write identically untouched. A row saved one by one
    (the web grid) drops its digest: unknown until the bulk path writes it again."""

    row_hash = models.BigIntegerField("内容摘要", null=True, blank=True, editable=False,
                                      help_text="批量写入时的行内容摘要（reports.filings.bulk.row_hash）；逐行保存时清空")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.row_hash = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "row_hash"}
        super().save(*args, **kwargs)


class T1Row(HashedRow):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="t1_rows")
    row_no = models.PositiveIntegerField("行号")
    size_computed = models.CharField("企业规模（测算）", max_length=10, blank=True, default="")
    credit_tier = models.CharField("授信规模", max_length=10, blank=True, default="", db_index=True)
    inclusive = models.BooleanField("是否普惠型", default=False)
    multi_bank = models.BooleanField("是否垒小户", default=False, help_text="服务银行超过3家（个体工商户超过2家），见 schedules.t1.multi_bank")
    category = models.CharField("分类建档类别", max_length=1, blank=True, default="", db_index=True)

    class Meta:
        verbose_name = "附表1行"
        verbose_name_plural = "附表1行"
        ordering = ["filing", "row_no"]
        constraints = [models.UniqueConstraint(fields=["filing", "uscc"], name="t1_uscc_unique_in_filing")]


class T2Summary(models.Model):
    """附表2 of one park and period, computed from its T1 filing on every save."""

    filing = models.OneToOneField(Filing, on_delete=models.CASCADE, related_name="t2")
    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="t2_summaries")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="t2_summaries")
    county = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+")
    star_rating = models.PositiveSmallIntegerField("星级")
    batch = models.PositiveSmallIntegerField("批次")
    digital_status = models.CharField("数字化园区", max_length=10)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "附表2"
        verbose_name_plural = "附表2"


class T4Record(models.Model):
    filing = models.OneToOneField(Filing, on_delete=models.CASCADE, related_name="t4")

    class Meta:
        verbose_name = "附表4"
        verbose_name_plural = "附表4"


class T5Row(HashedRow):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="t5_rows")
    row_no = models.PositiveIntegerField("行号")

    class Meta:
        verbose_name = "附表5行"
        verbose_name_plural = "附表5行"
        ordering = ["filing", "row_no"]
        constraints = [models.UniqueConstraint(fields=["filing", "park_code"], name="t5_park_unique_in_filing")]


for _col in T1.columns:
    T1Row.add_to_class(_col.key, _col.model_field())
for _col in T4.columns + NARRATIVE:
    T4Record.add_to_class(_col.key, _col.model_field())
for _col in T5.columns:
    T5Row.add_to_class(_col.key, _col.model_field())
for _c in FIGURES:
    _f = _value_field(_c.kind)
    _f.verbose_name = _c.label
    T2Summary.add_to_class(_c.key, _f)
for _key in HIDDEN_SUMS:
    T2Summary.add_to_class(_key, models.DecimalField(max_digits=24, decimal_places=6, default=0))

ROW_MODELS = {ScheduleCode.T1: T1Row, ScheduleCode.T5: T5Row}


class QualityThreshold(models.Model):
    """One threshold of the quality edits against history (``reports.filings.quality``): data the
    province edits on its settings page, every change kept with who and why."""

    key = models.CharField("代码", max_length=40, unique=True)
    label = models.CharField("名称", max_length=100)
    value = models.DecimalField("阈值", max_digits=12, decimal_places=4)
    unit = models.CharField("单位", max_length=20, blank=True)
    help = models.CharField("说明", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords(verbose_name="质量校验阈值变更历史")

    class Meta:
        verbose_name = "质量校验阈值"
        verbose_name_plural = "质量校验阈值"
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("reports:quality_threshold_settings", args=[self.pk])


class ImportJob(models.Model):
    """One xlsx upload into a filing. Small files are processed at once; large ones (over
    ``IMPORT_ASYNC_ROWS`` rows) by a Celery task that reports its progress here."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已导入"
        FAILED = "failed", "未导入（有错误）"

    filing = models.ForeignKey(Filing, verbose_name="报表", on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    original_name = models.CharField("文件名", max_length=200)
    upload = models.FileField("上传文件", upload_to="imports/%Y/%m/", blank=True)
    expected_lock_version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    result = models.JSONField("结果", default=dict, blank=True)
    annotated = models.FileField("错误标注文件", upload_to="imports/%Y/%m/", blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("reports:import_job", args=[self.pk])


class ExportJob(models.Model):
    """An xlsx export of a large 附表1 / 附表5 (over ``EXPORT_ASYNC_ROWS`` rows), written by a Celery
    task that reports its progress here; the file is kept ``EXPORT_KEEP_DAYS`` days for download."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "生成失败"

    filing = models.ForeignKey(Filing, verbose_name="报表", on_delete=models.CASCADE, related_name="export_jobs")
    lock_version = models.PositiveIntegerField("报表修改序号", help_text="导出所依据的报表版本；报表此后修改过则需重新生成")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    file = models.FileField("导出文件", upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"导出任务 #{self.pk}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("reports:export_job", args=[self.pk])
