"""Generate a dealer group for `leadbook group`: N stores of 5,000 leads each.

    python bench/make_group.py                    # 200 stores into bench/data/group200/
    python bench/make_group.py --stores 20        # a smaller group, bench/data/group20/

Each store is a folder of its own, as a group's manager collects them: the
store's 意向客户管理卡 (5,000 leads, 10 consultants, the same layout and values
as the `week` case of make_inbox.py, seeded per store), its 销售活动日报表 of the
last week and its leadbook.toml, the grading scheme taking turns (4s, habc,
parts) and the spend following the store's own channels. 200 stores make
1 million leads. Output is seeded and repeats byte for byte.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_inbox  # noqa: E402

SCHEMES = ("4s", "habc", "parts")


def store_folder(root: Path, i: int) -> Path:
    return root / f"店{i:03d}"


def make_store(root: Path, i: int) -> Path:
    case = replace(make_inbox.CASES["week"], name=f"店{i:03d}", seed=20261116 + i,
                   store_label=f"XX汽车第{i:03d}店")
    rng = random.Random(case.seed)
    folder = store_folder(root, i)
    folder.mkdir(parents=True, exist_ok=True)
    consultants = make_inbox.consultant_names(rng, case.consultants_per_store)
    leads = make_inbox.make_leads(case, rng, consultants)
    make_inbox.write_leads(case, leads, folder / make_inbox.LEAD_FILE, rng)
    make_inbox.write_daily(case, leads, consultants, folder / make_inbox.DAILY_FILE, rng)
    make_inbox.write_config(case, leads, folder / "leadbook.toml", SCHEMES[i % len(SCHEMES)])
    return folder


def group_root(stores: int, root: Path = make_inbox.DATA) -> Path:
    return root / f"group{stores}"


def is_complete(stores: int, root: Path = make_inbox.DATA) -> bool:
    base = group_root(stores, root)
    return all((store_folder(base, i) / "leadbook.toml").is_file() for i in range(1, stores + 1))


def make_group(stores: int, root: Path = make_inbox.DATA) -> Path:
    base = group_root(stores, root)
    for i in range(1, stores + 1):
        if not (store_folder(base, i) / "leadbook.toml").is_file():
            make_store(base, i)
    return base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--out", type=Path, default=make_inbox.DATA,
                        help="root folder (default bench/data)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    base = make_group(args.stores, args.out)
    print(f"{args.stores} stores × {make_inbox.CASES['week'].leads:,} leads in {base}: "
          f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
