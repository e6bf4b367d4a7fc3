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


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument gets one line, not the usage block as well."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see --help).\n")
