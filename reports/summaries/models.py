from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from reports.filings.models import Period


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
    # What a later level sums instead of reading ledger rows again: a city's raw sums (by county,
    # star level, batch; its comparable panels), its parks' partner-check items and its 附表1 versions.
    parts = models.JSONField("汇总分项", default=dict, blank=True)

    class Meta:
        verbose_name = "汇总"
        verbose_name_plural = "汇总"
        constraints = [models.UniqueConstraint(fields=["scope", "code", "period"], name="one_summary_per_scope_period")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.code} {self.period.code}"

    @property
    def is_stale(self) -> bool:
        return self.queued or (self.requested_at is not None and (self.built_at is None or self.requested_at > self.built_at))


class ParkSummary(models.Model):
    """One park's part of the roll-ups of one period: the figures of its latest approved 附表1 (the
    additive sums of its rows, unrounded), its tenants and partner banks at period end, and its
    figures at the earlier periods the comparable panels refer to. A city summary sums these rows;
    an approval or a register change marks the park ``dirty`` and only that park is read again."""

    park = models.ForeignKey("parks.Park", verbose_name="园区", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, verbose_name="报送期", on_delete=models.CASCADE, related_name="+")
    data = models.JSONField("园区分项", default=dict, blank=True, encoder=DjangoJSONEncoder)
    dirty = models.BooleanField("待更新", default=True)
    built_at = models.DateTimeField("更新于", null=True, blank=True)

    class Meta:
        verbose_name = "园区汇总分项"
        verbose_name_plural = "园区汇总分项"
        constraints = [models.UniqueConstraint(fields=["park", "period"], name="one_park_summary_per_period")]

    def __str__(self) -> str:
        return f"{self.park_id} {self.period_id}"
