"""The Train tab's verdict on a new model against the one in use, in plain words. Pure: no Qt, no Keras.

Both models answer the same items (``training.compare``), so a difference is tested item by
item: of the items only one of the two got right, an exact two-sided sign test (McNemar's
exact test) asks how likely so lopsided a split is if neither model were better. Unless that
chance is below ``SIGNIFICANCE``, the words say "about the same": 2 more right of 10,000
digits is no step forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

SIGNIFICANCE = 0.05
BETTER, WORSE, SAME = "Better", "Worse", "About the same"


def sign_test(only_first: int, only_second: int) -> float:
    """Two-sided exact binomial p-value of the split ``only_first`` : ``only_second`` under even odds."""
    discordant = only_first + only_second
    if discordant == 0:
        return 1.0
    tail = sum(comb(discordant, k) for k in range(min(only_first, only_second) + 1))
    return min(1.0, 2 * tail / 2**discordant)


@dataclass(frozen=True)
class Judgement:
    """Both models on one set of items: how many each got right, and how many only one of them did."""

    items: str  # what was judged, to be counted in a sentence: "MNIST test digits"
    digits: bool  # True: right is read as the right digit; False: right is turned away as not a digit
    n: int
    new_right: int
    current_right: int
    only_new_right: int
    only_current_right: int

    @classmethod
    def of(cls, items: str, digits: bool, new_right: np.ndarray, current_right: np.ndarray) -> Judgement:
        """From each model's right (True) or wrong answer on each item, in the same order."""
        new_right, current_right = np.asarray(new_right, bool), np.asarray(current_right, bool)
        return cls(items, digits, len(new_right), int(new_right.sum()), int(current_right.sum()),
                   int((new_right & ~current_right).sum()), int((current_right & ~new_right).sum()))

    @property
    def p_value(self) -> float:
        return sign_test(self.only_new_right, self.only_current_right)

    @property
    def outcome(self) -> str:
        """``BETTER``, ``WORSE`` or ``SAME``: the new model against the one in use, on these items."""
        if self.p_value >= SIGNIFICANCE:
            return SAME
        return BETTER if self.only_new_right > self.only_current_right else WORSE

    def sentence(self, current_name: str) -> str:
        skill = "reading digits" if self.digits else "turning away drawings that are not digits"
        done = "read right" if self.digits else "turned away"
        figures = (f"{self.new_right / self.n:.1%} of {self.n:,} {self.items} {done}, "
                   f"against {self.current_right / self.n:.1%} by {current_name}")
        if self.outcome == SAME:
            return f"About the same at {skill}: {figures}; a difference this small could be chance."
        return f"{self.outcome} at {skill}: {figures}."


@dataclass(frozen=True)
class Comparison:
    """The new model against the one in use (``current_name``), set by set."""

    current_name: str
    judgements: tuple[Judgement, ...]
    notes: tuple[str, ...] = ()  # plain sentences on what the judging had to do without

    def headline(self) -> str:
        outcomes = {j.outcome for j in self.judgements}
        in_use = f"{self.current_name}, the model in use"
        if BETTER in outcomes and WORSE in outcomes:
            return f"Against {in_use}, this model is better at some things and worse at others:"
        if BETTER in outcomes:
            return f"This model does better than {in_use}, and worse at nothing:"
        if WORSE in outcomes:
            return f"This model does worse than {in_use}, and better at nothing:"
        return f"This model and {in_use}, cannot be told apart on these drawings:"

    def in_words(self) -> list[str]:
        return [self.headline(), *(j.sentence(self.current_name) for j in self.judgements), *self.notes]
