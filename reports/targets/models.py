from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from reports.filings.models import Period
from reports.targets.choices import Earlier
from reports.targets.indicators import INDICATORS


def indicator_choices() -> list[tuple[str, str]]:
    """The indicators the target engine can compute (``indicators.INDICATORS``)."""
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
    history = HistoricalRecords(verbose_name="目标组变更历史")

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
    history = HistoricalRecords(verbose_name="目标变更历史")

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
    ``targets.engine.target_results_rebuild`` after each roll-up. Values are in the target's unit."""

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
