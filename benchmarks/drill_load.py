"""What the drill serves: the article stream (real pages, the test topic's developments), the 100 feeds that list it
as it is released, and the hostile inputs, on loopback hosts of their own.

Hosts: the feeds on five addresses (127.0.1.1-5; the fourth is the one made slow, the fifth the one that resets
connections), the pages on two (127.0.2.1-2), the hostile inputs on 127.0.3.1. Each is one exact host:port on the
allow-list; the canaries (127.0.0.2 and 127.0.0.1 on another port) are not.
"""
from __future__ import annotations

import html
import random
import re
import threading
import zlib
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

from tests.servers import Route, Site

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TOPIC_DIR = Path(__file__).resolve().parent / "drill_topic"
FEED_HOSTS = 5
SLOW_HOST, RESET_HOST = 3, 4  # indexes into the feed hosts
PAGE_HOSTS = 2
WARM_UP = 60  # the first real-page articles, decided before the burst is timed (models and dictionaries load lazily)
_TITLE = re.compile(rb"<title[^>]*>(.{1,300}?)</title>", re.I | re.S)


# ------------------------------------------------------------------------------------------------- the pages
def real_pages() -> tuple[list[bytes], str]:
    """The 250 real pages of ../shared, or the project's own pages (its seed articles) when it is absent."""
    folder = SHARED / "data" / "html-pages" / "pages"
    if folder.is_dir():
        pages = [p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix == ".html"]
        if pages:
            return pages, f"{len(pages)} real pages of {folder}"
    own = sorted((ROOT / "topics").glob("*/seeds/*.txt")) + sorted((TOPIC_DIR / "seeds").glob("*.txt"))
    pages = [article_page(p.stem, p.read_text(encoding="utf-8").split("\n\n")) for p in own]
    return pages, f"{len(pages)} of the project's own seed pages (../shared is absent)"


def article_page(title: str, paragraphs: list[str], lang: str = "en") -> bytes:
    body = "".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs if p.strip())
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article>'
            f"<h1>{html.escape(title)}</h1>{body}</article><footer>Drill News</footer></body></html>").encode()


def page_title(raw: bytes, fallback: str) -> str:
    found = _TITLE.search(raw[:20000])
    if not found:
        return fallback
    title = html.unescape(found.group(1).decode("utf-8", "replace")).strip()
    return re.sub(r"\s+", " ", title)[:200] or fallback


