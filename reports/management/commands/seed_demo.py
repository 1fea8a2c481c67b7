"""``manage.py seed_demo [--scale N] [--seed S] [--reset] [--no-filings]``: fill the database with demo data."""
from __future__ import annotations

import time
import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.demo.build import demo_build
from reports.demo.catalogue import DEMO_PASSWORD
from reports.demo.quality import quality_summary
from reports.demo.reset import demo_conflicts, demo_exists, demo_reset

SKIP_MESSAGE = "演示数据已存在，跳过（使用 --reset 重新生成）。"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return lines


class Command(BaseCommand):
    help = (
        "生成演示数据：浙江省小微企业园（2020 年名单规模：第一批 505 个、第二三批 272 个）、"
        "监管机构、经信部门、银行保险机构、入园企业、伙伴银行关系和各角色演示账号。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="规模系数，乘以园区数（默认 1.0；0.02 约 16 个园区）")
        parser.add_argument("--seed", type=int, default=2020, help="随机种子（默认 2020）；相同规模和种子生成相同数据")
        parser.add_argument("--reset", action="store_true",
                            help="先删除已有的报表数据（报送期除外）、园区、企业、机构和非超级管理员用户，再重新生成")
        parser.add_argument("--no-filings", action="store_true", dest="no_filings",
                            help="只生成登记数据，不生成 2019Q2–2020Q4 的附表1/2/4/5 演示报表")

    def handle(self, *args: Any, scale: float, seed: int, reset: bool, no_filings: bool = False, **options: Any) -> None:
        if not scale > 0:
            raise CommandError("--scale 必须大于 0。")
        if not reset:
            if demo_exists():
                self.stdout.write(SKIP_MESSAGE)
                return
            conflicts = demo_conflicts()
            if conflicts:
                raise CommandError(
                    f"数据库中还没有园区，但已有{'、'.join(conflicts)}数据；请使用 --reset 清空后重新生成。"
                )
        verbose = options.get("verbosity", 1) >= 1
        progress = self.stdout if options.get("verbosity", 1) >= 2 else None
        started = time.perf_counter()
        with transaction.atomic():
            if reset:
                demo_reset(stdout=self.stdout if verbose else None)
            result = demo_build(scale=scale, seed=seed, stdout=progress, filings=not no_filings)
        elapsed = time.perf_counter() - started
        if verbose:
            for line in self.summary(result, elapsed):
                self.stdout.write(line)

    @staticmethod
    def summary(result: dict[str, Any], elapsed: float) -> list[str]:
        kinds = result["organisations_by_kind"]
        lines = [
            f"演示数据已生成（规模 {result['scale']:g}，随机种子 {result['seed']}，用时 {elapsed:.1f} 秒）：",
            f"  法人机构：{result['institutions']} 家",
            f"  机构：{result['organisations']} 个（省级监管局 {kinds['province_regulator']}、银保监分局 {kinds['branch_regulator']}、"
            f"经信部门 {kinds['economy_bureau']}、银行保险机构地市一级管理机构 {kinds['bank_branch']}、"
            f"园区运营方 {kinds['park_operator']}）",
            f"  小微企业园：{result['parks']} 个（第一批 {result['parks_first_batch']} 个，其中宁波 {result['parks_first_batch_ningbo']} 个；"
            f"第二、三批 {result['parks_later_batches']} 个，其中宁波 {result['parks_later_batches_ningbo']} 个）",
            "    各地市：" + "、".join(f"{name} {n}" for name, n in result["parks_by_city"].items()),
            "    星级：" + "、".join(f"{label} {n}" for label, n in result["parks_by_star"].items()),
            f"    数字化示范园区 {result['digital_demo']} 个，数字化试点园区 {result['digital_pilot']} 个"
            f"（其中宁波 {result['digital_pilot_ningbo']} 个）",
            f"  企业：{result['enterprises']} 家（其中个体工商户 {result['individuals']} 家）",
            f"  入园记录：{result['tenancies']} 条（其中已退园 {result['tenancies_left']} 条）",
            f"  伙伴银行关系：{result['partner_links']} 条（主办行 {result['lead_links']} 条）",
            *Command.filing_summary(result.get("filings")),
            *([f"  {result['open_period']} 报送期保持开放（锁定日期顺延90天），可用演示账号继续填报、审核。"] if result.get("open_period") else []),
            *([f"  {quality_summary(result['quality'])}"] if result.get("quality") else []),
            "",
            f"演示账号（密码均为 {DEMO_PASSWORD}；“park” 账号对应园区：{result['demo_park']['code']} {result['demo_park']['name']}）：",
        ]
        rows = [
            [login["username"], login["password"], login["organisation"], login["role_label"], login["note"]]
            for login in result["logins"]
        ]
        lines += ["  " + line for line in _table(["用户名", "密码", "所属机构", "角色", "备注"], rows)]
        return lines

    @staticmethod
    def filing_summary(filings: dict[str, Any] | None) -> list[str]:
        if not filings:
            return ["  报表：未生成（--no-filings）"]
        status = filings["by_status"]
        per_period = "、".join(f"{code} {n}" for code, n in filings["t1_per_period"].items())
        return [
            f"  报表：{filings['filings']} 份（已审核通过 {status['approved']}、已提交 {status['submitted']}、"
            f"主办行已转报 {status['confirmed']}、已退回 {status['returned']}、草稿 {status['draft']}；逾期提交 {filings['late']} 份）",
            f"    附表1：{filings['t1_filings']} 份，台帐 {filings['t1_rows']} 行；附表2：{filings['t2_summaries']} 份",
            f"    附表1各期报送园区数（运营中园区 {filings['active_parks']} 个）：{per_period}",
            f"    附表4：{filings['t4_filings']} 份（其中2018年末基数 {filings['t4_baseline']} 份；银行 {filings['bank_filers']} 家、"
            f"保险 {filings['insurer_filers']} 家地市机构）；附表5：{filings['t5_filings']} 份，{filings['t5_rows']} 行",
        ]
