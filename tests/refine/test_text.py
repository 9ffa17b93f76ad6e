from __future__ import annotations

import pytest

from siman_hub.refine.text import clean_body, normalize_title, strip_dateline, words


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Siaran Pers: BGN Resmikan 120 SPPG", "bgn resmikan 120 sppg"),
        ("[HOAKS] Video Banjir di Jakarta Hari Ini", "video banjir di jakarta hari ini"),
        ("[HOAKS] Siaran Pers: Pembagian Rumah Gratis", "pembagian rumah gratis"),
        ("JAKARTA - Menkes Tinjau Puskesmas Terpencil", "menkes tinjau puskesmas terpencil"),
        ("JAKARTA, InfoPublik - Menkes Tinjau Puskesmas", "menkes tinjau puskesmas"),
        (
            "Menkes Tinjau Puskesmas Terpencil di Papua | InfoPublik",
            "menkes tinjau puskesmas terpencil di papua",
        ),
        # a colon inside a headline is content, not packaging
        (
            "Menkes: Cek Kesehatan Gratis Sudah Menjangkau 50 Juta Warga",
            "menkes cek kesehatan gratis sudah menjangkau 50 juta warga",
        ),
    ],
)
def test_title_packaging_is_removed(raw: str, expected: str) -> None:
    assert normalize_title(raw) == expected


@pytest.mark.parametrize(
    "line",
    ["JAKARTA - Isi berita.", "Makassar (ANTARA) - Isi berita.", "JAKARTA, InfoPublik - Isi berita.",
     "Surabaya, 12 Juni 2025 - Isi berita.", "KOTA BANDUNG – Isi berita."],
)  # fmt: skip
def test_datelines_are_stripped(line: str) -> None:
    assert strip_dateline(line) == "Isi berita."


def test_a_sentence_starting_with_a_name_is_not_a_dateline() -> None:
    text = "Bupati Gowa Resmikan Dapur - kata dia di sela acara."
    assert strip_dateline(text) == text


def test_body_drops_baca_juga_and_reporter_lines_and_uses_the_longer_field() -> None:
    body = clean_body(
        "<p>Ringkas.</p>",
        "<p>JAKARTA - Paragraf satu.</p><p><strong>Baca juga:</strong> Program MBG di Bogor</p>"
        "<p>Paragraf dua.</p><p>Pewarta: Seseorang</p>",
    )
    ws = words(body)
    assert ws == ["Paragraf", "satu", "Paragraf", "dua"]


def test_words_fold_accents_and_split_on_unicode_punctuation() -> None:
    assert words("Café “MBG”–SPPG 1.000") == ["Cafe", "MBG", "SPPG", "1", "000"]
