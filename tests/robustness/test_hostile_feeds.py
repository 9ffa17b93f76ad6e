"""The hostile-feed lab: one hub whose sources, served on loopback, attack it in every way we know — script in every
field, entity bombs, external entities, huge/endless/compressed bodies, a hanging and a trickling server, redirect
loops, wrong encodings, control and bidi characters, path traversal in ids and titles.

Asserted, for the whole run: it ends within its deadline; every bad source is reported and every good one
published; nothing is written outside the output directory; no local file is read; and the portal and every feed
(Atom, RSS, JSON Feed, JSON API, OPML, sitemap) hold no executable script.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from support.feedserver import FeedServer, Reply

from siman_hub import pipeline
from siman_hub.config import load_config
from siman_hub.sources.fetch import Limits
from siman_hub.sources.ingest import SourceReport, fetch_sources

from .hubkit import Src, files_escaping, write_config
from .scan import bad_url, scan_html, scan_json, scan_site, scan_xml

SECRET = "RAHASIA-LOKAL-7f3a91"  # in a local file the feeds try to pull in; must appear nowhere
DEADLINE = Limits(connect_timeout=2, read_timeout=2, deadline=4)
DATE = "Mon, 16 Nov 2026 10:00:00 +0700"

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href=" &#14; javascript:alert(1)">ctl</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">ent</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<div style="background:url(javascript:alert(1))">css</div>',
    '<style>@import "javascript:alert(1)";</style>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    '<math><a xlink:href="javascript:alert(1)">m</a></math>',
    '<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>',
    "<body onload=alert(1)>",
    '"><script>alert(1)</script>',
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<details open ontoggle=alert(1)>d</details>",
    '<video><source onerror="alert(1)"></video>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="data:text/html,<script>alert(1)</script>">d</a>',
    '<img srcset="javascript:alert(1) 1x, x.png 2x">',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
XSS_HTML = "\n".join(f"<p>{v}</p>" for v in XSS)
JS = "javascript:alert(1)"
DATA = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
BIDI = "\u202e\u2066\u200f"
CONTROL = "\x07\x1b[31m\x08\x0b"


def _rss(channel_title: str, items: list[str], extra_ns: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"'
        + extra_ns
        + ">"
        f"<channel><title>{channel_title}</title><link>https://lab.example.go.id/</link>{''.join(items)}"
        "</channel></rss>"
    ).encode()


def _item(title: str, link: str, guid: str, **extra: str) -> str:
    more = "".join(extra.values())
    return (f"<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>"
            f"<pubDate>{DATE}</pubDate>{more}</item>")  # fmt: skip


def xss_rss() -> bytes:
    """Script in every RSS field: title, link, guid, description, content:encoded, author, categories, enclosures,
    media, comments, source."""
    items = []
    for n, vector in enumerate(XSS):
        items.append(_item(
            escape(f"Aman XSS-RSS {n} {vector}"), escape(JS) if n % 2 else f"https://lab.example.go.id/rss/{n}",
            escape(f"{JS}#{n}"),
            d=f"<description>{escape(vector + XSS_HTML)}</description>",
            c=f"<content:encoded><![CDATA[{vector}{XSS_HTML}]]></content:encoded>",
            a=f"<author>{escape(vector)}</author><dc:creator>{escape(vector)}</dc:creator>",
            k=f"<category>{escape(vector)}</category><category>{escape(JS)}</category>",
            e=f'<enclosure url={quoteattr(JS)} type="image/jpeg" length="1"/>'
              f'<enclosure url={quoteattr(DATA)} type="text/html" length="1"/>',
            m=f'<media:content url={quoteattr(JS)} medium="image"/><media:thumbnail url={quoteattr(DATA)}/>',
            o=f"<comments>{escape(JS)}</comments><source url={quoteattr(JS)}>x</source>",
        ))  # fmt: skip
    return _rss(escape("Lab <script>alert(1)</script>"), items)


def xss_atom() -> bytes:
    entries = []
    for n, vector in enumerate(XSS):
        base = ' xml:base="javascript:alert(1)//"' if n % 3 == 0 else ""
        entries.append(
            f'<entry{base}><title type="html">{escape(escape("Aman XSS-ATOM " + str(n) + " ") + vector)}</title>'
            f'<link rel="alternate" href={quoteattr(JS if n % 2 else f"https://lab.example.go.id/atom/{n}")}/>'
            f'<link rel="enclosure" href={quoteattr(DATA)} type="image/png"/>'
            f"<id>tag:lab,2026:atom-{n}</id><updated>2026-11-16T10:00:00+07:00</updated>"
            f"<author><name>{escape(vector)}</name><uri>{escape(JS)}</uri></author>"
            f"<category term={quoteattr(vector)} scheme={quoteattr(JS)}/>"
            f'<summary type="html">{escape(vector + XSS_HTML)}</summary>'
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            '<script>alert(1)</script><a href="javascript:alert(1)" onclick="alert(1)">x</a>'
            '<a href="relatif/halaman">relatif</a><img src="x" onerror="alert(1)"/>'
            "</div></content></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:base="javascript:alert(1)//"><title type="html">&lt;script&gt;alert(1)&lt;/script&gt;</title>'
        f"<link href={quoteattr(JS)}/><id>urn:lab</id><updated>2026-11-16T10:00:00Z</updated>{''.join(entries)}"
        "</feed>"
    ).encode()


def xss_json() -> bytes:
    items = []
    for n, vector in enumerate(XSS):
        items.append({
            "id": f"../../../../tmp/lab-json-{n}", "url": JS if n % 2 else f"https://lab.example.go.id/json/{n}",
            "external_url": DATA, "title": f"Aman XSS-JSON {n} {vector}", "content_html": vector + XSS_HTML,
            "summary": vector, "image": JS, "banner_image": DATA, "date_published": "2026-11-16T10:00:00+07:00",
            "authors": [{"name": vector, "url": JS, "avatar": DATA}], "tags": [vector, "../../etc"],
            "attachments": [{"url": JS, "mime_type": "image/png"}, {"url": DATA, "mime_type": "text/html"}],
        })  # fmt: skip
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "<script>alert(1)</script>",
                       "home_page_url": JS, "feed_url": DATA, "icon": JS, "items": items}).encode()  # fmt: skip


def controls_rss() -> bytes:
    """Control characters (raw, so the XML is ill-formed and the lenient parser takes over) and bidi overrides."""
    items = [
        _item(f"Aman KONTROL {i} {BIDI}gnp.exe{BIDI} {CONTROL}merah", f"https://lab.example.go.id/k/{i}",
              f"k-{i}{CONTROL}{BIDI}", d=f"<description>isi {CONTROL}{BIDI} teks</description>")
        for i in range(3)
    ]  # fmt: skip
    return _rss(f"Kontrol{BIDI}{CONTROL}", items)


def traversal_rss() -> bytes:
    names = ["../../../../tmp/lab-pwned", "/etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc",
             "....//....//etc", "\x00../../x", "~/.ssh/id_rsa", "con", "a/../../../../b", "index.html"]  # fmt: skip
    items = [
        _item(escape(f"Aman JALUR {i} {name}"), escape(f"https://lab.example.go.id/{name}"), escape(name))
        for i, name in enumerate(names)
    ]
    items += [_item(f"Aman JALUR rusak {i}", escape(link), f"rusak-{i}")  # unparseable links: that item, not the feed
              for i, link in enumerate(["https://lab.example.go.id:99999/port", "http://[tidak-valid/ipv6"])]  # fmt: skip
    return _rss("Jalur", items).replace(b"\x00", b"")


def entity_bomb() -> bytes:
    lol = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                                     for i in range(1, 10)]  # fmt: skip
    return (f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(lol)}]><rss version="2.0"><channel><title>&lol9;</title>'
            f"<item><title>&lol9;</title><link>https://lab.example.go.id/bom</link></item></channel></rss>").encode()  # fmt: skip


def xxe(secret_file: Path) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>'
            '<rss version="2.0"><channel><title>XXE</title><item><title>Bocor &xxe;</title>'
            "<link>https://lab.example.go.id/xxe</link><description>&xxe;</description></item></channel></rss>"
            ).encode()  # fmt: skip


def xxe_parameter(secret_file: Path) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "{secret_file.as_uri()}"> %p;]>'
            '<rss version="2.0"><channel><title>XXE-P</title><item><title>Bocor</title>'
            "<link>https://lab.example.go.id/xxe-p</link></item></channel></rss>").encode()  # fmt: skip


def external_dtd(dtd: Path) -> bytes:
    """No entity declared in the document itself: only an external DTD (which defines ``&rahasia;``) could fill it."""
    return (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd.as_uri()}">'
            '<rss version="2.0"><channel><title>DTD</title><item><title>Aman DTD &rahasia;</title>'
            "<link>https://lab.example.go.id/dtd</link><guid>dtd-1</guid>"
            f"<pubDate>{DATE}</pubDate></item></channel></rss>").encode()  # fmt: skip


def _endless(chunk: bytes) -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Tanpa akhir</title>'
    while True:
        yield chunk


def _sized(total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Besar</title>'
    sent = 0
    block = b"<!-- isi -->" * (chunk // 12)
    while sent < total:
        yield block
        sent += len(block)


def _trickle() -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Pelan</title>'
    for _ in range(600):  # one byte every 0.2 s: each read is quick, only the total deadline stops it
        time.sleep(0.2)
        yield b" "


def _gzip_bomb(size: int = 64 << 20) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    out = [comp.compress(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Bom</title>')]
    out += [comp.compress(zeros) for _ in range(size >> 20)]
    out.append(comp.flush())
    return b"".join(out)


def _latin1_declared_utf8() -> bytes:
    item = _item("Aman LATIN Kabar caf\xe9 d\xe9j\xe0", "https://l.example.go.id/1", "l-1")
    return _rss("Latin", [item]).decode("utf-8").encode("cp1252")


def _utf16() -> bytes:
    body = _rss("UTF16", [_item("Aman UTF16 Kabar", "https://u.example.go.id/1", "u-1")]).decode()
    return body.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def _bom_vs_header() -> bytes:
    """UTF-8 with a BOM, served with a header that claims ISO-8859-1."""
    return b"\xef\xbb\xbf" + _rss("BOM", [_item("Aman BOM Kabar \u00e9", "https://b.example.go.id/1", "b-1")])


GOOD = ["baik-rss", "baik-atom"]
HOSTILE_BUT_READABLE = ["xss-rss", "xss-atom", "xss-json", "kontrol", "jalur"]
BAD = ["bom-entitas", "xxe", "xxe-param", "besar-100mb", "tanpa-akhir", "bom-gzip", "macet", "menetes",
       "putar-ulang", "bukan-feed", "galat-500", "biner"]  # fmt: skip
TOLERATED = [
    "dtd-luar",
    "enc-latin1",
    "enc-utf16",
    "enc-header",
]  # readable or reported, never a crash or a leak


def _serve_lab(srv: FeedServer, secret_file: Path, dtd: Path) -> list[Src]:
    good_items = [_item(f"Siaran pers baik {i}", f"https://baik.example.go.id/{i}", f"baik-{i}",
                        d="<description>Program makan bergizi gratis.</description>") for i in range(5)]  # fmt: skip
    atom_ok = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Baik</title>'
        '<id>urn:baik</id><updated>2026-11-16T10:00:00Z</updated><link href="https://baik2.example.go.id/"/>'
        + "".join(f'<entry><title>Kabar atom baik {i}</title><link href="https://baik2.example.go.id/{i}"/>'
                  f"<id>urn:baik:{i}</id><updated>2026-11-16T10:00:00+07:00</updated>"
                  "<summary>Isi ringkas.</summary></entry>" for i in range(4))
        + "</feed>"
    ).encode()  # fmt: skip
    xml = {"Content-Type": "application/rss+xml; charset=utf-8"}
    routes: dict[str, Reply] = {
        "baik-rss": Reply(200, _rss("Baik", good_items), xml),
        "baik-atom": Reply(200, atom_ok, {"Content-Type": "application/atom+xml"}),
        "xss-rss": Reply(200, xss_rss(), xml),
        "xss-atom": Reply(200, xss_atom(), {"Content-Type": "application/atom+xml"}),
        "xss-json": Reply(200, xss_json(), {"Content-Type": "application/feed+json"}),
        "kontrol": Reply(200, controls_rss(), xml),
        "jalur": Reply(200, traversal_rss(), xml),
        "bom-entitas": Reply(200, entity_bomb(), xml),
        "xxe": Reply(200, xxe(secret_file), xml),
        "xxe-param": Reply(200, xxe_parameter(secret_file), xml),
        "dtd-luar": Reply(200, external_dtd(dtd), xml),
        "besar-100mb": Reply(200, _sized(100 << 20), {**xml, "Content-Length": str(100 << 20)}),
        "tanpa-akhir": Reply(200, _endless(b"<item><title>lagi</title></item>" * 512), xml),
        "bom-gzip": Reply(200, _gzip_bomb(), {**xml, "Content-Encoding": "gzip"}),
        "macet": Reply(200, _rss("Macet", good_items), xml, delay=30),
        "menetes": Reply(200, _trickle(), xml),
        "putar-ulang": Reply(302, b"", {"Location": "/feed/putar-ulang-2"}),
        "bukan-feed": Reply(
            200,
            b"<html><body><script>alert(1)</script>Pemeliharaan</body></html>",
            {"Content-Type": "text/html"},
        ),
        "galat-500": Reply(500, b"Internal Server Error"),
        "biner": Reply(200, bytes(range(256)) * 64, {"Content-Type": "application/octet-stream"}),
        "enc-latin1": Reply(200, _latin1_declared_utf8(), xml),
        "enc-utf16": Reply(200, _utf16(), {"Content-Type": "application/rss+xml"}),
        "enc-header": Reply(
            200, _bom_vs_header(), {"Content-Type": "application/rss+xml; charset=iso-8859-1"}
        ),
    }
    for name, reply in routes.items():
        srv.route(f"/feed/{name}", reply)
    srv.route("/feed/putar-ulang-2", Reply(302, b"", {"Location": "/feed/putar-ulang"}))
    return [Src(name, srv.url(f"/feed/{name}")) for name in routes]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """One hostile run shared by the assertions below (it is the expensive part)."""
    root = tmp_path_factory.mktemp("hostile-lab")
    private = tmp_path_factory.mktemp("rahasia")  # local files outside the hub that feeds try to pull in
    secret = private / "rahasia.txt"
    secret.write_text(SECRET, encoding="utf-8")
    dtd = private / "rahasia.dtd"
    dtd.write_text(f'<!ENTITY rahasia "{SECRET}">', encoding="utf-8")
    with FeedServer() as srv:
        cfg = write_config(root, _serve_lab(srv, secret, dtd))
        config = load_config(cfg)
        archive = pipeline.archive_for(config)
        t0 = time.monotonic()
        try:
            reports = fetch_sources(config, archive, limits=DEADLINE)
        finally:
            archive.close()
        fetch_seconds = time.monotonic() - t0
        build = pipeline.build(config)
        yield {"root": root, "out": config.output_dir, "reports": {r.source_id: r for r in reports},
               "fetch_seconds": fetch_seconds, "build": build, "db": root / "data" / "archive.sqlite3"}  # fmt: skip


def test_run_finishes_within_its_deadline(lab: dict) -> None:
    # every source runs concurrently under a 4 s per-source deadline; generous slack for a loaded 2-core machine
    assert lab["fetch_seconds"] < DEADLINE.deadline + 16, lab["fetch_seconds"]


def test_every_bad_source_is_reported_and_every_good_one_is_not(lab: dict) -> None:
    reports: dict[str, SourceReport] = lab["reports"]
    assert set(reports) == set(GOOD + HOSTILE_BUT_READABLE + BAD + TOLERATED)
    unreported = [s for s in BAD if reports[s].ok]
    assert not unreported, {s: reports[s] for s in unreported}
    wrongly_failed = {s: reports[s].error for s in GOOD + HOSTILE_BUT_READABLE if not reports[s].ok}
    assert not wrongly_failed
    errors = {s: (reports[s].error or "").lower() for s in BAD}
    assert "entit" in errors["bom-entitas"] and "entit" in errors["xxe"]
    assert "redirect" in errors["putar-ulang"]
    assert "timeout" in errors["macet"] and "timeout" in errors["menetes"]
    for s in ("besar-100mb", "tanpa-akhir", "bom-gzip"):
        assert "larger than" in errors[s], (s, errors[s])


def test_every_good_source_is_published(lab: dict) -> None:
    """Every readable source has its items archived and its agency page and feeds published (stories may merge
    across items and sources: near-identical releases are one story, which is clustering doing its job)."""
    out: Path = lab["out"]
    reports: dict[str, SourceReport] = lab["reports"]
    for sid, expect in [("baik-rss", 5), ("baik-atom", 4), ("xss-rss", len(XSS)), ("xss-atom", len(XSS)),
                        ("xss-json", len(XSS)), ("kontrol", 3), ("jalur", 11)]:  # fmt: skip
        assert reports[sid].new >= expect, (sid, reports[sid])
        feed = json.loads((out / "feeds" / "agency" / f"{sid}.json").read_text(encoding="utf-8"))
        assert feed["items"], sid
        assert (out / "feeds" / "agency" / f"{sid}.atom").is_file() and (
            out / "agency" / sid / "index.html"
        ).is_file()
    everything = (out / "feeds" / "all.json").read_text(encoding="utf-8")
    assert "Siaran pers baik" in everything and "Kabar atom baik" in everything


def test_no_executable_script_anywhere_in_the_output(lab: dict) -> None:
    findings, counts = scan_site(lab["out"])
    assert not findings, f"{len(findings)} findings, e.g.:\n" + "\n".join(findings[:15])
    # the scan really covered the portal and every kind of feed document
    assert counts.get(".html", 0) > 20 and counts.get(".json", 0) > 5
    assert (
        counts.get(".atom", 0) and counts.get(".rss", 0) and counts.get(".opml", 0) and counts.get(".xml", 0)
    )


def test_no_control_or_bidi_characters_published(lab: dict) -> None:
    bad = {c for c in BIDI + CONTROL if not c.isprintable()}
    hits = []
    for p in Path(lab["out"]).rglob("*"):
        if p.is_file() and p.suffix in (".html", ".json", ".atom", ".rss", ".xml", ".opml"):
            text = p.read_text(encoding="utf-8")
            if found := bad & set(text):
                hits.append((p.name, sorted(map(hex, map(ord, found)))))
    assert not hits, hits[:10]


def test_no_local_file_is_read(lab: dict) -> None:
    out: Path = lab["out"]
    for p in out.rglob("*"):
        if p.is_file():
            assert SECRET.encode() not in p.read_bytes(), f"local file content published in {p}"
    assert SECRET.encode() not in Path(lab["db"]).read_bytes()


def test_nothing_is_written_outside_the_output_directory(lab: dict) -> None:
    root: Path = lab["root"]
    assert not files_escaping(root, lab["out"]), files_escaping(root, lab["out"])
    extra = {p.name for p in root.iterdir()} - {"feeds.yaml", "content", "data", "public"}
    assert not {e for e in extra if not e.startswith(".public.")}, extra
    assert not list(Path("/tmp").glob("lab-pwned*")) and not list(Path("/tmp").glob("lab-json-*"))


# --- the scanner itself must be able to fail -----------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    ["<p><script>alert(1)</script></p>", '<img src=x onerror="alert(1)">', '<a href=" java\tscript:alert(1)">x</a>',
     '<a href="data:text/html,x">x</a>', '<div style="background:url( javascript:alert(1))">', "<iframe></iframe>",
     '<form><button formaction="javascript:alert(1)">b</button></form>', '<svg><a xlink:href="javascript:x">a</a></svg>',
     '<img srcset="x.png 1x, javascript:alert(1) 2x">'],
)  # fmt: skip
def test_scanner_catches_known_vectors(doc: str) -> None:
    page = f"<!doctype html><html><head><title>t</title></head><body>{doc}</body></html>"
    assert scan_html(page, "page.html")
    assert scan_html(doc, "fragment", fragment=True)
    assert scan_json(json.dumps({"items": [{"content_html": doc}]}).encode(), "x.json")
    assert scan_xml(f"<rss><channel><item><description>{escape(doc)}</description></item></channel></rss>".encode(),
                    "x.rss")  # fmt: skip


def test_scanner_passes_the_theme_and_catches_bad_feed_urls() -> None:
    page = ('<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src \'self\'">'
            '<link rel="stylesheet" href="../static/style.css"><script src="../pagefind/pagefind-ui.js"></script>'
            '</head><body><a href="https://x.go.id/">x</a><script src="../static/search.js"></script></body></html>')  # fmt: skip
    assert scan_html(page, "p.html") == []
    assert scan_xml(b'<feed xmlns="http://www.w3.org/2005/Atom"><link href="javascript:x"/></feed>', "a.atom")
    assert scan_xml(b"<rss><channel><item><link> javascript:x</link></item></channel></rss>", "r.rss")
    assert scan_json(b'{"items": [{"url": "javascript:alert(1)"}]}', "f.json")
    assert bad_url("\x01JaVaScRiPt:alert(1)") and not bad_url("https://x.go.id/javascript:")
