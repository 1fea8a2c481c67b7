from django.db import models


class Earlier(models.TextChoices):
    """The earlier period a target's threshold (or a like-for-like change) compares with."""

    PREVIOUS_QUARTER = "previous_quarter", "上季末"
    PREVIOUS_YEAR_END = "previous_year_end", "上年末"
    SAME_QUARTER_LAST_YEAR = "same_quarter_last_year", "上年同期"
