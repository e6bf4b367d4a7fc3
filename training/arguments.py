"""Argument types shared by the command lines: numbers with bounds, and plain messages."""

from __future__ import annotations

import argparse
from typing import Callable

_KIND = {int: "a whole number", float: "a number"}


def number_in_range(convert: type, low, high=None) -> Callable[[str], int | float]:
    """An argparse ``type`` that accepts ``convert(text)`` within [low, high]."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {_KIND[convert]}") from None
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"{text} must be {bounds}")
        return value

    return parse


def writer_fold(text: str) -> tuple[int, int]:
    """An argparse ``type``: 'K/F', fold K (from 1) of F writer folds -> (K - 1, F)."""
    try:
        fold, folds = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a writer fold like 2/5") from None
    if folds < 2 or not 1 <= fold <= folds:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the fold must be between 1 and the number of folds, which is at least 2"
        )
    return fold - 1, folds


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument gets one line, not the usage block as well."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see --help).\n")
