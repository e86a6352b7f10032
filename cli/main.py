"""Entry point of the `coverplan` command.

Each command group lives in its own module that exposes ``register(subparsers)``
and imports what its commands need when they run, so ``coverplan --help`` stays fast.
"""
from __future__ import annotations

import argparse
import json
import sys

from cli import analysis, backup, data, region, serve, solve, travel, users
from cli import capacity as capacity_command
from cli import map as map_command
from geo import settings
from geo.errors import CoverplanError

#: Command-group modules, in the order shown by --help.
GROUPS = [region, data, travel, solve, analysis, capacity_command, map_command, serve, users, backup]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coverplan",
        description="十堰市民政设施覆盖规划 / facility coverage planner for Shiyan")
    parser.add_argument("--lang", choices=["zh", "en"], default=settings.LANG,
                        help="message language (default from COVERPLAN_LANG, else zh)")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and cut: not an error of ours
        sys.stderr.close()
        return 0
    except CoverplanError as exc:
        if getattr(args, "json", False):
            print(json.dumps(exc.to_dict(args.lang), ensure_ascii=False, indent=2))
        else:
            label = "错误" if args.lang == "zh" else "error"
            print(f"{label}: {exc.message(args.lang)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
