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


EACH_CONTRIBUTOR = "each"


def contributor_names(text: str) -> tuple[str, ...]:
    """An argparse ``type``: contributors (institutions) by name, separated by commas or, as a
    cross-validation group and its fold model's file name spell them, by '+': 'art,cea', 'art+cea'."""
    names = tuple(dict.fromkeys(name.strip() for name in text.replace("+", ",").split(",") if name.strip()))
    if not names:
        raise argparse.ArgumentTypeError(f"{text!r} names no contributor")
    return names


def contributor_groups(text: str) -> tuple[tuple[str, ...], ...] | str:
    """An argparse ``type``: the groups of contributors that cross-validation leaves out in turn.

    'each' leaves out one contributor at a time; 'art+cea,ceb' leaves out art and cea
    together, then ceb.
    """
    if text.strip() == EACH_CONTRIBUTOR:
        return EACH_CONTRIBUTOR
    groups = tuple(contributor_names(group.replace("+", ",")) for group in text.split(",") if group.strip())
    if len(groups) < 2:
        raise argparse.ArgumentTypeError(
            f"{text!r}: name at least two groups to leave out in turn, like art+cea,ceb, or 'each'"
        )
    return groups


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument gets one line, not the usage block as well."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see --help).\n")
