"""summary.html: escaped, masked, self-contained, every figure shown; and as a browser sees it."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from outcome_factory import (
    COST,
    FORMULA_NAME,
    FUNNEL,
    HYPERLINK_VALUE,
    SCRIPT_NAME,
    make_outcome,
    phone,
    task_row,
    tasks_frame,
)

from leadbook.write.html import DUE_CAP, render_html, write_html

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(make_outcome())


def test_page_is_chinese_with_phone_viewport(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "丰田XX汽车4S店" in page and "2026-11-16 至 2026-11-22" in page
    assert "截至 2026-11-22" in page
    assert "@media print" in page and "break-before: page" in page


def test_phones_masked_never_full(page):
    outcome = make_outcome()
    for full in outcome.tasks["phone"]:
        assert full not in page
    assert "139****0000" in page  # the most urgent task of the first consultant
    for full in outcome.duplicates["phone"]:
        assert full not in page
    # A phone typed into an issue's value and message is masked too.
    assert "13812345678" not in page
    assert "138****5678x" in page


def test_workbook_text_is_escaped(page):
    assert SCRIPT_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert FORMULA_NAME in page
    # The =HYPERLINK value is plain text, its quotes escaped: no live link.
    assert HYPERLINK_VALUE not in page
    assert "=HYPERLINK(&#34;http://example.invalid&#34;" in page


def test_every_kpi_figure_is_shown(page):
    kpis = dict(re.findall(r'data-kpi="(\w+)">\s*<div class="label">[^<]*</div>\s*'
                           r'<div class="value">([^<]*)</div>', page))
    assert kpis == {
        "traffic": "200", "keep_rate": "40.0%", "follow_rate": "75.0%",
        "convert_rate": "20.0%", "spend": "104,000", "cost_per_lead": "1,300",
        "lost_share": "45.0%",
        "lost_cost": "46,800",
    }
    for label in ("客流量", "信息留存率", "跟踪互动率", "最终转化率", "营销费用", "集客成本",
                  "战败率", "战败成本"):
        assert label in page
    # The funnel graphic carries the four stages and the three rates between them.
    svg = page[page.index('<section id="funnel">'):page.index('<section id="due">')]
    for figure in ("200", "80", "60", "12", "信息留存率 40.0%", "跟踪互动率 75.0%",
                   "最终转化率 20.0%"):
        assert f">{figure}<" in svg
    assert svg.count("<polygon") == 3 and svg.count("<rect") == 4
    assert "12 = 200 × 40.0% × 75.0% × 20.0%" in page
    assert "46,800 = 36 × 104,000 / 80" in page


def test_missing_figures_show_a_dash_never_zero():
    funnel = {**FUNNEL, "traffic": None, "keep_rate": None}
    cost = {k: None for k in COST}
    page = render_html(make_outcome(funnel=funnel, cost=cost))
    kpis = dict(re.findall(r'data-kpi="(\w+)">\s*<div class="label">[^<]*</div>\s*'
                           r'<div class="value">([^<]*)</div>', page))
    assert kpis["traffic"] == "—" and kpis["keep_rate"] == "—"
    assert kpis["cost_per_lead"] == "—" and kpis["lost_cost"] == "—"
    assert kpis["lost_share"] == "—" and kpis["spend"] == "—"
    assert kpis["follow_rate"] == "75.0%"
    assert "— = — × — / 80" in page  # the lost-cost formula with nothing made up


def test_due_lists_per_consultant_due_first_then_urgent(page):
    due = page[page.index('<section id="due">'):page.index('<section id="channels">')]
    names = re.findall(r"<h3>([^<]+?) <span", due)
    assert names == ["张伟", "李娜", "王磊/二组"]
    first = due[:due.index("<h3>李娜")]
    states = re.findall(r'<span class="state">([^<]+)</span>', first)
    # The week's work in the list's order: 16, 9, 3, 1 days late, 3 today, then 2 and 5 days.
    assert states == ["逾期 16 天", "逾期 9 天", "逾期 3 天", "逾期 1 天", "今日", "今日", "今日",
                      "2 天后", "5 天后"]
    assert "建议准战败" in first and "经理关注" in first
    assert "感谢信" in first and "战败回访" in first  # care and lost review are listed
    # The head counts it in the words of every output: 4 follow-ups due (3 overdue), 1 upcoming.
    assert "应跟进 4 · 已逾期 3 · 未来7天 1 · 售后关怀 3 · 战败回访 1" in first


def test_due_list_capped_at_fifty_per_consultant():
    rows = [task_row(i, "张伟", "followup", "跟进", 60 - i) for i in range(DUE_CAP + 7)]
    page = render_html(make_outcome(tasks=tasks_frame(rows)))
    assert page.count('<span class="state">') == DUE_CAP
    assert "另有 7 条" in page
    en = render_html(make_outcome("en", tasks=tasks_frame(rows)))
    assert "7 more" in en


def test_english_page():
    page = render_html(make_outcome("en"))
    assert '<html lang="en">' in page
    for text in ("Key figures", "Traffic", "Keep rate", "Cost per lead", "Lost cost",
                 "Due lists", "Thank-you letter", "Suggest quasi-lost", "2026-11-16 to 2026-11-22"):
        assert text in page
    assert "信息留存率" not in page


def test_self_contained(page):
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # the page itself forbids any fetch


def test_empty_outcome_renders(tmp_path):
    outcome = make_outcome(tasks=tasks_frame([]))
    outcome.issues.clear()
    out = write_html(outcome, tmp_path / "summary.html")
    text = out.read_text(encoding="utf-8")
    assert text.count("<p>无</p>") >= 2  # no due list, no issues


# --- in a real browser ---------------------------------------------------------


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4).

    ``--remote-debugging-pipe`` needs no websocket library: commands are JSON
    messages ending in a NUL byte, written to the browser's fd 3; replies and
    events come back the same way on its fd 4.
    """

    def __init__(self, binary: str, profile: Path) -> None:
        import fcntl  # POSIX only, like the pipe wiring below

        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child, before exec
            # Copy both ends above 4 first: a pipe end may itself be fd 3 or 4.
            read_end = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            msg["sessionId"] = self.session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def open(self, url: str, width: int, height: int, mobile: bool) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=2 if mobile else 1, mobile=mobile)
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", expression=expression,
                         returnByValue=True)["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = True) -> None:
        shot = self.send("Page.captureScreenshot", format="png",
                         captureBeyondViewport=full_page)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)


