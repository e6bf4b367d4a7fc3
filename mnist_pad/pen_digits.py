"""Real pen-written digits as strokes (the ``../shared/pen-digits`` layout). Pure: no Qt.

Each sample is a list of (n, 2) float32 strokes in tablet units, x right, y down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_pad.errors import PlainError
from mnist_pad.files import read_npz
from mnist_pad.preprocess import PAD_PEN_WIDTH, strokes_to_image

KEYS = ("labels", "points", "stroke_offsets", "sample_offsets")
WRITER_KEY = "writer"  # optional: who wrote each digit
CONTRIBUTOR_KEY = "contributor"  # optional: the institution that recorded it
CHAR_KEY = "char"  # optional, in files of drawings that are not digits: what was asked for (a letter)
TEXT_KEY = "text"  # in files of whole numbers: the digits written, a string per number
NOT_A_DIGIT = -1  # the label of every drawing in a not-a-digit file
UNKNOWN_WRITER = "unknown"
MAX_WIDTH_FRACTION = 0.95  # a very wide digit is fitted to the canvas width instead
DIGIT_SCALE = 0.6  # of the pad's height: about how tall people draw on the pad


class PenDigitsError(PlainError):
    """A strokes file that cannot be used; the message is one plain sentence."""


@dataclass(frozen=True)
class PenDigits:
    labels: np.ndarray  # (N,) ints 0-9
    points: np.ndarray  # (P, 2) float32
    stroke_offsets: np.ndarray  # (S + 1,)
    sample_offsets: np.ndarray  # (N + 1,)
    writers: np.ndarray  # (N,) str, UNKNOWN_WRITER where the file does not say

    def __len__(self) -> int:
        return len(self.labels)

    def strokes(self, index: int) -> list[np.ndarray]:
        first, last = self.sample_offsets[index], self.sample_offsets[index + 1]
        return [
            self.points[self.stroke_offsets[s] : self.stroke_offsets[s + 1]] for s in range(first, last)
        ]


def load_pen_digits(path: str | Path) -> PenDigits:
    digits, _ = _load(Path(path), "a pen-digits file", "digits")
    if digits.labels.min() < 0 or digits.labels.max() > 9:
        raise PenDigitsError(f"{path}: labels must be digits from 0 to 9.")
    return digits


def load_not_digits(path: str | Path) -> tuple[PenDigits, np.ndarray | None]:
    """Drawings that are not digits (the pen-digits layout, every label -1), and what each was meant to be
    (the ``char`` array, when the file has one)."""
    digits, arrays = _load(Path(path), "a not-a-digit file", "drawings")
    if np.any(digits.labels != NOT_A_DIGIT):
        raise PenDigitsError(f"{path}: every label of a not-a-digit file must be {NOT_A_DIGIT}.")
    chars = arrays.get(CHAR_KEY)
    return digits, chars.astype(str) if chars is not None and chars.shape == digits.labels.shape else None


def load_pen_numbers(path: str | Path) -> tuple[PenDigits, np.ndarray]:
    """Whole written numbers (the pen-digits layout, labels the digit counts) and their texts."""
    numbers, arrays = _load(Path(path), "a pen-numbers file", "numbers")
    texts = arrays.get(TEXT_KEY)
    if texts is None or texts.shape != numbers.labels.shape or texts.dtype.kind not in "US":
        raise PenDigitsError(f"{path}: not a pen-numbers file, it lacks a text for each number.")
    texts = texts.astype(str)
    if not all(text.isascii() and text.isdigit() for text in texts):
        raise PenDigitsError(f"{path}: its texts must be strings of digits.")
    if not np.array_equal(np.char.str_len(texts), numbers.labels):
        raise PenDigitsError(f"{path}: its labels must be the number of digits of each text.")
    return numbers, texts


def _load(path: Path, kind: str, noun: str) -> tuple[PenDigits, dict[str, np.ndarray]]:
    arrays = read_npz(path, KEYS, kind, PenDigitsError, optional=(WRITER_KEY, CONTRIBUTOR_KEY, CHAR_KEY, TEXT_KEY))
    for key in KEYS:  # other dtypes (text, say) would fail the conversions below
        if arrays[key].dtype.kind not in "iuf" or arrays[key].ndim == 0:
            raise PenDigitsError(f"{path}: its {key} array does not hold numbers (corrupt file).")
    digits = PenDigits(
        labels=arrays["labels"].astype(np.int64),
        points=arrays["points"].astype(np.float32),
        stroke_offsets=arrays["stroke_offsets"].astype(np.int64),
        sample_offsets=arrays["sample_offsets"].astype(np.int64),
        writers=_writers(arrays, len(arrays["labels"])),
    )
    _validate(path, digits, noun)
    return digits, arrays


def subset(digits: PenDigits, mask: np.ndarray) -> PenDigits:
    """The digits where ``mask`` is true, in file order."""
    picked = np.flatnonzero(mask)
    strokes = [digits.strokes(i) for i in picked]
    counts = [len(s) for s in strokes]
    flat = [stroke for sample in strokes for stroke in sample]
    return PenDigits(
        labels=digits.labels[picked],
        points=np.concatenate(flat) if flat else np.zeros((0, 2), np.float32),
        stroke_offsets=np.concatenate([[0], np.cumsum([len(s) for s in flat])]).astype(np.int64),
        sample_offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        writers=digits.writers[picked],
    )


def _writers(arrays: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Writer ids as ``contributor/writer``, the shared files' form, whatever the file keeps apart.

    A writer's contributor is then always the part of its id before the first "/"
    (``contributors_of``), so splits by writer and by institution read one array.
    """
    writers = arrays.get(WRITER_KEY)
    writers = np.full(n, UNKNOWN_WRITER) if writers is None or writers.shape != (n,) else writers.astype(str)
    contributors = arrays.get(CONTRIBUTOR_KEY)
    if contributors is None or contributors.shape != (n,):
        return writers
    contributors = contributors.astype(str)
    prefixes = np.char.add(contributors, "/")
    # An id that names its contributor already ("art/w1"), or is it ("me", our own exports), stays.
    kept = np.char.startswith(writers, prefixes) | (writers == contributors)
    return np.where(kept, writers, np.char.add(prefixes, writers))


