"""Reading a whole number: segmentation by recognition. Pure: no Qt, no TensorFlow.

A number is written left to right, but not in boxes: a 1 leans over its neighbour, a
7's bar crosses into the next digit, "00" is written in one stroke. So no rule of
geometry alone can say where one digit ends. Instead the ink is cut into pieces (each
stroke whole, and long strokes also at their turning points), the pieces are put in
reading order, and every run of up to ``MAX_PIECES`` neighbouring pieces is read by the
digit network, as the pad would read it alone. A beam search then picks the cuts whose
digits the network is surest of, with a little geometry (a digit is about as tall as
the number, rarely much wider than tall, and its pieces touch or nearly so). What comes
back is what the WICG handwriting API returns: the text, its probability, the next
best readings, and per digit its probabilities and its ink as point ranges of strokes.

The digits are read by whatever predictor it is given, so a better or adapted digit
model reads numbers better too. The weights below were chosen on the dev numbers and
numbers composed of pen digits, institution by institution (docs/numbers.md).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace
from typing import NamedTuple, Sequence

import numpy as np

from mnist_pad.digit_rule import DigitRule
from mnist_pad.pad import PAD_PEN_WIDTH
from mnist_pad.pen_digits import DIGIT_SCALE
from mnist_pad.preprocess import strokes_to_image

MAX_PIECES = 5  # a digit is read from at most this many neighbouring pieces
BEAM = 12  # partial readings kept at each cut (24 and 48 read the dev numbers no better)
CLASSES_PER_DIGIT = 3  # each piece-run's best classes that readings may take
ALTERNATIVES = 4  # readings of the whole number returned beside the best
# The geometry's say, in the same log units as the network's probabilities:
WIDE = 0.85  # a digit wider than this many times the number's height is probably two
WIDE_COST = 4.0  # per unit of width beyond WIDE
GAP = 0.25  # pieces further apart than this many heights are probably two digits
GAP_COST = 6.0  # per height of gap beyond GAP
SHORT = 0.45  # a "digit" shorter than this share of the number's height is probably a piece of one
SHORT_COST = 6.0  # per share of height short of SHORT
NOT_A_DIGIT_COST = 2.0  # a piece-run that the not-a-digit rule turns away
OVERLAP_FREE = 0.3  # neighbours may share this share of the narrower one's columns at no cost
OVERLAP_COST = 6.0  # per share of the narrower one's columns shared beyond that
CUT_WIDTH = 0.9  # a stroke wider than this many heights may hold several digits: it is cut at its turns
CLOSED = 0.25  # a stroke ending this many heights from where it began is a loop: never cut
MIN_PIECE = 0.35  # pen travel, in heights, between two cuts of a stroke
STROKE_CUT_COST = 1.0  # cutting inside a stroke, which people do less often than lifting the pen
TURN_AXES = (0, 1)  # a stroke is cut where it turns left or right (x) or up or down (y)


@dataclass(frozen=True)
class InkRange:
    """Points ``first`` to ``last`` (inclusive) of stroke ``stroke``: the ink a digit was read from."""

    stroke: int
    first: int
    last: int


@dataclass(frozen=True, eq=False)
class DigitReading:
    digit: int  # as the reading has it: the network's best class, or a runner-up the whole number favours
    probabilities: np.ndarray  # (10,), the network's own
    ink: tuple[InkRange, ...]  # in writing order
    is_digit: bool  # by the model's not-a-digit rule
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 of its ink, in the strokes' units


@dataclass(frozen=True, eq=False)
class NumberReading:
    text: str  # the digits read, left to right
    probability: float  # of this text among the readings considered
    digits: tuple[DigitReading, ...]
    alternatives: tuple[NumberReading, ...] = ()  # the next best readings of the whole, best first

    @property
    def is_number(self) -> bool:
        """True when every digit of it passes the not-a-digit rule."""
        return bool(self.digits) and all(d.is_digit for d in self.digits)


class _Seen(NamedTuple):
    """What is remembered of some ink, by its points: what the network and the rule made of it, and where it lies."""

    probabilities: np.ndarray
    is_digit: bool
    box: tuple[float, float, float, float]
    columns: list[tuple[float, float]]  # each path's x-range, left to right


@dataclass(frozen=True)
class _Run:
    """Neighbouring pieces read as one digit: their ink, image and probabilities."""

    ink: tuple[InkRange, ...]
    probabilities: np.ndarray
    cost: float  # what the geometry and the rule hold against reading it as one digit
    is_digit: bool
    box: tuple[float, float, float, float]


class _Partial(NamedTuple):
    score: float
    end: int  # pieces read so far
    runs: tuple  # (run, class) pairs


class NumberReader:
    """Reads numbers with one predictor (anything with ``predict_batch``) and its not-a-digit rule.

    It remembers the runs it has read, by their ink, so that reading a number again after
    one more stroke reads only the runs that stroke touches.
    """

    def __init__(self, predictor, rule: DigitRule | None = None, memory: int = 4096):
        self.predictor = predictor
        self.rule = rule or DigitRule()
        self._memory: dict[bytes, _Seen] = {}
        self._memory_size = memory

    def read(self, strokes: Sequence[np.ndarray], min_extent: float | None = None) -> NumberReading:
        """The best reading of ``strokes`` ((n, 2) arrays, y down, any unit), with alternatives.

        ``min_extent``: as for ``strokes_to_image`` (the pad passes its pen width); by default
        the pad's pen scaled to the number's height.
        """
        strokes = [np.asarray(s, np.float32).reshape(-1, 2) for s in strokes]
        inked = [i for i, s in enumerate(strokes) if len(s)]
        if not inked:
            return NumberReading("", 0.0, ())
        points = np.concatenate([strokes[i] for i in inked])
        height = max(float(np.ptp(points[:, 1])), float(np.ptp(points[:, 0])) / 12, 1e-6)
        if min_extent is None:
            min_extent = PAD_PEN_WIDTH / DIGIT_SCALE * height  # as a digit scaled onto the pad gets
        pieces = _reading_order([r for i in inked for r in _pieces(i, strokes[i], height)], strokes)
        runs = self._runs(pieces, strokes, height, min_extent)
        return _best_readings(runs, len(pieces), height)

    def _runs(self, pieces, strokes, height, min_extent) -> dict[tuple[int, int], _Run]:
        """Every run of up to MAX_PIECES neighbouring pieces, read (once) by the network."""
        spans = [(i, j) for i in range(len(pieces)) for j in range(i + 1, min(i + MAX_PIECES, len(pieces)) + 1)]
        inks = {span: _joined_up(sorted(pieces[span[0]:span[1]], key=_writing_order)) for span in spans}
        paths = {span: [_points(strokes, r) for r in ink] for span, ink in inks.items()}
        keys = {span: _key(path, min_extent) for span, path in paths.items()}
        known = {keys[span]: self._memory[keys[span]] for span in spans if keys[span] in self._memory}
        unread = list({keys[span]: span for span in spans if keys[span] not in known}.values())
        if unread:
            images = np.stack([strokes_to_image(paths[span], min_extent=min_extent) for span in unread])
            probabilities = self.predictor.predict_batch(images)
            is_digit = self.rule.is_digit(probabilities)
            for k, span in enumerate(unread):
                known[keys[span]] = self._remember(keys[span], _Seen(
                    probabilities[k], bool(is_digit[k]), _box(paths[span]),
                    sorted((float(p[:, 0].min()), float(p[:, 0].max())) for p in paths[span]),
                ))
        runs = {}
        for span in spans:
            seen = known[keys[span]]
            cost = (_geometry_cost(seen, height) + _cuts_inside_strokes(inks[span], strokes)
                    + (0.0 if seen.is_digit else NOT_A_DIGIT_COST))
            runs[span] = _Run(inks[span], seen.probabilities, cost, seen.is_digit, seen.box)
        return runs

    def _remember(self, key: bytes, seen: _Seen) -> _Seen:
        if len(self._memory) >= self._memory_size:
            self._memory.pop(next(iter(self._memory)))  # the oldest
        self._memory[key] = seen
        return seen


def _best_readings(runs: dict[tuple[int, int], _Run], n_pieces: int, height: float) -> NumberReading:
    """Beam search over the cuts and each digit's classes; readings of the same text pool their probability."""
    choices = {}  # per run: its best classes, each with its log-probability less the run's cost
    for span, run in runs.items():
        log_p = np.log(np.clip(run.probabilities, 1e-12, 1.0))
        choices[span] = [(int(d), float(log_p[d]) - run.cost) for d in np.argsort(-log_p)[:CLASSES_PER_DIGIT]]
    overlaps: dict[tuple[int, int, int], float] = {}  # (start of the last run, start, end) -> cost
    beams: list[list[_Partial]] = [[] for _ in range(n_pieces + 1)]
    beams[0] = [_Partial(0.0, 0, ())]
    for start in range(n_pieces):
        for partial in heapq.nlargest(BEAM, beams[start], key=_score):
            last = partial.runs[-1][0] if partial.runs else None
            for end in range(start + 1, min(start + MAX_PIECES, n_pieces) + 1):
                run = runs[(start, end)]
                if last is None:
                    overlap = 0.0
                else:
                    key = (id(last), start, end)
                    if key not in overlaps:
                        overlaps[key] = _overlap_cost(last, run, height)
                    overlap = overlaps[key]
                for digit, gain in choices[(start, end)]:
                    beams[end].append(_Partial(partial.score + gain - overlap, end, partial.runs + ((run, digit),)))
    finals = heapq.nlargest(BEAM, beams[n_pieces], key=_score)
    top = finals[0].score
    weights: dict[str, float] = {}
    best_of_text: dict[str, _Partial] = {}
    for partial in finals:
        text = "".join(str(digit) for _, digit in partial.runs)
        weights[text] = weights.get(text, 0.0) + math.exp(partial.score - top)
        best_of_text.setdefault(text, partial)
    total = sum(weights.values())
    ranked = [
        NumberReading(text, weight / total, tuple(
            DigitReading(digit, run.probabilities, run.ink, run.is_digit, run.box)
            for run, digit in best_of_text[text].runs
        ))
        for text, weight in sorted(weights.items(), key=lambda item: -item[1])[:ALTERNATIVES + 1]
    ]
    return replace(ranked[0], alternatives=tuple(ranked[1:]))


