from django.apps import AppConfig


class ParksConfig(AppConfig):
    name = "parks"
    verbose_name = "小微企业园"
