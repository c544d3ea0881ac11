"""`newsmon web` (and the `web` stage of `newsmon run` and compose): the view follows the topics in a thread; uvicorn
serves the page and /metrics on NEWSMON_WEB_HOST:NEWSMON_WEB_PORT until the stage is stopped."""
from __future__ import annotations

import logging
import threading

from newsmon.settings import Settings
from newsmon.stream import Heartbeats, StopFlag, create_topics, make_producer
from newsmon.view.follow import start_following
from newsmon.view.model import View
from newsmon.web.app import Context, make_app

log = logging.getLogger(__name__)


def build_context(settings: Settings, view: View) -> Context:
    from consumers.topics.model import load_topic
    from newsmon.view.timeline import known_items
    from producers.feed_list import configured_feeds

    try:
        topic = load_topic(settings.topic_dir)
    except (OSError, ValueError) as exc:  # the page still shows the stream without the story's known facts
        log.warning("web: no topic at %s (%s): the timeline shows developments only", settings.topic_dir, exc)
        topic = None
    return Context(settings=settings, view=view, topic=topic, known=known_items(topic) if topic else [],
                   feeds=configured_feeds(settings))


def run_web(settings: Settings, stop: StopFlag, *, ready: threading.Event | None = None) -> None:
    import uvicorn

    create_topics(settings)
    view = View(settings.namespace)
    producer = make_producer(settings)
    heart = Heartbeats(settings, "web", producer)
    heart.beat(force=True)
    follower = start_following(settings, view, stop, on_turn=heart.beat)
    app = make_app(build_context(settings, view))
    config = uvicorn.Config(app, host=settings.web_host, port=settings.web_port, log_level="warning",
                            access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    def watch():
        while not stop.wait(0.5):
            if ready is not None and server.started and not ready.is_set():
                ready.set()
        server.should_exit = True

    threading.Thread(target=watch, name="web-stop", daemon=True).start()
    log.info("web: started, the page is at %s (metrics at %smetrics)", settings.web_url, settings.web_url)
    try:
        server.run()
    finally:
        stop.set()
        follower.join(timeout=10)
        heart.stopped()
        producer.flush()
        producer.close()
        log.info("web: stopped")
