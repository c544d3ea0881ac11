"""HTTP fetching shared by the feed producer and the extractor: timeouts, a size cap, manual redirects so that
every hop passes the private-network guard, and conditional GET. Failures are sorted into a closed set of kinds.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urljoin, urlsplit

import urllib3

USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon)"
MAX_REDIRECTS = 5


class FetchFailure(str, Enum):
    BAD_URL = "bad_url"
    FORBIDDEN_ADDRESS = "forbidden_address"  # private/loopback target while that is not allowed
    UNREACHABLE = "unreachable"  # DNS or connection failure
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"  # 404 / 410: the resource is gone, retrying will not help
    HTTP_ERROR = "http_error"  # other 4xx/5xx
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"

    @property
    def retryable(self) -> bool:
        return self in (FetchFailure.UNREACHABLE, FetchFailure.TIMEOUT, FetchFailure.HTTP_ERROR)


class FetchError(Exception):
    def __init__(self, kind: FetchFailure, detail: str, status: int | None = None):
        super().__init__(f"{kind.value}: {detail}")
        self.kind, self.detail, self.status = kind, detail, status


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL after redirects
    status: int  # 200, or 304 for a conditional GET that found nothing new
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


_pool = urllib3.PoolManager(num_pools=32, retries=False)


def _check_address(host: str, allow_private: bool) -> None:
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise FetchError(FetchFailure.UNREACHABLE, f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if not addr.is_global:
            raise FetchError(FetchFailure.FORBIDDEN_ADDRESS,
                             f"{host} resolves to non-public {addr}; set NEWSMON_ALLOW_PRIVATE_NETWORKS=1 to allow")


def fetch(url: str, *, allow_private: bool, timeout: float = 15.0, max_bytes: int = 10_000_000,
          etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """GET `url`. Raises FetchError with a kind from FetchFailure; returns status 304 on a conditional hit."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(FetchFailure.BAD_URL, f"not an http(s) URL: {current!r}")
        _check_address(parts.hostname, allow_private)
        try:
            resp = _pool.request("GET", current, headers=headers, redirect=False, preload_content=False,
                                 timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout))
        except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError) as exc:
            # Checked before TimeoutError: urllib3 makes a refused connection a kind of connect timeout.
            raise FetchError(FetchFailure.UNREACHABLE, f"{current}: {exc}") from exc
        except urllib3.exceptions.TimeoutError as exc:
            raise FetchError(FetchFailure.TIMEOUT, f"{current}: {exc}") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(FetchFailure.UNREACHABLE, f"{current}: {exc}") from exc
        try:
            if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                current = urljoin(current, resp.headers["location"])
                continue
            body = _read_capped(resp, max_bytes, current)
        finally:
            resp.release_conn()
        lowered = {k.lower(): v for k, v in resp.headers.items()}
        if resp.status == 304:
            return Fetched(current, 304, b"", lowered)
        if resp.status in (404, 410):
            raise FetchError(FetchFailure.NOT_FOUND, f"{current} answered {resp.status}", resp.status)
        if resp.status >= 400:
            raise FetchError(FetchFailure.HTTP_ERROR, f"{current} answered {resp.status}", resp.status)
        return Fetched(current, resp.status, body, lowered)
    raise FetchError(FetchFailure.TOO_MANY_REDIRECTS, f"more than {MAX_REDIRECTS} redirects from {url}")


def _read_capped(resp: urllib3.BaseHTTPResponse, max_bytes: int, url: str) -> bytes:
    chunks, size = [], 0
    try:
        for chunk in resp.stream(65536, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(FetchFailure.TOO_LARGE, f"{url} is larger than {max_bytes} bytes")
            chunks.append(chunk)
    except urllib3.exceptions.TimeoutError as exc:
        raise FetchError(FetchFailure.TIMEOUT, f"{url}: {exc}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(FetchFailure.UNREACHABLE, f"{url}: {exc}") from exc
    return b"".join(chunks)
