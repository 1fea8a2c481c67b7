from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from banks.choices import InstitutionType


class Institution(models.Model):
    """A legal entity (bank or insurer). Its city-level management branches are
    ``portal.Organisation`` rows of kind ``bank_branch`` (``institution.branches``)."""

    name = models.CharField("机构全称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, unique=True)
    type = models.CharField("机构类型", max_length=20, choices=InstitutionType.choices, db_index=True)
    is_active = models.BooleanField("有效", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "法人机构"
        verbose_name_plural = "法人机构"
        ordering = ["type", "name"]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("banks:institution_detail", args=[self.pk])

    @property
    def is_insurer(self) -> bool:
        return self.type == InstitutionType.INSURER
