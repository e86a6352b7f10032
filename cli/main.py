"""Entry point of the `coverplan` command.

Each command group lives in its own module that exposes ``register(subparsers)``
and imports what its commands need when they run, so ``coverplan --help`` stays fast.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import sys

from cli import analysis, backup, data, region, serve, solve, travel, users
from cli import capacity as capacity_command
from cli import map as map_command
from cli.output import out_error
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
        out = getattr(args, "out", None)
        # every command's --out is a file to write: a missing folder, a folder given as the file or no
        # permission is told in words before any work (and after it, should the write fail anyway)
        ext = {"map": ".html", "backup": ".zip", "od": ".npz", "network": ".graphml"}.get(args.command, ".csv")
        makes = args.command in ("backup", "od", "network")  # these create a missing folder themselves
        if out is not None and (problem := out_error(out, ext=ext, makes_folders=makes)):
            raise problem
        try:
            return int(args.func(args) or 0)
        except OSError as exc:
            # a write that fails anyway (read-only disk, disk full, the folder made by the command refused):
            # the same words, if the failing path is the --out file or one of its folders
            failed = os.path.abspath(os.fspath(exc.filename)) if exc.filename is not None else None
            target = os.path.abspath(os.fspath(out)) if out is not None else None
            if failed is None or target is None or isinstance(exc, BrokenPipeError) or \
                    not (failed == target or target.startswith(failed.rstrip(os.sep) + os.sep)):
                raise
            raise (out_error(out, exc.errno, ext) or out_error(out, errno.EIO, ext)) from exc
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
