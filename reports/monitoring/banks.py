"""Which bank branch a 附表1 ``主要授信银行`` names: the text is matched to an Institution by its
normalised name (full or short, as the 附表1 check ``main_bank_unknown`` does), then to that
institution's bank branch in the park's city."""
from __future__ import annotations

from banks.models import Institution
from portal.choices import OrgKind
from portal.models import Organisation
from reports.schedules.parsing import text_key


class BankNames:
    """Institution keys and branches, loaded once per rebuild."""

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        for pk, name, short in Institution.objects.values_list("pk", "name", "short_name"):
            self.keys[text_key(name)] = pk
            self.keys.setdefault(text_key(short), pk)
        # longest first: “农商银行” must not win over “杭州联合农商银行”
        self._ordered = sorted(self.keys.items(), key=lambda kv: -len(kv[0]))
        self.branches: dict[tuple[int, str], int] = {}
        for pk, inst, city in (Organisation.objects.filter(kind=OrgKind.BANK_BRANCH, institution__isnull=False)
                               .values_list("pk", "institution_id", "region__code").order_by("pk")):
            self.branches.setdefault((inst, city), pk)
        self.institution_of_branch = {b: inst for (inst, _city), b in self.branches.items()}
        self._cache: dict[str, int | None] = {}

    def institution(self, text: str) -> int | None:
        key = text_key(text)
        if not key:
            return None
        if key not in self._cache:
            found = self.keys.get(key)
            if found is None:
                found = next((pk for k, pk in self._ordered if k and (k in key or key in k)), None)
            self._cache[key] = found
        return self._cache[key]

    def branch(self, text: str, city_code: str) -> int | None:
        inst = self.institution(text)
        return None if inst is None else self.branches.get((inst, city_code))
