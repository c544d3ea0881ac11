"""The fetcher's guards against real servers on loopback: the resolved address is pinned, a per-host limit, the
size cap, Retry-After."""
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from newsmon import fetch as fetching
from newsmon.fetch import FetchError, FetchFailure, NetworkPolicy, fetch, retry_after_seconds
from tests.servers import Route, Site


def test_the_checked_address_is_the_one_connected_to(site):
    """One resolution per hop: a DNS answer that changes after the check (rebinding) is never used."""
    site.routes["/page"] = Route(b"hello")
    port = site.server.server_address[1]
    answers = [["127.0.0.1"], ["10.1.2.3"]]  # the second answer would be a private address elsewhere
    calls = []

    def rebinding(host, port_):
        calls.append(host)
        return answers[len(calls) - 1]

    got = fetch(f"http://news.example:{port}/page", allow_private=True, resolver=rebinding)
    assert got.body == b"hello" and calls == ["news.example"]
    assert site.log[-1].headers["host"] == f"news.example:{port}"  # the name still goes to the server


def test_any_private_answer_refuses_the_host(site):
    port = site.server.server_address[1]
    for answer in (["127.0.0.1"], ["93.184.216.34", "192.168.1.20"], ["::1"]):
        with pytest.raises(FetchError) as info:
            fetch(f"http://news.example:{port}/page", allow_private=False, resolver=lambda h, p, a=answer: a)
        assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS
    assert site.log == []  # nothing was sent


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(site):
    port = site.server.server_address[1]
    site.routes["/go"] = Route(b"", status=302, location=f"http://intranet.example:{port}/secret")
    names = {"public.example": ["127.0.0.1"], "intranet.example": ["10.0.0.5"]}
    checked = []

    def resolver(host, _port):
        checked.append(host)
        return names[host]

    # The first hop is an allowed endpoint (the test server is on loopback); the guard runs again on every hop.
    policy = NetworkPolicy(endpoints=frozenset({("public.example", port)}))
    with pytest.raises(FetchError) as info:
        fetch(f"http://public.example:{port}/go", allow_private=policy, resolver=resolver)
    assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS and checked == ["public.example", "intranet.example"]
    assert [r.path for r in site.log] == ["/go"]


