from django.apps import AppConfig


class BanksConfig(AppConfig):
    name = "banks"
    verbose_name = "银行保险机构"
