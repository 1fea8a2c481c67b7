
from portal.forms import ServiceModelForm
from portal.models import Organisation, Region


class OrganisationForm(ServiceModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "region", "institution", "separately_planned", "contact_name", "contact_phone", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(province_code="330000").order_by("code")
