"""The monitoring stage's stored tables: the park ↔ bank reconciliation of 附表1 against 附表5
(``ReconciliationItem`` with its ``ReconciliationComment``) and the operating-risk signals read
from 园区大脑 readings (``RiskSignal``). Both are rebuilt idempotently (recomputed, never
incremented): a difference or signal that no longer holds is kept with ``is_open`` /
``is_active`` off, so its comments and acknowledgement survive; nothing in a filing is changed."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Figure(models.TextChoices):
    COUNT = "count", "授信户数"
    CREDIT = "credit", "授信金额（万元）"
    BALANCE = "balance", "贷款余额（万元）"


class ReconciliationItem(models.Model):
    """One figure of one bank in one park and period where the bank's 附表5 row for the park lies
    outside what the park's 附表1 can attribute to it, beyond the tolerance. The 附表1 names one
    主要授信银行 per enterprise: the enterprises naming this bank are the least it lends to
    (``park_value``); those with several lending banks whose main bank is another may be its
    customers too, so the most is ``park_value_max``."""

    period = models.ForeignKey("reports.Period", verbose_name="报送期", on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey("parks.Park", verbose_name="园区", on_delete=models.CASCADE, related_name="reconciliation_items")
    branch = models.ForeignKey("portal.Organisation", verbose_name="银行", on_delete=models.CASCADE, related_name="reconciliation_items")
    figure = models.CharField("项目", max_length=10, choices=Figure.choices)
    park_value = models.DecimalField("园区填报（附表1，以其为主要授信银行）", max_digits=18, decimal_places=2)
    park_value_max = models.DecimalField("园区填报上限（另含多家授信银行的企业）", max_digits=18, decimal_places=2, default=0)
    bank_value = models.DecimalField("银行填报（附表5）", max_digits=18, decimal_places=2)
    difference = models.DecimalField("差额（园区−银行，超出区间部分）", max_digits=18, decimal_places=2)
    t1_filing = models.ForeignKey("reports.Filing", verbose_name="附表1", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    t5_filing = models.ForeignKey("reports.Filing", verbose_name="附表5", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_open = models.BooleanField("差异存在", default=True, db_index=True, help_text="重算后差异已在容差内时为否（意见保留）")
    first_seen_at = models.DateTimeField("发现时间", auto_now_add=True)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "园区与银行对账差异"
        verbose_name_plural = "园区与银行对账差异"
        ordering = ["-period__year", "-period__quarter", "park__code", "branch__name", "figure"]
        constraints = [models.UniqueConstraint(fields=["period", "park", "branch", "figure"], name="one_reconciliation_item")]

    def __str__(self) -> str:
        return f"{self.period} · {self.park} · {self.branch} · {self.get_figure_display()}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:reconciliation_detail", args=[self.pk])


class ReconciliationComment(models.Model):
    item = models.ForeignKey(ReconciliationItem, verbose_name="对账差异", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填写人", null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("portal.Organisation", verbose_name="机构", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField("说明", max_length=1000)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "对账说明"
        verbose_name_plural = "对账说明"
        ordering = ["created_at", "id"]


class RiskSignal(models.Model):
    """An enterprise whose power use fell more than the threshold against the same months last year
    for two consecutive months (``month`` is the second), while it has a loan balance."""

    enterprise = models.ForeignKey("parks.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="risk_signals")
    park = models.ForeignKey("parks.Park", verbose_name="园区", on_delete=models.CASCADE, related_name="risk_signals")
    month = models.DateField("月份", help_text="连续下降的第二个月（该月第一天）")
    kwh = models.DecimalField("本月用电（千瓦时）", max_digits=16, decimal_places=2)
    kwh_last_year = models.DecimalField("上年同月用电", max_digits=16, decimal_places=2)
    drop = models.DecimalField("本月同比降幅(%)", max_digits=7, decimal_places=2)
    previous_drop = models.DecimalField("上月同比降幅(%)", max_digits=7, decimal_places=2)
    loan_balance = models.DecimalField("贷款余额（万元）", max_digits=18, decimal_places=2)
    credit_amount = models.DecimalField("授信金额（万元）", max_digits=18, decimal_places=2, default=0)
    main_bank = models.CharField("主要授信银行", max_length=100, blank=True)
    lending_bank_count = models.PositiveIntegerField("授信银行家数", default=0)
    branch = models.ForeignKey("portal.Organisation", verbose_name="主要授信银行（机构）", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="risk_signals")
    t1_filing = models.ForeignKey("reports.Filing", verbose_name="附表1", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField("信号有效", default=True, db_index=True, help_text="重算后条件不再成立时为否（确认记录保留）")
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("确认说明", max_length=1000, blank=True)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "经营风险信号"
        verbose_name_plural = "经营风险信号"
        ordering = ["-month", "park__code", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "month"], name="one_risk_signal_per_enterprise_month")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:risk_detail", args=[self.pk])
