"""The not-a-digit rule and calibrated confidence: the card's rule or the default, and the measures of it."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_pad.digit_rule import (
    DEFAULT_THRESHOLD,
    DigitRule,
    auroc,
    expected_calibration_error,
    fit_rule,
    rejection_figures,
)


@pytest.mark.parametrize("card", [
    None, {}, {"not_a_digit": None}, {"not_a_digit": {"temperature": 1.5}},
    {"not_a_digit": {"temperature": -1, "threshold": 0.5}}, {"not_a_digit": {"temperature": 1.2, "threshold": 1.5}},
    {"not_a_digit": {"temperature": "1.2", "threshold": 0.5}}, {"not_a_digit": {"temperature": True, "threshold": 0.5}},
])
def test_a_card_without_a_usable_rule_gets_the_default(card):
    rule = DigitRule.for_card(card)
    assert rule == DigitRule() and not rule.from_card
    assert (rule.temperature, rule.threshold) == (1.0, DEFAULT_THRESHOLD)


def test_the_cards_temperature_and_threshold_are_used():
    rule = DigitRule.for_card({"not_a_digit": {"temperature": 1.8, "threshold": 0.55, "score_temperature": 1.0}})
    assert (rule.temperature, rule.threshold, rule.from_card, rule.score_temperature) == (1.8, 0.55, True, 1.0)


def test_a_card_of_the_older_form_puts_its_threshold_on_the_calibrated_probability():
    older = DigitRule.for_card({"not_a_digit": {"temperature": 0.5, "threshold": 0.6}})
    assert older.score_temperature == 0.5
    # A 4 at 50% against a 2 at 10%: sharpened at T = 0.5 it is 86% sure, so only the older form accepts it.
    probs = np.array([0.05, 0.05, 0.1, 0.05, 0.5, 0.05, 0.05, 0.05, 0.05, 0.05])
    assert older.is_digit(probs) and not DigitRule(0.5, 0.6, from_card=True).is_digit(probs)


def test_the_rule_decides_by_the_networks_own_top_probability_whatever_the_temperature_shown():
    rng = np.random.default_rng(5)
    logits = rng.normal(0, 3, (2_000, 10))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    verdicts = [DigitRule(t, 0.6, from_card=True).is_digit(probs) for t in (0.4, 1.0, 2.5)]
    assert all((v == (probs.max(1) >= 0.6)).all() for v in verdicts)
    assert not np.allclose(DigitRule(0.4).confidence(probs), DigitRule(2.5).confidence(probs))


def test_temperature_scaling_keeps_the_order_and_softens_the_top():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, (200, 10))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert np.allclose(DigitRule(1.0).calibrated(probs), probs, atol=1e-6)
    soft = DigitRule(2.0).calibrated(probs)
    np.testing.assert_allclose(soft.sum(1), 1, atol=1e-5)
    assert (soft.argmax(1) == probs.argmax(1)).all()
    assert (soft.max(1) <= probs.max(1) + 1e-6).all() and (soft.max(1) < probs.max(1) - 1e-3).mean() > 0.9
    # softmax(log p / T) is softmax(logits / T): the same as scaling the logits themselves.
    direct = np.exp(logits / 2.0) / np.exp(logits / 2.0).sum(1, keepdims=True)
    np.testing.assert_allclose(soft, direct, atol=1e-5)


def test_the_rule_calls_a_drawing_a_digit_at_the_threshold():
    rule = DigitRule(1.0, 0.6)
    flat, sure = np.full(10, 0.1), np.eye(10)[3] * 0.9 + 0.01
    assert not rule.is_digit(flat) and rule.is_digit(sure)
    assert list(rule.is_digit(np.stack([flat, sure]))) == [False, True]


def test_auroc_is_the_share_of_pairs_ranked_right_ties_counting_half():
    rng = np.random.default_rng(1)
    positives, negatives = rng.normal(1, 1, 300), rng.normal(0, 1, 200)
    negatives[:40], positives[:20] = positives[40:80], 0.5  # ties, within and across the two sets
    negatives[40:50] = 0.5
    pairs = positives[:, None] - negatives[None, :]
    assert auroc(positives, negatives) == pytest.approx((pairs > 0).mean() + 0.5 * (pairs == 0).mean())
    assert auroc(np.ones(5), np.zeros(5)) == 1.0 and auroc(np.zeros(5), np.ones(5)) == 0.0


def test_ece_is_small_for_an_honest_confidence_and_large_for_an_over_confident_one():
    rng = np.random.default_rng(2)
    confidence = rng.uniform(0.3, 1.0, 50_000)
    correct = rng.random(50_000) < confidence  # right exactly as often as it says
    assert expected_calibration_error(confidence, correct) < 0.01
    over_confident = np.minimum(1.0, confidence + 0.15)
    assert expected_calibration_error(over_confident, correct) > 0.1


def test_an_over_confident_temperature_fails_the_calibration_goal_where_the_honest_one_meets_it():
    # Outputs whose top probability is right as often as it says (T = 1 is honest here).
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 2, (20_000, 10))
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(10, p=p) for p in probs])
    honest = DigitRule(1.0)
    sharp = DigitRule(0.4)  # deliberately over-confident
    correct = probs.argmax(1) == labels
    assert expected_calibration_error(honest.confidence(probs), correct) <= 0.01
    assert expected_calibration_error(sharp.confidence(probs), correct) > 0.05


def test_rejection_figures_count_what_the_rule_does_on_each_side():
    digits = np.vstack([np.eye(10)[np.arange(10) % 10] * 0.95 + 0.005] * 9 + [np.full((10, 10), 0.1)])
    labels = np.tile(np.arange(10), 10)
    others = np.vstack([np.full((6, 10), 0.1), np.eye(10)[:4] * 0.9 + 0.01])  # 6 flat, 4 confident
    chars = np.array(list("ACDEFH") + list("OSzM"))
    figures = rejection_figures(DigitRule(1.0, 0.5), digits, labels, others, chars)
    assert figures["digits_accepted"] == pytest.approx(0.9) and figures["accuracy_on_accepted"] == 1.0
    assert figures["not_digits"] == 10 and figures["not_digits_rejected"] == pytest.approx(0.6)
    assert figures["unlike_digits"]["n"] == 7 and figures["digit_like"]["n"] == 3
    assert figures["unlike_digits"]["rejected"] == pytest.approx(6 / 7) and figures["digit_like"]["rejected"] == 0
    assert figures["rule"] == {"temperature": 1.0, "threshold": 0.5, "score_temperature": 1.0, "source": "default"}


def test_the_fitted_rule_makes_over_confident_outputs_honest_and_keeps_98_percent():
    rng = np.random.default_rng(4)
    logits = rng.normal(0, 2, (20_000, 10))
    honest = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(10, p=p) for p in honest])
    sharp = np.exp(2.5 * logits) / np.exp(2.5 * logits).sum(1, keepdims=True)  # a network sure of too much
    correct = sharp.argmax(1) == labels
    rule = fit_rule(sharp, labels)
    assert rule.from_card and rule.temperature == pytest.approx(2.5, rel=0.05)
    assert expected_calibration_error(DigitRule(1.0).confidence(sharp), correct) > 0.1
    assert expected_calibration_error(rule.confidence(sharp), correct) <= 0.01
    assert rule.is_digit(sharp).mean() == pytest.approx(0.98, abs=0.002)
