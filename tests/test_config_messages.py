"""Config errors name the key and say how to fix it; `leadbook init` (domain.md §7)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadbook.cli import main
from leadbook.config import Config, load_config

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def run(inbox: Path, out: Path, *args: str):
    return CliRunner().invoke(main, ["process", str(inbox), "--out", str(out), "--as-of",
                                     "2026-10-31", *args], catch_exceptions=False)


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    box.mkdir()
    for p in SAMPLE.glob("*.xlsx"):
        shutil.copy(p, box / p.name)
    return box


CASES = [
    ('schem = "4s"\n', "schem: 未知的设置项; 是不是 [grading] 段里的 scheme?",
     "schem: unknown key; did you mean scheme in [grading]?"),
    ("list_day = 3\n", "list_day: 未知的设置项; 是不是 [followups] 段里的 list_days?",
     "list_day: unknown key; did you mean list_days in [followups]?"),
    ("[grading]\nspend = 3\n", "grading.spend: 未知的设置项; 是不是 [marketing] 段里的 spend?",
     "grading.spend: unknown key; did you mean spend in [marketing]?"),
    ('[grading]\nschem = "4s"\n', "grading.schem: 未知的设置项; 是不是 grading.scheme?",
     "grading.schem: unknown key; did you mean grading.scheme?"),
    ('[colums]\nphone = ["客户手机"]\n', "[colums]: 未知的设置段; 是不是 [columns]?",
     "[colums]: unknown section; did you mean [columns]?"),
    ('stor = "一店"\n', "stor: 未知的设置项; 是不是 store?",
     "stor: unknown key; did you mean store?"),
    ('[marketing]\nspend = "abc"\n', 'marketing.spend = "abc": 应为数字',
     'marketing.spend = "abc": must be a number'),
    ("[followups]\nlist_days = 7.5\n", "followups.list_days = 7.5: 应为整数",
     "followups.list_days = 7.5: must be a whole number"),
    ("store = 5\n", '''store = 5: 应为文字 (加英文引号, 如 "4s")''',
     '''store = 5: must be text (in quotes, such as "4s")'''),
    ('[[grading.grades]]\ngrade = "A"\nevery = 7\n',
     "grading.grades.every: 未知的设置项; 是不是 grading.grades.every_days?",
     "grading.grades.every: unknown key; did you mean grading.grades.every_days?"),
]


@pytest.mark.parametrize("toml,zh,en", CASES, ids=[c[1].split(":")[0] for c in CASES])
def test_config_error_names_the_key(inbox: Path, tmp_path: Path, toml: str, zh: str, en: str):
    config = inbox / "leadbook.toml"
    config.write_text(toml, encoding="utf-8")
    out = tmp_path / "out"
    result = run(inbox, out)
    assert result.exit_code == 2
    assert result.output == f"错误: {config}: {zh}\n"
    result = run(inbox, out, "--lang", "en")
    assert result.exit_code == 2
    assert result.output == f"Error: {config}: {en}\n"
    assert not out.exists()  # nothing written


def test_config_not_utf8_says_to_save_it_as_utf8(inbox: Path, tmp_path: Path):
    config = inbox / "leadbook.toml"
    config.write_bytes('store = "城东店"\n'.encode("gbk"))
    result = run(inbox, tmp_path / "out")
    assert result.exit_code == 2
    assert result.output == (f"错误: {config}: 不是 UTF-8 编码的文本; 请用记事本打开它, "
                             "「另存为」时编码选 UTF-8, 再运行\n")
    result = run(inbox, tmp_path / "out", "--lang", "en")
    assert result.output == (f"Error: {config}: not UTF-8 text; open it in a text editor and "
                             "save it as UTF-8, then run again\n")


def test_init_writes_every_key_and_reads_back(tmp_path: Path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "店")], catch_exceptions=False)
    assert result.exit_code == 0
    target = tmp_path / "店" / "leadbook.toml"
    text = target.read_text(encoding="utf-8")
    for key in ("store =", "history =", "[grading]", "scheme =", "stale_factor =",
                "[[grading.grades]]", "[grading.aliases]", "[followups]", "list_days =",
                "[marketing]", "spend =", "[marketing.by_source]", "[columns]"):
        assert key in text, key
    config = load_config(target)
    defaults = Config()
    for field in ("store", "scheme", "stale_factor", "list_days", "spend", "spend_by_source",
                  "columns"):
        assert getattr(config, field) == getattr(defaults, field), field
    # Each key has a Chinese line saying what it is for, right above it.
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith("#") and not line.startswith("["):
            assert lines[i - 1].startswith("# ") and any("\u4e00" <= c <= "\u9fff"
                                                        for c in lines[i - 1]), line


def test_init_never_overwrites(tmp_path: Path):
    target = tmp_path / "leadbook.toml"
    target.write_text('store = "我的店"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == f"错误: {target} 已存在, 没有改动它 (要重新生成, 请先改名或删除它)\n"
    assert target.read_text(encoding="utf-8") == 'store = "我的店"\n'
