from django.apps import AppConfig


class ParksConfig(AppConfig):
    name = "parks"
    verbose_name = "小微企业园"

    def ready(self) -> None:
        # Django-required: parks.access imports parks.models, which Django loads only after every
        # app's apps.py; so the rules are imported (and registered) here, once the models are loaded.
        from parks import access

        access.register_rules()
