"""``siman-hub discover`` and ``siman-hub sources`` health words, through the real CLI and loopback server."""

from __future__ import annotations

from click.testing import CliRunner
from support.feedserver import Reply

from siman_hub.cli import main


def test_discover_prints_advertised_feeds_and_probes_cms_paths(feed_server) -> None:
    feed_server.route("/", Reply(200, b'<html><head><link rel="alternate" type="application/rss+xml" '
                                      b'title="Berita" href="/rss.xml"></head></html>',
                                 {"Content-Type": "text/html"}))  # fmt: skip
    feed_server.route(
        "/bare", Reply(200, b"<html><body>no links</body></html>", {"Content-Type": "text/html"})
    )
    feed_server.route("/feed/", Reply(200, b'<rss version="2.0"><channel><title>WP</title></channel></rss>'))
    runner = CliRunner()
    out = runner.invoke(main, ["discover", feed_server.url("/")])
    assert out.exit_code == 0 and out.output.split("\t")[:3] == [
        feed_server.url("/rss.xml"),
        "rss",
        "Berita\n",
    ]
    probed = runner.invoke(main, ["discover", feed_server.url("/bare")])
    assert probed.exit_code == 0 and feed_server.url("/feed/") in probed.output and "guessed" in probed.output
    none = runner.invoke(main, ["discover", "--no-probe", feed_server.url("/bare")])
    assert none.exit_code == 1
