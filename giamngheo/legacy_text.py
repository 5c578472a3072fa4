"""Whether text is typed in a legacy Vietnamese font (TCVN3, VNI-Windows): a sheet, or one cell of it.

* decides whether the text cells of a sheet are legacy-encoded
  (:func:`detect_legacy`),
* decodes a cell of a legacy sheet, or one pasted into a Unicode sheet
  (:func:`decode_on_legacy_sheet`, :func:`legacy_cell_encoding`, :func:`decode_cell`).

Detection compares, word by word, how Vietnamese the text looks as it is and
once decoded (legacy_decode): a word scores 1 when it is a well-formed Vietnamese
syllable and 1 more when it is a common word of these reports. Unicode Vietnamese
already scores high as it is, so decoding can only lose; legacy text scores low as
it is (æ, ·, ¸, å... are not Vietnamese letters) and gains when decoded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from giamngheo.legacy_decode import ENCODINGS, LEGACY_CHARS, TCVN3, VNI, decode_legacy, decode_segment, is_legacy_candidate

# --- how Vietnamese does a word look -----------------------------------------

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_INITIALS = "ngh ng nh ch gh gi kh ph th tr qu b c d đ g h k l m n p r s t v x".split()
_RHYMES = """
a ac ach ai am an ang anh ao ap at au ay
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e ec em en eng eo ep et
ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot oa oac oach oai oam oan oang oanh oao oap oat oay
oăc oăm oăn oăng oăt oe oen oeo oet oong ooc
ô ôc ôi ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua uc ui um un ung up ut uân uâng uât uây uê uêch uênh uơ uy uya uych uyên uyêt
uynh uyt uyu uôc uôi uôm uôn uông uôt
ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu
""".split()
_SYLLABLE = re.compile(
    "(?:" + "|".join(_INITIALS) + ")?(?:" + "|".join(sorted(_RHYMES, key=len, reverse=True)) + ")"
)
_COMMON_WORDS = frozenset(
    """
    xã thôn hộ nghèo tổng số cận giảm tỷ tỉ lệ tên xóm tổ dân phố chú người lập biểu toàn
    cộng huyện tỉnh phường bản ấp năm tháng ngày sách thành phần khẩu nhân đồng thị trấn kết
    quả điều rà soát mới thoát tăng chuẩn đa chiều và của các có không trong được là với đơn
    vị tính tộc chủ mã tiêu chí việc làm nước sạch nhà ở tế giáo dục thông thu nhập bình
    quân đầu lao động trẻ học sinh chính trợ cấp hỗ đối tượng lý thiếu hụt dịch vụ cơ báo
    cáo kỳ đến từ cuối ước kế hoạch thực hiện ủy uỷ ban đội phó trưởng xác nhận ký họ nữ
    dưới trên tuổi tích
    """.split()
)


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """A well-formed Vietnamese syllable in one consistent case ("Tổng", "HỘ", "nghèo")."""
    if not word or not (word.islower() or word.isupper() or word.istitle()):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    if not _SYLLABLE.fullmatch(base):
        return False
    # Syllables closed by a stop take only the acute or the dot-below tone.
    return not (tones and tones[0] not in "\u0301\u0323" and base.endswith(("c", "ch", "p", "t")))


@lru_cache(maxsize=65536)
def word_score(word: str) -> int:
    word = unicodedata.normalize("NFC", word)
    if not is_vietnamese_syllable(word):
        return 0
    return 2 if word.lower() in _COMMON_WORDS else 1


# Words are split on whitespace, ASCII punctuation and digits: they mean the
# same in every encoding, whereas "·", "§", "¸" are letters in TCVN3.
_TOKEN_SPLIT = re.compile(r"[\s\x21-\x40\x5b-\x60\x7b-\x7e]+")


def scored_tokens(text: str) -> list[str]:
    """Non-ASCII words worth scoring. A lone symbol ("·", "©", "×") is skipped: it
    decodes to a lone TCVN3 vowel but is far more often a bullet or a sign."""
    return [
        token
        for token in _TOKEN_SPLIT.split(text)
        if len(token) >= 2 and not token.isascii() and any(ch.isalpha() for ch in token)
    ]


def _has_unicode_vietnamese(token: str) -> bool:
    return any(
        ch not in LEGACY_CHARS
        and (0x0100 <= ord(ch) <= 0x024F or 0x1E00 <= ord(ch) <= 0x1EFF or 0x0300 <= ord(ch) <= 0x036F)
        for ch in token
    )


@lru_cache(maxsize=65536)
def _token_change(token: str) -> tuple[tuple[int, int], ...]:
    """(gain, loss) in score when the token is decoded, per encoding in ENCODINGS."""
    before = word_score(token)
    changes = []
    for encoding in ENCODINGS:
        after = word_score(unicodedata.normalize("NFC", decode_segment(token, encoding)))
        changes.append((max(0, after - before), max(0, before - after)))
    return tuple(changes)


# A sheet is called legacy only when decoding makes at least this many score
# points, at least twice what it costs, and more than the words that are
# unmistakably Unicode Vietnamese elsewhere on the sheet.
MIN_GAIN = 3


def legacy_evidence(texts: Iterable[str]) -> dict[str, object]:
    """The counts behind :func:`detect_legacy`: gain and loss per encoding, Unicode words."""
    gain = dict.fromkeys(ENCODINGS, 0)
    loss = dict.fromkeys(ENCODINGS, 0)
    unicode_words = 0
    for text in texts:
        if not isinstance(text, str) or text.isascii():
            continue
        words, changes = _evidence(text)
        unicode_words += words
        for encoding, (plus, minus) in zip(ENCODINGS, changes):
            gain[encoding] += plus
            loss[encoding] += minus
    return {"gain": gain, "loss": loss, "unicode_words": unicode_words}


# Labels, village names and headings repeat from file to file: a parsing process weighs and
# decodes each short text once (long ones every time, so the caches stay small).
_SHORT = 200


@lru_cache(maxsize=65536)
def _text_evidence(text: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """One text's share of legacy_evidence: (Unicode words, (gain, loss) per encoding)."""
    tokens = scored_tokens(text)
    if not is_legacy_candidate(text):
        return sum(1 for token in tokens if _has_unicode_vietnamese(token)), ((0, 0),) * len(ENCODINGS)
    changes = [_token_change(token) for token in tokens]
    return 0, tuple((sum(c[i][0] for c in changes), sum(c[i][1] for c in changes)) for i in range(len(ENCODINGS)))


