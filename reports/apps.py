from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表报送"

    def ready(self) -> None:
        """Wire the stages together (``reports.wiring``). Imported inside ready(), as Django
        requires: the stages import their models, which load only after every app is registered."""
        from reports import wiring

        wiring.connect_all()
