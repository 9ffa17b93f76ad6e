"""The share kit on the demo portal: share images, Open Graph tags, share links, caption, short links, and the
incremental rules that keep a 10,000-story hub from redrawing every image on every run.

The demo hub is copied and fetched from its own feed files, built for real (SQLite archive, refine, Pillow),
and every check reads the published files back (Pillow opens the images, the HTML is parsed with lxml).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import lxml.html
import pytest
from PIL import Image

from siman_hub import pipeline
from siman_hub.archive import open_archive
from siman_hub.config import Config, ConfigError, load_config
from siman_hub.publish import build_site, share, shareimage, sharekit
from siman_hub.publish.model import build_model
from siman_hub.refine import refine_archive

from .hub import make_hub

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo"
ALPHABET = set("0123456789abcdefghjkmnpqrstvwxyz")

NEW_ITEM = """\
	<item>
		<title>Dapur Percontohan Gizi Anak Diresmikan di Pulau Terluar Sangihe</title>
		<link>https://www.bgn.go.id/berita/dapur-percontohan-gizi-sangihe</link>
		<pubDate>Wed, 25 Nov 2026 02:00:00 +0000</pubDate>
		<guid isPermaLink="false">https://www.bgn.go.id/?p=99001</guid>
		<description><![CDATA[Sebuah dapur percontohan gizi anak diresmikan di pulau terluar Sangihe untuk melayani
		murid sekolah dasar dan balita di tiga kampung nelayan.]]></description>
	</item>
"""


def _stories(out: Path) -> dict[str, lxml.html.HtmlElement]:
    return {
        p.parent.name: lxml.html.fromstring(p.read_bytes())
        for p in sorted((out / "story").glob("*/index.html"))
    }


def _meta(doc: lxml.html.HtmlElement, attr: str, name: str) -> str:
    found = doc.xpath(f'//meta[@{attr}="{name}"]/@content')
    assert len(found) == 1, (name, found)
    return str(found[0])


def _short_links(out: Path) -> dict[str, str]:
    """code → story path the redirect page leads to (its meta refresh, resolved like a browser would)."""
    links = {}
    for p in sorted((out / "s").glob("*/index.html")):
        doc = lxml.html.fromstring(p.read_bytes())
        refresh = _meta(doc, "http-equiv", "refresh")
        delay, _, target = refresh.partition(";")
        assert delay.strip() == "0" and target.strip().startswith("url=")
        resolved = urljoin(f"https://h.example/s/{p.parent.name}/", target.strip()[4:])
        assert doc.xpath('//link[@rel="canonical"]/@href') == [
            urljoin("http://127.0.0.1:8000/", urlsplit(resolved).path)
        ]
        assert doc.xpath("//a/@href") == [target.strip()[4:]]  # a visible link for when refresh is off
        links[p.parent.name] = urlsplit(resolved).path.lstrip("/")
    return links


def _inodes(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_ino for p in (out / "story").glob("*/share.png")}


def _build(config: Config) -> object:
    archive = open_archive(config.archive_url)
    try:
        refine_archive(config, archive)
        return build_site(config, archive, config.output_dir)
    finally:
        archive.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Path]:
    root = tmp_path_factory.mktemp("share") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("public", "data"))
    config = load_config(root / "feeds.yaml")
    pipeline.run(config)
    return config, config.output_dir


def test_every_story_has_a_share_image_in_its_cards(demo: tuple[Config, Path]) -> None:
    config, out = demo
    stories = _stories(out)
    assert len(stories) > 50
    for sid, doc in stories.items():
        with Image.open(out / "story" / sid / "share.png") as im:
            assert (im.format, im.size) == ("PNG", (1200, 630))
            im.load()  # decodes: a truncated file fails here
        image = _meta(doc, "property", "og:image")
        assert image.startswith(f"{config.site.base_url}story/{sid}/share.png?v=")
        assert _meta(doc, "name", "twitter:image") == image
        assert _meta(doc, "name", "twitter:card") == "summary_large_image"
        assert (_meta(doc, "property", "og:image:width"), _meta(doc, "property", "og:image:height")) == (
            "1200",
            "630",
        )
        assert _meta(doc, "property", "og:image:alt") == doc.xpath("string(//h1)")


def test_share_images_show_agency_colour_or_logo(demo: tuple[Config, Path]) -> None:
    """BGN's band is its configured colour and carries its logo; an agency without either gets a derived colour."""
    config, out = demo
    by_agency: dict[str, list[str]] = {}
    for sid, doc in _stories(out).items():
        agency = doc.xpath('string(//p[@class="meta"]/a/@href)').rstrip("/").rsplit("/", 1)[-1]
        by_agency.setdefault(agency, []).append(sid)
    bgn = config.source("bgn")
    assert bgn.colour == "#1f6f43" and bgn.logo is not None
    with Image.open(out / "story" / by_agency["bgn"][0] / "share.png") as im:
        rgb = im.convert("RGB")
    assert rgb.getpixel((20, 20)) == (0x1F, 0x6F, 0x43)
    logo_colours = {rgb.getpixel((x, 75)) for x in range(66, 140)}
    assert (0x1F, 0x6F, 0x43) in logo_colours and (
        255,
        255,
        255,
    ) in logo_colours  # the mark's white and green
    plain = next(a for a in by_agency if config.source(a).colour is None)
    with Image.open(out / "story" / by_agency[plain][0] / "share.png") as im:
        band = im.convert("RGB").getpixel((20, 20))
    derived = share_image_colour(plain)
    assert band == derived


