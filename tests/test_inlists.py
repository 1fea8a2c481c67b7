"""``reports.filings.inlists``: ``values_in`` selects exactly the rows whose value is in the list,
whatever the texts hold (quotes, backslashes, commas, braces, spaces, "NULL", empty, CJK), on
PostgreSQL through one array parameter written as PostgreSQL's text form of an array."""
import pytest
from django.db import connection

from parks.models import Enterprise
from reports.filings.inlists import array_literal, values_in, values_in_q

TEXTS = ["a", "", 'q"uote', "back\\slash", '\\"', "NULL", "null", "com,ma", "{brace}", "}", " sp ", "中文名称", "x'y", "\t\n", "a\u3000b"]


@pytest.mark.django_db
def test_an_array_literal_reads_back_as_the_list():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[], %s::bigint[], %s::integer[]",
                       [array_literal(TEXTS), array_literal([1, 2, 3 * 10**10]), array_literal([7])])
        assert cursor.fetchone() == (TEXTS, [1, 2, 3 * 10**10], [7])


def test_anything_but_plain_texts_or_whole_numbers_is_left_to_the_driver():
    for values in ([1, "a"], [True, False], [1.5], [None, "a"], ["a\x00b"], []):
        assert array_literal(values) is values


@pytest.mark.django_db
def test_values_in_selects_exactly_the_listed_values():
    names = TEXTS + [f"企业{i}" for i in range(50)]
    made = [Enterprise.objects.create(uscc=f"9133010600{i:08d}", name=name, industry="C") for i, name in enumerate(names)]
    wanted = names[::2] + ["不存在", 'no"such']
    found = set()
    for where in values_in("name", wanted):
        found.update(Enterprise.objects.filter(where).values_list("name", flat=True))
    assert found == set(names[::2])
    ids = [e.pk for e in made[1::3]]
    assert set(Enterprise.objects.filter(values_in_q("id", ids)).values_list("pk", flat=True)) == set(ids)
    assert not Enterprise.objects.filter(values_in_q("id", [])).exists()


@pytest.mark.django_db
def test_a_long_list_selects_exactly_its_values():
    from tests import factories as f

    names = ["", "甲企业，有限公司", "a,b", "x\ty", "末尾 ", "含\x1f分隔符"]
    made = [f.EnterpriseFactory(name=name) for name in names] + [f.EnterpriseFactory() for _ in range(3)]
    wanted = {e.pk for e in made[:len(names)]}
    padding = [f"无此企业{i}" for i in range(150)]

    def selected(lookup: str, values: list) -> set[int]:
        found: set[int] = set()
        for where in values_in(lookup, values):
            found.update(Enterprise.objects.filter(where).values_list("pk", flat=True))
        return found

    assert selected("name", names + padding) == wanted
    assert selected("name", padding + [""]) == {made[0].pk}
    assert selected("pk", sorted(wanted) + [-i for i in range(1, 151)]) == wanted
    assert selected("pk", [made[1].pk]) == {made[1].pk}
