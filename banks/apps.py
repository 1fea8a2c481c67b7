from django.apps import AppConfig

from banks import access


class BanksConfig(AppConfig):
    name = "banks"
    verbose_name = "银行保险机构"

    def ready(self) -> None:
        access.register_rules()
