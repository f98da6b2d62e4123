"""leadbook.history.compare: the §10 rules on hand-made snapshots, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from leadbook.history import compare
from leadbook.history.model import LeadState, RunFigures, Snapshot, TaskState, date_of, day

THEN = dt.date(2026, 11, 8)
NOW = dt.date(2026, 11, 15)


def lead(key: str, latest: dt.date | None, grade: str = "B", status: str = "active",
         who: str = "张伟") -> LeadState:
    return LeadState(key, "138****0000", who, grade, status, day(dt.date(2026, 10, 1)),
                     day(latest), None, None, "卡.xlsx", "卡", 3)


def run(as_of: dt.date, list_days: int = 7) -> RunFigures:
    return RunFigures("店", as_of, None, None, list_days, 0, 0, 0, None, None, None, None,
                      None, None, None, None)


def task(key: str, due: dt.date, kind: str = "followup", who: str = "张伟") -> TaskState:
    return TaskState(key, who, kind, "跟进", day(due), (THEN - due).days)


def test_day_numbers_round_trip():
    for d in (dt.date(1970, 1, 1), dt.date(2026, 11, 22), dt.date(1999, 12, 31)):
        assert date_of(day(d)) == d
    assert day(dt.date(1970, 1, 2)) == 1
    assert day(None) is None and date_of(None) is None


@pytest.mark.parametrize(("due", "called", "done", "on_time"), [
    (dt.date(2026, 11, 10), dt.date(2026, 11, 10), 1, 1),   # on its due day
    (dt.date(2026, 11, 10), dt.date(2026, 11, 11), 1, 0),   # a day late
    (dt.date(2026, 11, 5), dt.date(2026, 11, 9), 1, 1),     # overdue when listed: the day after
    (dt.date(2026, 11, 5), dt.date(2026, 11, 10), 1, 0),    # … and not two days after
    (dt.date(2026, 11, 8), dt.date(2026, 11, 8), 0, 0),     # latest contact did not move
])
def test_on_time_deadline(due, called, done, on_time):
    before = Snapshot(run(THEN), {"k": lead("k", dt.date(2026, 11, 1) if done
                                               else dt.date(2026, 11, 8))}, [task("k", due)])
    ft = compare.followthrough(before, {"k": lead("k", called)}, NOW)
    assert (ft.listed, ft.done, ft.on_time, ft.missed) == (1, done, on_time, 1 - done)


def test_won_or_lost_since_counts_as_done():
    before = Snapshot(run(THEN), {"w": lead("w", THEN), "l": lead("l", THEN)},
                      [task("w", dt.date(2026, 11, 9)), task("l", dt.date(2026, 11, 9))])
    now = {"w": lead("w", THEN, "O", "won"), "l": lead("l", dt.date(2026, 11, 9), "F", "lost")}
    ft = compare.followthrough(before, now, NOW)
    # both dealt with; only the lost one has a contact within the deadline
    assert (ft.listed, ft.done, ft.on_time, ft.missed) == (2, 2, 1, 0)


def test_only_the_weeks_follow_up_calls_due_by_now_are_listed():
    tasks = [task("a", dt.date(2026, 11, 15)),                  # due by now: listed
             task("b", dt.date(2026, 11, 16)),                  # due after now
             task("c", dt.date(2026, 11, 9), kind="care"),      # not a follow-up call
             TaskState("d", "张伟", "followup", "跟进", day(dt.date(2026, 11, 12)), -8)]
    before = Snapshot(run(THEN), {k: lead(k, THEN) for k in "abcd"}, tasks)
    assert [t.key for t in compare.listed_calls(before, NOW)] == ["a"]


def test_a_vanished_lead_is_neither_done_nor_missed():
    before = Snapshot(run(THEN), {"v": lead("v", THEN)}, [task("v", dt.date(2026, 11, 9))])
    ft = compare.followthrough(before, {}, NOW)
    assert (ft.listed, ft.done, ft.missed) == (1, 0, 0)
    assert ft.by_consultant["张伟"]["rate"] == 0.0


def test_nothing_listed_gives_no_rate():
    ft = compare.followthrough(Snapshot(run(THEN)), {}, NOW)
    assert ft.listed == 0 and ft.rate is None and ft.as_dict()["rate"] is None


def test_lead_changes_by_the_schemes_own_grades():
    before = {"up": lead("up", THEN, "C"), "down": lead("down", THEN, "A"),
              "new": lead("new", THEN, "N"), "won": lead("won", THEN, "A"),
              "back": lead("back", THEN, "F", "lost"), "gone": lead("gone", THEN, "B"),
              "gone_won": lead("gone_won", THEN, "O", "won")}
    now = {"up": lead("up", NOW, "A"), "down": lead("down", NOW, "D"),
           "new": lead("new", NOW, "A"), "won": lead("won", NOW, "O", "won"),
           "back": lead("back", NOW, "B"), "fresh": lead("fresh", NOW, "B")}
    ch = compare.lead_changes(before.values(), now, ["A", "B", "C", "D"])
    assert ch.counts == {"new": 1, "carried_over": 5, "vanished": 1, "upgraded": 1,
                         "downgraded": 1, "newly_won": 1, "newly_lost": 0, "reopened": 1}
    assert ch.transitions == {"A→D": 1, "A→O": 1, "C→A": 1, "F→B": 1, "N→A": 1}
    assert [s.key for s in ch.vanished] == ["gone"]  # a won customer gone is no hidden loss


def test_trend_keeps_the_last_twelve_oldest_first():
    runs = [run(THEN + dt.timedelta(days=7 * i)) for i in range(15)][::-1]
    trend = compare.trend(runs)
    assert len(trend) == 12
    assert trend[0]["as_of"] == (THEN + dt.timedelta(days=21)).isoformat()
    assert list(trend[0]) == list(compare.TREND_KEYS)


def test_the_page_sized_results_show_the_page_the_whole_results_show():
    """report.xlsx's worker sends the run's process the history's results with the
    vanished and missed lists cut to the page's rows (HistoryResult.for_page): the
    page's sections, "另有 N 条" counts included, are those of the whole results."""
    from dataclasses import replace

    from outcome_factory import make_outcome

    from leadbook.history.remember import PAGE_ROWS, HistoryReport, HistoryResult, summary_history
    from leadbook.labels import labels
    from leadbook.write.html_history import history_context

    before = {f"k{i}": lead(f"k{i}", dt.date(2026, 11, 1)) for i in range(PAGE_ROWS + 40)}
    tasks = [task(k, dt.date(2026, 11, 10)) for k in before]
    now = {k: s for k, s in before.items() if int(k[1:]) >= 25}  # 25 vanished
    now.update({f"v{i}": lead(f"v{i}", None) for i in range(3)})
    previous = Snapshot(run(THEN), before, tasks)
    changes = compare.lead_changes(before.values(), now, ["A", "B", "C"])
    gone = [lead(f"g{i}", dt.date(2026, 10, 2)) for i in range(PAGE_ROWS + 7)]
    changes = replace(changes, vanished=gone, counts={**changes.counts, "vanished": len(gone)})
    ft = compare.followthrough(previous, now, NOW)
    assert ft.missed == len(ft.missed_list) > PAGE_ROWS
    report = HistoryReport(previous=run(THEN), followthrough=ft, changes=changes,
                           trend=compare.trend([run(THEN), run(NOW)]), runs=2)
    whole = HistoryResult(report, summary_history(report), [], [])
    cut = whole.for_page()
    assert cut.report is not None and cut.report.changes is not None
    assert len(cut.report.changes.vanished) == PAGE_ROWS
    assert cut.report.followthrough is not None
    assert len(cut.report.followthrough.missed_list) == PAGE_ROWS
    for lang in ("zh", "en"):
        shown = []
        for result in (whole, cut):
            outcome = make_outcome(lang)
            result.apply(outcome)
            shown.append(history_context(outcome, labels(lang)))
        assert shown[0] == shown[1]
        assert shown[0] is not None and shown[0]["vanished_more"] and shown[0]["missed_more"]
    assert "7" in shown[0]["vanished_more"]  # the 7 past the page's rows, counted
