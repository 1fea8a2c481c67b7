from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView


class PortalAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续输错 %(limit)s 次将锁定账号。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"] % {"limit": settings.AXES_FAILURE_LIMIT}, code="invalid_login"
        )


class PortalLoginView(LoginView):
    form_class = PortalAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
