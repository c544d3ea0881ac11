"""`newsmon web` (and the `web` stage of `newsmon run` and compose): the view follows the topics in a thread (and,
between its reads, the topic commands: which stories are followed); uvicorn serves the page and /metrics on
NEWSMON_WEB_HOST:NEWSMON_WEB_PORT until the stage is stopped."""
from __future__ import annotations

import logging
import threading

from newsmon.registry import TopicRegistry
from newsmon.settings import Settings
from newsmon.stream import Heartbeats, StopFlag, create_topics, make_producer
from newsmon.view.follow import start_following
from newsmon.view.model import View
from newsmon.view.stories import Stories
from newsmon.web.app import Context, make_app

log = logging.getLogger(__name__)


def build_context(settings: Settings, view: View, registry: TopicRegistry | None = None) -> Context:
    """The page's context; with a registry, the topics it follows change as `newsmon topic add/remove` say."""
    stories = Stories(registry) if registry is not None else Stories(followed=TopicRegistry(
        settings, read_commands=False).followed())
    return Context(settings=settings, view=view, stories=stories)


def run_web(settings: Settings, stop: StopFlag, *, ready: threading.Event | None = None) -> None:
    import uvicorn

    create_topics(settings)
    view = View(settings.namespace)
    producer = make_producer(settings)
    heart = Heartbeats(settings, "web", producer)
    heart.beat(force=True)
    ctx = build_context(settings, view, TopicRegistry(settings))

    def on_turn() -> None:
        heart.beat()
        ctx.stories.poll()  # topics added or removed while the page runs

    follower = start_following(settings, view, stop, on_turn=on_turn)
    app = make_app(ctx)
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
        ctx.stories.close()
        producer.flush()
        producer.close()
        log.info("web: stopped")
