"""The page: server-rendered HTML (jinja2) that works without JavaScript; its buttons are plain forms that POST
and come back (303) to where they were pressed. POSTs from another site's page are refused (Origin and
Sec-Fetch-Site must say this page sent them).

/topics (the landing part) lists every followed topic; /topics/<id> is one topic's timeline; /timeline shows every
topic's one after another; /articles is the stream, filterable by topic, status and language. Feedback names the
topic it was given on, so the decider applies it to that topic only."""
from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from consumers.language import language_name
from newsmon import dlq
from newsmon.feedback import send_feedback
from newsmon.metrics import registry
from newsmon.settings import Settings
from newsmon.stream import make_producer
from newsmon.view import timeline
from newsmon.view.model import NO_TOPIC, View
from newsmon.view.stories import Stories
from schemas import Feedback

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
STATUSES = ("new_development", "corroboration", "announced", "known", "off_topic")
STATUS_LABELS = {"new_development": "new", "corroboration": "corroboration", "announced": "announced",
                 "known": "known", "off_topic": "off topic"}
QUIET = ("known", "announced", "off_topic", "corroboration")  # may be marked "this was new"
PAGE = 100
NO_TOPIC_PARAM = "-"  # ?topic=- : the articles whose records name no topic


@dataclass
class Context:
    settings: Settings
    view: View
    stories: Stories

    def __post_init__(self) -> None:
        self._producer = None
        self._lock = threading.Lock()

    def producer(self):
        with self._lock:
            if self._producer is None:
                self._producer = make_producer(self.settings)
            return self._producer

    def topic_ids(self) -> list[str]:
        """The followed topics, then any other the records name (a removed topic, older records' NO_TOPIC)."""
        followed = self.stories.ids()
        return followed + [t for t in self.view.topic_ids() if t not in followed]

    def feeds(self) -> list[str]:
        """The configured feed list: NEWSMON_FEEDS, or each followed topic's own feeds and search feeds."""
        from producers.feed_list import configured_feeds

        return configured_feeds(self.settings, [f.folder for f in self.stories.followed()])


