"""When a drawing is not a digit, and how sure to say the network is. Pure: no Qt, no TensorFlow.

One rule serves the Draw tab, the Inside tab and ``mnist-pad-eval``. The confidence
shown is calibrated by temperature scaling (probabilities ``softmax(log p / T)``), so
that "90% sure" is right about 90% of the time on writers it has never seen. The
drawing is called a digit when the network's own top probability reaches the
threshold: sharpened by a fitted T < 1, the top probability ranks letters against
digits worse (docs/not-a-digit.md). Both numbers come from the model's card
(``not_a_digit``: ``temperature``, ``threshold``), which training on held-out writers
fills in. A model whose card has none gets the default rule: T = 1 and the
threshold below. Cards written before 2026-11-30 put the threshold on the
calibrated probability; a card's ``score_temperature`` says which, and its absence
means the older form.

DEFAULT_THRESHOLD was measured, not tuned, on models that never saw these writers or
letters (docs/not-a-digit.md): with the MNIST-only model, top probability >= 0.7 keeps
98.5% of the 7,997 dev pen digits; with the shipped model it keeps 99.2% of them (seen
writers) and 99.4% of MNIST's test digits, and turns away 22% of the pen letters that
look like no digit. It is the weaker rule that a model trained to tell letters from
digits improves on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 0.7
CARD_KEY = "not_a_digit"
ECE_BINS = 15
# Letters that anyone would take for a digit: reported apart, never counted against the rule.
DIGIT_LIKE_LETTERS = frozenset("OoIilZzSsBbgqG")


@dataclass(frozen=True)
class DigitRule:
    temperature: float = 1.0
    threshold: float = DEFAULT_THRESHOLD
    from_card: bool = False  # False: the default rule, for a model whose card says nothing
    score_temperature: float = 1.0  # the temperature of the probabilities the threshold applies to

    @classmethod
    def for_card(cls, card: dict | None) -> DigitRule:
        """The card's rule when it holds a usable one (positive temperature, threshold in (0, 1)), else the default."""
        rule = (card or {}).get(CARD_KEY)
        if not isinstance(rule, dict):
            return cls()
        temperature, threshold = rule.get("temperature"), rule.get("threshold")
        score_temperature = rule.get("score_temperature", temperature)  # absent: a card of the older form
        numbers = (temperature, threshold, score_temperature)
        usable = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers)
        if not usable or not temperature > 0 or not score_temperature > 0 or not 0 < threshold < 1:
            return cls()
        return cls(float(temperature), float(threshold), from_card=True, score_temperature=float(score_temperature))

    def calibrated(self, probabilities: np.ndarray) -> np.ndarray:
        """The probabilities to show: ``softmax(log p / T)``, row by row."""
        return tempered(probabilities, self.temperature)

    def confidence(self, probabilities: np.ndarray) -> np.ndarray:
        """How sure it says it is: the calibrated top probability."""
        return self.calibrated(probabilities).max(axis=-1)

    def score(self, probabilities: np.ndarray) -> np.ndarray:
        """How much it looks like a digit (what the rule decides by): the top probability at the score temperature."""
        return tempered(probabilities, self.score_temperature).max(axis=-1)

    def is_digit(self, probabilities: np.ndarray) -> np.ndarray | bool:
        return self.score(probabilities) >= self.threshold


def tempered(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log p / temperature)``, row by row: the same as dividing the network's logits by it."""
    p = np.asarray(probabilities, np.float64)
    if temperature == 1.0:
        return p.astype(np.float32)
    logits = np.log(np.clip(p, 1e-30, 1.0)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def fit_rule(probabilities: np.ndarray, labels: np.ndarray, keep: float = 0.98) -> DigitRule:
    """The rule for digits of writers a model never saw (its held-out predictions): the temperature
    that makes their confidence most honest (least negative log-likelihood), and the threshold on
    the network's own top probability that keeps ``keep`` of them."""
    log_p = np.log(np.clip(np.asarray(probabilities, np.float64), 1e-30, 1.0))
    labels = np.asarray(labels)

    def nll(log_t: float) -> float:
        logits = log_p / np.exp(log_t)
        logits -= logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(logits).sum(axis=1))
        return float(np.mean(log_norm - logits[np.arange(len(labels)), labels]))

    low, high = np.log(0.05), np.log(20.0)  # golden-section search: NLL is unimodal in log T
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        low, high = (low, b) if nll(a) < nll(b) else (a, high)
    temperature = float(np.exp((low + high) / 2))
    threshold = float(np.quantile(DigitRule().score(probabilities), 1 - keep))
    return DigitRule(round(temperature, 4), round(threshold, 4), from_card=True)


def auroc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """The chance that a random positive scores above a random negative (ties count half)."""
    scores = np.concatenate([positives, negatives])
    _, which, counts = np.unique(scores, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)
    ranks = ((last - counts + 1 + last) / 2)[which]  # from 1; ties share their mean rank
    n_pos, n_neg = len(positives), len(negatives)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by their share of samples."""
    confidence, correct = np.asarray(confidence, np.float64), np.asarray(correct, np.float64)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


def rejection_figures(rule: DigitRule, digit_probs: np.ndarray, labels: np.ndarray,
                      other_probs: np.ndarray, other_chars: np.ndarray | None = None) -> dict:
    """What the rule does on DIGITS (with their labels) and on OTHER drawings that are not digits."""
    digit_scores, other_scores = rule.score(digit_probs), rule.score(other_probs)
    accepted = digit_scores >= rule.threshold
    predicted = np.asarray(digit_probs).argmax(axis=1)
    correct = predicted == np.asarray(labels)
    # The threshold that keeps 98% of the digits: what the rule could do at that operating point.
    keep_98 = float(np.quantile(digit_scores, 0.02))
    figures = {
        "rule": {"temperature": rule.temperature, "threshold": rule.threshold,
                 "score_temperature": rule.score_temperature, "source": "card" if rule.from_card else "default"},
        "digits_accepted": float(accepted.mean()),
        "accuracy_on_accepted": float(correct[accepted].mean()) if accepted.any() else None,
        "ece": expected_calibration_error(rule.confidence(digit_probs), correct),
        "not_digits": len(other_scores),
        "not_digits_rejected": float((other_scores < rule.threshold).mean()),
        "auroc": auroc(digit_scores, other_scores),
        "threshold_keeping_98_percent_of_digits": keep_98,
        "not_digits_rejected_keeping_98_percent_of_digits": float((other_scores < keep_98).mean()),
    }
    if other_chars is not None:
        like = np.isin(np.asarray(other_chars).astype(str), sorted(DIGIT_LIKE_LETTERS))
        for name, members in (("unlike_digits", ~like), ("digit_like", like)):
            if members.any():
                figures[name] = {
                    "n": int(members.sum()),
                    "rejected": float((other_scores[members] < rule.threshold).mean()),
                    "auroc": auroc(digit_scores, other_scores[members]),
                    "rejected_keeping_98_percent_of_digits": float((other_scores[members] < keep_98).mean()),
                }
    return figures
