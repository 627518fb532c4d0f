"""Benchmarks. Each module in ``bench/`` (other than this dispatcher) has a ``main()`` that prints
its figures; none asserts a time. ``make bench`` runs them all; ``python bench/run.py NAME …``
runs some (``NAME`` is the module, e.g. ``credentials``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def bench_modules() -> list[str]:
    return sorted(
        path.stem
        for path in HERE.glob("*.py")
        if path.stem != "run" and not path.stem.startswith("_")
    )


def main(names: list[str]) -> None:
    sys.path[:0] = [str(HERE.parent), str(HERE)]
    for name in names or bench_modules():
        print(f"=== bench/{name}.py", flush=True)
        importlib.import_module(name).main()
        print(flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