def _when(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") if value else "-"


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = (datetime.now(timezone.utc) - value).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return f"{max(0, int(seconds))} s ago"


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters.update(when=_when, ago=_ago, language=language_name,
                             status_label=lambda s: STATUS_LABELS.get(s, s))


def make_app(ctx: Context) -> Starlette:
    metrics = registry(ctx.view, ctx.settings.failing_after)

    def page(request: Request, name: str, **values) -> Response:
        v = ctx.view
        return templates.TemplateResponse(request, name, {
            "ready": v.ready, "health": v.health, "alive": v.alive(), "followed": ctx.stories.ids(),
            "notice": request.query_params.get("notice", ""), "path": request.url.path,
            "here": _here(request), "topic_param": _topic_param, **values})

    async def home(request: Request) -> Response:
        return RedirectResponse("/topics", status_code=307)

    async def topics(request: Request) -> Response:
        v = ctx.view
        followed = ctx.stories.ids()
        summaries = v.summaries(followed)
        return page(request, "topics.html", summaries=summaries, stories={s.id: ctx.stories.story(s.id)
                                                                         for s in summaries})

    def story_timeline(topic_id: str) -> timeline.Timeline:
        v = ctx.view
        story = ctx.stories.story(topic_id)
        alerts = v.alerts_of(topic_id)
        with v.lock:
            channels = {a.alert_id: v.channels_of(a.alert_id) for a in alerts}
            feedback = dict(v.feedback)
        built = timeline.build(story.topic, topic_id, alerts, channels, feedback, known=story.known)
        return built if story.topic else dataclasses.replace(built, name=story.name)

    async def timelines(request: Request) -> Response:
        stories = [story_timeline(t) for t in ctx.topic_ids()]
        return page(request, "timeline.html", stories=stories, single=len(stories) == 1)

    async def one_topic(request: Request) -> Response:
        topic_id = _topic_id(request.path_params["topic"])
        if topic_id not in ctx.topic_ids():
            return PlainTextResponse(f"no topic {topic_id!r}: see /topics", status_code=404)
        return page(request, "timeline.html", stories=[story_timeline(topic_id)], single=True)

    async def articles(request: Request) -> Response:
        q = request.query_params
        status = q.get("status", "") if q.get("status", "") in STATUSES else ""
        language, query = q.get("lang", "")[:8], q.get("q", "")[:200]
        topic_ids = ctx.topic_ids()
        topic = _topic_id(q.get("topic", "")) if q.get("topic", "") else None
        if topic not in topic_ids:
            topic = None
        try:
            offset = max(0, int(q.get("offset", "0")))
        except ValueError:
            offset = 0
        rows, total = ctx.view.stream(topic=topic, status=status, language=language, query=query, offset=offset,
                                      limit=PAGE)
        base = {k: v for k, v in (("topic", _topic_param(topic) if topic is not None else ""), ("status", status),
                                  ("lang", language), ("q", query)) if v}
        return page(request, "articles.html", rows=rows, total=total, status=status, language=language, query=query,
                    topic=topic, topic_ids=topic_ids, topic_of=ctx.view.topic_of,
                    names={t: ctx.stories.story(t).name for t in topic_ids},
                    offset=offset, page_size=PAGE, statuses=STATUSES, counts=ctx.view.statuses(topic),
                    languages=ctx.view.languages(), quiet=QUIET, base=base, urlencode=urlencode)

    async def feeds(request: Request) -> Response:
        from producers.feeds_admin import feed_rows
        from producers.service import poll_config

        v = ctx.view
        with v.lock:
            states, commands = dict(v.feeds), sorted(v.commands.values(), key=lambda c: c.issued_at)
        # the producer may run with another feed list than this process: every feed it keeps a state of is shown
        configured = ctx.feeds()
        listed = configured + sorted(set(states) - set(configured))
        rows = feed_rows(listed, commands, states, poll_config(ctx.settings).schedule, ctx.settings)
        order = {"failing": 0, "retrying": 1, "new": 2, "ok": 3, "removed": 4}
        rows.sort(key=lambda r: (order.get(r.health, 9), r.url))
        return page(request, "feeds.html", rows=rows)

    async def health(request: Request) -> Response:
        v = ctx.view
        return page(request, "health.html", instances=v.instances(), letters=v.dead_letters(),
                    held=v.held_alerts(), unreadable=v.unreadable)

    async def post_feedback(request: Request) -> Response:
        form = await _form(request)
        target, verdict = form.get("target", ""), form.get("verdict", "")
        # the topic the button was pressed on: the decider applies the word to that topic's decision only
        topic = _topic_id(form.get("topic", "")) or None
        if topic is not None and topic not in ctx.topic_ids():
            return PlainTextResponse(f"no topic {topic!r}", status_code=400)
        try:
            if target == "development":
                word = Feedback(target="development", development_id=form.get("id", ""), verdict=verdict,
                                title=form.get("title", "")[:500], topic=topic)
            else:
                word = Feedback(target="article", url=form.get("id", ""), verdict=verdict,
                                title=form.get("title", "")[:500], topic=topic)
        except ValidationError as exc:
            return PlainTextResponse(f"not feedback newsmon understands: {exc.errors()[0]['msg']}", status_code=400)
        send_feedback(ctx.settings, word, ctx.producer())
        log.info("web: feedback %s on %s (topic %s)", word.verdict, word.key, word.topic or "any")
        notice = {"not_new": "Marked not new: its reports stay quiet.",
                  "off_topic": "Marked off topic: its reports stay quiet.",
                  "withdrawn": "Withdrawn: its reports count again.",
                  "was_new": "Marked new: the decider raises a development from it."}[word.verdict]
        return _back(form, notice)

    async def post_replay(request: Request) -> Response:
        form = await _form(request)
        ident = form.get("id", "")
        letters = {x.id: x for x in ctx.view.dead_letters()}
        if ident not in letters:
            return PlainTextResponse(f"no dead letter {ident!r}", status_code=404)
        dlq.replay(ctx.settings, [letters[ident]], ctx.producer())
        log.info("web: dead letter %s sent back to %s", ident, letters[ident].letter.topic)
        return _back(form, f"Sent back to {letters[ident].letter.topic}.")

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics), media_type=CONTENT_TYPE_LATEST)

    async def ready(request: Request) -> Response:
        v = ctx.view
        return JSONResponse({"ready": v.ready, "alive": v.alive(), "lag": v.health.lag}, status_code=200 if v.ready else 503)

    return Starlette(routes=[
        Route("/", home), Route("/topics", topics), Route("/topics/{topic}", one_topic),
        Route("/timeline", timelines), Route("/articles", articles), Route("/feeds", feeds),
        Route("/health", health), Route("/metrics", metrics_endpoint), Route("/ready", ready),
        Route("/feedback", post_feedback, methods=["POST"]),
        Route("/dead-letters/replay", post_replay, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ], middleware=[_same_origin()])


def _topic_param(topic_id: str) -> str:
    """A topic id as a URL names it (the records that name no topic have no id of their own)."""
    return NO_TOPIC_PARAM if topic_id == NO_TOPIC else topic_id


def _topic_id(param: str) -> str:
    param = param[:200]
    return NO_TOPIC if param == NO_TOPIC_PARAM else param


def _here(request: Request) -> str:
    """This page's path and query without a notice, for a form to come back to."""
    query = [p for p in request.url.query.split("&") if p and not p.startswith("notice=")]
    return request.url.path + ("?" + "&".join(query) if query else "")


async def _form(request: Request) -> dict[str, str]:
    """The form's fields (application/x-www-form-urlencoded, what a browser sends without JavaScript)."""
    body = (await request.body())[:64_000].decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _back(form: dict[str, str], notice: str) -> Response:
    back = form.get("back", "/timeline")
    if not back.startswith("/") or back.startswith("//"):  # only back to this page, never elsewhere
        back = "/timeline"
    parts = urlsplit(back)
    query = [p for p in parts.query.split("&") if p and not p.startswith("notice=")]
    query.append(urlencode({"notice": notice}))
    anchor = f"#{form['anchor']}" if form.get("anchor", "").replace("-", "").isalnum() else ""
    return RedirectResponse(f"{parts.path}?{'&'.join(query)}{anchor}", status_code=303)


def _same_origin():
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware

    class SameOrigin(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next):
            if request.method == "POST":
                site = request.headers.get("sec-fetch-site")
                origin = request.headers.get("origin")
                host = request.headers.get("host", "")
                if (site and site not in ("same-origin", "none")) or \
                        (origin and origin != "null" and urlsplit(origin).netloc != host):
                    return PlainTextResponse("refused: this form was not sent from newsmon's page", status_code=403)
            return await call_next(request)

    return Middleware(SameOrigin)
