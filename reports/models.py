"""Periods, filings (one schedule × subject × period × version) and their rows.

The row models' value columns are generated from the declarative schedule definitions in
``reports.schedules`` (``add_to_class`` below), so a column exists in exactly one place."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .choices import FilingStatus, ScheduleCode
from .schedules import T1, T4, T5
from .schedules.base import AMOUNT, BOOL, COUNT, RATE
from .schedules.t2 import FIGURES, HIDDEN_SUMS
from .schedules.t4 import NARRATIVE


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
        """THE lock rule (DESIGN.md 'The reporting cycle'): after its period's lock date a filing is
        closed to its filers until a regulator reopens it; regulators are never locked out. Editing
        (``reports.services``), the workflow steps (``reports.workflow``) and the pages all ask here."""
        from django.utils import timezone

        from portal import access

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


class T1Row(models.Model):
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


class T5Row(models.Model):
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

ROW_MODELS = {"T1": T1Row, "T5": T5Row}


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


class FilingTransition(models.Model):
    """Every workflow step of a filing: who, when, from which state to which, and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        CONFIRM = "confirm", "主办行确认转报"
        APPROVE = "approve", "审核通过"
        RETURN = "return", "退回"
        AMEND = "amend", "发起修订"
        REOPEN = "reopen", "重新打开"

    filing = models.ForeignKey(Filing, verbose_name="报表", on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=10, choices=FilingStatus.choices)
    to_status = models.CharField("新状态", max_length=10, choices=FilingStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+")
    actor_organisation = models.ForeignKey("portal.Organisation", verbose_name="操作机构", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "报表流转记录"
        verbose_name_plural = "报表流转记录"
        ordering = ["filing", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}：{self.get_from_status_display()} → {self.get_to_status_display()}"


class ReminderLog(models.Model):
    """One reminder sent for one subject's filing on one day: the guard against sending twice."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    subject_key = models.CharField(max_length=40)  # "park:12:T1", "branch:7:T4", "city:330100:overdue"
    kind = models.CharField(max_length=10)  # d5 / d2 / d0 / overdue
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "subject_key", "kind", "sent_on"], name="one_reminder_per_subject_day")]


class Summary(models.Model):
    """A roll-up built by Celery from approved filings: a city's 附表3 (+ its banks' 附表4/5 totals)
    or the province's. Dashboards read only these rows (and T2Summary), never ledger rows."""

    class Scope(models.TextChoices):
        CITY = "city", "地市"
        PROVINCE = "province", "全省"

    scope = models.CharField("范围", max_length=10, choices=Scope.choices)
    code = models.CharField("区划代码", max_length=6)
    period = models.ForeignKey(Period, verbose_name="报送期", on_delete=models.CASCADE, related_name="summaries")
    data = models.JSONField("汇总数据", default=dict, blank=True, encoder=DjangoJSONEncoder)
    source_versions = models.JSONField("来源报表版本", default=dict, blank=True, help_text="filing id → version")
    requested_at = models.DateTimeField("最近请求", null=True, blank=True)
    queued = models.BooleanField("已排队", default=False)
    # When the queued flag was set (requested_at moves with every later request): a flag older than
    # settings.ROLLUP_STUCK_MINUTES means the task was lost, and the beat job enqueues it again.
    queued_at = models.DateTimeField("排队于", null=True, blank=True)
    built_at = models.DateTimeField("数据更新于", null=True, blank=True)
    build_ms = models.PositiveIntegerField("耗时(毫秒)", default=0)
    builds = models.PositiveIntegerField("构建次数", default=0)

    class Meta:
        verbose_name = "汇总"
        verbose_name_plural = "汇总"
        constraints = [models.UniqueConstraint(fields=["scope", "code", "period"], name="one_summary_per_scope_period")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.code} {self.period.code}"

    @property
    def is_stale(self) -> bool:
        return self.queued or (self.requested_at is not None and (self.built_at is None or self.requested_at > self.built_at))


# --- targets (issue 6): target sets, targets and their stored results ---------------------------

def indicator_choices() -> list[tuple[str, str]]:
    """The indicators the target engine can compute (``reports.targets.INDICATORS``)."""
    from .targets import INDICATORS

    return [(key, ind.label) for key, ind in INDICATORS.items()]


class TargetSet(models.Model):
    """The targets of one policy document (e.g. 浙银保监发〔2020〕15号)."""

    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    source_document = models.CharField("来源文件", max_length=200, help_text="文件名称及文号")
    issuer = models.CharField("发文单位", max_length=200, blank=True)
    region_note = models.CharField("适用地区", max_length=100, blank=True)
    due_date = models.DateField("完成期限", null=True, blank=True)
    is_default = models.BooleanField("默认目标组", default=False, help_text="看板默认展示的目标组（只能有一个）")
    order = models.PositiveSmallIntegerField("排序", default=0)
    notes = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "目标组"
        verbose_name_plural = "目标组"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.source_document}）"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if self.is_default:
            TargetSet.objects.exclude(pk=self.pk).filter(is_default=True).update(is_default=False)


