from django.db import models


class ScheduleCode(models.TextChoices):
    T1 = "T1", "附表1 分类建档基础台帐"
    T2 = "T2", "附表2 园区融资需求及融资成本情况汇总表"
    T3 = "T3", "附表3 小微企业园融资需求及融资成本情况汇总表"
    T4 = "T4", "附表4 金融服务情况监测表"
    T5 = "T5", "附表5 伙伴银行情况表"


class FilingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    CONFIRMED = "confirmed", "主办行已转报"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已审核通过"