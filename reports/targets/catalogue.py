from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from portal.choices import NINGBO_CODE
from reports.targets.models import Target, TargetSet

# --- the four target sets (浙江 2020 and the others in ``catalogue.TARGET_SETS``) -----------------------------------------------------------

def _t(code: str, name: str, clause: str, indicator: str = "", *, cmp: str = ">=", kind: str = "number", value: Any = None,
       other: str = "", earlier: str = "", factor: Any = 1, margin: Any = 0, unit: str = "%", scope: str = "province",
       scope_value: str = "", ningbo: str = "excl", by_city: bool = False, na: str = "", notes: str = "") -> dict[str, Any]:
    return {"code": code, "name": name, "source_clause": clause, "indicator": indicator, "comparator": cmp,
            "threshold_kind": kind, "threshold_value": None if value is None else Decimal(str(value)),
            "threshold_indicator": other, "earlier": earlier, "threshold_factor": Decimal(str(factor)),
            "threshold_margin": Decimal(str(margin)), "unit": unit, "scope_kind": scope, "scope_value": scope_value,
            "ningbo": ningbo, "also_by_city": by_city, "applicable": not na, "not_applicable_reason": na, "notes": notes}


ZJ_CLAUSE_1 = "二（一）……力争2020年末实现辖内小微企业园分类建档全覆盖。"
ZJ_CLAUSE_2 = ("二（一）……力争对省级部门认定的四星、五星级小微企业园的入园企业授信比例达到70%以上，三星级园区达到60%以上，"
               "其他星级园区达到50%以上。")
ZJ_CLAUSE_RENEWAL = ("二（八）力争2020年末，辖内小微企业无还本续贷余额超过3000亿元、户数超过25万户；其中，普惠型小微企业无还本续贷余额"
                     "超过2000亿元，普惠型小微企业无还本续贷余额占普惠型小微企业贷款余额超过10%。")
ZJ_CLAUSE_CREDIT = "二（九）力争2020年末，辖内小微企业信用贷款余额超过4500亿元，余额占小微企业贷款占比超过12%。"
ZJ_CLAUSE_GOAL = ("一、……普惠型小微企业贷款较年初增速不低于各项贷款较年初增速。力争2020年辖内新增普惠型小微企业贷款3500亿元以上，"
                  "普惠型小微企业贷款综合融资成本降低0.5个百分点以上。")
NOT_COLLECTED = "附表1–5未采集"