class Target(models.Model):
    """One indicator over one scope compared with a threshold: a number, another indicator, or the
    same indicator at an earlier period (× factor ± margin). Amounts are entered in the target's
    unit (亿元, 万户 …); the engine converts to the schedules' units (万元, 户)."""

    class ScopeKind(models.TextChoices):
        PROVINCE = "province", "全省"
        CITY = "city", "地市"
        STAR_GROUP = "star_group", "园区星级组"
        INSTITUTION_TYPE = "institution_type", "机构类型"
        INSTITUTION = "institution", "逐家机构"

    class Ningbo(models.TextChoices):
        INCL = "incl", "含宁波"
        EXCL = "excl", "不含宁波"

    class Comparator(models.TextChoices):
        GE = ">=", "≥"
        GT = ">", "＞"
        LE = "<=", "≤"
        LT = "<", "＜"

    class ThresholdKind(models.TextChoices):
        NUMBER = "number", "固定数值"
        INDICATOR = "indicator", "另一指标"
        EARLIER = "earlier_period", "本指标的较早期数值"

    class Earlier(models.TextChoices):
        PREVIOUS_QUARTER = "previous_quarter", "上季末"
        PREVIOUS_YEAR_END = "previous_year_end", "上年末"
        SAME_QUARTER_LAST_YEAR = "same_quarter_last_year", "上年同期"

    class Unit(models.TextChoices):
        PERCENT = "%", "%"
        WAN_YUAN = "万元", "万元"
        YI_YUAN = "亿元", "亿元"
        HU = "户", "户"
        WAN_HU = "万户", "万户"
        PARKS = "个", "个"

    target_set = models.ForeignKey(TargetSet, verbose_name="目标组", on_delete=models.CASCADE, related_name="targets")
    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("目标", max_length=200)
    source_clause = models.TextField("来源条款", blank=True, help_text="文件中的原文或条款位置")
    scope_kind = models.CharField("范围", max_length=20, choices=ScopeKind.choices, default=ScopeKind.PROVINCE)
    scope_value = models.CharField(
        "范围取值", max_length=100, blank=True,
        help_text="地市：地市代码（空白为每个地市）；星级组：45 / 3 / other；机构类型、逐家机构：机构类型代码，逗号分隔（空白为全部银行）")
    ningbo = models.CharField("宁波口径", max_length=4, choices=Ningbo.choices, default=Ningbo.EXCL,
                              help_text="全省、星级组、机构类型和逐家机构范围是否含宁波（计划单列市）")
    also_by_city = models.BooleanField("同时逐地市评估", default=False, help_text="除全省外，每个地市也按同一口径计算")
    indicator = models.CharField("指标", max_length=40, choices=indicator_choices, blank=True)
    comparator = models.CharField("比较", max_length=2, choices=Comparator.choices, default=Comparator.GE)
    threshold_kind = models.CharField("目标值类型", max_length=20, choices=ThresholdKind.choices, default=ThresholdKind.NUMBER)
    threshold_value = models.DecimalField("目标值", max_digits=20, decimal_places=4, null=True, blank=True,
                                          help_text="固定数值，按“单位”填写（如 3500 亿元）")
    threshold_indicator = models.CharField("对比指标", max_length=40, choices=indicator_choices, blank=True)
    earlier = models.CharField("较早期", max_length=30, choices=Earlier.choices, blank=True)
    threshold_factor = models.DecimalField("倍数", max_digits=10, decimal_places=4, default=1,
                                           help_text="对比值 × 倍数 + 增减，如 上年同期 × 1.1")
    threshold_margin = models.DecimalField("增减", max_digits=20, decimal_places=4, default=0,
                                           help_text="如 上年末 − 0.5 个百分点 填 -0.5")
    unit = models.CharField("单位", max_length=4, choices=Unit.choices, default=Unit.PERCENT)
    due_date = models.DateField("完成期限", null=True, blank=True, help_text="空白时取目标组的完成期限")
    applicable = models.BooleanField("可监测", default=True)
    not_applicable_reason = models.CharField("不适用原因", max_length=300, blank=True,
                                             help_text="报表未采集所需数据时说明原因，状态显示“不适用”")
    order = models.PositiveSmallIntegerField("排序", default=0)
    notes = models.TextField("口径说明", blank=True)

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["target_set__order", "order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def effective_due_date(self) -> dt.date | None:
        return self.due_date or self.target_set.due_date

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if not self.applicable:
            if not self.not_applicable_reason:
                errors["not_applicable_reason"] = "不适用的目标须说明原因。"
        else:
            if not self.indicator:
                errors["indicator"] = "请选择指标。"
            if self.threshold_kind == self.ThresholdKind.NUMBER and self.threshold_value is None:
                errors["threshold_value"] = "固定数值目标须填写目标值。"
            if self.threshold_kind == self.ThresholdKind.INDICATOR and not self.threshold_indicator:
                errors["threshold_indicator"] = "请选择对比指标。"
            if self.threshold_kind == self.ThresholdKind.EARLIER and not self.earlier:
                errors["earlier"] = "请选择较早期。"
            if self.scope_kind == self.ScopeKind.STAR_GROUP and self.scope_value not in ("45", "5", "4", "3", "other"):
                errors["scope_value"] = "星级组取值为 45、5、4、3 或 other。"
        if errors:
            raise ValidationError(errors)


class TargetResult(models.Model):
    """A target's result for one scope (province, a city, an institution …) at one period, stored by
    ``reports.targets.target_results_rebuild`` after each roll-up. Values are in the target's unit."""

    class Status(models.TextChoices):
        MET = "met", "达标"
        UNMET = "unmet", "未达标"
        NO_DATA = "no_data", "无数据"
        NOT_APPLICABLE = "na", "不适用"

    target = models.ForeignKey(Target, verbose_name="目标", on_delete=models.CASCADE, related_name="results")
    period = models.ForeignKey(Period, verbose_name="报送期", on_delete=models.CASCADE, related_name="target_results")
    scope_kind = models.CharField("范围类别", max_length=20, choices=Target.ScopeKind.choices)
    scope_code = models.CharField("范围代码", max_length=40, help_text="330000:incl、star:45:excl、type:rural:incl、330100、org:12")
    scope_label = models.CharField("范围", max_length=100)
    ningbo = models.CharField("宁波口径", max_length=4, blank=True, help_text="incl / excl；地市和逐家机构为空")
    is_official = models.BooleanField("目标口径", default=True, help_text="是否为目标规定的口径（另一口径仅供对照）")
    actual = models.DecimalField("实际值", max_digits=24, decimal_places=4, null=True, blank=True)
    threshold = models.DecimalField("目标值", max_digits=24, decimal_places=4, null=True, blank=True)
    basis = models.CharField("目标值来源", max_length=200, blank=True)
    gap = models.DecimalField("差距", max_digits=24, decimal_places=4, null=True, blank=True,
                              help_text="正数：超出目标的幅度；负数：尚差的幅度")
    pace = models.DecimalField("每季需改善", max_digits=24, decimal_places=4, null=True, blank=True,
                               help_text="未达标且未到期：尚差幅度 ÷ 距完成期限的季度数")
    quarters_left = models.PositiveSmallIntegerField("距期限季度数", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "目标完成情况"
        verbose_name_plural = "目标完成情况"
        ordering = ["period", "target", "scope_code"]
        constraints = [models.UniqueConstraint(fields=["target", "period", "scope_code"], name="one_result_per_target_period_scope")]
        indexes = [models.Index(fields=["period", "scope_code"]), models.Index(fields=["period", "scope_kind", "ningbo"])]

    def __str__(self) -> str:
        return f"{self.target.code} {self.scope_label} {self.period.code}：{self.get_status_display()}"
