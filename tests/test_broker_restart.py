"""A broker restart under a running stage: the stage keeps running and loses nothing."""
from newsmon import broker
from newsmon.stream import Output, create_topics, make_producer, run_loop
from schemas import DiscoveredArticle, Topics, decode, encode
from tests.kafka_util import Background, records, send


def test_a_stage_survives_a_broker_restart(kafka, broker_settings):
    if not broker_settings.uses_local_broker:
        import pytest
        pytest.skip("the broker is not ours to restart (KAFKA_BOOTSTRAP_SERVERS is set)")
    create_topics(kafka)
    inbound, outbound = kafka.topic(Topics.DISCOVERED), kafka.topic(Topics.DECISIONS)

    def handler(key, value):
        found = decode(DiscoveredArticle, value)
        return [Output(outbound, found.canonical_url, found)]

    def article(n: int) -> bytes:
        return encode(DiscoveredArticle(url=f"https://n.example/{n}", canonical_url=f"https://n.example/{n}",
                                        feed_url="https://n.example/feed"))

    stage = Background(lambda stop: run_loop(kafka, stage="echo", topic=inbound, handler=handler,
                                             producer=make_producer(kafka), stop=stop))
    try:
        send(kafka, inbound, "k", article(1))
        assert len(records(kafka, outbound, at_least=1)) == 1
        broker.stop(broker_settings)
        broker.start(broker_settings)
        send(kafka, inbound, "k", article(2))
        got = records(kafka, outbound, at_least=2, timeout=90)
        assert stage.thread.is_alive()
    finally:
        stage.stop(timeout=90)
    assert sorted(decode(DiscoveredArticle, r.value).url for r in got) == ["https://n.example/1", "https://n.example/2"]
