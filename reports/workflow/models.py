from __future__ import annotations

from django.conf import settings
from django.db import models

from reports.filings.choices import FilingStatus
from reports.filings.models import Filing


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
