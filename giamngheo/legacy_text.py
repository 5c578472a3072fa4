"""Legacy Vietnamese 8-bit encodings (TCVN3, VNI-Windows) and text-file encoding detection.

Text typed with a legacy font and stored in a workbook reads back as the
Windows-1252 interpretation of the legacy bytes ("Tổng số hộ" typed in TCVN3
reads "Tæng sè hé", in VNI "Toång soá hoä"). This module

* decides whether the text cells of a sheet are legacy-encoded
  (:func:`detect_legacy`),
* decodes one cell (:func:`decode_legacy`),
* decodes whole CSV files given as bytes (:func:`decode_text_bytes`).

Detection compares, word by word, how Vietnamese the text looks as it is and
once decoded: a word scores 1 when it is a well-formed Vietnamese syllable and
1 more when it is a common word of these reports. Unicode Vietnamese already
scores high as it is, so decoding can only lose; legacy text scores low as it
is (æ, ·, ¸, å... are not Vietnamese letters) and gains when decoded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from giamngheo.legacy_tables import TCVN3_TABLE, VNI_TABLE

TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (TCVN3, VNI)

_ALIASES = {
    "tcvn3": TCVN3, "tcvn": TCVN3, "abc": TCVN3, "vn3": TCVN3, "tcvn5712": TCVN3,
    "vni": VNI, "vni-windows": VNI, "vniwin": VNI, "vni-win": VNI,
}

# --- the cp1252 view of bytes ------------------------------------------------


def _cp1252_char(value: int) -> str:
    try:
        return bytes([value]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D come through as C1 controls
        return chr(value)


_BYTE_CHARS = [_cp1252_char(value) for value in range(256)]
_LATIN1_TO_CP1252 = {value: _BYTE_CHARS[value] for value in range(0x80, 0xA0)}
# Every character that legacy bytes can turn into, as Excel stores them.
_LEGACY_CHARS = frozenset(_BYTE_CHARS) | frozenset(map(chr, range(0x80, 0xA0)))


def bytes_as_cp1252(data: bytes) -> str:
    """Bytes as Excel / a cp1252 reader shows them (undefined bytes as U+0080-U+009F)."""
    return data.decode("latin-1").translate(_LATIN1_TO_CP1252)


# --- tables ------------------------------------------------------------------

_TCVN3_TRANS = {value: text for value, text in TCVN3_TABLE.items()}


def _vni_map() -> dict[str, str]:
    mapping = dict(VNI_TABLE)
    # Base letter and diacritic byte typed in different cases ("Aù"): the base decides.
    for seq, text in VNI_TABLE.items():
        if len(seq) == 2:
            base, mark = seq
            other = mark.lower() if mark.isupper() else mark.upper()
            if other != mark and base + other not in mapping:
                mapping[base + other] = text
    return mapping


_VNI_MAP = _vni_map()
_VNI_RE = re.compile("|".join(re.escape(seq) for seq in sorted(_VNI_MAP, key=len, reverse=True)))

# TCVN3 has capitals only for Ă Â Ê Ô Ơ Ư Đ; every toned letter is lower-case.
_TCVN3_NO_CAPITAL = frozenset(
    text for text in TCVN3_TABLE.values() if text.islower() and text not in "ăâêôơưđ"
)


def _normalise_encoding(encoding: str) -> str:
    name = _ALIASES.get(str(encoding).strip().lower().replace("_", "-"))
    if name is None:
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected 'tcvn3' or 'vni'")
    return name


def _map_word(word: str, encoding: str) -> str:
    if encoding == TCVN3:
        return word.translate(_TCVN3_TRANS)
    return _VNI_RE.sub(lambda match: _VNI_MAP[match.group()], word)


# --- decoding one cell -------------------------------------------------------

_SEGMENT_SPLIT = re.compile(r"([\r\n\t;,|]+)")
_SPACE_SPLIT = re.compile(r"(\s+)")


def _is_legacy_candidate(text: str) -> bool:
    """False when the text holds a letter or mark that no legacy byte can produce (ư, ạ, ...)."""
    return all(ch in _LEGACY_CHARS or unicodedata.category(ch)[0] not in "LM" for ch in text)


def _case_kind(raw: str) -> str:
    """'lower' (has lower-case ASCII letters), 'upper' (2+ ASCII letters, all upper),
    'ambiguous' (0-1 ASCII letters, none lower) or 'none' (no letters at all)."""
    ascii_letters = [ch for ch in raw if ch.isascii() and ch.isalpha()]
    if any(ch.islower() for ch in ascii_letters):
        return "lower"
    if len(ascii_letters) >= 2:
        return "upper"
    return "ambiguous" if any(ch.isalpha() or ch in _LEGACY_LETTERS for ch in raw) else "none"


def _first_alpha(text: str) -> int:
    return next((i for i, ch in enumerate(text) if ch.isalpha()), -1)


def _decode_segment(segment: str, encoding: str) -> str:
    """Decode a run of words that belong together (a cell, or a field of one)."""
    pieces = _SPACE_SPLIT.split(segment)
    words = [(i, piece) for i, piece in enumerate(pieces) if piece and not piece.isspace()]
    kinds = {i: _case_kind(raw) for i, raw in words}
    decoded = {i: _map_word(raw, encoding) for i, raw in words}
    present = set(kinds.values())
    # .VnTimeH titles: lower-case codes shown in capitals. "X·" alone is ambiguous
    # ("Hé" is title-case "Hộ"), so a one-letter word follows the rest of the cell.
    upper_context = "upper" in present and "lower" not in present
    for i, _raw in words:
        if kinds[i] == "upper" or (upper_context and kinds[i] == "ambiguous"):
            decoded[i] = decoded[i].upper()
    if encoding == TCVN3 and not upper_context:
        _capitalise_title_words(words, decoded)
    for i, text in decoded.items():
        pieces[i] = text
    return "".join(pieces)


def _capitalise_title_words(words: list[tuple[int, str]], decoded: dict[int, str]) -> None:
    """TCVN3 cannot write "Ữ" or "Ấ": in a Title Case cell ("Bản Khuổi ữ") a word that
    starts with such a letter is capitalised too."""
    candidates, others = [], []
    for i, _raw in words:
        pos = _first_alpha(decoded[i])
        if pos < 0:
            continue
        (candidates if decoded[i][pos] in _TCVN3_NO_CAPITAL else others).append((i, pos))
    if not candidates or not others:
        return
    if all(decoded[i][pos].isupper() for i, pos in others):
        for i, pos in candidates:
            text = decoded[i]
            decoded[i] = text[:pos] + text[pos].upper() + text[pos + 1 :]


def decode_legacy(text: str, encoding: str) -> str:
    """Decode one cell typed in a legacy font ("tcvn3" or "vni"); the result is NFC.

    Text holding letters that legacy bytes cannot produce (ư, ạ, ế ...) is
    already Unicode and comes back NFC-normalised but otherwise unchanged.
    """
    encoding = _normalise_encoding(encoding)
    if not isinstance(text, str) or not text or text.isascii():
        return text
    if not _is_legacy_candidate(text):
        return unicodedata.normalize("NFC", text)
    parts = _SEGMENT_SPLIT.split(text)
    out = [part if i % 2 else _decode_segment(part, encoding) for i, part in enumerate(parts)]
    return unicodedata.normalize("NFC", "".join(out))


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
_LEGACY_LETTERS = frozenset(chr(value) for value in TCVN3_TABLE) | frozenset(
    ch for seq in _VNI_MAP for ch in seq if not ch.isascii()
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
def _word_score(word: str) -> int:
    word = unicodedata.normalize("NFC", word)
    if not is_vietnamese_syllable(word):
        return 0
    return 2 if word.lower() in _COMMON_WORDS else 1


# Words are split on whitespace, ASCII punctuation and digits: they mean the
# same in every encoding, whereas "·", "§", "¸" are letters in TCVN3.
_TOKEN_SPLIT = re.compile(r"[\s\x21-\x40\x5b-\x60\x7b-\x7e]+")


def _scored_tokens(text: str) -> list[str]:
    """Non-ASCII words worth scoring. A lone symbol ("·", "©", "×") is skipped: it
    decodes to a lone TCVN3 vowel but is far more often a bullet or a sign."""
    return [
        token
        for token in _TOKEN_SPLIT.split(text)
        if len(token) >= 2 and not token.isascii() and any(ch.isalpha() for ch in token)
    ]


def _has_unicode_vietnamese(token: str) -> bool:
    return any(
        ch not in _LEGACY_CHARS
        and (0x0100 <= ord(ch) <= 0x024F or 0x1E00 <= ord(ch) <= 0x1EFF or 0x0300 <= ord(ch) <= 0x036F)
        for ch in token
    )


@lru_cache(maxsize=65536)
def _token_change(token: str) -> tuple[tuple[int, int], ...]:
    """(gain, loss) in score when the token is decoded, per encoding in ENCODINGS."""
    before = _word_score(token)
    changes = []
    for encoding in ENCODINGS:
        after = _word_score(unicodedata.normalize("NFC", _decode_segment(token, encoding)))
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
    tokens = _scored_tokens(text)
    if not _is_legacy_candidate(text):
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
    if not signed and all(is_vietnamese_syllable(unicodedata.normalize("NFC", t)) for t in _scored_tokens(text)):
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
_TELLTALE = frozenset(ch for ch in _LEGACY_CHARS if ord(ch) >= 0x80 and ch not in _VIETNAMESE_LATIN1)


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


# --- whole text files --------------------------------------------------------

TEXT_ENCODINGS = ("utf-8-sig", "utf-8", "utf-16", "cp1258", "tcvn3", "vni")


def _plausibility(text: str) -> int:
    """Higher is more Vietnamese: +1 per common word, 0 per other syllable,
    -1 per other non-ASCII word, -2 per replacement or control character."""
    score = sum(_word_score(token) - 1 for token in _scored_tokens(text))
    bad = sum(
        1 for ch in text if ch == "\ufffd" or 0x80 <= ord(ch) <= 0x9F or (ord(ch) < 0x20 and ch not in "\t\r\n")
    )
    return score - 2 * bad


def _decode_legacy_file(data: bytes, encoding: str) -> str:
    return "".join(decode_legacy(line, encoding) for line in bytes_as_cp1252(data).splitlines(keepends=True))


def _looks_utf16(data: bytes) -> str | None:
    """utf-16-le / utf-16-be for BOM-less UTF-16 of mostly Latin text, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    if odd_nuls >= 0.4 * half and even_nuls <= 0.05 * half:
        return "utf-16-le"
    if even_nuls >= 0.4 * half and odd_nuls <= 0.05 * half:
        return "utf-16-be"
    return None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def decode_text_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file (CSV) to NFC text; returns (text, encoding name).

    BOMs first (utf-8-sig, utf-16), then strict UTF-8, then the most Vietnamese
    looking of cp1258, TCVN3 bytes and VNI bytes. Never raises.
    """
    data = bytes(data or b"")
    if data.startswith(b"\xef\xbb\xbf"):
        return _nfc(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _nfc(data.decode("utf-16", errors="replace")), "utf-16"
    try:
        return _nfc(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _looks_utf16(data)
    if utf16:
        return _nfc(data.decode(utf16, errors="replace")), "utf-16"
    cp1258 = _nfc(data.decode("cp1258", errors="replace"))
    if clearly_unicode([cp1258]):
        return cp1258, "cp1258"
    candidates = [(cp1258, "cp1258")]
    for encoding in (TCVN3, VNI):
        try:
            candidates.append((_decode_legacy_file(data, encoding), encoding))
        except Exception:  # pragma: no cover - defensive: never raise on input bytes
            continue
    scores = [_plausibility(text) for text, _name in candidates]
    # max() keeps the first of equals: ties go to cp1258, the only real code page.
    best = max(range(len(candidates)), key=scores.__getitem__)
    return candidates[best]