def _score(partial: _Partial) -> float:
    return partial.score


def _pieces(index: int, stroke: np.ndarray, height: float) -> list[InkRange]:
    """A stroke whole, or, when it is wider than one digit and not a closed loop (a ring is one digit, or a
    face), cut at its turning points."""
    last = len(stroke) - 1
    closed = float(np.linalg.norm(stroke[-1] - stroke[0])) < CLOSED * height
    if last < 4 or closed or float(np.ptp(stroke[:, 0])) < CUT_WIDTH * height:
        return [InkRange(index, 0, last)]
    turns = sorted({i for axis in TURN_AXES for i in _turns(stroke[:, axis])})
    along = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(stroke, axis=0), axis=1))]) / height
    cuts, previous = [], 0.0
    for i in turns:
        if along[i] - previous >= MIN_PIECE and along[-1] - along[i] >= MIN_PIECE:
            cuts.append(i)
            previous = along[i]
    bounds = [0, *cuts, last]
    return [InkRange(index, a, b) for a, b in zip(bounds, bounds[1:])]


def _turns(values: np.ndarray) -> list[int]:
    """Where a coordinate, lightly smoothed, stops rising and falls, or the other way round."""
    smooth = np.convolve(values, np.ones(3) / 3, mode="same")
    smooth[0], smooth[-1] = values[0], values[-1]
    direction = np.sign(np.diff(smooth))
    return [i for i in range(1, len(values) - 1) if direction[i - 1] * direction[i] < 0]


