from django import forms


class PortalFormMixin:
    """Accepts the acting ``user`` and gives every widget its Bootstrap class."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class ServiceModelForm(PortalFormMixin, forms.ModelForm):
    """A ModelForm that only parses fields. Model validation (validators, uniqueness,
    constraints) and every business rule run once, in the service, whose ValidationError
    the view puts back on the fields; the instance is not touched before the service runs."""

    def _post_clean(self):
        pass
