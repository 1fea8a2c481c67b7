"""``inlists.values_in``: a long list travels as one text the server splits (PostgreSQL), and still
selects exactly the rows whose value is in the list — texts of any kind, integers, empty text."""
from __future__ import annotations

import pytest

from parks.models import Enterprise
from reports.filings.inlists import JOIN_FROM, values_in
from tests import factories as f

pytestmark = pytest.mark.django_db


def _selected(lookup: str, values: list) -> set[int]:
    found: set[int] = set()
    for where in values_in(lookup, values):
        found.update(Enterprise.objects.filter(where).values_list("pk", flat=True))
    return found


def test_a_long_list_selects_exactly_its_values():
    names = ["", "甲企业，有限公司", "a,b", "x\ty", "末尾 "]
    made = [f.EnterpriseFactory(name=name) for name in names] + [f.EnterpriseFactory() for _ in range(3)]
    wanted = made[:len(names)]
    padding = [f"无此企业{i}" for i in range(JOIN_FROM)]
    assert _selected("name", names + padding) == {e.pk for e in wanted}
    assert _selected("name", padding + [""]) == {made[0].pk}
    ids = [e.pk for e in wanted] + [-i for i in range(1, JOIN_FROM + 1)]
    assert _selected("pk", ids) == {e.pk for e in wanted}
    assert _selected("name", padding + ["含\x1f分隔符"]) == set()  # a text holding the separator: the array way
    assert _selected("pk", [made[1].pk]) == {made[1].pk}  # short: as it was