def share_image_colour(agency_id: str) -> tuple[int, int, int]:
    v = shareimage.derived_colour(agency_id).lstrip("#")
    return int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16)


def test_caption_and_share_links(demo: tuple[Config, Path]) -> None:
    config, out = demo
    hashtags = {p.id: p.hashtag for p in config.programs}
    checked_tags = 0
    for sid, doc in _stories(out).items():
        title = doc.xpath("string(//h1)")
        short_url = doc.xpath('string(//link[@rel="shortlink"]/@href)')
        story_url = f"{config.site.base_url}story/{sid}/"
        programs = [
            h.rstrip("/").rsplit("/", 1)[-1]
            for h in doc.xpath('//section[@aria-labelledby="programs-h"]//a/@href')
        ]
        tags = [hashtags[p] for p in programs]
        caption = doc.xpath('string(//textarea[@id="share-caption"])')
        paragraphs = caption.split("\n\n")
        assert paragraphs[0] == title
        assert short_url in paragraphs and short_url.startswith(config.site.base_url + "s/")
        assert paragraphs[-1] == " ".join(tags) if tags else paragraphs[-1] == short_url
        assert len(paragraphs[1]) <= share.SUMMARY_CHARS
        checked_tags += bool(tags)
        links = {a.get("class").removeprefix("share-"): a for a in doc.xpath('//ul[@class="share-links"]//a')}
        assert set(links) == {"whatsapp", "facebook", "x", "telegram", "email"}
        for a in links.values():
            assert a.get("target") == "_blank" and "noopener" in a.get("rel").split()
        q = {k: parse_qs(urlsplit(a.get("href")).query) for k, a in links.items()}
        assert links["whatsapp"].get("href").startswith("https://wa.me/?text=")
        assert q["whatsapp"]["text"] == [caption]
        assert links["facebook"].get("href").startswith("https://www.facebook.com/sharer/sharer.php?")
        assert q["facebook"]["u"] == [story_url]
        assert links["x"].get("href").startswith("https://x.com/intent/tweet?")
        assert q["x"]["text"] == [title] and q["x"]["url"] == [short_url]
        assert q["x"].get("hashtags", [""]) == [",".join(t.lstrip("#") for t in tags)]
        assert links["telegram"].get("href").startswith("https://t.me/share/url?")
        assert q["telegram"] == {"url": [short_url], "text": [title]}
        mail = links["email"].get("href")
        assert mail.startswith("mailto:?") and " " not in mail
        assert q["email"]["subject"] == [title] and q["email"]["body"] == [caption.replace("\n", "\r\n")]
    assert checked_tags >= 10  # the demo tags many stories with programs


def test_short_links_resolve_and_are_unique(demo: tuple[Config, Path]) -> None:
    config, out = demo
    stories = _stories(out)
    links = _short_links(out)
    assert sorted(links.values()) == sorted(f"story/{sid}/" for sid in stories)  # one per story, no two alike
    for code, target in links.items():
        assert len(code) >= share.MIN_CODE and set(code) <= ALPHABET
        doc = stories[target.split("/")[1]]
        assert doc.xpath('string(//link[@rel="shortlink"]/@href)') == f"{config.site.base_url}s/{code}/"
        assert unquote(code) == code
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "/s/" not in sitemap and "/story/" in sitemap


