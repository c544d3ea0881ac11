"""Slack, two ways. The incoming webhook (a URL, no bot): 200 is delivered; 429 and 5xx are transient (Retry-After
honoured); other answers are permanent (a revoked webhook, a rejected payload). The Web API (a bot token and a
channel, through slack-sdk): chat.postMessage answers with the message's `ts`, which threads the corroborations and
lets chat.update keep the alert's source count current. Its 429 and 5xx, and its own "ratelimited" or
"internal_error", are transient; an error such as channel_not_found or invalid_auth is permanent."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from newsmon.stream import Rejected, Transient

_pool = urllib3.PoolManager(retries=False)
# Slack's own words for "not now": the same call may pass later
_TRANSIENT_ERRORS = {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
                     "request_timeout"}


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def post_slack(webhook_url: str, payload: dict, timeout: float = 10.0) -> None:
    try:
        resp = _pool.request("POST", webhook_url, body=json.dumps(payload).encode("utf-8"),
                             headers={"Content-Type": "application/json"}, timeout=timeout)
    except urllib3.exceptions.HTTPError as exc:
        # The webhook's path is its secret: name the host and the failure, never the URL (logs, dead letters).
        raise Transient(f"slack webhook at {urlsplit(webhook_url).hostname} unreachable: "
                        f"{type(exc).__name__}: {redact(str(exc), webhook_url)}") from exc
    if resp.status == 200:
        return
    body = resp.data[:200].decode("utf-8", "replace")
    if resp.status == 429 or resp.status >= 500:
        raise Transient(f"slack answered {resp.status}: {body}", retry_after=_retry_after(resp.headers.get("Retry-After")))
    raise Rejected(f"slack answered {resp.status}: {body}")


def redact(text: str, webhook_url: str) -> str:
    """`text` without the webhook URL's secret path (nor the URL itself)."""
    path = urlsplit(webhook_url).path
    text = text.replace(webhook_url, "<slack webhook>")
    return text.replace(path, "/<webhook path>") if len(path) > 1 else text


@dataclass(frozen=True)
class Posted:
    channel: str  # the channel id Slack answered with
    ts: str


class SlackApi:
    """The few Web API calls newsmon makes, with Slack's failures turned into Transient or Rejected."""

    def __init__(self, token: str, channel: str, base_url: str = "https://slack.com/api/", timeout: float = 10.0):
        from slack_sdk import WebClient

        # No retry handlers of slack-sdk's own: the stage's loop waits (Retry-After) and can be stopped meanwhile.
        self.client = WebClient(token=token, base_url=base_url if base_url.endswith("/") else base_url + "/",
                                timeout=int(timeout), retry_handlers=[])
        self.channel = channel

    def post(self, message: dict, thread_ts: str | None = None, channel: str | None = None) -> Posted:
        extra = {"thread_ts": thread_ts} if thread_ts else {}
        data = self._call("chat_postMessage", channel=channel or self.channel, text=message["text"],
                          blocks=message["blocks"], unfurl_links=False, unfurl_media=False, **extra)
        return Posted(channel=str(data.get("channel") or channel or self.channel), ts=str(data["ts"]))

    def update(self, channel: str, ts: str, message: dict) -> None:
        self._call("chat_update", channel=channel, ts=ts, text=message["text"], blocks=message["blocks"])

    def _call(self, method: str, **kwargs) -> dict:
        from slack_sdk.errors import SlackApiError

        try:
            return getattr(self.client, method)(**kwargs).data
        except SlackApiError as exc:
            status = exc.response.status_code
            error = (exc.response.data or {}).get("error", "") if isinstance(exc.response.data, dict) else ""
            what = f"slack {method.replace('_', '.')} answered {status} {error}".strip()
            if status == 429 or status >= 500 or error in _TRANSIENT_ERRORS:
                headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
                raise Transient(what, retry_after=_retry_after(headers.get("retry-after"))) from exc
            raise Rejected(what) from exc
        except OSError as exc:  # refused, reset, timed out, name not resolved
            raise Transient(f"slack unreachable: {exc}") from exc
