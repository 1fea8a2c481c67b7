
from portal.forms import ServiceModelForm

from banks.models import Institution


class InstitutionForm(ServiceModelForm):
    class Meta:
        model = Institution
        fields = ["name", "short_name", "type", "is_active"]
