"""`python -m metrics`: the command line of spec/cli.md, on the same code the pages use."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from .io import load_files


def _read_paths(paths: list[str]) -> list[tuple[str, bytes]]:
    files = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend((f.name, f.read_bytes()) for f in sorted(path.iterdir()) if f.is_file())
        else:
            try:
                files.append((path.name, path.read_bytes()))
            except OSError as err:
                print(f"{p}: cannot be opened ({err.strerror}).", file=sys.stderr)
                files.append((path.name, b""))
    return files


def _today(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def cmd_inspect(args: argparse.Namespace) -> int:
    dataset = load_files(_read_paths(args.files), today=_today(args.today))
    print(json.dumps([r.to_dict() for r in dataset.reports], indent=2, ensure_ascii=False))
    for warning in dataset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 1 if dataset.errors else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    inspect = sub.add_parser("inspect", help="list the tables found in export files")
    inspect.add_argument("files", nargs="+")
    inspect.add_argument("--today", help=argparse.SUPPRESS)
    inspect.set_defaults(func=cmd_inspect)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
