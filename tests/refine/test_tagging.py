from __future__ import annotations

from datetime import UTC, datetime

import pytest

from siman_hub.config import Config
from siman_hub.refine.tagging import compile_rules, tag_item

WHEN = datetime(2025, 6, 1, tzinfo=UTC)


def tags(
    config: Config, text: str, source: str = "kab-gowa", when: datetime | None = WHEN
) -> dict[str, tuple]:
    rules = compile_rules(config)
    return {
        t.program_id: (t.rule, t.matched, t.rule_version)
        for t in tag_item(1, source, text, "", "", when, rules)
    }


def test_phrase_matches_case_insensitively_with_word_boundaries(config: Config) -> None:
    got = tags(config, "Pemerintah memperluas Makan Bergizi Gratis di sekolah")
    assert got["mbg"][0] == "phrase" and got["mbg"][1] == ["makan bergizi gratis"]
    assert "mbg" not in tags(config, "Makan bergizigratis bukan frasa yang sama")


def test_abbreviation_is_case_sensitive(config: Config) -> None:
    assert tags(config, "Dapur MBG mulai beroperasi")["mbg"][0] == "abbreviation"
    assert "mbg" not in tags(config, "Lihat tautan situs/mbg untuk berita lain")


def test_weak_word_alone_does_not_tag_but_its_cooccurrence_does(config: Config) -> None:
    assert tags(config, "Warga memperbaiki rumah ibadah bersama") == {}
    got = tags(config, "Bantuan rumah bagi masyarakat berpenghasilan rendah disalurkan")
    assert got["tiga-juta-rumah"][0] == "cooccur"
    assert got["tiga-juta-rumah"][1] == ["masyarakat berpenghasilan rendah", "rumah"]


def test_unstemmed_matching_keeps_perumahan_apart_from_rumah(config: Config) -> None:
    assert "tiga-juta-rumah" not in tags(config, "Dinas perumahan menata kawasan permukiman kumuh")


def test_exclusion_vetoes_the_program(config: Config) -> None:
    assert "ckg" in tags(config, "Hasil PKG tahun ini diumumkan")
    assert "ckg" not in tags(config, "Hasil PKG atau penilaian kinerja guru tahun ini diumumkan")


def test_source_default_applies_unless_excluded(config: Config) -> None:
    got = tags(config, "Rapat koordinasi pengadaan kendaraan dinas", source="bgn")
    assert got["mbg"][:2] == ("source-default", ["bgn"])
    assert "mbg" not in tags(config, "Rapat koordinasi bank garansi negara", source="bgn")


def test_programs_are_only_tagged_inside_their_validity(config: Config) -> None:
    assert "mbg" not in tags(config, "Makan Bergizi Gratis", when=datetime(2023, 1, 1, tzinfo=UTC))


def test_every_tag_carries_the_rule_version_which_changes_with_the_rules(config: Config, tmp_path) -> None:
    from siman_hub.config import load_config

    from .conftest import SOURCES, write_hub

    v1 = tags(config, "Makan Bergizi Gratis")["mbg"][2]
    other = load_config(write_hub(tmp_path / "v2", SOURCES.replace("programs: [mbg]", "programs: []")))
    v2 = tags(other, "Makan Bergizi Gratis")["mbg"][2]
    assert v1 and v2 and v1 != v2


@pytest.mark.parametrize(
    "html_link", ["<p>Baca juga: Dapur MBG di Bogor</p>", "<p>Baca Juga : Program MBG</p>"]
)
def test_baca_juga_links_do_not_tag(config: Config, html_link: str) -> None:
    rules = compile_rules(config)
    got = tag_item(
        1, "kab-gowa", "Bupati resmikan jembatan", "", "<p>Jembatan baru.</p>" + html_link, WHEN, rules
    )
    assert got == []