@pytest.mark.client
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.skipif(sys.platform == "win32", reason="the DevTools pipe is wired with POSIX fds")
@pytest.mark.parametrize("width,mobile", [(390, True), (1280, False)])
def test_page_in_headless_chromium(tmp_path, width, mobile):
    html = write_html(make_outcome(), tmp_path / "summary.html")
    browser = Chromium(CHROMIUM, Path(tempfile.mkdtemp(dir=tmp_path)))
    try:
        browser.open(html.as_uri(), width, 900, mobile)
        text = browser.evaluate("document.body.innerText")
        lang = browser.evaluate("document.documentElement.lang")
        overflow = browser.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        fonts = browser.evaluate("document.fonts.size")
        scripts = browser.evaluate("document.scripts.length")
        shot = tmp_path / f"summary_{width}.png"
        browser.screenshot(shot)
    finally:
        browser.close()
    assert lang == "zh-CN"
    for figure in ("客流量", "200", "40.0%", "75.0%", "20.0%", "1,300", "45.0%", "46,800",
                   "139****0000", FORMULA_NAME, SCRIPT_NAME):
        assert figure in text, figure
    assert phone(0) not in text
    assert overflow <= 0, "the page is wider than the screen; tables must scroll in place"
    assert fonts == 0 and scripts == 0
    requests = [e["params"]["request"]["url"] for e in browser.events
                if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [html.as_uri()]
    console = [e for e in browser.events
               if e.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown",
                                      "Log.entryAdded", "Network.loadingFailed")]
    assert console == []
    assert shot.stat().st_size > 30_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
