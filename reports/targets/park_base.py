"""The park counts the 2020 targets speak of (第一批 505 个、第二三批 272 个、数字化示范 21 个、试点 31 个),
as the register holds them today: the engine counts parks from the register, so these are the
numbers every park-level target is divided by. The figures of the policy text stay in the target
set's notes (editable, with history); this table puts the two side by side."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from parks.choices import Batch, DigitalStatus, ParkStatus
from parks.models import Park
from portal.choices import NINGBO_CODE, ZHEJIANG_CODE

# the counts the notice names (浙银保监发〔2020〕15号 and its annex), 含宁波 / 其中宁波
POLICY_COUNTS = {"first": (505, 83), "later": (272, 33), "demo": (21, None), "pilot": (31, 4)}
LABELS = {"first": "第一批园区", "later": "第二、三批园区", "demo": "数字化示范园区", "pilot": "数字化试点园区"}


def park_base_counts() -> list[dict[str, Any]]:
    """One row per group: the policy's count and the register's (operating parks, 含宁波 and 其中宁波). One query."""
    ningbo = Q(county__city_code=NINGBO_CODE)
    groups = {"first": Q(batch=Batch.FIRST), "later": Q(batch__in=(Batch.SECOND, Batch.THIRD)),
              "demo": Q(digital_status=DigitalStatus.DEMO), "pilot": Q(digital_status=DigitalStatus.PILOT)}
    aggregates = {}
    for key, cond in groups.items():
        aggregates[f"{key}_all"] = Count("pk", filter=cond)
        aggregates[f"{key}_nb"] = Count("pk", filter=cond & ningbo)
    counts = Park.objects.filter(county__province_code=ZHEJIANG_CODE, status=ParkStatus.ACTIVE).aggregate(**aggregates)
    rows = []
    for key, (policy_all, policy_nb) in POLICY_COUNTS.items():
        rows.append({"key": key, "label": LABELS[key], "policy": policy_all, "policy_ningbo": policy_nb,
                     "register": counts[f"{key}_all"], "register_ningbo": counts[f"{key}_nb"],
                     "differs": counts[f"{key}_all"] != policy_all})
    return rows
