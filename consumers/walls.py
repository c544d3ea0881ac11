"""Pages that stand in front of an article: consent walls, paywall stubs and bot challenges (captchas). Pure.

They are rejected with that reason instead of being extracted as articles ("We value your privacy…" is not news).
Two looks: `before_extraction` reads only the page's address, title and a few markers, so a challenge page costs no
extraction; `after_extraction` attributes a page that yielded little text to the wall it shows. A real article that
merely carries a cookie banner or a captcha for its comments is long, and is never rejected here.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

SHORT_TEXT = 1000  # an article behind a wall shows at most a teaser of about this length

_TITLE = re.compile(rb"<title[^>]*>(.{0,300}?)</title>", re.I | re.S)
CHALLENGE_TITLES = ("just a moment", "attention required", "are you a robot", "are you human", "security check",
                    "ddos-guard", "pardon our interruption", "access denied", "please verify you are a human",
                    "verifying you are human", "bot verification", "captcha")
CHALLENGE_MARKERS = (b"cf-challenge", b"challenge-platform", b"cf_chl_opt", b"g-recaptcha", b"h-captcha",
                     b"captcha-delivery.com", b"px-captcha", b"hcaptcha.com", b"turnstile")
CONSENT_HOSTS = ("consent.", "guce.", "consent-pref.", "myprivacy.", "privacy-gate.")
CONSENT_MARKERS = (b"consent.google.com", b"before you continue to google", b"consent.yahoo.com",
                   b"sp_message_container", b"qc-cmp2", b"didomi-notice", b"onetrust-banner-sdk", b"cmpbox",
                   b"fc-consent-root", b"truste-consent")
# Consent vocabulary across the languages newsmon reads; two of them in a short text make it a consent wall.
CONSENT_WORDS = ("cookie", "consent", "privacy", "partners", "einwilligung", "zustimm", "datenschutz",
                 "toestemming", "consentement", "confidentialité", "consentimiento", "privacidad", "consenso",
                 "zgod", "prywatno", "consimț", "съглас", "согласи", "конфиденциальн", "згод", "çerez", "gizlilik",
                 "συναίνεση", "απορρήτου", "vafrakök", "کوکی", "ملفات تعريف الارتباط")
PAYWALL_FREE_FALSE = re.compile(rb"[\"']isAccessibleForFree[\"']\s*:\s*[\"']?false", re.I)
PAYWALL_WORDS = ("subscribe to continue", "subscribe to read", "for subscribers", "subscriber-only",
                 "already a subscriber", "nur für abonnenten", "réservé aux abonnés",
                 "solo para suscriptores", "riservato agli abbonati",
                 "tylko dla prenumeratorów", "только для подписчиков", "abonelere özel", "alleen voor abonnees")
PAYWALL_MARKERS = (b"class=\"paywall", b"class='paywall", b"id=\"paywall", b"piano-offer", b"tp-modal",
                   b"data-paywall", b"meteredcontent", b"premium-content")


def before_extraction(raw: bytes, url: str) -> tuple[str, str] | None:
    """(kind, reason) when the page is plainly a challenge or a consent wall, from its address and title."""
    host = (urlsplit(url).hostname or "").lower()
    if host.startswith(CONSENT_HOSTS) or "/consent" in urlsplit(url).path.lower():
        return "consent_wall", f"consent wall at {host}"
    head = raw[:20000]
    found = _TITLE.search(head)
    title = found.group(1).decode("utf-8", "replace").strip().lower() if found else ""
    if title and any(title.startswith(t) or t in title for t in CHALLENGE_TITLES):
        if any(m in raw for m in CHALLENGE_MARKERS) or len(raw) < 30000:
            return "captcha", f"bot challenge page ({title[:60]!r})"
    return None


def after_extraction(raw: bytes, text: str) -> tuple[str, str] | None:
    """(kind, reason) for a page whose little text is explained by a wall."""
    if len(text) >= SHORT_TEXT:
        return None
    lowered_raw = raw.lower()
    lowered = text.lower()
    if any(m in lowered_raw for m in CHALLENGE_MARKERS) and ("robot" in lowered or "human" in lowered
                                                            or "captcha" in lowered or "verify" in lowered
                                                            or len(text) < 200):
        return "captcha", "bot challenge page"
    if PAYWALL_FREE_FALSE.search(raw) or any(m in lowered_raw for m in PAYWALL_MARKERS) \
            or any(w in lowered for w in PAYWALL_WORDS):
        return "paywall", f"paywall stub ({len(text)} characters of teaser)"
    words = sum(w in lowered for w in CONSENT_WORDS)
    if words >= 2 or (words >= 1 and any(m in lowered_raw for m in CONSENT_MARKERS)):
        return "consent_wall", "consent wall"
    return None