def never_connect(monkeypatch):
    """Makes any connection attempt fail the test: the guard must refuse before a socket is opened."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was attempted: {args}")
    monkeypatch.setattr(fetching._pools, "get", refuse)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.0.0.2", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.20", "169.254.169.254",  # metadata
    "fe80::1", "100.64.0.1", "0.0.0.0", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe", "224.0.0.251", "255.255.255.255"])
def test_non_public_resolved_addresses_are_refused_without_connecting(monkeypatch, address):
    never_connect(monkeypatch)
    for answer in ([address], ["93.184.216.34", address]):  # any non-public answer refuses the host
        with pytest.raises(FetchError) as info:
            fetch("http://news.example/page", allow_private=False, resolver=lambda h, p, a=answer: a)
        assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS
    # Literal addresses in the URL go through the same check, and so do the metadata service's well-known names.
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchError) as info:
        fetch(f"http://{host}/latest/meta-data/", allow_private=False)
    assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS


def test_an_allowed_endpoint_is_exact_host_and_port(site, monkeypatch):
    site.routes["/page"] = Route(b"hello")
    port = site.server.server_address[1]
    policy = NetworkPolicy(endpoints=frozenset({("127.0.0.1", port)}))
    assert fetch(site.url("/page"), allow_private=policy).body == b"hello"
    never_connect(monkeypatch)
    for url in (f"http://127.0.0.1:{port + 1}/page", f"http://127.0.0.2:{port}/page",
                f"http://localhost:{port}/page"):
        with pytest.raises(FetchError) as info:
            fetch(url, allow_private=policy, resolver=lambda h, p: ["127.0.0.1"])
        assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS, url


def test_endpoints_only_refuses_any_other_host_before_resolving_it(monkeypatch):
    never_connect(monkeypatch)
    resolved = []
    policy = NetworkPolicy(endpoints=frozenset({("127.0.0.1", 8080)}), endpoints_only=True)
    with pytest.raises(FetchError) as info:
        fetch("http://example.org/", allow_private=policy, resolver=lambda h, p: resolved.append(h) or ["93.184.216.34"])
    assert info.value.kind is FetchFailure.FORBIDDEN_ADDRESS and resolved == []


def test_the_allow_list_setting_is_parsed_exactly():
    from newsmon.settings import Settings

    settings = Settings(allowed_endpoints="127.0.0.1:8080, [::1]:9000", allowed_endpoints_only=True)
    policy = settings.network_policy
    assert policy.endpoints == {("127.0.0.1", 8080), ("::1", 9000)} and policy.endpoints_only
    assert not policy.allow_private
    with pytest.raises(ValueError):
        Settings(allowed_endpoints="127.0.0.1")  # no port: not an exact endpoint


def test_a_gzip_bomb_stops_at_the_cap_while_it_inflates(site):
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()  # 200 MB in about 200 KB
    assert len(bomb) < 300_000
    site.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as info:
        fetch(site.url("/bomb"), allow_private=True, max_bytes=5_000_000)
    assert info.value.kind is FetchFailure.TOO_LARGE and "decompresses" in str(info.value)


def test_compressed_bodies_are_read_whole_and_a_declared_length_over_the_cap_is_refused_unread(site):
    import gzip
    import zlib

    text = ("Russia and Iran signed the treaty on Friday. " * 2000).encode()
    site.routes["/gz"] = Route(gzip.compress(text[:40000]) + gzip.compress(text[40000:]),  # two gzip members
                               headers={"Content-Encoding": "gzip"})
    site.routes["/zlib"] = Route(zlib.compress(text), headers={"Content-Encoding": "deflate"})
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    site.routes["/raw"] = Route(raw.compress(text) + raw.flush(), headers={"Content-Encoding": "deflate"})
    for path in ("/gz", "/zlib", "/raw"):
        assert fetch(site.url(path), allow_private=True).body == text, path
    site.routes["/big"] = Route(b"x" * 2_000_000)
    with pytest.raises(FetchError) as info:
        fetch(site.url("/big"), allow_private=True, max_bytes=1_000_000)
    assert info.value.kind is FetchFailure.TOO_LARGE and "declares" in str(info.value)


def test_requests_per_host_are_limited_while_other_hosts_go_on():
    one, two = Site("127.0.0.1"), Site("127.0.0.2")
    try:
        for s in (one, two):
            s.routes["/slow"] = Route(b"ok", delay=0.4)
        fetching.set_host_limit(2)
        threads = [threading.Thread(target=fetch, args=(s.url("/slow"),), kwargs={"allow_private": True})
                   for s in (one, two) for _ in range(4)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - began
    finally:
        fetching.set_host_limit(fetching.DEFAULT_HOST_LIMIT)
        one.close()
        two.close()
    assert one.most_at_once == 2 and two.most_at_once == 2
    assert len(one.log) == len(two.log) == 4
    assert took < 1.5  # 4 × 0.4 s per host, 2 at a time: about 0.8 s, both hosts at once


def test_the_size_cap_refuses_a_large_body_and_the_next_request_is_clean(site):
    site.routes["/big"] = Route(b"x" * 300_000)
    site.routes["/small"] = Route(b"small")
    with pytest.raises(FetchError) as info:
        fetch(site.url("/big"), allow_private=True, max_bytes=100_000)
    assert info.value.kind is FetchFailure.TOO_LARGE
    assert fetch(site.url("/small"), allow_private=True).body == b"small"


def test_retry_after_is_read_as_seconds_or_a_date(site):
    now = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(minutes=5), usegmt=True), now=now) == 300.0
    assert retry_after_seconds("soon") is None
    site.routes["/busy"] = Route(b"busy", status=503, headers={"Retry-After": "45"})
    with pytest.raises(FetchError) as info:
        fetch(site.url("/busy"), allow_private=True)
    assert info.value.kind is FetchFailure.HTTP_ERROR and info.value.retry_after == 45.0


def test_https_to_the_pinned_address_still_checks_the_certificate_for_the_host_name(tmp_path, monkeypatch):
    import http.server
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=news.example", "-addext",
                    "subjectAltName=DNS:news.example"], check=True, capture_output=True)

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = f"host={self.headers['Host']}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust this certificate (and only it) for this test
    port = server.server_address[1]
    try:
        got = fetch(f"https://news.example:{port}/", allow_private=True, resolver=lambda h, p: ["127.0.0.1"])
        assert got.body == f"host=news.example:{port}".encode()  # SNI and Host carry the name, not the address
        with pytest.raises(FetchError) as info:
            fetch(f"https://other.example:{port}/", allow_private=True, resolver=lambda h, p: ["127.0.0.1"])
        assert "doesn't match" in str(info.value)
    finally:
        server.shutdown()
        server.server_close()
