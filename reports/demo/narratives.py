"""The demo's 推进情况 (附表4's six narrative sections): a bank's and an insurer's own texts (an
insurer reports 保险服务, not 伙伴银行), each quarter's different from the last — the sections
mention the quarter and draw their substance from pools turned by the period — so the only
“identical to last quarter” warnings of the demo are the ones ``reports.demo.quality`` plants."""
from __future__ import annotations

import zlib
from typing import Any

from reports.demo.loaded import LoadedBranch
from reports.filings.models import Period

QUARTER_NAMES = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}

BANK_EXPERIENCE = (
    "推行“一园一策”，由主办行牵头组建园区金融服务团队，定期走访入园企业，开展银企对接。",
    "在园区设立金融服务站，安排客户经理驻点服务，做到企业融资需求“当周受理、两周答复”。",
    "联合园区运营方建立入园企业白名单，对名单内企业实行授信审批绿色通道和利率优惠。",
    "依托园区大脑数据开发线上信用贷款产品，企业凭用电、纳税数据即可申请纯信用贷款。",
)
BANK_CASES = (
    "为园区内一家精密制造企业以厂房按揭方式发放中长期贷款，支持其购置设备、扩大产能。",
    "为一家新入园的电子元件企业发放首笔信用贷款，从受理到放款仅用五个工作日。",
    "对一家受订单下滑影响的纺织企业办理无还本续贷，帮助其平稳度过资金周转期。",
    "以知识产权质押方式为一家科技型小微企业发放贷款，解决其缺少抵押物的难题。",
)
BANK_DIFFICULTIES = (
    "部分入园企业成立时间短、财务不规范、缺少有效抵押物，信用贷款投放仍有难度。",
    "园区厂房分割办证进度不一，部分企业无法以厂房抵押融资。",
    "部分企业订单波动较大，经营现金流不稳定，银行风险识别和定价难度较高。",
    "园区涉企数据共享范围有限，银行获取企业经营信息的成本仍然较高。",
)
BANK_SUGGESTIONS = (
    "建议加快园区厂房分割办证，完善政府性融资担保和风险补偿机制，推进涉企信用信息共享。",
    "建议扩大政府性融资担保对园区企业的覆盖面，降低担保费率。",
    "建议推动园区大脑与金融机构数据对接，为信用贷款投放提供数据支撑。",
    "建议对园区小微企业首贷、信用贷给予贴息或风险补偿支持。",
)
INSURER_EXPERIENCE = (
    "推出园区企业财产险、安全生产责任险组合产品，由园区运营方统一组织投保。",
    "与伙伴银行合作开展贷款保证保险，为缺少抵押物的入园企业增信。",
    "在园区设立保险服务联络点，提供风险查勘、防灾减损和理赔咨询服务。",
    "对园区企业开展风险排查，针对消防、用电等隐患提出整改建议。",
)
INSURER_CASES = (
    "园区内一家五金企业仓库失火，公司启动快速理赔通道，十日内完成赔付，帮助企业恢复生产。",
    "为一家出口型小微企业提供出口信用保险，保障其应收账款安全，并协助其获得保单融资。",
    "通过贷款保证保险为一家初创企业增信，企业获得银行贷款用于购置生产设备。",
    "为园区企业员工统一投保团体意外险，降低企业用工风险。",
)
INSURER_DIFFICULTIES = (
    "部分入园企业保险意识不强，投保意愿较低，保障覆盖面仍需扩大。",
    "园区企业风险状况差异较大，保险产品定价和风险控制难度较高。",
    "贷款保证保险的风险分担机制尚不完善，承保规模增长受限。",
    "部分企业厂房租赁关系复杂，财产险标的和保险利益认定存在困难。",
)
INSURER_SUGGESTIONS = (
    "建议将园区企业保险纳入政府扶持政策，对投保企业给予保费补贴。",
    "建议建立政银保风险共担机制，支持贷款保证保险业务发展。",
    "建议推动园区安全生产、消防等数据与保险机构共享，提升风险定价能力。",
    "建议由园区运营方牵头统一投保，提高园区企业保险覆盖率。",
)


def _turn(pool: tuple[str, ...], branch: LoadedBranch, period: Period, shift: int) -> str:
    """The pool's text for this branch and quarter: a different one each quarter."""
    start = zlib.crc32(branch.name.encode()) + shift
    return pool[(start + period.year * 4 + period.quarter) % len(pool)]


def _when(period: Period) -> str:
    return f"{period.year}年{QUARTER_NAMES[period.quarter]}"


def narrative(branch: LoadedBranch, period: Period, v: dict[str, Any]) -> dict[str, str]:
    """A bank's six sections for ``period`` (``v``: its 附表4 figures)."""
    end, when = f"{period.end.year}年{period.end.month}月末", _when(period)
    return {
        "partner_bank_progress": (
            f"截至{end}，{branch.name}与辖内{v['partner_parks']}个小微企业园建立伙伴银行关系，其中担任主办行"
            f"{v['lead_parks']}个，设立园区服务站（点）{v['service_points']}个，服务小微企业园{v['parks_served']}个。"),
        "classification_progress": (
            f"配合园区运营方开展入园企业分类建档，截至{end}对入园企业授信{v['ent_credit_count']}户、授信金额"
            f"{v['ent_credit_amount']}万元，贷款余额{v['ent_loan_balance']}万元。"),
        "experience": f"{when}，{_turn(BANK_EXPERIENCE, branch, period, 0)}",
        "cases": f"{when}，{_turn(BANK_CASES, branch, period, 1)}",
        "difficulties": f"{when}，{_turn(BANK_DIFFICULTIES, branch, period, 2)}",
        "suggestions": f"{when}，{_turn(BANK_SUGGESTIONS, branch, period, 3)}",
    }


def insurer_narrative(branch: LoadedBranch, period: Period, v: dict[str, Any]) -> dict[str, str]:
    """An insurer's six sections (保险服务小微企业园开展情况, 入园企业保险保障情况, …)."""
    end, when = f"{period.end.year}年{period.end.month}月末", _when(period)
    return {
        "partner_bank_progress": (
            f"截至{end}，{branch.name}为辖内{v['insured_parks']}个小微企业园的入园企业提供保险服务，"
            f"承保入园企业{v['insured_enterprises']}户。"),
        "classification_progress": (
            f"截至{end}，入园企业保险金额{v['sum_insured']}万元，保费收入{v['premium']}万元，赔款支出{v['claims_paid']}万元。"),
        "experience": f"{when}，{_turn(INSURER_EXPERIENCE, branch, period, 0)}",
        "cases": f"{when}，{_turn(INSURER_CASES, branch, period, 1)}",
        "difficulties": f"{when}，{_turn(INSURER_DIFFICULTIES, branch, period, 2)}",
        "suggestions": f"{when}，{_turn(INSURER_SUGGESTIONS, branch, period, 3)}",
    }