def _reading_order(pieces: list[InkRange], strokes) -> list[InkRange]:
    """Left to right by each piece's horizontal centre."""
    return sorted(pieces, key=lambda r: float(np.mean(_points(strokes, r)[:, 0])))


def _joined_up(pieces: list[InkRange]) -> tuple[InkRange, ...]:
    """Neighbouring pieces of one stroke as one range: a digit read whole from a stroke that was cut
    is drawn as that stroke, exactly as the pad draws it alone."""
    joined = [pieces[0]]
    for piece in pieces[1:]:
        last = joined[-1]
        if piece.stroke == last.stroke and piece.first == last.last:
            joined[-1] = InkRange(last.stroke, last.first, piece.last)
        else:
            joined.append(piece)
    return tuple(joined)


def _writing_order(piece: InkRange) -> tuple[int, int]:
    return piece.stroke, piece.first


def _points(strokes, piece: InkRange) -> np.ndarray:
    return strokes[piece.stroke][piece.first:piece.last + 1]


def _box(paths: list[np.ndarray]) -> tuple[float, float, float, float]:
    points = np.concatenate(paths)
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    return float(x0), float(y0), float(x1), float(y1)


def _geometry_cost(seen: _Seen, height: float) -> float:
    x0, y0, x1, y1 = seen.box
    width, tall = (x1 - x0) / height, (y1 - y0) / height
    cost = WIDE_COST * max(0.0, width - WIDE) + SHORT_COST * max(0.0, SHORT - tall)
    reach = seen.columns[0][1]
    for left, right in seen.columns[1:]:
        cost += GAP_COST * max(0.0, (left - reach) / height - GAP)
        reach = max(reach, right)
    return cost


def _overlap_cost(left: _Run, right: _Run, height: float) -> float:
    """Two neighbouring digits whose ink lies much in the same columns are probably one (a slashed zero,
    a 5's bar): what is shared beyond OVERLAP_FREE of the narrower one's width costs."""
    shared = min(left.box[2], right.box[2]) - max(left.box[0], right.box[0])
    narrower = max(min(left.box[2] - left.box[0], right.box[2] - right.box[0]), 0.05 * height)
    return OVERLAP_COST * max(0.0, shared / narrower - OVERLAP_FREE)


def _cuts_inside_strokes(ink: tuple[InkRange, ...], strokes) -> float:
    """What the run's ends inside strokes cost: half a cut each, as the neighbouring run pays the other half.
    (``_joined_up`` has merged the run's own neighbouring pieces, so every end inside a stroke is a cut.)"""
    ends = sum((piece.first > 0) + (piece.last < len(strokes[piece.stroke]) - 1) for piece in ink)
    return STROKE_CUT_COST * ends / 2


def _key(paths: list[np.ndarray], min_extent: float) -> bytes:
    return b"|".join([np.float32(min_extent).tobytes(), *(path.tobytes() for path in paths)])
