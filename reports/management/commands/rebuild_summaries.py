from django.core.management.base import BaseCommand, CommandError

from reports.filings.models import Period
from reports.summaries.rollups import summaries_rebuild_all


class Command(BaseCommand):
    help = "重新计算汇总（附表3、地市与全省汇总）：rebuild_summaries [--period 2020Q3] [--city 330100]"

    def add_arguments(self, parser):
        parser.add_argument("--period", help="报送期，如 2020Q3；默认全部非基数期")
        parser.add_argument("--city", help="地市代码，如 330100；默认全部地市")

    def handle(self, *args, period=None, city=None, **options):
        periods = Period.objects.filter(is_baseline=False).order_by("year", "quarter")
        if period:
            periods = periods.filter(code=period.upper())
            if not periods:
                raise CommandError(f"报送期 {period} 不存在")
        for p in periods:
            built = summaries_rebuild_all(period=p, city_code=city)
            total_ms = sum(s.build_ms for s in built)
            self.stdout.write(f"{p.code}: 重建 {len(built)} 个汇总，用时 {total_ms} ms")