# ----------------------------------------------------------------------------- the test topic's developments
# Norway and Chile (benchmarks/drill_topic, written by `newsmon topic init` from its seeds): each report below is
# a development the seeds do not know; two are reported twice (a Spanish rewrite: a corroboration, no alert).
DEVELOPMENTS = [
    ("signed", "en", "Norway and Chile sign ocean research agreement", [
        "Norway and Chile signed an agreement on ocean research in Santiago on Thursday, the Chilean foreign ministry said.",
        "The agreement covers joint expeditions, data sharing and the training of marine scientists from both countries.",
        "Officials said the first joint expedition would sail from Valparaíso next year."]),
    ("ratified-cl", "en", "Chilean Senate ratifies ocean research agreement with Norway", [
        "Chile's Senate ratified the ocean research agreement with Norway on Wednesday by a large majority.",
        "The vote clears the way for the agreement to take effect once Norway completes its own procedure.",
        "Senators from several parties praised the cooperation with Norwegian research institutes."]),
    ("exercise", "en", "Norwegian and Chilean navies begin joint exercise off Punta Arenas", [
        "The navies of Norway and Chile began a joint naval exercise off Punta Arenas on Tuesday, the Chilean navy said.",
        "Four ships and two patrol aircraft from both countries take part in the drill, which will last five days.",
        "It is the first joint exercise of the two navies in southern waters."]),
    ("transfer", "en", "Norway delivers two patrol vessels to Chile", [
        "Norway delivered two offshore patrol vessels to the Chilean navy on Friday, the Norwegian defence ministry said.",
        "The ships were handed over in the port of Bergen and will sail to Chile next month.",
        "Chile bought the vessels to patrol its fisheries zone in the far south."]),
    ("launch", "en", "Norway and Chile launch joint ocean monitoring satellite", [
        "A satellite built jointly by Norway and Chile to monitor fishing vessels was launched on Saturday, the two space agencies said.",
        "The satellite will track ships in the southern Pacific and in the Norwegian Sea.",
        "Engineers from Chile and Norway worked on the project for three years."]),
    ("construction", "en", "Construction of Norwegian-Chilean hydrogen plant begins in Magallanes", [
        "Construction of a green hydrogen plant financed by Norway and Chile began in the Magallanes region on Monday, the Chilean energy ministry said.",
        "The plant will be powered by wind turbines and is due to start production in three years.",
        "Norwegian engineers will train Chilean workers during the construction."]),
    ("loan", "en", "Norway grants Chile a loan for coastal wind farms", [
        "Norway granted Chile a loan of 300 million dollars for coastal wind farms on Wednesday, the Norwegian development agency said.",
        "The loan will finance three wind farms on the coast of southern Chile.",
        "Chile's finance minister thanked Norway for the support."]),
    ("opened", "en", "Norway opens consulate in Punta Arenas", [
        "Norway opened a consulate in the Chilean city of Punta Arenas on Thursday, the Norwegian foreign ministry said.",
        "The consulate will serve Norwegian companies and researchers working in southern Chile.",
        "Chile welcomed the decision and said it would open an office in Tromsø."]),
    ("visit-no", "en", "Norwegian prime minister visits Santiago", [
        "Norway's prime minister visited Santiago on Monday, the first visit by a Norwegian head of government to Chile in a decade, the Chilean presidency said.",
        "The prime minister met Chile's president at the La Moneda palace.",
        "The two leaders discussed salmon farming, hydrogen and copper trade."]),
    ("restrictions", "en", "Chile suspends imports of Norwegian salmon eggs", [
        "Chile suspended imports of salmon eggs from Norway on Friday after an outbreak of disease at a Norwegian hatchery, the Chilean fisheries service said.",
        "The suspension will last at least three months.",
        "Norway's fisheries ministry said it regretted the decision."]),
    ("statement", "en", "Norway and Chile issue joint statement on Antarctic protection", [
        "Norway and Chile issued a joint statement on the protection of Antarctic waters on Tuesday, the two foreign ministries said.",
        "The statement calls for new marine protected areas in the Southern Ocean.",
        "Both countries have research stations in Antarctica."]),
    ("arrest", "en", "Chile detains Norwegian fishing crew", [
        "Chilean authorities detained the crew of a Norwegian fishing vessel off Chiloé on Sunday, the Chilean navy said.",
        "The navy said the vessel had been fishing without a licence in Chilean waters.",
        "Norway's embassy in Santiago said it was in contact with the crew."]),
    ("signed-es", "es", "Chile y Noruega firman un acuerdo de investigación oceánica", [
        "Chile y Noruega firmaron el jueves en Santiago un acuerdo de investigación oceánica, informó la cancillería chilena.",
        "El acuerdo incluye expediciones conjuntas, intercambio de datos y formación de científicos marinos.",
        "La primera expedición conjunta zarpará de Valparaíso el próximo año, dijeron las autoridades."]),
    ("exercise-es", "es", "Armadas de Chile y Noruega inician ejercicio conjunto en Punta Arenas", [
        "Las armadas de Chile y Noruega iniciaron el martes un ejercicio naval conjunto frente a Punta Arenas, informó la Armada de Chile.",
        "En el ejercicio participan cuatro buques y dos aviones de patrulla de ambos países durante cinco días.",
        "Es el primer ejercicio conjunto de ambas armadas en aguas australes."]),
]


# ---------------------------------------------------------------------------------------------- the stream
@dataclass
class Article:
    n: int
    url: str
    title: str
    kind: str  # "load" (a real page), "topic" (a development's report), "hostile"
    phase: str  # "W" (warm-up), "A" (the throughput burst) or "B" (released while faults happen)
    release: float  # seconds after its phase's start
    feed: int  # the feed that lists it (-1: a hostile feed lists it)
    page: int = -1  # index of the real page it serves
    body: bytes | None = None  # its own bytes (topic and hostile pages)
    released_at: float | None = None  # wall-clock time it appeared in its feed


