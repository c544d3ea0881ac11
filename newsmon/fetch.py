"""HTTP fetching shared by the feed producer and the extractor: timeouts, a size cap, manual redirects so that
every hop passes the private-network guard, conditional GET, and a per-host concurrency limit. Failures are sorted
into a closed set of kinds.

Each hop resolves its host once, checks every address, and connects to the checked address (the host name still
goes in the Host header and in TLS's SNI and certificate check): a DNS answer that changes between the check and
the connection (DNS rebinding) cannot reach a private address. Which non-public addresses may be reached is a
`NetworkPolicy`: none (the default), every one (NEWSMON_ALLOW_PRIVATE_NETWORKS, for development), or exact
host:port endpoints (NEWSMON_ALLOWED_ENDPOINTS, for tests and the drill), optionally nothing else at all.

Size: a declared Content-Length over the cap is refused before the body is read; the compressed bytes read are
capped, and so is what they decompress to (a gzip bomb stops at the cap, it never fills memory).
"""
from __future__ import annotations

import ipaddress
import socket
import zlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from enum import Enum
from typing import Callable
from urllib.parse import urljoin, urlsplit

import urllib3

USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon)"
MAX_REDIRECTS = 5
DEFAULT_HOST_LIMIT = 4


class FetchFailure(str, Enum):
    BAD_URL = "bad_url"
    FORBIDDEN_ADDRESS = "forbidden_address"  # private/loopback target while that is not allowed
    UNREACHABLE = "unreachable"  # DNS or connection failure
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"  # 404 / 410: the resource is gone, retrying will not help
    RATE_LIMITED = "rate_limited"  # 429: the host asks us to slow down (Retry-After)
    HTTP_ERROR = "http_error"  # other 4xx/5xx
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"

    @property
    def retryable(self) -> bool:
        return self in (FetchFailure.UNREACHABLE, FetchFailure.TIMEOUT, FetchFailure.HTTP_ERROR,
                        FetchFailure.RATE_LIMITED)