def test_rebuilds_redraw_only_what_changed(demo: tuple[Config, Path]) -> None:
    """No change: the build is skipped. A template edit re-renders pages but no image. One new item: only its
    story's image is drawn; every other image is the same file (hardlinked), and every short code stays."""
    config, out = demo
    codes_before = {v: k for k, v in _short_links(out).items()}
    inodes = _inodes(out)
    stats = _build(config)
    assert stats.skipped and stats.share_images == 0  # type: ignore[attr-defined]
    assert _inodes(out) == inodes

    footer = config.theme_dir / "templates" / "_footer.html"
    footer.parent.mkdir(parents=True, exist_ok=True)
    footer.write_text(
        (REPO / "themes/default/templates/_footer.html").read_text(encoding="utf-8") + "<!-- x -->\n"
    )
    stats = _build(config)
    assert stats.rendered > 50 and stats.share_images == 0  # type: ignore[attr-defined]
    assert _inodes(out) == inodes

    feed = config.root / "feeds" / "bgn.xml"
    feed.write_text(
        feed.read_text(encoding="utf-8").replace("\t<item>", NEW_ITEM + "\t<item>", 1), encoding="utf-8"
    )
    pipeline.fetch(config, only=["bgn"])
    stats = _build(config)
    assert stats.share_images == 1  # type: ignore[attr-defined]
    after = _inodes(out)
    new = set(after) - set(inodes)
    assert len(new) == 1 and {k: after[k] for k in inodes} == inodes
    doc = _stories(out)[new.pop()]
    assert doc.xpath("string(//h1)").startswith("Dapur Percontohan Gizi Anak")
    codes_after = {v: k for k, v in _short_links(out).items()}
    assert {k: codes_after[k] for k in codes_before} == codes_before
    assert len(set(codes_after.values())) == len(codes_after) == len(codes_before) + 1


def test_new_logo_redraws_only_that_agencys_images(demo: tuple[Config, Path]) -> None:
    """A logo file edited in place (same path, same feeds.yaml) is an input: the build is not skipped, and only
    the images of the stories BGN published are redrawn."""
    config, out = demo
    bgn = {
        sid
        for sid, doc in _stories(out).items()
        if doc.xpath('string(//p[@class="meta"]/a/@href)').endswith("agency/bgn/")
    }
    assert len(bgn) >= 3
    inodes = _inodes(out)
    logo = config.root / "content" / "logos" / "bgn.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(logo)
    stats = _build(config)
    assert stats.share_images == len(bgn)  # type: ignore[attr-defined]
    after = _inodes(out)
    assert {k for k in inodes if after[k] != inodes[k]} == bgn
    with Image.open(out / "story" / sorted(bgn)[0] / "share.png") as im:
        assert im.convert("RGB").getpixel((102, 75)) == (200, 30, 30)  # the new logo, centred in its box


def test_codes_survive_a_lost_table_and_a_changed_order() -> None:
    """The collision rule: the story seen first keeps the shorter code; a code once handed out stays with its
    story even if the order later changes, and is never given to another story."""
    seen: dict[str, str] = {}
    pair = None
    for i in range(200_000):
        sid = f"{i:016x}"
        prefix = share.code_digits(sid)[: share.MIN_CODE]
        if prefix in seen:
            pair = (seen[prefix], sid)
            break
        seen[prefix] = sid
    assert pair is not None
    a, b = pair
    first = share.assign_codes([a, b, "x1"])
    assert len(first[a]) == share.MIN_CODE and len(first[b]) == share.MIN_CODE + 1
    assert first[b].startswith(first[a])
    assert share.assign_codes([b, a, "x1"])[b] == first[a]  # the rule alone follows the order
    kept = share.assign_codes([b, "x1"], previous=first)  # a is gone, b now comes first: nothing moves
    assert kept == first
    assert share.assign_codes([a, b, "x1"], previous={a: "zzzzz"}) == first  # a forged entry is ignored