@dataclass
class World:
    """Every server, article and feed of one drill."""

    pages: list[bytes]
    pages_note: str
    articles: list[Article] = field(default_factory=list)
    feed_hosts: list[Site] = field(default_factory=list)
    page_hosts: list[Site] = field(default_factory=list)
    hostile: Site | None = None
    feed_urls: list[str] = field(default_factory=list)  # the 100 drill feeds
    hostile_feeds: dict[str, str] = field(default_factory=dict)  # name → URL
    corpus_feeds: dict[str, str] = field(default_factory=dict)  # corpus file → URL
    hostile_pages: dict[str, str] = field(default_factory=dict)  # name → URL
    phase_start: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoints(self) -> list[str]:
        sites = self.feed_hosts + self.page_hosts + ([self.hostile] if self.hostile else [])
        return [f"{s.server.server_address[0]}:{s.server.server_address[1]}" for s in sites]

    def close(self) -> None:
        for site in self.feed_hosts + self.page_hosts + ([self.hostile] if self.hostile else []):
            site.close()


def build_world(*, load: int, topic_copies: int, phase_a: int, feeds: int, phase_b_seconds: float,
                feed_port: int, page_port: int, hostile_port: int, canaries: tuple[str, str], corpus: bool,
                rng: random.Random) -> World:
    pages, note = real_pages()
    world = World(pages, note)
    world.feed_hosts = [Site(f"127.0.1.{h + 1}", feed_port) for h in range(FEED_HOSTS)]
    world.page_hosts = [Site(f"127.0.2.{h + 1}", page_port) for h in range(PAGE_HOSTS)]
    world.hostile = Site("127.0.3.1", hostile_port)
    world.feed_urls = [world.feed_hosts[f % FEED_HOSTS].url(f"/feeds/{f}.xml") for f in range(feeds)]
    _add_load(world, load, phase_a, feeds, phase_b_seconds, rng)
    _add_topic(world, topic_copies, feeds, phase_b_seconds, rng)
    _add_hostile(world, canaries, corpus)
    for f, url in enumerate(world.feed_urls):
        host = world.feed_hosts[f % FEED_HOSTS]
        host.responders[f"/feeds/{f}.xml"] = lambda _request, f=f: _feed_route(world, f)
    for host in world.page_hosts:
        host.responders["/p/"] = lambda request: _page_route(world, request.path)
    return world


def _add_load(world: World, load: int, phase_a: int, feeds: int, seconds: float, rng: random.Random) -> None:
    warm = min(WARM_UP, phase_a)
    for n in range(load):
        page = n % len(world.pages)
        phase = "W" if n < warm else "A" if n < phase_a else "B"
        release = 0.0 if phase == "A" else rng.uniform(0, seconds)
        host = world.page_hosts[n % PAGE_HOSTS]
        world.articles.append(Article(n, host.url(f"/p/{n}.html"), page_title(world.pages[page], f"Article {n}"),
                                      "load", phase, release, n % feeds, page=page))


def _add_topic(world: World, copies: int, feeds: int, seconds: float, rng: random.Random) -> None:
    """The developments, spread over phase B (a corroboration after the report it corroborates)."""
    for copy in range(copies):
        for i, (key, lang, title, paragraphs) in enumerate(DEVELOPMENTS):
            n = len(world.articles)
            slot = seconds * (i + 0.5) / len(DEVELOPMENTS)
            release = min(seconds, max(0.0, slot + rng.uniform(-2, 2)))
            host = world.page_hosts[n % PAGE_HOSTS]
            suffix = f"-{copy}" if copy else ""
            world.articles.append(Article(n, host.url(f"/p/{n}-{key}{suffix}.html"), title, "topic", "B", release,
                                          n % feeds, body=article_page(title, paragraphs, lang)))


def gzip_bomb(inflated: int) -> bytes:
    """`inflated` bytes of zeros in about a thousandth of that (built a megabyte at a time)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(inflated >> 20)) + packer.flush()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://127.0.3.1/laughs</link><description>&lol9;</description></item>
</channel></rss>"""


