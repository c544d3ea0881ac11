"""Prior word weights from word frequencies (wordfreq); language identification is consumers.language's.

The prior weight plays the role of IDF when there is no corpus yet (pair_score, a fresh index):
a word that is frequent in its language ("the", "sagte", "Regierung") says little about which story it is.
"""
from __future__ import annotations

from functools import lru_cache

from consumers.language import detect_language  # noqa: F401 - re-exported for the matcher's modules

MAX_IDF = 6.0
# zipf 7 ≈ "the"; zipf 3 ≈ once per million words. A word absent from the list is rare: full weight.
ZIPF_CEILING = 7.5


@lru_cache(maxsize=64)
def _frequencies(lang: str) -> dict[str, float]:
    import wordfreq

    if lang not in wordfreq.available_languages("small"):
        return {}
    return wordfreq.get_frequency_dict(lang, wordlist="small")


def word_idf(word_lower: str, lang: str | None) -> float:
    """Prior informativeness of a word in its language, 0 (function word) .. MAX_IDF (rare)."""
    freq = _frequencies(lang).get(word_lower, 0.0) if lang else 0.0
    if freq <= 0.0:
        # unknown language or a rare word: length is a weak but useful proxy (short words are function words)
        return MAX_IDF if lang else min(MAX_IDF, 0.7 * len(word_lower))
    import math

    zipf = math.log10(freq) + 9.0
    return max(0.0, min(MAX_IDF, ZIPF_CEILING - zipf))


def cjk_bigram_idf(bigram: str, lang: str | None) -> float:
    """Chinese has no spaces, so text is indexed by character bigrams. A bigram that is a dictionary word gets
    its word weight; one that straddles two words is a weaker, noisier key."""
    lang = lang if lang in ("zh", "ja") else "zh"
    freqs = _frequencies(lang)
    f = freqs.get(bigram, 0.0)
    if f > 0.0:
        import math

        return max(0.0, min(MAX_IDF, ZIPF_CEILING - (math.log10(f) + 9.0)))
    return 2.5