TARGET_SETS: list[dict[str, Any]] = [
    {
        "code": "ZJ2020", "name": "浙江省进一步深化“4+1”小微金融工作行动方案", "order": 1, "is_default": True,
        "source_document": "浙银保监发〔2020〕15号", "region_note": "浙江省", "due_date": dt.date(2020, 12, 31),
        "issuer": "浙江银保监局、省经信厅、省科技厅、省商务厅、省市场监管局、省地方金融监管局",
        "notes": ("园区数量口径含宁波（第一批505个含宁波83个，第二、三批272个含宁波33个；数字化示范园区21个、试点园区31个，试点含宁波4个），"
                  "“辖内”信贷目标为浙江银保监局辖内，不含宁波。"),
        "targets": [
            _t("ZJ2020-01", "小微企业园分类建档全覆盖", ZJ_CLAUSE_1, "parks_full_filing_share", value=100, ningbo="incl", by_city=True,
               notes="建档覆盖率达到100%的园区占园区总数的比例；未报送附表1的园区计为未覆盖。"),
            _t("ZJ2020-02", "四星、五星级园区入园企业授信比例≥70%", ZJ_CLAUSE_2, "credit_coverage", value=70, scope="star_group",
               scope_value="45", ningbo="incl", by_city=True, notes="四星、五星级园区获得授信企业数之和 ÷ 入园企业数之和。"),
            _t("ZJ2020-03", "三星级园区入园企业授信比例≥60%", ZJ_CLAUSE_2, "credit_coverage", value=60, scope="star_group",
               scope_value="3", ningbo="incl", by_city=True),
            _t("ZJ2020-04", "其他星级园区入园企业授信比例≥50%", ZJ_CLAUSE_2, "credit_coverage", value=50, scope="star_group",
               scope_value="other", ningbo="incl", by_city=True, notes="二星、一星及未评定星级的园区。"),
            _t("ZJ2020-05", "每个园区伙伴银行3–5家", "浙银保监发〔2019〕164号 四：……原则上同一小微工业园对接服务银行3-5家。"
               "（本方案二（七）深化“伙伴银行”建设）", "partner_3_5_share", value=100, ningbo="incl", by_city=True,
               notes="期末有效伙伴银行关系为3–5家的园区占园区总数的比例。"),
            _t("ZJ2020-06", "新增普惠型小微企业贷款3500亿元以上", ZJ_CLAUSE_GOAL, "inclusive_loan_increase", value=3500, unit="亿元",
               notes="普惠型小微企业贷款余额 − 上年末余额（附表4合计，不含宁波）。"),
            _t("ZJ2020-07", "普惠型小微企业贷款较年初增速不低于各项贷款较年初增速", ZJ_CLAUSE_GOAL, "inclusive_loan_growth_ytd",
               kind="indicator", other="all_loan_growth_ytd", by_city=True),
            _t("ZJ2020-08", "普惠型小微企业贷款综合融资成本降低0.5个百分点以上", ZJ_CLAUSE_GOAL, "inclusive_financing_cost", cmp="<=",
               kind="earlier_period", earlier="previous_year_end", margin=-0.5, by_city=True,
               notes="按普惠型小微企业贷款余额加权的综合融资成本，与上年末比较。"),
            _t("ZJ2020-09", "小微企业无还本续贷余额超过3000亿元", ZJ_CLAUSE_RENEWAL, "sme_renewal_balance", cmp=">", value=3000, unit="亿元"),
            _t("ZJ2020-10", "小微企业无还本续贷户数超过25万户", ZJ_CLAUSE_RENEWAL, "sme_renewal_count", cmp=">", value=25, unit="万户"),
            _t("ZJ2020-11", "普惠型小微企业无还本续贷余额超过2000亿元", ZJ_CLAUSE_RENEWAL, "inclusive_renewal_balance", cmp=">", value=2000,
               unit="亿元"),
            _t("ZJ2020-12", "普惠型无还本续贷余额占普惠型贷款余额超过10%", ZJ_CLAUSE_RENEWAL, "inclusive_renewal_share", cmp=">", value=10,
               by_city=True),
            _t("ZJ2020-13", "小微企业信用贷款余额超过4500亿元", ZJ_CLAUSE_CREDIT, "sme_credit_loan_balance", cmp=">", value=4500, unit="亿元"),
            _t("ZJ2020-14", "信用贷款占小微企业贷款比例超过12%", ZJ_CLAUSE_CREDIT, "credit_loan_share", cmp=">", value=12, by_city=True),
            _t("ZJ2020-15", "提高首贷户占比", "二（六）……做到“三个提高”：提高有效走访对接比例，提高首贷户占比，提高省金融综合服务平台线上对接率。",
               "first_loan_share", cmp=">", kind="earlier_period", earlier="same_quarter_last_year", by_city=True,
               notes="园区台帐中当年首贷户数 ÷ 贷款户数，与上年同期比较。"),
            _t("ZJ2020-16", "提高有效走访对接比例和省金融综合服务平台线上对接率",
               "二（六）……提高有效走访对接比例，……提高省金融综合服务平台线上对接率。",
               na=f"{NOT_COLLECTED}“百行进万企”走访对接和省金融综合服务平台线上对接数据。"),
            _t("ZJ2020-17", "新增“无贷户”银担合作监测考核", "二（五）……重点针对新增“无贷户”银担合作情况加大监测考核力度。",
               na=f"{NOT_COLLECTED}政府性融资担保（银担合作）贷款数据。"),
        ],
    },
    {
        "code": "JY2022", "name": "济源示范区金融业高质量服务小微企业的指导意见", "order": 2,
        "source_document": "济管财金〔2022〕25号", "region_note": "河南省济源示范区（按本平台逐家机构口径监测）",
        "due_date": dt.date(2022, 12, 31), "issuer": "济源示范区财政金融局、人民银行济源市中心支行、河南银保监局济源监管组",
        "notes": "逐家银行机构（地市一级管理机构）评估，不含保险机构。",
        "targets": [
            _t("JY2022-01", "“两增”：普惠型小微企业贷款增速不低于各项贷款增速", "一（一）……普惠型小微企业贷款实现增速和有余额户数“两增”。",
               "inclusive_loan_growth_ytd", kind="indicator", other="all_loan_growth_ytd", scope="institution", ningbo="incl",
               notes="较年初增速。"),
            _t("JY2022-02", "“两增”：有贷款余额户数不低于年初", "一（一）……普惠型小微企业贷款实现增速和有余额户数“两增”。",
               "inclusive_loan_count", kind="earlier_period", earlier="previous_year_end", unit="户", scope="institution", ningbo="incl"),
            _t("JY2022-03", "新发放普惠型小微企业贷款利率稳中有降",
               "一（二）……确保2022年新发放的普惠型小微企业贷款利率在2021年基础上继续保持稳中有降。", "inclusive_new_loan_rate", cmp="<=",
               kind="earlier_period", earlier="same_quarter_last_year", scope="institution", ningbo="incl"),
            _t("JY2022-04", "普惠型小微企业贷款不良率不高于各项贷款不良率3个百分点以内",
               "三（二）……严格执行“普惠型小微企业贷款不良率不高于各项贷款不良率3个百分点以内”的容忍度标准。", "inclusive_npl_ratio",
               cmp="<=", kind="indicator", other="npl_ratio", margin=3, scope="institution", ningbo="incl"),
            _t("JY2022-05", "普惠金融类指标权重占比在10%以上", "三（三）……内部绩效考核“普惠金融类指标权重占比在10%以上”。",
               scope="institution", na=f"{NOT_COLLECTED}银行内部绩效考核指标权重。"),
            _t("JY2022-06", "内部转移定价（FTP）优惠力度不低于50个基点", "三（三）……“内部转移定价(FTP)优惠力度不低于50个基点”的要求执行到位。",
               scope="institution", na=f"{NOT_COLLECTED}内部资金转移定价（FTP）数据。"),
            _t("JY2022-07", "完成全年普惠型小微企业信贷计划", "一（一）……同时完成全年制定的普惠型小微企业信贷计划。",
               scope="institution", na=f"{NOT_COLLECTED}各机构普惠型小微企业信贷计划。"),
        ],
    },
    {
        "code": "ZH2022", "name": "镇海区“双创”普惠金融专项行动实施方案", "order": 3,
        "source_document": "宁波市镇海区人民政府办公室 2020年10月26日印发", "region_note": "宁波市镇海区（按宁波市口径监测）",
        "due_date": dt.date(2022, 12, 31), "issuer": "宁波市镇海区人民政府办公室",
        "notes": "镇海区为县级区域，附表4按地市报送：以宁波市（计划单列市）汇总口径监测；“年均”目标按同比监测。",
        "targets": [
            _t("ZH2022-01", "民营企业贷款占全部企业贷款比重保持在65%以上", "二……力争到2022年末民营企业贷款占全部企业贷款的比重保持在65%以上。",
               "private_share", value=65, scope="city", scope_value=NINGBO_CODE),
            _t("ZH2022-02", "普惠小微贷款年均增速达30%以上", "二……普惠小微贷款年均增速达30%以上。", "inclusive_loan_growth_yoy", value=30,
               scope="city", scope_value=NINGBO_CODE),
            _t("ZH2022-03", "普惠小微信用贷占比年均提升2个百分点", "二……普惠小微信用贷占比、制造业中长期贷款占比年均提升2个百分点。",
               "credit_loan_share", kind="earlier_period", earlier="same_quarter_last_year", margin=2, scope="city", scope_value=NINGBO_CODE,
               notes="附表4未单列普惠型信用贷款：以小微企业信用贷款占比衡量。"),
            _t("ZH2022-04", "普惠小微企业无还本续贷年均增加10%以上", "二……普惠小微企业无还本续贷笔数年均增加10%以上。", "sme_renewal_count",
               kind="earlier_period", earlier="same_quarter_last_year", factor="1.1", unit="户", scope="city", scope_value=NINGBO_CODE,
               notes="附表4采集户数而非笔数：以小微企业无还本续贷户数衡量。"),
            _t("ZH2022-05", "制造业中长期贷款占比年均提升2个百分点", "二……制造业中长期贷款占比年均提升2个百分点。", scope="city",
               scope_value=NINGBO_CODE, na="附表4仅采集制造业中长期贷款余额，未采集制造业贷款余额（占比的分母）。"),
            _t("ZH2022-06", "双创企业首贷户占比达15%以上", "二……双创企业信用贷款占比年均提升2个百分点，双创企业首贷户占比达15%以上。",
               scope="city", scope_value=NINGBO_CODE, na=f"{NOT_COLLECTED}“双创”企业标识。"),
            _t("ZH2022-07", "小微企业担保费平均费率不超过1%", "七（二）……担保费平均费率原则上不超过1%。", scope="city", scope_value=NINGBO_CODE,
               na=f"{NOT_COLLECTED}融资担保费率。"),
            _t("ZH2022-08", "支持普惠小微企业贷款的担保金额占比不低于60%", "七（二）……支持普惠小微企业贷款的担保金额占比不低于60%。",
               scope="city", scope_value=NINGBO_CODE, na=f"{NOT_COLLECTED}政策性融资担保业务数据。"),
        ],
    },
    {
        "code": "SX2024", "name": "2024年陕西银行业保险业服务小微企业高质量发展", "order": 4,
        "source_document": "国家金融监督管理总局陕西监管局办公室《关于2024年陕西银行业保险业服务小微企业高质量发展的通知》",
        "region_note": "陕西省（按本平台机构类型口径监测）", "due_date": dt.date(2024, 12, 31), "issuer": "国家金融监督管理总局陕西监管局",
        "notes": "适用于城市商业银行、农村中小银行（农商行·农信、村镇银行）。",
        "targets": [
            _t("SX2024-01", "城市商业银行、农村中小银行：普惠型小微企业贷款增速不低于各项贷款增速",
               "二（一）城市商业银行法人机构、农村中小银行全年力争实现小微企业贷款余额持续增长、普惠型小微企业贷款增速不低于各项贷款增速目标。",
               "inclusive_loan_growth_ytd", kind="indicator", other="all_loan_growth_ytd", scope="institution",
               scope_value="city_commercial,rural,village", ningbo="incl", notes="逐家机构，较年初增速。"),
            _t("SX2024-02", "小微企业贷款余额持续增长",
               "二（一）城市商业银行法人机构、农村中小银行全年力争实现小微企业贷款余额持续增长。", "sme_loan_balance", cmp=">",
               kind="earlier_period", earlier="previous_quarter", unit="万元", scope="institution_type",
               scope_value="city_commercial,rural,village", ningbo="incl", notes="按机构类型合计，与上季末比较。"),
            _t("SX2024-03", "落实总行下达的普惠型小微企业信贷投放任务",
               "二（一）大型商业银行、股份制银行一级分行及城市商业银行异地分行要落实好总行下达的普惠型小微企业信贷投放任务。",
               scope="institution_type", na=f"{NOT_COLLECTED}总行下达的信贷投放任务。"),
            _t("SX2024-04", "合理确定内部资金转移定价（FTP）优惠幅度", "五（八）……合理确定内部资金转移定价（FTP）优惠幅度及小微业务条线绩效考核标准。",
               scope="institution_type", na=f"{NOT_COLLECTED}内部资金转移定价（FTP）数据。"),
        ],
    },
]


def target_sets_load(target_set_model=TargetSet, target_model=Target) -> int:
    """Create (or update) the four target sets (浙江 2020 and the others in ``catalogue.TARGET_SETS``); used by the data migration (with
    historical models) and by tests that flush the database. Returns the number of targets."""
    n = 0
    for spec in TARGET_SETS:
        spec = dict(spec)
        targets = spec.pop("targets")
        ts, _ = target_set_model.objects.update_or_create(code=spec["code"], defaults=spec)
        for order, t in enumerate(targets, start=1):
            target_model.objects.update_or_create(code=t["code"], defaults={**t, "target_set": ts, "order": order})
            n += 1
    return n
