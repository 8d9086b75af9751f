"""The encoding of a text file, decided from its bytes (issue 23).

Byte-order marks decide first (UTF-8, UTF-16 LE/BE). Without one, a file that is valid UTF-8 to
its last byte is UTF-8 (ASCII is UTF-8). Any other file is a single-byte encoding, and the bytes
above 127 say which:

* Cyrillic (cp1251 or KOI8-R): the words made of high bytes are read both ways and scored with
  the frequencies of Russian letters, a penalty for a capital inside a lower-case word or a
  letter of another alphabet, and a large one for a character no Russian text holds (box
  drawing, control characters); spaces, dashes, quotes and ``№`` say nothing. The
  winner must lead by :data:`MARGIN` nats — odds of about 22,000 to 1 — or the file is refused
  with the fix (``--encoding``).
* Western (Latin-1 / cp1252): the high bytes sit inside words of Latin letters (``José``), not
  in words of their own.

Nothing is decoded with ``errors="ignore"`` on the way to a decision.

Examples
--------
>>> guess("Иван;Пётр;Сумма заказа".encode("cp1251")).name
'cp1251'
>>> guess("Иван;Пётр;Сумма заказа".encode("koi8-r")).name
'koi8-r'
>>> guess("José;Müller;Åsa".encode("latin-1")).name
'latin-1'
"""

from __future__ import annotations

import codecs
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MARGIN", "Guess", "detect", "guess"]

#: How far (in nats of log-likelihood) cp1251 and KOI8-R must be apart to decide.
MARGIN = 10.0
#: Bytes read at a time when a file is checked for UTF-8 to its end.
_CHUNK = 1 << 20
#: Bytes of non-ASCII lines kept to decide a single-byte encoding.
_SAMPLE = 1 << 18

# Letter frequencies of Russian text, per mille (the National Corpus of the Russian Language).
_RU_FREQ = dict(
    zip(
        "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё",
        (
            109.7, 84.5, 80.1, 73.5, 67.0, 62.6, 54.7, 47.3, 45.4, 44.0, 34.9, 32.1, 29.8,
            28.1, 26.2, 20.1, 19.0, 17.4, 17.0, 16.5, 15.9, 14.4, 12.1, 9.7, 9.4, 7.3, 6.4,
            4.8, 3.6, 3.2, 2.6, 0.4, 0.4,
        ),
        strict=True,
    )
)  # fmt: skip
_LOG_FREQ = {ch: math.log(f / 1000.0) for ch, f in _RU_FREQ.items()}
#: A character a Russian export does not hold (box drawing, controls…), per occurrence.
_ALIEN = math.log(1e-6)
#: A letter outside the Russian alphabet, per occurrence.
_OTHER_LETTER = math.log(1e-3)
#: Spaces, dashes, quotes, brackets and currency signs (« », –, no-break space, €): said nothing.
_NEUTRAL = {"Zs", "Pd", "Pi", "Pf", "Po", "Ps", "Pe", "Sc"}
#: A capital letter right after a lower-case one inside a word ("иВан").
_CASE_FLIP = math.log(1e-3)
_HIGH_WORD = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")


@dataclass(frozen=True)
class Guess:
    """An encoding and how it was decided.

    Attributes
    ----------
    name : str or None
        A Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1251``, ``koi8-r``,
        ``latin-1``, ``cp1252``), or None when the bytes do not decide.
    why : str
        For a refusal: what made it unsure (catalog key suffix ``io.encoding_unsure_<why>``).
    """

    name: str | None
    why: str = ""


def _score(text: str) -> float:
    """Log-likelihood of ``text`` (the words with non-ASCII letters) as Russian."""
    total = 0.0
    prev_lower = False
    for ch in text:
        low = ch.lower()
        if low in _LOG_FREQ:
            total += _LOG_FREQ[low]
            if prev_lower and ch != low:
                total += _CASE_FLIP
            prev_lower = ch == low
        elif ch.isascii():
            prev_lower = ch.islower()
        else:
            prev_lower = False
            if ch.isalpha():  # a letter of another alphabet (Ukrainian і, Serbian ђ…)
                total += _OTHER_LETTER
            elif unicodedata.category(ch) not in _NEUTRAL and ch != "№":
                total += _ALIEN
    return total


def guess(data: bytes) -> Guess:
    """The encoding of ``data`` (a sample of a file, or all of it), see the module docstring.

    ``data`` must not end inside a UTF-8 sequence unless it is a file's end (the caller cuts
    samples at line ends).
    """
    if data.startswith(codecs.BOM_UTF8):
        return Guess("utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Guess("utf-16")
    try:
        data.decode("utf-8")
        return Guess("utf-8")
    except UnicodeDecodeError:
        pass
    words = b" ".join(_HIGH_WORD.findall(data))
    if not words:  # pragma: no cover - a UTF-8 failure needs a high byte
        return Guess(None, "few")
    # Words of high bytes only are Cyrillic; high bytes inside Latin words are Western letters.
    latin_mixed = sum(1 for w in words.split() if re.search(rb"[A-Za-z]", w))
    n_words = len(words.split())
    if latin_mixed >= n_words / 2:
        # Latin-1 and cp1252 differ only in 0x80-0x9f: controls in one, € and quotes in the other.
        for name in ("latin-1", "cp1252"):
            try:
                text = words.decode(name)
            except UnicodeDecodeError:
                continue
            if text.isprintable():
                return Guess(name)
        return Guess(None, "mixed")
    scores: dict[str, float] = {}
    for name in ("cp1251", "koi8-r"):
        try:
            scores[name] = _score(words.decode(name))
        except UnicodeDecodeError:
            continue
    if not scores:
        return Guess(None, "mixed")
    ranked = sorted(scores, key=lambda n: scores[n], reverse=True)
    best = ranked[0]
    if len(ranked) > 1 and scores[best] - scores[ranked[1]] < MARGIN:
        return Guess(None, "few")
    return Guess(best)


def _sample_of(head: bytes) -> bytes:
    """``head`` cut after its last line end, so that no character is cut in two."""
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut >= 0 else head


def detect(path: str | os.PathLike, compressed: bool = False) -> Guess:
    """The encoding of the file at ``path`` (gzip-compressed when ``compressed``).

    A file is UTF-8 only when all of it is; the check reads it in 1 MiB chunks and stops at
    the first byte that is not. A single-byte encoding is decided on up to 256 KiB of the
    lines that hold bytes above 127.
    """
    import gzip

    opener = gzip.open if compressed else open
    decoder = codecs.getincrementaldecoder("utf-8")()
    sample = bytearray()
    first = True
    utf8_seen = False  # non-ASCII UTF-8 before a byte that is not: a file of two encodings
    with opener(Path(path), "rb") as fh:
        while chunk := fh.read(_CHUNK):
            if first:
                first = False
                if chunk.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    return guess(chunk[:4])
            if chunk.isascii():
                continue
            try:
                decoder.decode(chunk)
                utf8_seen = True
                continue
            except UnicodeDecodeError:
                if utf8_seen:
                    return Guess(None, "mixed")
            # Not UTF-8: the lines with high bytes of this chunk and the next ones decide.
            sample += b"".join(line for line in chunk.splitlines(True) if not line.isascii())
            while len(sample) < _SAMPLE and (more := fh.read(_CHUNK)):
                sample += b"".join(line for line in more.splitlines(True) if not line.isascii())
            found = guess(bytes(sample[:_SAMPLE]))
            return Guess(None, "mixed") if found.name == "utf-8" else found
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return Guess(None, "mixed")
    return Guess("utf-8")
