"""My digits: the user's own labelled drawings, kept in an SQLite store. Pure: no Qt.

Each sample keeps its strokes in pad units (the pad is 1 x 1, x right, y down),
not only an image, so that every saved digit can be re-rendered when
preprocessing improves. Points are float32 bytes and stroke ends int32 bytes:
lossless, and what the drawing canvas itself holds.

The store is written the way desktop apps keep data people cannot redo: WAL,
one transaction per action, ``synchronous=FULL`` (a confirmed sample survives
the process being killed, and a power cut), the schema version in
``PRAGMA user_version`` and our mark in ``PRAGMA application_id``. A file that
is not ours, is of a newer schema, or is damaged is refused with one sentence
and left as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist_pad.errors import PlainError, first_line
from mnist_pad.files import read_npz, write_bytes_atomic
from mnist_pad.pen_digits import (
    PenDigits,
    PenDigitsError,
    in_pad_units,
    load_pen_digits,
)
from mnist_pad.user_data import data_directory

STORE_ENV_VAR = "MNIST_PAD_STORE"
STORE_FILE_NAME = "my-digits.sqlite"
APPLICATION_ID = int.from_bytes(b"MNpd", "big")  # PRAGMA application_id: this file is ours
SCHEMA_VERSION = 1
MY_WRITER = "me"
MY_CONTRIBUTOR = "me"
NOT_PREDICTED = -1  # in exported files: no model served when the digit was saved
# Extra keys of an exported file; any pen-digits reader ignores them.
UNITS_KEY, PAD_UNITS = "units", "pad"
EXTRA_KEYS = (UNITS_KEY, "created", "predicted")

_SQLITE_MAGIC = b"SQLite format 3\x00"
_APPLICATION_ID_OFFSET = 68  # in the database header, big-endian
_BUSY_TIMEOUT_MS = 5_000  # the app and mnist-pad-samples may write at the same moment
# What SQLite raises on a damaged file: its own errors, and text (a value, or the message
# naming a damaged schema) that is not UTF-8 and so fails to decode on the way out.
_SQLITE_FAILURES = (sqlite3.Error, UnicodeDecodeError)

_SCHEMA = (
    """CREATE TABLE samples (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: undo can put a digit back
        label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
        points BLOB NOT NULL,       -- float32 little-endian (x, y) pairs, pad units
        stroke_ends BLOB NOT NULL,  -- int32 little-endian: stroke s ends before point stroke_ends[s]
        created REAL NOT NULL,      -- seconds since the epoch (UTC)
        predicted INTEGER CHECK (predicted BETWEEN 0 AND 9),  -- the model's answer then, if any
        digest BLOB NOT NULL        -- of label and strokes: finds exact duplicates on import
    )""",
    "CREATE INDEX samples_by_digest ON samples (digest)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)


class StoreError(PlainError):
    """A store that cannot be used or changed; the message is one plain sentence."""


@dataclass(frozen=True)
class Sample:
    id: int
    label: int
    strokes: list[np.ndarray]  # (n, 2) float32, pad units
    created: float  # seconds since the epoch
    predicted: int | None  # what the model said when it was saved


def default_store_path() -> Path:
    """``$MNIST_PAD_STORE``, else ``my-digits.sqlite`` in the user data directory (XDG)."""
    override = os.environ.get(STORE_ENV_VAR)
    if override:
        return Path(override)
    return data_directory() / STORE_FILE_NAME


class DigitStore:
    """The user's saved digits in one SQLite file; opens it, or creates it when missing."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        _refuse_if_foreign(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
        except (OSError, *_SQLITE_FAILURES) as error:
            raise StoreError(f"{self.path}: cannot be opened ({first_line(error)}).") from error
        try:
            self._prepare()
        except StoreError:
            self._db.close()
            raise
        except _SQLITE_FAILURES as error:
            self._db.close()
            raise StoreError(f"{self.path}: cannot be used ({first_line(error)}); it is left untouched.") from error

    def _prepare(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: was written by a newer mnist-pad (store version {version}, "
                f"this one reads up to {SCHEMA_VERSION}); it is left untouched."
            )
        # A version below ours on a file that holds tables is a damaged header, not a new
        # store: creating the schema there would write into a damaged file.
        if version != SCHEMA_VERSION and self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
            raise StoreError(f"{self.path}: is damaged (its store version is {version}); it is left untouched.")
        if version == SCHEMA_VERSION:
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise StoreError(f"{self.path}: is damaged ({_first_problem(problems)}); it is left untouched.")
        else:  # new (or created by a process killed before its first commit)
            # The mark and the schema go into the main file before WAL is on, so that even
            # a process killed right after creating the file leaves one we recognise.
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            with self._transaction():
                for statement in _SCHEMA:
                    self._db.execute(statement)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DigitStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------

    def samples(self) -> list[Sample]:
        """Every sample, oldest first."""
        rows = self._query("SELECT id, label, points, stroke_ends, created, predicted FROM samples ORDER BY id")
        return [self._sample(row) for row in rows]

    def counts(self) -> list[int]:
        """How many samples of each digit, 0 to 9."""
        counts = [0] * 10
        for label, count in self._query("SELECT label, COUNT(*) FROM samples GROUP BY label"):
            if not _is_digit(label):
                raise StoreError(f"{self.path}: is damaged (it holds a digit labelled {label!r}).")
            counts[label] = count
        return counts

    def pen_digits(self) -> PenDigits:
        """Every sample, oldest first, in the pen-digits layout (pad units), written by "me"."""
        return pen_digits_of(self.samples())

    # -- changing (each call is one transaction) ----------------------------------

    def add(self, strokes: list[np.ndarray], label: int, predicted: int | None = None) -> int:
        """Save a drawing (pad units) as ``label``; returns its id once it is on disk."""
        return self.add_all([(strokes, label, predicted)])[0]

    def add_all(self, drawings: list[tuple[list[np.ndarray], int, int | None]]) -> list[int]:
        """Save each (strokes, label, predicted), all or none (the digits of one number); their ids."""
        now = time.time()
        with self._transaction():
            return [
                self._db.execute(
                    "INSERT INTO samples (label, points, stroke_ends, created, predicted, digest) "
                    "VALUES (?, ?, ?, ?, ?, ?)", _row(strokes, label, now, predicted)).lastrowid
                for strokes, label, predicted in drawings
            ]

    def restore(self, *samples: Sample) -> None:
        """Put deleted samples back, with their ids and times (undo of ``delete``)."""
        rows = [(s.id, *_row(s.strokes, s.label, s.created, s.predicted)) for s in samples]
        with self._transaction():
            self._db.executemany(
                "INSERT INTO samples (id, label, points, stroke_ends, created, predicted, digest) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def delete(self, *sample_ids: int) -> None:
        """Remove these samples, all or none."""
        with self._transaction():
            for sample_id in sample_ids:
                if self._db.execute("DELETE FROM samples WHERE id = ?", (sample_id,)).rowcount != 1:
                    raise StoreError(f"{self.path}: holds no digit {sample_id}.")

    def relabel(self, sample_id: int, label: int) -> None:
        self.relabel_many({sample_id: label})

    def relabel_many(self, labels: dict[int, int]) -> None:
        """Give each sample id its new label, all or none."""
        with self._transaction():
            for sample_id, label in labels.items():
                label = _checked_label(label)
                found = self._db.execute("SELECT points, stroke_ends FROM samples WHERE id = ?",
                                         (sample_id,)).fetchone()
                if found is None:
                    raise StoreError(f"{self.path}: holds no digit {sample_id}.")
                self._db.execute("UPDATE samples SET label = ?, digest = ? WHERE id = ?",
                                 (label, _digest(label, *found), sample_id))

    def merge(self, digits: PenDigits, created=None, predicted=None) -> tuple[int, int]:
        """Add every digit of ``digits`` (pad units) not already here; returns (added, skipped).

        One transaction: an import is all in or not at all. ``created`` and
        ``predicted`` (arrays, ``NOT_PREDICTED`` for none) keep an export's metadata.
        """
        now = time.time()
        added = 0
        with self._transaction():
            for i in range(len(digits)):
                when = now if created is None else float(created[i])
                said = None if predicted is None or predicted[i] == NOT_PREDICTED else int(predicted[i])
                row = _row(digits.strokes(i), int(digits.labels[i]), when, said)
                if self._db.execute("SELECT 1 FROM samples WHERE digest = ?", (row[-1],)).fetchone():
                    continue
                self._db.execute(
                    "INSERT INTO samples (label, points, stroke_ends, created, predicted, digest) "
                    "VALUES (?, ?, ?, ?, ?, ?)", row)
                added += 1
        return added, len(digits) - added

    # -- internals ----------------------------------------------------------------

    @contextmanager
    def _transaction(self):
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except _SQLITE_FAILURES as error:
            raise StoreError(f"{self.path}: could not be changed ({first_line(error)}).") from error

    def _query(self, sql: str) -> list[tuple]:
        try:
            return self._db.execute(sql).fetchall()
        except _SQLITE_FAILURES as error:
            raise StoreError(f"{self.path}: could not be read ({first_line(error)}).") from error

    def _sample(self, row: tuple) -> Sample:
        sample_id, label, points, stroke_ends, created, predicted = row
        # SQLite keeps any type in any column, so a damaged page can hand back text where
        # a blob was written; the CHECKs guarded only what was inserted.
        well_typed = (
            _is_digit(label) and (predicted is None or _is_digit(predicted))
            and isinstance(points, bytes) and isinstance(stroke_ends, bytes)
            and isinstance(created, (int, float)) and len(points) % 4 == 0 and len(stroke_ends) % 4 == 0
        )
        damaged = StoreError(f"{self.path}: digit {sample_id} is damaged.")
        if not well_typed:
            raise damaged
        flat = np.frombuffer(points, "<f4")
        ends = np.frombuffer(stroke_ends, "<i4")
        if len(flat) % 2 or len(ends) == 0 or ends[-1] != len(flat) // 2 or np.any(np.diff(ends, prepend=0) <= 0):
            raise damaged
        xy = flat.reshape(-1, 2).astype(np.float32)  # a writable copy in native byte order
        starts = np.concatenate([[0], ends[:-1]])
        return Sample(sample_id, label, [xy[a:b] for a, b in zip(starts, ends)], created, predicted)


def read_stored_pen_digits(path: Path | None = None) -> PenDigits:
    """The store's digits as pen digits, through a connection of its own (for another thread)."""
    store = DigitStore(path or default_store_path())
    try:
        return store.pen_digits()
    finally:
        store.close()


def pen_digits_of(samples: list[Sample]) -> PenDigits:
    return pack_pen_digits([s.label for s in samples], [s.strokes for s in samples])


def pack_pen_digits(labels: list[int], digits: list[list[np.ndarray]]) -> PenDigits:
    """Digits given as lists of strokes, in the pen-digits layout, written by "me"."""
    strokes = [stroke for digit in digits for stroke in digit]
    points = np.concatenate(strokes) if strokes else np.zeros((0, 2))
    return PenDigits(
        labels=np.array(labels, np.int64),
        points=points.astype(np.float32),
        stroke_offsets=np.cumsum([0] + [len(s) for s in strokes], dtype=np.int64),
        sample_offsets=np.cumsum([0] + [len(d) for d in digits], dtype=np.int64),
        writers=np.full(len(digits), MY_WRITER),
    )


def next_prompt(counts: list[int], rng: random.Random | None = None) -> int:
    """The digit to ask for next: one of those with the fewest samples, chosen at random."""
    fewest = min(counts)
    return (rng or random).choice([digit for digit, count in enumerate(counts) if count == fewest])


# -- files in the pen-digits layout ---------------------------------------------


def export_npz(store: DigitStore, path: str | os.PathLike) -> int:
    """Write every sample to ``path`` (pen-digits layout, atomically); returns how many."""
    samples = store.samples()
    if not samples:
        raise StoreError(f"{store.path}: holds no digits to export.")
    digits = pen_digits_of(samples)
    n = len(samples)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        labels=digits.labels.astype(np.int8),
        points=digits.points,
        stroke_offsets=digits.stroke_offsets,
        sample_offsets=digits.sample_offsets,
        contributor=np.full(n, MY_CONTRIBUTOR),
        writer=digits.writers,
        source=np.array([f"mnist-pad my digits #{s.id}" for s in samples]),
        dpi=np.zeros(n, np.float32),  # pad units, not a tablet's
        **{UNITS_KEY: np.array(PAD_UNITS)},
        created=np.array([s.created for s in samples], np.float64),
        predicted=np.array([NOT_PREDICTED if s.predicted is None else s.predicted for s in samples], np.int8),
    )
    target = Path(path)
    try:
        write_bytes_atomic(target, buffer.getvalue())
    except OSError as error:
        raise StoreError(f"{target}: cannot be written ({first_line(error)}).") from error
    return n


def import_npz(store: DigitStore, path: str | os.PathLike) -> tuple[int, int]:
    """Merge a pen-digits file into ``store``, skipping exact duplicates; returns (added, skipped).

    Our own exports are in pad units and go in unchanged; tablet recordings are
    scaled as a person draws on the pad (``in_pad_units``).
    """
    path = Path(path)
    digits = load_pen_digits(path)
    extras = read_npz(path, (), "a pen-digits file", PenDigitsError, optional=EXTRA_KEYS)
    n = len(digits)
    for key in ("created", "predicted"):
        if key in extras and (extras[key].shape != (n,) or not np.issubdtype(extras[key].dtype, np.number)):
            raise PenDigitsError(f"{path}: its {key} array does not hold one number per digit.")
    if str(extras.get(UNITS_KEY, "")) != PAD_UNITS:
        digits = pack_pen_digits(digits.labels, [in_pad_units(digits.strokes(i)) for i in range(n)])
    return store.merge(digits, extras.get("created"), extras.get("predicted"))


# -- rows -----------------------------------------------------------------------


def _row(strokes: list[np.ndarray], label: int, created: float, predicted: int | None) -> tuple:
    label = _checked_label(label)
    if predicted is not None:
        predicted = _checked_label(predicted)
    arrays = [np.asarray(stroke, np.float32).reshape(-1, 2) for stroke in strokes]
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        raise StoreError("A digit needs at least one stroke.")
    points = np.concatenate(arrays).astype("<f4").tobytes()
    ends = np.cumsum([len(a) for a in arrays]).astype("<i4").tobytes()
    return label, points, ends, float(created), predicted, _digest(label, points, ends)


def _digest(label: int, points: bytes, stroke_ends: bytes) -> bytes:
    return hashlib.sha256(bytes([label]) + len(points).to_bytes(8, "little") + points + stroke_ends).digest()


def _first_problem(problems: list[str]) -> str:
    """The first finding of ``PRAGMA quick_check``, whose reports open with a "*** in database ***" line."""
    findings = [line for problem in problems for line in problem.splitlines() if line.strip() and "***" not in line]
    return findings[0] if findings else "quick_check failed"


def _is_digit(value) -> bool:
    return isinstance(value, int) and 0 <= value <= 9


def _checked_label(label) -> int:
    if not 0 <= int(label) <= 9:
        raise StoreError(f"A label must be a digit from 0 to 9, not {label}.")
    return int(label)


def _refuse_if_foreign(path: Path) -> None:
    """Refuse, without opening it as a database, a file that is not one of our stores."""
    try:
        with open(path, "rb") as stream:
            header = stream.read(100)
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"{path}: cannot be read ({first_line(error)}).") from error
    if not header:
        return  # an empty file is what SQLite itself creates first
    if not header.startswith(_SQLITE_MAGIC):
        raise StoreError(f"{path}: is not a my-digits store (not an SQLite database); it is left untouched.")
    if len(header) < 100:
        raise StoreError(f"{path}: is damaged (its header is truncated); it is left untouched.")
    mark = int.from_bytes(header[_APPLICATION_ID_OFFSET:_APPLICATION_ID_OFFSET + 4], "big")
    if mark != APPLICATION_ID:
        raise StoreError(f"{path}: is another program's SQLite database, not a my-digits store; "
                         "it is left untouched.")