def test_caption_pieces() -> None:
    from siman_hub.config import Program

    assert share.hashtag(Program("p", "Program 3 Juta Rumah")) == "#Program3JutaRumah"
    assert share.hashtag(Program("mbg", "Makan Bergizi Gratis (MBG)")) == "#MakanBergiziGratis"
    assert share.hashtag(Program("mbg", "x", hashtag="MakanBergiziGratis")) == "#MakanBergiziGratis"
    text = "Pemerintah menyalurkan bantuan pangan kepada keluarga penerima manfaat di seluruh kabupaten."
    cut = share.trim_words(text, 40)
    assert len(cut) <= 40 and cut.endswith("…") and text.startswith(cut[:-1]) and text[len(cut) - 1] == " "
    assert share.trim_words("  pendek  saja ", 40) == "pendek saja"
    assert share.plain_text("<p>Gizi &amp; <b>anak</b></p>") == "Gizi & anak"
    assert share.caption(
        "Judul", "Ringkasan pendek sebagai [&#8230;]", "https://h.example/s/abcde/", ["#A", "#B"]
    ) == ("Judul\n\nRingkasan pendek sebagai…\n\nhttps://h.example/s/abcde/\n\n#A #B")
    assert (
        share.caption("Judul", "", "https://h.example/s/abcde/", []) == "Judul\n\nhttps://h.example/s/abcde/"
    )


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ("    logo: content/logos/missing.png\n", "logo", "logo file not found"),
        ("    logo: feeds.yaml\n", "logo", "not a readable image"),
        ('    colour: "green"\n', "colour", "not a colour"),
        ('    colour: "#12345"\n', "colour", "not a colour"),
    ],
)
def test_logo_and_colour_errors_name_file_and_line(
    tmp_path: Path, extra: str, field: str, message: str
) -> None:
    text = (DEMO / "feeds.yaml").read_text(encoding="utf-8")
    anchor = "      - file:feeds/kemensos.json\n"
    assert text.count(anchor) == 1
    text = text.replace(anchor, anchor + extra)
    line = text[: text.index(extra)].count("\n") + 1
    shutil.copytree(DEMO, tmp_path / "hub", ignore=shutil.ignore_patterns("public", "data"))
    (tmp_path / "hub" / "feeds.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "hub" / "feeds.yaml")
    (issue,) = err.value.issues
    assert (issue.line, issue.field) == (line, f"sources[1].{field}") and message in issue.message
    assert str(issue).startswith(f"{tmp_path / 'hub' / 'feeds.yaml'}:{line}: ")


@pytest.mark.parametrize("path", [REPO / "feeds.yaml", DEMO / "feeds.yaml"], ids=["production", "demo"])
def test_every_program_has_a_hashtag(path: Path) -> None:
    """Captions end with the program's own hashtag; a derived one is only the fallback for new programs."""
    config = load_config(path)
    assert config.programs
    for p in config.programs:
        assert p.hashtag.startswith("#") and len(p.hashtag) > 2 and " " not in p.hashtag, p.id
        assert share.hashtag(p) == p.hashtag


def test_process_pool_draws_the_same_images(tmp_path: Path) -> None:
    """Past ``POOL_MIN`` images the build draws in worker processes: every image must be there and be the
    very bytes an in-process drawing gives (the workers use the same fonts, palette and caches rules)."""
    config = make_hub(tmp_path / "hub", stories=sharekit.POOL_MIN + 20, content=False)
    stats = _build(config)
    out = config.output_dir
    assert stats.share_images == len(list((out / "story").glob("*/index.html"))) > sharekit.POOL_MIN  # type: ignore[attr-defined]
    look = shareimage.load_look([REPO / "themes" / "default"])
    archive = open_archive(config.archive_url)
    try:
        model = build_model(config, archive.iter_items(), archive.tags())
    finally:
        archive.close()
    programs = {p.id: p for p in config.programs}
    for story in model.stories[:: max(1, len(model.stories) // 15)]:
        agency = sharekit.agency_for(model.sources.get(story.canonical.source_id), story.canonical.source_id)
        card = sharekit.card_for(story, programs, agency, config.site.title)
        assert (out / "story" / story.id / "share.png").read_bytes() == shareimage.render(look, card), (
            story.id
        )


def test_theme_overrides_share_colours_and_redraws(tmp_path: Path) -> None:
    """``share/style.json`` in the hub's theme overrides the default's colours; changing it redraws every image
    (the theme's look is part of each image's key), and the fonts still come from the default theme."""
    config = make_hub(tmp_path / "hub", stories=12, content=False)
    _build(config)
    out = config.output_dir
    some = sorted((out / "story").glob("*/share.png"))[0]
    with Image.open(some) as im:
        assert im.convert("RGB").getpixel((1180, 300)) == (0xFB, 0xFB, 0xFC)  # the default background
    inodes = _inodes(out)
    style = config.theme_dir / "share" / "style.json"
    style.parent.mkdir(parents=True)
    style.write_text('{"background": "#fff3d6"}', encoding="utf-8")
    stats = _build(config)
    assert stats.share_images == len(inodes)  # type: ignore[attr-defined]
    assert all(_inodes(out)[k] != v for k, v in inodes.items())
    with Image.open(some) as im:
        assert im.convert("RGB").getpixel((1180, 300)) == (0xFF, 0xF3, 0xD6)
