"""Offline language identification (lingua), limited to the languages the monitor supports so it stays fast."""
from __future__ import annotations

import re
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

SUPPORTED = ("en", "de", "nl", "fr", "es", "it", "pl", "ro", "bg", "ru", "uk", "tr", "el", "is", "fa", "ar",
             "pt", "sv", "da", "no", "fi", "cs", "sk", "hu", "hr", "sr", "zh", "ja", "ko", "he")

# English names for alert text; Babel could give these too, but the alert always speaks English.
_NAMES = {code: Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).name.title()
          for code in SUPPORTED if hasattr(IsoCode639_1, code.upper())}
_NAMES["no"] = "Norwegian"


@lru_cache(maxsize=1)
def _detector():
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper()))
                 for c in SUPPORTED if hasattr(IsoCode639_1, c.upper())]
    # Low-accuracy mode uses the small models: whole articles are long enough for it, and it loads fast.
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of the text's language; `hint` (e.g. <html lang>) decides only when the text cannot."""
    sample = text[:2000]
    head = sample[:400]
    if sum(1 for ch in head if _CJK.match(ch)) > len(head) // 5 > 0:  # lingua's CJK models are costly to load
        return "ja" if any("\u3040" <= ch <= "\u30ff" for ch in head) else "zh"
    if len(sample.strip()) >= 20:
        found = _detector().detect_language_of(sample)
        if found is not None:
            return found.iso_code_639_1.name.lower()
    if hint:
        return hint.split("-")[0].split("_")[0].lower()[:2] or None
    return "ar" if _ARABIC_SCRIPT.search(sample) else None


def language_name(code: str | None) -> str:
    if not code:
        return "Unknown language"
    return _NAMES.get(code, code)
