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
    "traffic": (
        "来店批次", "来店量", "进店批次", "客流量", "集客量", "来店人数", "首次来客批次",
        "展厅首次来客批次",
    ),
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

# Month grids (domain.md §6 "Month grids"): the word over the metric names,
# the 负责人 column (answerable for the metric, never a consultant), and the
# parts a metric name is built from around a header word: 展厅 + 订单 + 台数.
GRID_LABEL_WORDS = ("项目", "指标", "项目名称", "指标名称", "考核项目", "考核指标")
GRID_OWNER_WORDS = ("负责人", "责任人")
GRID_METRIC_PREFIXES = ("展厅", "门店", "全店", "店内", "本店")
GRID_METRIC_SUFFIXES = (
    "次数", "台数", "批次", "人数", "组数", "数量", "总数", "总量", "数", "量", "台", "次", "组",
)

# Header words built from parts (domain.md §6 "Header words are a vocabulary"):
# dealers and their DMS/CRM exports compose them, so every combination of one
# part from each group is a header word of the field ("" = the part may be left out).
HEADER_PARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "last_contact": (("上次", "最近", "最后", "末次"), ("跟进", "联系", "回访", "进店", "到店"),
                     ("日期", "时间", "")),
    "next_contact": (("下次", "计划", "预约"), ("跟进", "联系", "回访"), ("日期", "时间", "")),
    "first_contact": (("线索", "客户"), ("获得", "创建", "登记", "分配"), ("日期", "时间")),
}
# Whole words of DMS/CRM exports (domain.md §6).
EXPORT_WORDS: dict[str, tuple[str, ...]] = {
    "consultant": ("营销员", "建档人", "所属顾问", "业务负责人", "销售代表"),
    "status": ("跟踪状态", "线索状态", "意向状态"),
    "source": ("网络平台", "渠道来源"),
}
# When two columns match one field, a word here yields to any other word of
# the field (domain.md §6: 销售顾问 / 营销员 over 建档人 / 负责人; 手机 over 电话).
WEAK_WORDS: dict[str, tuple[str, ...]] = {
    "consultant": ("建档人", "负责人", "业务负责人"),
    "phone": ("电话", "联系电话", "联系方式", "客户电话"),
}


def _compose(groups: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    words = [""]
    for group in groups:
        words = [w + part for w in words for part in group]
    return tuple(w for w in words if w)


for _field, _groups in HEADER_PARTS.items():
    _own = LEAD_FIELDS[_field]
    LEAD_FIELDS[_field] = _own + tuple(w for w in _compose(_groups) if w not in _own)
for _field, _words in EXPORT_WORDS.items():
    LEAD_FIELDS[_field] = LEAD_FIELDS[_field] + tuple(
        w for w in _words if w not in LEAD_FIELDS[_field])

# A lead card names, besides a name or phone, at least one of these; a name
# and a phone alone do not make one (domain.md §6 "Sheets that are not sales leads").
LEAD_SIGNS = ("consultant", "horizon", "grade", "status", "source", "first_contact",
              "last_contact", "next_contact", "lost_reason")
# A sheet whose header holds service words must name one of these to be a lead card.
LEAD_SIGNS_BESIDE_SERVICE = ("consultant", "horizon", "grade")
# The workshop's and service desk's header words (work orders, service customers).
SERVICE_WORDS = (
    "工单号", "工单编号", "维修工单", "车牌号", "车牌号码", "车牌", "维修顾问", "服务顾问",
    "结算金额", "维修类型", "维修项目", "进厂日期", "进厂时间", "出厂日期", "车架号", "VIN",
    "行驶里程", "里程", "工时费", "材料费",
)
ACTIVITY_FIELDS["consultant"] = LEAD_FIELDS["consultant"]
SPEND_FIELDS["source"] = LEAD_FIELDS["source"]
