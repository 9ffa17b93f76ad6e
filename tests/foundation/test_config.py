"""feeds.yaml validation: every listed error is caught, with file, line and field, all in one run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from siman_hub.cli import main
from siman_hub.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]

GOOD = """\
site:
  title: Hub Uji
  base_url: https://hub.example.org/
programs:
  - id: mbg
    name: Makan Bergizi Gratis
    phrases: [makan bergizi gratis]
    abbreviations: [MBG]
sources:
  - id: bgn
    name: Badan Gizi Nasional
    kind: lembaga
    homepage: https://www.bgn.go.id/
    feeds: [https://www.bgn.go.id/feed/]
    programs: [mbg]
  - id: kota-makassar
    name: Pemerintah Kota Makassar
    kind: kota
    region: "73.71"
    feeds: [https://makassarkota.go.id/feed/]
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "feeds.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def issues_of(path: Path) -> list[tuple[int, str, str]]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [(i.line, i.field, i.message) for i in info.value.issues]


def test_good_config_loads_with_derived_timezone(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    assert [s.id for s in cfg.sources] == ["bgn", "kota-makassar"]
    assert cfg.source("kota-makassar").timezone == "Asia/Makassar"  # WITA from the region code
    assert cfg.source("bgn").timezone == "Asia/Jakarta"
    assert cfg.site.language == "id" and cfg.site.per_page == 20


def test_every_error_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = GOOD.replace(
        "    homepage: https://www.bgn.go.id/\n", "    homepage: https://www.bgn.go.id/\n    color: red\n"
    )
    bad = bad.replace("[https://makassarkota.go.id/feed/]", "[htp:/makassarkota]")
    bad = bad.replace("programs: [mbg]", "programs: [mbg, tiga-juta-rumah]")
    bad = bad.replace('region: "73.71"', 'region: "73.99"')
    bad += """\
  - id: bgn
    name: Duplikat
    kind: lembaga
    feeds: [https://example.go.id/feed]
"""
    found = issues_of(write(tmp_path, bad))
    lines = bad.splitlines()

    def line_of(fragment: str, start: int = 0) -> int:
        return next(i + 1 for i, ln in enumerate(lines) if i >= start and fragment in ln)

    expected = {
        (line_of("color: red"), "sources[0].color"),
        (line_of("tiga-juta-rumah"), "sources[0].programs[1]"),
        (line_of("htp:/makassarkota"), "sources[1].feeds[0]"),
        (line_of('region: "73.99"'), "sources[1].region"),
        (line_of("- id: bgn", line_of("Pemerintah Kota")), "sources[2].id"),
    }
    assert expected <= {(line, field) for line, field, _ in found}, found
    messages = " | ".join(m for _, _, m in found)
    assert "unknown key 'color'" in messages
    assert "duplicate source id 'bgn'" in messages
    assert "unknown program id 'tiga-juta-rumah'" in messages
    assert "unknown Kemendagri region code '73.99'" in messages
    assert "not a valid http(s) URL" in messages


def test_region_must_match_kind_and_be_a_string(tmp_path: Path) -> None:
    bad = GOOD.replace('region: "73.71"', 'region: "73.01"')  # 73.01 is a kabupaten
    assert any("is kabupaten" in m for _, _, m in issues_of(write(tmp_path, bad)))
    bad = GOOD.replace('region: "73.71"', "region: 73.71")
    assert any("quoted string" in m for _, _, m in issues_of(write(tmp_path, bad)))
    bad = GOOD.replace('    region: "73.71"\n', "")
    assert any("needs a region code" in m for _, _, m in issues_of(write(tmp_path, bad)))


def test_duplicate_program_and_bad_scheme(tmp_path: Path) -> None:
    bad = GOOD.replace(
        "sources:",
        "  - id: mbg\n    name: Lagi\n    phrases: [x]\nsources:",
    ).replace("https://www.bgn.go.id/feed/", "ftp://www.bgn.go.id/feed/")
    msgs = [m for _, _, m in issues_of(write(tmp_path, bad))]
    assert any("duplicate program id 'mbg'" in m for m in msgs)
    assert any("unsupported URL scheme 'ftp'" in m for m in msgs)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    found = issues_of(write(tmp_path, GOOD.replace("  title: Hub Uji", "  title: [Hub Uji")))
    assert found and found[0][0] >= 2 and found[0][1] == "(yaml)"


def test_check_command_lists_all_errors_and_exits_nonzero(tmp_path: Path) -> None:
    bad = GOOD.replace("kind: lembaga", "kind: lembaga_negara").replace('region: "73.71"', 'region: "99.99"')
    path = write(tmp_path, bad)
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert result.exit_code == 2
    out = result.output
    assert f"{path}:" in out
    assert "sources[0].kind" in out and "sources[1].region" in out
    assert "2 error(s)" in out


def test_check_passes_on_the_repository_feeds_yaml() -> None:
    result = CliRunner().invoke(main, ["--config", str(REPO / "feeds.yaml"), "check"])
    assert result.exit_code == 0, result.output
    cfg = load_config(REPO / "feeds.yaml")
    kinds = {s.kind for s in cfg.sources}
    assert {"kementerian", "lembaga", "provinsi", "kabupaten", "kota", "media"} <= kinds
    assert sum(1 for s in cfg.sources if s.kind == "provinsi") == 38
    assert {"mbg", "ckg", "sekolah-rakyat", "tiga-juta-rumah", "swasembada-pangan", "kopdes-merah-putih"} <= {
        p.id for p in cfg.programs
    }
