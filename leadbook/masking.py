"""Phone-like digit runs masked in every name a run reports (domain.md §9).

A file named ``13812340301客户.xlsx``, a sheet or a consultant named with a
number: summary.json, the page and the terminal are forwarded, so the names
they carry are masked like any phone number (138****0301). The user's own
files keep their names: the annotated copy is matched to its input by it.
"""

from __future__ import annotations

from typing import Any

from .values import mask_text

# summary.json keys whose values are names or text from the workbooks.
NAME_KEYS = ("path", "message", "name", "file", "sheet")
# keys whose mapping is keyed by a consultant's name
NAMED_MAPPINGS = ("by_consultant",)


def mask_names(value: Any) -> Any:
    """A copy of a summary (dicts and lists) with every name masked."""
    return _masked(value, {})


def _masked(value: Any, names: dict[str, str]) -> Any:
    """mask_names, with ``names`` the names masked so far (each issue of a file names
    it and its sheet again: 14,000 issues, two names masked once each)."""
    if isinstance(value, list):
        return [_masked(v, names) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[Any, Any] = {}
    for key, item in value.items():
        if key in NAMED_MAPPINGS and isinstance(item, dict):
            merged: dict[str, Any] = {}
            for who, figures in item.items():
                merged.setdefault(mask_text(str(who)), _masked(figures, names))
            out[key] = merged
        elif key in NAME_KEYS and isinstance(item, str):
            if key == "message":  # a sentence: seldom the same twice
                out[key] = mask_text(item)
                continue
            masked = names.get(item)
            out[key] = masked if masked is not None else names.setdefault(item, mask_text(item))
        else:
            out[key] = _masked(item, names)
    return out
