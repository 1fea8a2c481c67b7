
from banks.models import Institution
from portal.forms import ServiceModelForm


class InstitutionForm(ServiceModelForm):
    class Meta:
        model = Institution
        fields = ["name", "short_name", "type", "is_active"]
