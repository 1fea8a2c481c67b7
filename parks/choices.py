from django.db import models


class Batch(models.IntegerChoices):
    FIRST = 1, "第一批"
    SECOND = 2, "第二批"
    THIRD = 3, "第三批"


class StarRating(models.IntegerChoices):
    UNRATED = 0, "未评定"
    ONE = 1, "一星"
    TWO = 2, "二星"
    THREE = 3, "三星"
    FOUR = 4, "四星"
    FIVE = 5, "五星"


class DigitalStatus(models.TextChoices):
    NONE = "none", "无"
    DEMO = "demo", "数字化示范园区"
    PILOT = "pilot", "数字化试点园区"


class ParkType(models.TextChoices):
    MANUFACTURING = "manufacturing", "生产制造类"
    SERVICE = "service", "生产性服务类"


class ParkStatus(models.TextChoices):
    ACTIVE = "active", "运营中"
    BUILDING = "building", "建设中"
    REVOKED = "revoked", "已撤销"


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"


class Industry(models.TextChoices):
    """GB/T 4754-2017 门类."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class PartnerRole(models.TextChoices):
    LEAD = "lead", "主办行"
    PARTNER = "partner", "伙伴银行"


class LinkStatus(models.TextChoices):
    """A partner link is a two-party fact: the bank proposes, the park (or the branch) confirms.
    Only a confirmed link grants any access or counts anywhere."""

    PROPOSED = "proposed", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "已拒绝"