class FetchError(Exception):
    def __init__(self, kind: FetchFailure, detail: str, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(f"{kind.value}: {detail}")
        self.kind, self.detail, self.status, self.retry_after = kind, detail, status, retry_after


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL after redirects
    status: int  # 200, or 304 for a conditional GET that found nothing new
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


Resolver = Callable[[str, int], list[str]]
Endpoint = tuple[str, int]  # (host as the URL writes it, lower case, IPv6 without brackets; port)


def parse_endpoint(text: str) -> Endpoint:
    """"127.0.0.1:8080", "[::1]:8080", "feeds.local:8080" → (host, port); a port is required (exact endpoints)."""
    parts = urlsplit(f"//{text.strip()}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in endpoint {text!r}") from exc
    if not parts.hostname or port is None:
        raise ValueError(f"an allowed endpoint is host:port, not {text!r}")
    return parts.hostname.lower(), port


@dataclass(frozen=True)
class NetworkPolicy:
    """Which addresses fetching may reach besides public ones.

    `endpoints` are exact host:port pairs (as URLs write them) that may resolve to non-public addresses; with
    `endpoints_only` nothing else is fetched at all, public hosts included, and such a host is refused before
    it is even resolved (a drill or test on a machine that must send nothing off loopback, not even DNS).
    """

    allow_private: bool = False
    endpoints: frozenset[Endpoint] = frozenset()
    endpoints_only: bool = False

    @classmethod
    def of(cls, value: "bool | NetworkPolicy") -> "NetworkPolicy":
        return value if isinstance(value, NetworkPolicy) else cls(allow_private=bool(value))

    def listed(self, host: str, port: int) -> bool:
        return (host.lower().strip("[]"), port) in self.endpoints

    def may_resolve(self, host: str, port: int) -> bool:
        return not self.endpoints_only or self.listed(host, port)

    def may_connect(self, host: str, port: int, address: str) -> bool:
        return is_public(address) or self.allow_private or self.listed(host, port)


def is_public(address: str) -> bool:
    """A globally routable address. Loopback, private, link-local (the cloud metadata service at 169.254.169.254
    among them), shared (100.64/10), unspecified, multicast and reserved ranges are not; an IPv4 address written
    as IPv6 (::ffff:10.0.0.1, 64:ff9b::/96 NAT64) is judged as the IPv4 address it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
    return ip.is_global and not ip.is_multicast


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address of `host`, in the order the system gives them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class _HostSlot:
    """One host's share: at most `limit` requests in flight, and request starts at least `gap` seconds apart."""

    def __init__(self, limit: int, gap: float):
        self._sem = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.gap = gap
        self._next_start = 0.0

    def __enter__(self) -> None:
        self._sem.acquire()
        if self.gap:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self.gap
            if start > now:
                time.sleep(start - now)

    def __exit__(self, *exc) -> None:
        self._sem.release()


class HostLimiter:
    """At most `limit` requests in flight per host name in this process, so forty search feeds on one host (or a
    batch of pages from one site) are fetched a few at a time while other hosts go on in parallel. A host may also
    ask for a gap between requests (GDELT asks for one request every 5 seconds)."""

    def __init__(self, limit: int = DEFAULT_HOST_LIMIT):
        self.limit = limit
        self._lock = threading.Lock()
        self._slots: dict[str, _HostSlot] = {}
        self._gaps: dict[str, float] = {}

    def slot(self, host: str) -> _HostSlot:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = _HostSlot(self.limit, self._gaps.get(host, 0.0))
            return slot

    def set_gap(self, host: str, seconds: float) -> None:
        with self._lock:
            self._gaps[host] = seconds
            if host in self._slots:
                self._slots[host].gap = seconds


_host_limiter = HostLimiter()


def set_host_limit(limit: int) -> None:
    """The per-host limit of this process (from NEWSMON_HOST_CONCURRENCY); takes effect for hosts not yet seen."""
    global _host_limiter
    if limit != _host_limiter.limit:
        gaps = _host_limiter._gaps
        _host_limiter = HostLimiter(max(1, limit))
        for host, seconds in gaps.items():
            _host_limiter.set_gap(host, seconds)


def set_host_gap(host: str, seconds: float) -> None:
    _host_limiter.set_gap(host, seconds)


class _Pools:
    """Connection pools keyed by (scheme, pinned address, port, host name), least recently used dropped."""

    def __init__(self, size: int = 256):
        self.size = size
        self._lock = threading.Lock()
        self._pools: OrderedDict[tuple, urllib3.HTTPConnectionPool] = OrderedDict()

    def get(self, scheme: str, address: str, port: int, host: str) -> urllib3.HTTPConnectionPool:
        key = (scheme, address, port, host)
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                return pool
            if scheme == "https":
                pool = urllib3.HTTPSConnectionPool(address, port, maxsize=DEFAULT_HOST_LIMIT * 2, block=False,
                                                   retries=False, server_hostname=host, assert_hostname=host,
                                                   cert_reqs="CERT_REQUIRED")
            else:
                pool = urllib3.HTTPConnectionPool(address, port, maxsize=DEFAULT_HOST_LIMIT * 2, block=False,
                                                  retries=False)
            self._pools[key] = pool
            while len(self._pools) > self.size:
                _, old = self._pools.popitem(last=False)
                old.close()
            return pool


_pools = _Pools()


def _pin(host: str, port: int, policy: NetworkPolicy, resolver: Resolver) -> str:
    """The address to connect to: resolved once, every answer checked."""
    if not policy.may_resolve(host, port):
        raise FetchError(FetchFailure.FORBIDDEN_ADDRESS, f"{host}:{port} is not an allowed endpoint "
                         "(NEWSMON_ALLOWED_ENDPOINTS_ONLY is set)")
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = resolver(host, port)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise FetchError(FetchFailure.UNREACHABLE, f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise FetchError(FetchFailure.UNREACHABLE, f"cannot resolve {host}: no address")
    for address in addresses:
        if not policy.may_connect(host, port, address):
            raise FetchError(FetchFailure.FORBIDDEN_ADDRESS, f"{host}:{port} resolves to non-public {address}, "
                             "which is not an allowed endpoint (NEWSMON_ALLOWED_ENDPOINTS)")
    return addresses[0]


def fetch(url: str, *, allow_private: bool | NetworkPolicy, timeout: float = 15.0, max_bytes: int = 10_000_000,
          etag: str | None = None, last_modified: str | None = None, method: str = "GET",
          body: bytes | None = None, content_type: str | None = None, accept: str | None = None,
          resolver: Resolver = system_resolver) -> Fetched:
    """GET (or POST) `url`. Raises FetchError with a kind from FetchFailure; returns status 304 on a conditional
    hit. A POST is not redirected to another request (the batch endpoints we post to answer directly).
    `allow_private` is a NetworkPolicy (or True/False: every private address, or none)."""
    policy = NetworkPolicy.of(allow_private)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if accept:
        headers["Accept"] = accept
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if content_type:
        headers["Content-Type"] = content_type
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(FetchFailure.BAD_URL, f"not an http(s) URL: {current!r}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(FetchFailure.BAD_URL, f"bad port in {current!r}") from exc
        host = parts.hostname
        address = _pin(host, port, policy, resolver)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = port == (443 if parts.scheme == "https" else 80)
        hop_headers = {**headers, "Host": host if default_port else f"{host}:{port}"}
        pool = _pools.get(parts.scheme, address, port, host)
        with _host_limiter.slot(host):
            resp = _request(pool, method, path, hop_headers, body, timeout, current)
            try:
                if resp.status in (301, 302, 303, 307, 308) and resp.headers.get("location") and method == "GET":
                    _drain_small(resp)
                    current = urljoin(current, resp.headers["location"])
                    continue
                payload = _read_capped(resp, max_bytes, current)
            except BaseException:
                resp.close()  # half-read: never hand this connection to the next request
                raise
            finally:
                resp.release_conn()
        lowered = {k.lower(): v for k, v in resp.headers.items()}
        if resp.status == 304:
            return Fetched(current, 304, b"", lowered)
        if resp.status in (404, 410):
            raise FetchError(FetchFailure.NOT_FOUND, f"{current} answered {resp.status}", resp.status)
        if resp.status >= 400:
            kind = FetchFailure.RATE_LIMITED if resp.status == 429 else FetchFailure.HTTP_ERROR
            raise FetchError(kind, f"{current} answered {resp.status}", resp.status,
                             retry_after=retry_after_seconds(lowered.get("retry-after")))
        return Fetched(current, resp.status, payload, lowered)
    raise FetchError(FetchFailure.TOO_MANY_REDIRECTS, f"more than {MAX_REDIRECTS} redirects from {url}")


def _drain_small(resp: urllib3.BaseHTTPResponse, limit: int = 65536) -> None:
    """A redirect's body: a small one is read (undecoded) so that the connection goes back to the pool clean; a
    large one is not read at all, the connection is dropped instead."""
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= limit:
        resp.read(limit + 1, decode_content=False)
        return
    resp.close()


def _request(pool, method, path, headers, body, timeout, url) -> urllib3.BaseHTTPResponse:
    try:
        return pool.urlopen(method, path, body=body, headers=headers, redirect=False, retries=False,
                            preload_content=False, assert_same_host=False,
                            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout))
    except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError) as exc:
        # Checked before TimeoutError: urllib3 makes a refused connection a kind of connect timeout.
        raise FetchError(FetchFailure.UNREACHABLE, f"{url}: {exc}") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise FetchError(FetchFailure.TIMEOUT, f"{url}: {exc}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(FetchFailure.UNREACHABLE, f"{url}: {exc}") from exc


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _read_capped(resp: urllib3.BaseHTTPResponse, max_bytes: int, url: str) -> bytes:
    """The body, decompressed here rather than by urllib3 so that both sides are capped: the bytes on the wire
    (a declared length over the cap is refused unread) and what they inflate to."""
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(FetchFailure.TOO_LARGE, f"{url} declares {declared} bytes, more than {max_bytes}")
    inflater = _Inflater.for_encoding(resp.headers.get("content-encoding", ""), url)
    chunks, wire, size = [], 0, 0
    try:
        for chunk in resp.stream(65536, decode_content=False):
            wire += len(chunk)
            if wire > max_bytes:
                raise FetchError(FetchFailure.TOO_LARGE, f"{url} is larger than {max_bytes} bytes")
            for piece in inflater.feed(chunk, max_bytes - size + 1):
                size += len(piece)
                if size > max_bytes:
                    raise FetchError(FetchFailure.TOO_LARGE,
                                     f"{url} decompresses to more than {max_bytes} bytes ({wire} read)")
                chunks.append(piece)
    except urllib3.exceptions.TimeoutError as exc:
        raise FetchError(FetchFailure.TIMEOUT, f"{url}: {exc}") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(FetchFailure.UNREACHABLE, f"{url}: {exc}") from exc
    except zlib.error as exc:
        raise FetchError(FetchFailure.HTTP_ERROR, f"{url}: corrupt compressed body: {exc}") from exc
    return b"".join(chunks)


class _Inflater:
    """gzip (several members too) or deflate (zlib-wrapped or raw), inflated at most `room` bytes at a time."""

    def __init__(self, wbits: int | None):
        self.wbits = wbits
        self._z = zlib.decompressobj(wbits) if wbits is not None else None

    @classmethod
    def for_encoding(cls, encoding: str, url: str) -> "_Inflater":
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            return cls(None)
        if encoding in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return cls(0)  # chosen from the first bytes: zlib header or raw
        # We only ever ask for gzip and deflate (Accept-Encoding); anything else we cannot read safely.
        raise FetchError(FetchFailure.HTTP_ERROR, f"{url}: unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes, room: int):
        if self._z is None:
            yield data
            return
        if self.wbits == 0:
            self.wbits = zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 and \
                int.from_bytes(data[:2], "big") % 31 == 0 else -zlib.MAX_WBITS
            self._z = zlib.decompressobj(self.wbits)
        while data:
            # max_length bounds what one call may inflate; what it did not consume waits in unconsumed_tail.
            out = self._z.decompress(data, max(1, room))
            if out:
                yield out
            if self._z.eof and self._z.unused_data and self.wbits > 16:
                data = self._z.unused_data  # the next gzip member
                self._z = zlib.decompressobj(self.wbits)
            elif self._z.unconsumed_tail:
                data = self._z.unconsumed_tail
            else:
                data = b""
