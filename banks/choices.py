from django.db import models


class InstitutionType(models.TextChoices):
    POLICY = "policy", "政策性银行"
    LARGE = "large", "大型商业银行"
    JOINT_STOCK = "joint_stock", "股份制商业银行"
    CITY_COMMERCIAL = "city_commercial", "城市商业银行"
    RURAL = "rural", "农村商业银行·农信"
    VILLAGE = "village", "村镇银行"
    PRIVATE = "private", "民营银行"
    FOREIGN = "foreign", "外资银行"
    INSURER = "insurer", "保险公司"
