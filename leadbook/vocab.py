"""The words dealers write in their sheets, as tables.

Source: domain.md §6 (header words, status words, value forms), distilled from
the dealer CRM maintenance manual's 意向客户管理卡 and 销售活动日报表 forms
(seeds/002) and the dealer manual's lead classification (seeds/000).

All words are in simplified Chinese: header and value text is normalised
(trim, NFKC, traditional → simplified) before it is compared.
"""

from __future__ import annotations

from .model import Status

# Header words per field (domain.md §6 table). Order does not matter; matching
# is on the normalised, unit-stripped header text.
LEAD_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("客户姓名", "客户名称", "姓名", "客户", "顾客姓名"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "客户电话"),
    "consultant": ("销售顾问", "顾问", "销售员", "销售人员", "业务员", "跟进人", "负责人"),
    "source": ("信息来源", "客户来源", "线索来源", "来源渠道", "渠道", "集客方式"),
    "model": ("意向车型", "车型", "拟购车型", "意向车系"),
    "first_contact": (
        "首次接触日期", "建档日期", "建卡日期", "登记日期", "留档日期", "首次到店日期",
        "线索创建时间",
    ),
    "last_contact": ("最近跟进日期", "最后跟进日期", "上次跟进日期", "跟进日期", "最近联系日期"),
    "next_contact": ("下次跟进日期", "计划跟进日期", "下次回访时间", "预约日期", "预约来店时间"),
    "horizon": ("预计购车时间", "预购时间", "购车时间", "预计成交时间", "预计订车时间"),
    "grade": ("客户级别", "意向级别", "意向客户级别", "客户等级", "级别", "等级"),
    "status": ("状态", "客户状态", "跟进状态"),
    "lost_reason": ("战败原因", "流失原因"),
    "competitor": ("竞品", "竞争品牌", "购买竞品", "战败车型", "流失去向"),
    "lost_date": ("战败日期", "战败时间", "流失日期"),
    "delivery_date": ("交车日期",),
    "birthday": ("生日",),
    "notes": ("备注", "跟进记录"),
}

ACTIVITY_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("日期",),
    "consultant": LEAD_FIELDS["consultant"],
    "traffic": ("来店批次", "来店量", "进店批次", "客流量", "集客量", "来店人数"),
    "kept": ("留档数", "留资数", "建档数", "建卡数", "留档批次"),
    "calls": ("电话回访", "回访数", "跟进数", "电话跟进"),
    "invited_visits": ("邀约到店", "邀约到店数"),
    "test_drives": ("试乘试驾", "试驾数"),
    "orders": ("订单", "订单数", "订车数", "成交数"),
    "deliveries": ("交车", "交车数"),
    "lost": ("战败", "战败数"),
}

# A spend sheet: marketing spend per channel (domain.md §5 "config, or a spend sheet").
SPEND_FIELDS: dict[str, tuple[str, ...]] = {
    "source": LEAD_FIELDS["source"],
    "amount": ("营销费用", "费用", "金额", "投入", "花费", "市场费用"),
    "date": ("日期", "月份"),
}

# Fields the manager's work cannot do without (domain.md §6, last paragraph).
LEAD_REQUIRED = ("phone", "consultant")
ACTIVITY_REQUIRED = ("date", "consultant")

LEAD_DATE_FIELDS = (
    "first_contact", "last_contact", "next_contact", "delivery_date", "birthday", "lost_date",
)
ACTIVITY_COUNT_FIELDS = (
    "traffic", "kept", "calls", "invited_visits", "test_drives", "orders", "deliveries", "lost",
)

# Status words (domain.md §6). Matched on normalised text; the longest word
# found in the cell decides, so "未成交" is not read as 成交.
STATUS_WORDS: dict[str, Status] = {
    "跟进中": Status.ACTIVE,
    "跟进": Status.ACTIVE,
    "意向": Status.ACTIVE,
    "潜在": Status.ACTIVE,
    "有望": Status.ACTIVE,
    "已成交": Status.WON,
    "成交": Status.WON,
    "已订车": Status.WON,
    "订单": Status.WON,
    "已交车": Status.WON,
    "保有": Status.WON,
    "战败": Status.LOST,
    "流失": Status.LOST,
    "无效": Status.INVALID,
    "失效": Status.INVALID,
    "重复线索": Status.INVALID,
    "休眠": Status.DORMANT,
    "冷冻": Status.DORMANT,
}

# Words that negate a status word ("未成交" is still active).
STATUS_NEGATIONS = ("未", "没", "没有", "非", "不")

# "No need" answers in the horizon column (domain.md §2 rule 4).
NO_NEED_WORDS = ("暂不购买", "无需求", "不买了", "不确定", "暂无需求", "没有需求", "不需要")

# A first cell saying this is a total row: not data (domain.md §6).
TOTAL_WORDS = ("合计", "总计", "小计", "total")

# The five columns the annotated copy adds, in order (domain.md §8).
ANNOTATION_HEADERS = ("系统级别", "级别变化", "下次跟进", "逾期天数", "提示")