def _evidence(text: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """_text_evidence, a short text once per process (the cache keeps short texts only)."""
    return _text_evidence(text) if len(text) <= _SHORT else _text_evidence.__wrapped__(text)


@lru_cache(maxsize=65536)
def _decode_short(text: str, encoding: str) -> str:
    return decode_legacy(text, encoding)


def decode_cell(text: str, encoding: str) -> str:
    """decode_legacy for one cell, short texts once per process."""
    return _decode_short(text, encoding) if len(text) <= _SHORT else decode_legacy(text, encoding)


def decode_on_legacy_sheet(text: str, encoding: str) -> str:
    """A text cell of a sheet typed in `encoding`: decoded, unless the cell reads as better Vietnamese as it is. A
    name retyped in Unicode on an old template stays: "UBND XÃ SÀ PHÌN" is not "SÀ PHÈN", "Thôn Nà Mèo" not "Thụn
    Nà Mốo"."""
    gain, loss = _evidence(text)[1][ENCODINGS.index(encoding)]
    if loss > gain or encoding == TCVN3 and not _NOT_IN_TCVN3.isdisjoint(text) and _TELLTALE.isdisjoint(text):
        return text
    return decode_cell(text, encoding)


# Vietnamese letters in Latin-1 whose bytes the .VnTime fonts (TCVN3, its ABC set) leave unused: capitals with a tone
# are typed in .VnTimeH with the lower-case codes. A cell of a TCVN3 sheet that holds one and no sign of legacy bytes
# ("UBND XÃ SÀ PHÌN") was typed in Unicode, though its words read as Vietnamese either way ("PHÌN" is TCVN3 for "PHÈN",
# "Bóc" for "Búc"). With a sign ("PH¢N Bà ... N¡M"), it is a legacy title whatever its odd letter.
_NOT_IN_TCVN3 = frozenset("ÀÁÂÃÍÙÚà")


def legacy_cell_encoding(text: str) -> str | None:
    """_legacy_cell_encoding, a short text (a label, a village's name: they repeat from file to file) once per process."""
    return _pasted_short(text) if len(text) <= _SHORT else _legacy_cell_encoding(text)


def _legacy_cell_encoding(text: str) -> str | None:
    """The legacy font a cell of a Unicode sheet is typed in ("B¶n Nµ Khuæi", "Baûn Naø Khuoåi": a village name
    pasted from an old file), else None. Only a cell with no letter only Unicode has (ư, ạ, ...) that decoding makes
    more Vietnamese in one font than in the other: by a point with a character only legacy bytes give ("¶", "µ"), by
    two without one, and then only when some word is no Vietnamese syllable as it is."""
    if text.isascii() or _UNICODE_ONLY.search(text):
        return None
    signed = not _TELLTALE.isdisjoint(text)
    if not signed and all(is_vietnamese_syllable(unicodedata.normalize("NFC", t)) for t in scored_tokens(text)):
        return None
    least = 1 if signed else 2  # without a legacy sign, a word not Vietnamese as it is and two points gained
    nets = {e: (gain - loss if gain - loss >= least else None) for e, (gain, loss) in zip(ENCODINGS, _evidence(text)[1])}
    scored = sorted((net, e) for e, net in nets.items() if net is not None)
    if not scored or len(scored) > 1 and scored[-1][0] == scored[-2][0]:
        return None
    return scored[-1][1]


_pasted_short = lru_cache(maxsize=65536)(_legacy_cell_encoding)


# Characters that legacy bytes produce but Unicode Vietnamese letters never are
# (the Latin-1 letters Vietnamese does use, à á â ã è é ê ì í ò ó ô õ ù ú ý and
# their capitals, are left out). A sheet without any of them cannot be legacy
# text, which lets the word-by-word scoring be skipped for almost every sheet.
_VIETNAMESE_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
_TELLTALE = frozenset(ch for ch in LEGACY_CHARS if ord(ch) >= 0x80 and ch not in _VIETNAMESE_LATIN1)


_UNICODE_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


def clearly_unicode(texts: list[str]) -> bool:
    """Unicode Vietnamese for sure: letters legacy bytes cannot produce (ư ơ đ ạ ế ...) and no
    character only legacy bytes would produce. VNI text can look like plain Latin-1, so this
    answers yes only on positive evidence."""
    return any(_UNICODE_ONLY.search(t) for t in texts) and all(_TELLTALE.isdisjoint(t) for t in texts)


def detect_legacy(texts: Iterable[str]) -> str | None:
    """"tcvn3" or "vni" when the text cells of a sheet are typed in a legacy font, else None."""
    texts = [t for t in texts if isinstance(t, str) and not t.isascii()]
    if not texts or clearly_unicode(texts):
        return None
    evidence = legacy_evidence(texts)
    gain, loss, unicode_words = evidence["gain"], evidence["loss"], evidence["unicode_words"]
    best = max(ENCODINGS, key=lambda encoding: (gain[encoding] - loss[encoding], gain[encoding]))
    if gain[best] < MIN_GAIN or gain[best] < 2 * loss[best] or gain[best] <= unicode_words:
        return None
    other = VNI if best == TCVN3 else TCVN3
    if gain[best] - loss[best] <= gain[other] - loss[other]:
        return None  # a tie: no telling which font
    return best
