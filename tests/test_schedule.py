"""When a feed is polled next. Pure."""
from datetime import datetime, timezone

from producers.schedule import Schedule, freshness_hint, health, next_wait

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=timezone.utc)


def test_freshness_hints_from_headers_and_ttl():
    assert freshness_hint({"cache-control": "public, max-age=600"}, None, NOW) == 600
    assert freshness_hint({"cache-control": "no-cache, max-age=600"}, None, NOW) is None
    expires = {"expires": "Tue, 01 Oct 2024 12:30:00 GMT", "date": "Tue, 01 Oct 2024 12:10:00 GMT"}
    assert freshness_hint(expires, None, NOW) == 1200  # measured from the server's own Date
    assert freshness_hint({"expires": "0"}, 900, NOW) == 900
    assert freshness_hint({}, None, NOW) is None


def test_the_wait_is_lengthened_never_shortened_and_kept_in_bounds():
    plain = Schedule(interval=300, minimum=60, maximum=3600, jitter=0.0)
    assert next_wait(plain, failures=0, hint=None, feed_url="u", polls=1) == 300
    assert next_wait(plain, failures=0, hint=30, feed_url="u", polls=1) == 300  # a short max-age is no invitation
    assert next_wait(plain, failures=0, hint=1800, feed_url="u", polls=1) == 1800
    assert [next_wait(plain, failures=n, hint=None, feed_url="u", polls=1) for n in (1, 2, 3, 5, 9)] == [
        300, 600, 1200, 3600, 3600]
    assert next_wait(plain, failures=1, hint=2400, feed_url="u", polls=1) == 2400  # Retry-After beats back-off


def test_jitter_spreads_feeds_within_its_share_and_is_reproducible():
    jittered = Schedule(interval=300, jitter=0.1)
    waits = [next_wait(jittered, failures=0, hint=None, feed_url=f"https://f{i}.example/", polls=1) for i in range(200)]
    assert all(270 <= w <= 330 for w in waits) and len({round(w) for w in waits}) > 30
    assert waits == [next_wait(jittered, failures=0, hint=None, feed_url=f"https://f{i}.example/", polls=1)
                     for i in range(200)]


def test_a_feed_is_failing_only_after_several_failures_in_a_row():
    schedule = Schedule(failing_after=3)
    assert [health(n, schedule) for n in (0, 1, 2, 3, 7)] == ["ok", "retrying", "retrying", "failing", "failing"]
