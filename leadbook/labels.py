"""Words shown to the user in report.xlsx, due/<consultant>.xlsx and summary.html.

One table per language, the same keys in each. Keys are namespaced:
``sheet.*`` sheet names, ``col.*`` column headers, ``kpi.*`` funnel and cost
figures, ``kind.*`` / ``task.*`` / ``bucket.*`` / ``esc.*`` / ``dup.*`` /
``sev.*`` the words for the codes the pipeline puts in the tables, ``text.*``
running text. The task, bucket and escalation words come from
leadbook.rule_words; the formulas from the sales-manager training
deck (domain.md §5).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .rule_words import Bucket, Flag, TaskName

ZH: dict[str, str] = {
    # sheets (report.xlsx, in order)
    "sheet.due": "待跟进",
    "sheet.funnel": "漏斗",
    "sheet.channels": "渠道",
    "sheet.consultants": "顾问",
    "sheet.lost": "战败",
    "sheet.issues": "数据问题",
    "sheet.duplicates": "撞单与重复",
    "sheet.crosscheck": "日报核对",
    # columns
    "col.consultant": "销售顾问",
    "col.kind": "类别",
    "col.task": "任务",
    "col.due": "应跟进日期",
    "col.days_late": "逾期天数",
    "col.bucket": "紧急程度",
    "col.escalation": "提醒",
    "col.name": "客户姓名",
    "col.phone": "联系电话",
    "col.grade": "级别",
    "col.model": "意向车型",
    "col.source": "信息来源",
    "col.reason": "原因",
    "col.file": "文件",
    "col.sheet": "工作表",
    "col.row": "行号",
    "col.column": "列",
    "col.value": "原值",
    "col.severity": "严重程度",
    "col.code": "代码",
    "col.message": "说明",
    "col.leads": "线索数",
    "col.won": "成交数",
    "col.lost": "战败数",
    "col.conversion": "成交率",
    "col.spend": "营销费用",
    "col.cost_per_lead": "集客成本",
    "col.cost_per_deal": "单车获客成本",
    "col.lost_cost": "战败成本",
    "col.traffic": "客流量",
    "col.kept": "留档数",
    "col.keep_rate": "信息留存率",
    "col.followed": "跟踪数",
    "col.follow_rate": "跟踪互动率",
    "col.deals": "成交数",
    "col.convert_rate": "最终转化率",
    "col.grade_n": "{grade}级",
    "col.due_count": "应跟进",
    "col.overdue": "已逾期",
    "col.on_time_share": "按时跟进率",
    "col.lost_reason": "战败原因",
    "col.competitor": "竞品",
    "col.lost_on": "战败日期",
    "col.date": "日期",
    "col.reported": "日报留档",
    "col.cards": "当天建卡",
    "col.difference": "差异",
    "col.dup_kind": "类型",
    "col.owner": "先报备顾问",
    "col.dup_consultant": "重复登记顾问",
    "col.owner_file": "先报备文件",
    "col.owner_row": "先报备行号",
    "col.metric": "指标",
    "col.figure": "数值",
    "col.how": "算法",
    "col.count": "数量",
    "col.status": "状态",
    "col.when": "时间",
    "col.state_task": "状态 / 任务",
    # KPIs (funnel and cost, domain.md §5)
    "kpi.traffic": "客流量",
    "kpi.kept": "留档数",
    "kpi.followed": "跟踪数",
    "kpi.deals": "成交数",
    "kpi.keep_rate": "信息留存率",
    "kpi.follow_rate": "跟踪互动率",
    "kpi.convert_rate": "最终转化率",
    "kpi.spend": "营销费用",
    "kpi.cost_per_lead": "集客成本",
    "kpi.lost": "战败数",
    "kpi.lost_share": "战败率",
    "kpi.lost_cost": "战败成本",
    "how.traffic": "来店批次合计",
    "how.kept": "本期首次接触的客户",
    "how.followed": "其中再次联系或已成交",
    "how.deals": "其中已成交",
    "how.keep_rate": "留档数 ÷ 客流量",
    "how.follow_rate": "跟踪数 ÷ 留档数",
    "how.convert_rate": "成交数 ÷ 跟踪数",
    "how.spend": "本期投入",
    "how.cost_per_lead": "营销费用 ÷ 留档数",
    "how.lost": "本期留档客户中的战败",
    "how.lost_share": "战败数 ÷ 留档数",
    "how.lost_cost": "营销费用 × 战败率",
    "formula.sales": "销量 = 客流量 × 信息留存率 × 跟踪互动率 × 最终转化率",
    "formula.sales_filled": "{deals} = {traffic} × {keep_rate} × {follow_rate} × {convert_rate}",
    "formula.lost_cost": "战败成本 = 战败数 × 月营销费用 / 月集客量",
    "formula.lost_cost_filled": "{lost_cost} = {lost} × {spend} / {kept}",
    "formula.cost_per_lead": "集客成本 = 营销费用 / 集客量",
    "formula.cost_per_lead_filled": "{cost_per_lead} = {spend} / {kept}",
    # task kinds and words (leadbook.schedule)
    "kind.followup": "跟进",
    "kind.care": "售后关怀",
    "kind.lost_review": "战败回访",
    # task, bucket and flag codes of the task table (leadbook.rule_words)
    **{f"task.{t.code}": t.zh for t in TaskName},
    **{f"bucket.{b.code}": b.zh for b in Bucket},
    **{f"esc.{f.code}": f.zh for f in Flag},
    "dup.conflict": "撞单",
    "dup.repeat": "重复",
    "sev.error": "错误",
    "sev.warning": "警告",
    "status.ok": "已读取",
    "status.skipped": "已跳过",
    "status.error": "无法读取",
    # running text
    "text.report": "跟进报告",
    "text.period": "{start} 至 {end}",
    "text.as_of": "截至 {date}",
    "text.title": "{store} · {what} · {period} · {as_of}",
    "text.none": "无",
    "text.more": "另有 {n} 条",
    "text.more_in_report": "另有 {n} 条, 见 report.xlsx「{sheet}」",
    "text.late": "逾期 {n} 天",
    "text.today": "今日",
    "text.upcoming": "{n} 天后",
    "text.funnel": "销售漏斗",
    "text.kpis": "关键指标",
    "text.due_lists": "待跟进名单",
    "text.due_note": (
        "本周的工作: 已逾期、今日应跟进和未来{n}天内到期的任务, 最急的在前。"
        "电话已隐去中间四位, 完整号码见 report.xlsx。"
    ),
    "text.issue_counts": "按代码统计",
    "text.files": "读取的文件",
    "text.rows": "{n} 行",
    "text.chart_funnel": "销售漏斗",
    "text.chart_channels": "各渠道线索与成交",
    "text.chart_consultants": "各顾问应跟进与逾期",
    "text.lost_by_channel": "各渠道战败成本",
    "text.other": "其他",
    "text.unknown": "(未填)",
    "text.generated": "由 leadbook 生成",
    # the dealer group's roll-up (group.xlsx, group.html)
    "sheet.compare": "门店对比",
    "sheet.group_trend": "趋势",
    "col.store": "门店",
    "col.period": "统计期",
    "col.as_of": "截至",
    "col.leads_total": "线索数",
    "col.followthrough": "跟进完成率",
    "col.rank_convert": "转化率排名",
    "col.rank_cost": "集客成本排名",
    "col.group_note": "提示",
    "col.total": "合计",
    "trend.traffic": "客流量",
    "trend.kept": "留档数",
    "trend.deals": "成交数",
    "trend.cost_per_lead": "集客成本",
    "trend.lost_share": "战败率",
    "trend.due": "应跟进",
    "trend.overdue": "已逾期",
    "trend.followthrough_rate": "跟进完成率",
    "text.group": "集团门店汇总",
    "text.group_title": "集团门店汇总 · {n} 家门店",
    "text.store_failed": "本店没有结果 (见后面的错误)",
    "text.flag_as_of": "截至日与多数门店不同",
    "text.flag_period": "统计期与多数门店不同",
    "text.group_note": (
        "合计: 数量和金额相加, 各比率由合计数重新计算 (不是各店比率的平均); "
        "某项有门店无法计算时, 合计为空。黄色行: 截至日或统计期与多数门店不同, 或没有结果。"
    ),
    "text.chart_rank_convert": "各门店最终转化率排名",
    "text.chart_rank_cost": "各门店集客成本排名 (低者在前)",
    "text.chart_trend": "各门店跟进完成率趋势",
    "text.stores_failed": "没有结果的门店",
    "text.mixed": "截至日或统计期不同的门店",
    # the week's work (domain.md §3): the same words in every output
    "fu.due": "应跟进",
    "fu.overdue": "已逾期",
    "fu.upcoming": "未来{n}天",
    "fu.care": "售后关怀",
    "fu.lost_review": "战败回访",
    "sheet.schedule": "日程",
    # the terminal (words as the report uses them)
    "term.head": "leadbook — {store} · 统计期 {start} 至 {end} · 截至 {as_of}",
    "term.files": "文件: {n} 个 (已读取 {ok}, 已跳过 {skipped}, 无法读取 {error})",
    "term.skipped": "  已跳过: {names}",
    "term.week": "待跟进",
    "term.leads": "线索: {total} 个客户 ({rows} 行, 重复 {duplicates}, 重新定级 {regraded}), 本期新增 {new}",
    "term.funnel": "漏斗: 客流量 {traffic} → 留档 {kept} ({keep_rate}) → 跟踪 {followed} ({follow_rate}) → 成交 {deals} ({convert_rate})",
    "term.cost": "成本: 营销费用 {spend} · 集客成本 {cost_per_lead} · 战败 {lost} ({lost_share}) · 战败成本 {lost_cost}",
    "term.issues": "数据问题: {n} 条 (错误 {errors}) — 见 report.xlsx「{sheet}」",
    "term.annotated": "annotated/ ({n} 个工作簿)",
    "term.annotated_one": "annotated/ (1 个工作簿)",
    "term.split": "due/ ({n} 份: {names})",
    "term.wrote": "已写入 {out}: {names}",
    "text.crosscheck_agree": "以上 {differ} 天日报与当天建卡不一致; 另有 {n} 天一致",
    "col.schedule_total": "合计",
    "col.upcoming": "未来{n}天",
    "text.schedule_note": (
        "每位顾问各级别客户的下次跟进落在哪一段: 逾期, 紧急 (7 天内, 含今日), "
        "缓急 (30 天内), 不紧急 (90 天内), 可慢反应 (更晚)"
    ),
    "spend.monthly": "{amount} 元/月 × {days}/{month_days} 天",
    "spend.month": "{month} 的 {amount} 元 × {days}/{month_days} 天",
    "spend.days": "按日支出 {amount} 元 ({n} 笔)",
}

EN: dict[str, str] = {
    "sheet.due": "Due",
    "sheet.funnel": "Funnel",
    "sheet.channels": "Channels",
    "sheet.consultants": "Consultants",
    "sheet.lost": "Lost",
    "sheet.issues": "Data issues",
    "sheet.duplicates": "Duplicates",
    "sheet.crosscheck": "Daily check",
    "col.consultant": "Consultant",
    "col.kind": "Kind",
    "col.task": "Task",
    "col.due": "Due date",
    "col.days_late": "Days late",
    "col.bucket": "Urgency",
    "col.escalation": "Flag",
    "col.name": "Customer",
    "col.phone": "Phone",
    "col.grade": "Grade",
    "col.model": "Model",
    "col.source": "Source",
    "col.reason": "Reason",
    "col.file": "File",
    "col.sheet": "Sheet",
    "col.row": "Row",
    "col.column": "Column",
    "col.value": "Value",
    "col.severity": "Severity",
    "col.code": "Code",
    "col.message": "Message",
    "col.leads": "Leads",
    "col.won": "Won",
    "col.lost": "Lost",
    "col.conversion": "Conversion",
    "col.spend": "Spend",
    "col.cost_per_lead": "Cost per lead",
    "col.cost_per_deal": "Cost per deal",
    "col.lost_cost": "Lost cost",
    "col.traffic": "Traffic",
    "col.kept": "Kept",
    "col.keep_rate": "Keep rate",
    "col.followed": "Followed",
    "col.follow_rate": "Follow rate",
    "col.deals": "Deals",
    "col.convert_rate": "Convert rate",
    "col.grade_n": "Grade {grade}",
    "col.due_count": "Due",
    "col.overdue": "Overdue",
    "col.on_time_share": "On time",
    "col.lost_reason": "Lost reason",
    "col.competitor": "Competitor",
    "col.lost_on": "Lost on",
    "col.date": "Date",
    "col.reported": "Reported kept",
    "col.cards": "Cards created",
    "col.difference": "Difference",
    "col.dup_kind": "Type",
    "col.owner": "Owner",
    "col.dup_consultant": "Registered by",
    "col.owner_file": "Owner file",
    "col.owner_row": "Owner row",
    "col.metric": "Figure",
    "col.figure": "Value",
    "col.how": "How",
    "col.count": "Count",
    "col.status": "Status",
    "col.when": "When",
    "col.state_task": "State / task",
    "kpi.traffic": "Traffic",
    "kpi.kept": "Kept",
    "kpi.followed": "Followed",
    "kpi.deals": "Deals",
    "kpi.keep_rate": "Keep rate",
    "kpi.follow_rate": "Follow rate",
    "kpi.convert_rate": "Convert rate",
    "kpi.spend": "Marketing spend",
    "kpi.cost_per_lead": "Cost per lead",
    "kpi.lost": "Lost",
    "kpi.lost_share": "Lost share",
    "kpi.lost_cost": "Lost cost",
    "how.traffic": "sum of showroom visits",
    "how.kept": "leads first contacted in the period",
    "how.followed": "of those, contacted again or won",
    "how.deals": "of those, won",
    "how.keep_rate": "kept ÷ traffic",
    "how.follow_rate": "followed ÷ kept",
    "how.convert_rate": "deals ÷ followed",
    "how.spend": "for the period",
    "how.cost_per_lead": "spend ÷ kept",
    "how.lost": "leads of the period lost",
    "how.lost_share": "lost ÷ kept",
    "how.lost_cost": "spend × lost share",
    "formula.sales": "Sales = traffic × keep rate × follow rate × convert rate",
    "formula.sales_filled": "{deals} = {traffic} × {keep_rate} × {follow_rate} × {convert_rate}",
    "formula.lost_cost": "Lost cost = lost × monthly spend / monthly leads",
    "formula.lost_cost_filled": "{lost_cost} = {lost} × {spend} / {kept}",
    "formula.cost_per_lead": "Cost per lead = spend / leads kept",
    "formula.cost_per_lead_filled": "{cost_per_lead} = {spend} / {kept}",
    "kind.followup": "Follow-up",
    "kind.care": "After-sale care",
    "kind.lost_review": "Lost review",
    **{f"task.{t.code}": t.en for t in TaskName},
    **{f"bucket.{b.code}": b.en for b in Bucket},
    **{f"esc.{f.code}": f.en for f in Flag},
    "dup.conflict": "Ownership conflict",
    "dup.repeat": "Repeat",
    "sev.error": "error",
    "sev.warning": "warning",
    "status.ok": "read",
    "status.skipped": "skipped",
    "status.error": "could not be read",
    "text.report": "Follow-up report",
    "text.period": "{start} to {end}",
    "text.as_of": "as of {date}",
    "text.title": "{store} · {what} · {period} · {as_of}",
    "text.none": "None",
    "text.more": "{n} more",
    "text.more_in_report": "{n} more, see report.xlsx “{sheet}”",
    "text.late": "{n} d late",
    "text.today": "today",
    "text.upcoming": "in {n} d",
    "text.funnel": "Sales funnel",
    "text.kpis": "Key figures",
    "text.due_lists": "Due lists",
    "text.due_note": (
        "The week's work: overdue, due today and due in the next {n} days, most urgent first. "
        "Phones are masked; the full numbers are in report.xlsx."
    ),
    "text.issue_counts": "By code",
    "text.files": "Files read",
    "text.rows": "{n} rows",
    "text.chart_funnel": "Sales funnel",
    "text.chart_channels": "Leads and deals by channel",
    "text.chart_consultants": "Due and overdue by consultant",
    "text.lost_by_channel": "Lost cost by channel",
    "text.other": "Other",
    "text.unknown": "(blank)",
    "text.generated": "Made by leadbook",
    "sheet.compare": "Stores",
    "sheet.group_trend": "Trend",
    "col.store": "Store",
    "col.period": "Period",
    "col.as_of": "As of",
    "col.leads_total": "Leads",
    "col.followthrough": "Follow-through",
    "col.rank_convert": "Conversion rank",
    "col.rank_cost": "Cost per lead rank",
    "col.group_note": "Note",
    "col.total": "Total",
    "trend.traffic": "Traffic",
    "trend.kept": "Kept",
    "trend.deals": "Deals",
    "trend.cost_per_lead": "Cost per lead",
    "trend.lost_share": "Lost share",
    "trend.due": "Due",
    "trend.overdue": "Overdue",
    "trend.followthrough_rate": "Follow-through",
    "text.group": "Dealer group roll-up",
    "text.group_title": "Dealer group roll-up · {n} stores",
    "text.store_failed": "no figures from this store (see the errors)",
    "text.flag_as_of": "as-of date differs from most stores",
    "text.flag_period": "period differs from most stores",
    "text.group_note": (
        "Total: counts and amounts added up, every rate recomputed from the sums (never an "
        "average of rates); empty where a store could not compute the figure. Yellow rows: "
        "as-of date or period differs from most stores, or no figures."
    ),
    "text.chart_rank_convert": "Stores ranked on conversion",
    "text.chart_rank_cost": "Stores ranked on cost per lead (lowest first)",
    "text.chart_trend": "Follow-through by store",
    "text.stores_failed": "Stores without figures",
    "text.mixed": "Stores with another as-of date or period",
    "fu.due": "Due",
    "fu.overdue": "Overdue",
    "fu.upcoming": "Next {n} days",
    "fu.care": "After-sale care",
    "fu.lost_review": "Lost reviews",
    "sheet.schedule": "Schedule",
    "term.head": "leadbook — {store} · period {start} to {end} · as of {as_of}",
    "term.files": "Files: {n} ({ok} read, {skipped} skipped, {error} unreadable)",
    "term.skipped": "  skipped: {names}",
    "term.week": "This week",
    "term.leads": "Leads: {total} ({rows} rows, {duplicates} repeated, {regraded} re-graded), new in period {new}",
    "term.funnel": "Funnel: traffic {traffic} → kept {kept} ({keep_rate}) → followed {followed} ({follow_rate}) → deals {deals} ({convert_rate})",
    "term.cost": "Cost: spend {spend} · cost per lead {cost_per_lead} · lost {lost} ({lost_share}) · lost cost {lost_cost}",
    "term.issues": "Issues: {n} ({errors} errors) — listed in report.xlsx “{sheet}”",
    "term.annotated": "annotated/ ({n} workbooks)",
    "term.annotated_one": "annotated/ (1 workbook)",
    "term.split": "due/ ({n}: {names})",
    "term.wrote": "Wrote to {out}: {names}",
    "text.crosscheck_agree": "{differ} days above disagree with the cards; {n} more days agree",
    "col.schedule_total": "Total",
    "col.upcoming": "Next {n} days",
    "text.schedule_note": (
        "When each consultant's leads of each grade fall due next: overdue, urgent "
        "(7 days, today included), soon (30 days), later (90 days), no rush (after that)"
    ),
    "spend.monthly": "{amount} RMB/month × {days}/{month_days} days",
    "spend.month": "{amount} RMB of {month} × {days}/{month_days} days",
    "spend.days": "{amount} RMB spent by day ({n} entries)",
}

LANGUAGES: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}


class Labels(Mapping[str, str]):
    """The labels of one language; unknown pipeline words are shown as they are."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang if lang in LANGUAGES else "zh"
        self._table = LANGUAGES[self.lang]

    def __getitem__(self, key: str) -> str:
        return self._table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def fmt(self, key: str, **values: Any) -> str:
        return self._table[key].format(**values)

    def word(self, namespace: str, raw: Any) -> str:
        """A pipeline word (task, bucket, escalation...) in this language, else as given."""
        if raw is None:
            return ""
        text = str(raw)
        return self._table.get(f"{namespace}.{text}", text)

    def column(self, name: str) -> str:
        """Header of a table column; ``grade_A`` style columns read "A级" / "Grade A"."""
        if name.startswith("grade_"):
            return self.fmt("col.grade_n", grade=name[len("grade_"):])
        return self._table.get(f"col.{name}", name)

    def followups(self, counts: Mapping[str, Any], list_days: int,
                  keys: tuple[str, ...] = ("due", "overdue", "upcoming", "care", "lost_review"),
                  ) -> str:
        """The week's work in words, as every output says it:
        "应跟进 60 · 已逾期 40 · 未来7天 120 · 售后关怀 12 · 战败回访 5"."""
        return " · ".join(
            f"{self.fmt(f'fu.{k}', n=list_days)} {int(counts.get(k) or 0):,}" for k in keys)

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.lang == "zh" else "en"


def labels(lang: str = "zh") -> Labels:
    return Labels(lang)
