from django import forms

from parks.choices import EntityType, Industry
from parks.models import Enterprise, Park, PartnerLink, Tenancy
from parks.selectors import park_list_for_tenant_keeping
from portal.forms import DateInput, PortalFormMixin, ServiceModelForm
from portal.selectors import organisation_park_operators_for, region_counties_for
from portal.uscc import uscc_normalise, validate_uscc


class ParkForm(ServiceModelForm):
    class Meta:
        model = Park
        fields = ["code", "name", "county", "operator", "manager", "batch", "star_rating", "digital_status", "park_type", "area_mu", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = region_counties_for(user=self.user)
        self.fields["county"].label_from_instance = lambda r: r.full_name
        self.fields["operator"].queryset = organisation_park_operators_for(user=self.user)
        self.fields["area_mu"].widget.attrs["min"] = "0"  # never negative: Park.area_mu's validator and constraint

    def clean_code(self):
        return uscc_normalise(self.cleaned_data["code"])


class EnterpriseForm(ServiceModelForm):
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)

    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "entity_type", "industry"]

    def clean_uscc(self):
        return uscc_normalise(self.cleaned_data["uscc"])


class TenancyCreateForm(PortalFormMixin, forms.Form):
    park = forms.ModelChoiceField(label="园区", queryset=Park.objects.none())
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)
    enterprise_name = forms.CharField(label="企业名称", max_length=100)
    entity_type = forms.ChoiceField(label="主体类型", choices=[("", "（按代码判断）")] + EntityType.choices, required=False)
    industry = forms.ChoiceField(label="所属行业", choices=Industry.choices)
    entered_on = forms.DateField(label="入园日期", widget=DateInput())
    left_on = forms.DateField(label="退园日期", widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = park_list_for_tenant_keeping(user=self.user)

    def clean_uscc(self):
        code = uscc_normalise(self.cleaned_data["uscc"])
        validate_uscc(code)
        return code


class TenancyForm(ServiceModelForm):
    class Meta:
        model = Tenancy
        fields = ["entered_on", "left_on"]
        widgets = {"entered_on": DateInput(), "left_on": DateInput()}


class PartnerLinkDecisionForm(forms.Form):
    note = forms.CharField(label="意见或理由", max_length=200, required=False)
    until = forms.DateField(label="终止日期", required=False, widget=DateInput())

    def __init__(self, *args, decision: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["until"].required = decision == "end"
        self.fields["until"].error_messages["required"] = "终止伙伴关系须填写终止日期。"
        self.fields["note"].required = decision == "reject"
        self.fields["note"].error_messages["required"] = "拒绝时请填写理由。"


class PartnerLinkForm(ServiceModelForm):
    park = forms.ModelChoiceField(
        label="园区编码",
        queryset=Park.objects.select_related("county"),
        to_field_name="code",
        widget=forms.TextInput(attrs={"placeholder": "如 330106001"}),
        error_messages={"invalid_choice": "园区编码不存在，请核对经信部门公布的园区名单。"},
    )

    class Meta:
        model = PartnerLink
        fields = ["park", "role", "sub_branch", "since", "until"]
        widgets = {"since": DateInput(), "until": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["park"] = self.instance.park.code

    def clean_park(self):
        return self.cleaned_data["park"]
