"""Slack incoming webhook: 200 is delivered; 429 and 5xx are transient (Retry-After honoured); other answers are
permanent (a revoked webhook, a rejected payload)."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import urllib3

from newsmon.stream import Rejected, Transient


_pool = urllib3.PoolManager(retries=False)


def post_slack(webhook_url: str, payload: dict, timeout: float = 10.0) -> None:
    try:
        resp = _pool.request("POST", webhook_url, body=json.dumps(payload).encode("utf-8"),
                             headers={"Content-Type": "application/json"}, timeout=timeout)
    except urllib3.exceptions.HTTPError as exc:
        # The webhook's path is its secret; urllib3's messages may quote it, and this one is logged.
        raise Transient(f"slack unreachable: {redact(str(exc), webhook_url)}") from exc
    if resp.status == 200:
        return
    body = resp.data[:200].decode("utf-8", "replace")
    if resp.status == 429 or resp.status >= 500:
        retry_after = resp.headers.get("Retry-After")
        try:
            wait = float(retry_after) if retry_after else None
        except ValueError:
            wait = None
        raise Transient(f"slack answered {resp.status}: {body}", retry_after=wait)
    raise Rejected(f"slack answered {resp.status}: {body}")


def redact(text: str, webhook_url: str) -> str:
    """`text` without the webhook URL's secret path (nor the URL itself)."""
    path = urlsplit(webhook_url).path
    text = text.replace(webhook_url, "<slack webhook>")
    return text.replace(path, "/<webhook path>") if len(path) > 1 else text