def _add_hostile(world: World, canaries: tuple[str, str], corpus: bool) -> None:
    site = world.hostile
    bomb = gzip_bomb(1 << 30)  # 1 GiB of zeros in about a megabyte
    site.routes["/h/bomb.html"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    site.routes["/h/bomb.xml"] = Route(bomb, content_type="application/rss+xml", headers={"Content-Encoding": "gzip"})
    site.routes["/h/laughs.xml"] = Route(BILLION_LAUGHS, content_type="application/rss+xml")
    huge = article_page("A very large page", ["Words upon words about nothing in particular. " * 40] * 26_000)
    site.routes["/h/huge.html"] = Route(huge)  # about 50 MB
    invalid = article_page("Bytes that are not UTF-8", [
        "A short report on the harbour of Bergen, where ships come and go in every season of the year, "
        "written by a correspondent who has watched them for many years and knows each captain by name."] * 3)
    invalid = invalid.replace(b"harbour", b"harb\xff\xfeour").replace(b"season", b"sea\xc3\x28son")
    site.routes["/h/invalid-utf8.html"] = Route(invalid)
    site.routes["/h/loop-a.html"] = Route(b"", status=302, location="/h/loop-b.html")
    site.routes["/h/loop-b.html"] = Route(b"", status=302, location="/h/loop-a.html")
    world.hostile_pages = {"gzip bomb page (1 GiB inflated)": site.url("/h/bomb.html"),
                           f"{len(huge) / 1e6:.0f} MB page": site.url("/h/huge.html"),
                           "invalid UTF-8 page": site.url("/h/invalid-utf8.html"),
                           "redirect loop": site.url("/h/loop-a.html"),
                           "link to 127.0.0.2 (same port)": f"{canaries[0]}/p/0.html",
                           "link to 127.0.0.1 on another port": f"{canaries[1]}/p/0.html",
                           "link to localhost (not on the list)": f"http://localhost:{site.server.server_address[1]}/h/x.html"}
    items = [(url, name) for name, url in world.hostile_pages.items()]
    site.routes["/h/pages.xml"] = Route(rss(items, datetime.now(timezone.utc), "Hostile pages"),
                                        content_type="application/rss+xml", etag='"h1"')
    world.hostile_feeds = {"hostile pages and loopback links": site.url("/h/pages.xml"),
                           "gzip bomb feed": site.url("/h/bomb.xml"),
                           "billion laughs feed": site.url("/h/laughs.xml")}
    if corpus:
        folder = SHARED / "data" / "feeds"
        for path in sorted(folder.rglob("*.xml")) if folder.is_dir() else []:
            name = str(path.relative_to(folder))
            route = f"/corpus/{len(world.corpus_feeds)}.xml"
            # A publisher's cache hint, as real feeds give: polled once a minute, not every two seconds.
            site.routes[route] = Route(path.read_bytes(), content_type="application/xml", etag=f'"c{route}"',
                                       headers={"Cache-Control": "max-age=3600"})
            world.corpus_feeds[name] = site.url(route)


def rss(items: list[tuple[str, str]], when: datetime, title: str) -> bytes:
    entries = "".join(f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link>"
                      f"<pubDate>{format_datetime(when)}</pubDate></item>" for u, t in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{html.escape(title)}</title>'
            f"{entries}</channel></rss>").encode()


# --------------------------------------------------------------------------------------------- serving
def release_due(world: World, now: float) -> None:
    """Mark the articles whose time has come as released (they then appear in their feeds)."""
    with world.lock:
        for article in world.articles:
            start = world.phase_start.get(article.phase)
            if article.released_at is None and start is not None and now >= start + article.release:
                article.released_at = max(now, start + article.release)


def _feed_route(world: World, feed: int) -> Route:
    with world.lock:
        listed = sorted((a for a in world.articles if a.feed == feed and a.released_at is not None),
                        key=lambda a: a.released_at, reverse=True)
    entries = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{html.escape(a.url)}</link>"
        f"<guid>{html.escape(a.url)}</guid>"
        f"<pubDate>{format_datetime(datetime.fromtimestamp(a.released_at, timezone.utc))}</pubDate></item>"
        for a in listed)
    body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Drill feed {feed}</title>'
            f"{entries}</channel></rss>").encode()
    return Route(body, content_type="application/rss+xml", etag=f'"{feed}-{len(listed)}"')


def _page_route(world: World, path: str) -> Route | None:
    try:
        n = int(path.split("/")[2].split("-")[0].split(".")[0])
        article = world.articles[n]
    except (ValueError, IndexError):
        return None
    if not path.startswith(f"/p/{n}") or article.url.rsplit("/", 1)[1] != path.rsplit("/", 1)[1]:
        return None
    if article.body is not None:
        return Route(article.body)
    # The same real page under several addresses: a comment makes each copy its own bytes.
    raw = world.pages[article.page]
    # No charset in the header: the page says its own (or the extractor detects it), as many servers do.
    return Route(raw + f"<!-- drill article {n} -->".encode(), content_type="text/html")
