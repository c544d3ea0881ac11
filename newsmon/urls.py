"""Canonical article URLs: the key of an article on every topic up to the decider."""
from __future__ import annotations

from courlan import normalize_url
from courlan.clean import clean_url


def canonical_url(url: str) -> str:
    """Strip tracking parameters and fragments, lower-case the host, so one article has one key."""
    url = url.strip()
    try:
        cleaned = clean_url(url) or url
        return normalize_url(cleaned, strict=True)
    except Exception:  # courlan raises on some odd inputs; the raw URL is still a usable key
        return url