def contributors_of(writers: np.ndarray) -> np.ndarray:
    """The contributor (institution) of each writer id: the part before the first "/", else the whole id."""
    writers = np.asarray(writers).astype(str)
    return np.char.partition(writers, "/")[:, 0] if writers.size else writers


def unknown_contributors(writers: np.ndarray, names) -> str | None:
    """The sentence saying which of ``names`` no writer belongs to, naming those there are; None when all are."""
    present = sorted(set(contributors_of(writers)))
    unknown = [name for name in names if name not in present]
    if not unknown:
        return None
    return f"no contributor {', '.join(unknown)} in the pen digits; they hold {', '.join(present)}."


def _validate(path: Path, digits: PenDigits, noun: str) -> None:
    n, points, strokes = len(digits.labels), digits.points, digits.stroke_offsets
    consistent = (
        digits.labels.ndim == 1 and points.ndim == 2 and points.shape[1] == 2
        and digits.sample_offsets.shape == (n + 1,)
        and strokes.ndim == 1 and len(strokes) >= 1
        and strokes[0] == 0 and strokes[-1] == len(points)
        and digits.sample_offsets[0] == 0 and digits.sample_offsets[-1] == len(strokes) - 1
        and np.all(np.diff(strokes) >= 1) and np.all(np.diff(digits.sample_offsets) >= 1)
    )
    if not consistent:
        raise PenDigitsError(f"{path}: its offsets do not match its points (corrupt file).")
    if n == 0:
        raise PenDigitsError(f"{path}: holds no {noun}.")
    if not np.isfinite(points).all():
        raise PenDigitsError(f"{path}: holds points that are not finite numbers.")


def place_on_canvas(strokes: list[np.ndarray], scale: float, width: float, height: float) -> list[np.ndarray]:
    """Scale a digit so its height is ``scale`` of the canvas height, keep its aspect, centre it."""
    points = np.concatenate(strokes)
    low, high = points.min(0), points.max(0)
    size = np.maximum(high - low, 1e-6)
    factor = min(scale * height / size[1], MAX_WIDTH_FRACTION * width / size[0])
    offset = np.array([width, height]) / 2 - (low + high) / 2 * factor
    return [s * factor + offset for s in strokes]


def in_pad_units(strokes: list[np.ndarray], scale: float = DIGIT_SCALE) -> list[np.ndarray]:
    """A recorded digit as the canvas would store it: float32 strokes in a pad of side 1."""
    return [s.astype(np.float32) for s in place_on_canvas(strokes, scale, 1.0, 1.0)]


def render_pad_digits(digits) -> np.ndarray:
    """Each digit's strokes in pad units -> (n, 28, 28) float32 images, as live drawing renders them."""
    images = [render_pad_strokes(strokes) for strokes in digits]
    return np.stack(images) if images else np.zeros((0, 28, 28), np.float32)


def render_pad_strokes(strokes: list[np.ndarray], stroke_width: float | None = None) -> np.ndarray:
    """Strokes in pad units -> the (28, 28) float32 image live drawing would give them."""
    options = {} if stroke_width is None else {"stroke_width": stroke_width}
    image = strokes_to_image(strokes, min_extent=PAD_PEN_WIDTH, **options)
    return np.zeros((28, 28), np.float32) if image is None else image
