"""``mnist-pad-samples``: the digits you saved in the app, on the command line.

    mnist-pad-samples list [--json]          # how many of each digit
    mnist-pad-samples export mine.npz        # the pen-digits layout, writer "me"
    mnist-pad-samples import theirs.npz      # merge, skipping exact duplicates

Every subcommand takes ``--store PATH`` (default: the app's store).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mnist_pad.errors import PlainError
from mnist_pad.my_digits import (
    DigitStore,
    StoreError,
    default_store_path,
    export_npz,
    import_npz,
)
from training.arguments import ArgumentParser

EXIT_BAD_INPUT = 2
PROG = "mnist-pad-samples"


def build_parser() -> argparse.ArgumentParser:
    store = ArgumentParser(add_help=False)
    # SUPPRESS: accepted before or after the subcommand, and absent from args when not given.
    store.add_argument("--store", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                       help=f"the my-digits store (default: {default_store_path()})")
    parser = ArgumentParser(prog=PROG, parents=[store], description="List, export and import your saved digits.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{list,export,import}",
                                     parser_class=ArgumentParser)
    listing = commands.add_parser("list", parents=[store], help="how many digits of each kind are saved")
    listing.add_argument("--json", action="store_true",
                         help='print {"total": N, "per_digit": {"0": n0, ..., "9": n9}}')
    export = commands.add_parser("export", parents=[store], help="write every saved digit to a pen-digits .npz")
    export.add_argument("file", metavar="FILE.npz", type=Path)
    merge = commands.add_parser("import", parents=[store], help="add the digits of a pen-digits .npz, "
                                "skipping exact duplicates")
    merge.add_argument("file", metavar="FILE.npz", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    path = getattr(args, "store", None) or default_store_path()
    try:
        if args.command == "list":
            counts = _counts(path)
            print(json.dumps(counts_json(counts)) if args.json else counts_table(counts))
        elif args.command == "export":
            with DigitStore(_existing(path)) as store:
                n = export_npz(store, args.file)
            print(f"Wrote {n} digits to {args.file}.")
        else:
            with DigitStore(path) as store:
                added, skipped = import_npz(store, args.file)
            print(f"Added {added} digits to {path}; skipped {skipped} already there.")
    except PlainError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _counts(path: Path) -> list[int]:
    if not path.exists():  # nothing saved yet: say so without creating a store
        return [0] * 10
    with DigitStore(path) as store:
        return store.counts()


def _existing(path: Path) -> Path:
    if not path.exists():
        raise StoreError(f"{path}: no such store, so no digits to export.")
    return path


def counts_json(counts: list[int]) -> dict:
    return {"total": sum(counts), "per_digit": {str(digit): n for digit, n in enumerate(counts)}}


def counts_table(counts: list[int]) -> str:
    rows = [f"{digit}  {n:>5}" for digit, n in enumerate(counts)]
    return "\n".join(["digit  count", *rows, f"total {sum(counts):>5}"])


if __name__ == "__main__":
    sys.exit(main())
