"""Hand-written Indonesian government news fixtures: one release syndicated with realistic edits, and hard
negatives (same program, different event; a recurring bulletin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from siman_hub.refine.clustering import ClusterInput

T0 = datetime(2025, 6, 10, 3, 0, tzinfo=UTC)

MBG_FULL = [
    "Badan Gizi Nasional (BGN) meresmikan 120 Satuan Pelayanan Pemenuhan Gizi (SPPG) baru di Sulawesi Selatan "
    "pada Selasa untuk memperluas jangkauan program Makan Bergizi Gratis bagi peserta didik dan ibu hamil.",
    "Kepala BGN menyampaikan bahwa setiap dapur melayani sekitar tiga ribu penerima manfaat setiap hari dengan "
    "menu yang disusun ahli gizi dan bahan pangan dari petani serta nelayan setempat.",
    "Peresmian dilakukan secara serentak dari Kota Makassar dan diikuti para bupati, wali kota, kepala sekolah "
    "serta perwakilan mitra pengelola dapur dari dua puluh empat kabupaten dan kota.",
    "Menurut dia, perluasan ini menambah jumlah penerima manfaat di provinsi tersebut menjadi lebih dari satu "
    "juta orang dan membuka lapangan kerja bagi sekitar enam ribu warga sebagai relawan dapur.",
    "Pemerintah provinsi berkomitmen menyiapkan lahan, air bersih dan akses jalan agar distribusi makanan ke "
    "sekolah yang jauh dari pusat kota tetap tepat waktu meski pada musim hujan.",
]
HARD_NEG = [  # same program and boilerplate, different event (another province, another day)
    "Badan Gizi Nasional (BGN) menambah 35 dapur Satuan Pelayanan Pemenuhan Gizi (SPPG) di Nusa Tenggara Timur "
    "untuk menjangkau sekolah di pulau-pulau kecil yang sulit dijangkau kapal pada musim angin barat.",
    "Kepala BGN menyampaikan bahwa setiap dapur melayani sekitar tiga ribu penerima manfaat setiap hari dengan "
    "menu yang disusun ahli gizi dan bahan pangan dari petani serta nelayan setempat.",
    "Penjabat gubernur meminta kepala daerah menyiapkan gudang pendingin dan kapal pengangkut agar makanan tetap "
    "layak dikonsumsi saat tiba di sekolah yang berada di Kabupaten Alor dan Kabupaten Rote Ndao.",
    "Tahun ini pemerintah menargetkan seluruh kecamatan di provinsi kepulauan itu memiliki sedikitnya satu dapur "
    "yang dikelola bersama koperasi dan badan usaha milik desa.",
]


def html(paras: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paras)


def item(
    i: int,
    source: str,
    title: str,
    summary: str = "",
    content: str = "",
    hours: float = 0,
    url: str | None = None,
) -> ClusterInput:
    when = T0 + timedelta(hours=hours)
    return ClusterInput(
        id=i, source_id=source, url=url or f"https://{source}.go.id/berita/{i}", canonical_url=None, title=title,
        summary=summary, content=content, published=when, sort_date=when, first_seen=when + timedelta(minutes=5),
    )  # fmt: skip


def syndicated() -> list[ClusterInput]:
    """The BGN release, its InfoPublik copy, a regency teaser and a retitled ANTARA copy: one story."""
    infopublik = list(MBG_FULL)
    infopublik[0] = "Jakarta, InfoPublik - " + infopublik[0]
    infopublik.insert(2, "Baca juga: Presiden Tinjau Dapur Makan Bergizi Gratis di Bogor")
    antara = list(MBG_FULL[:4])
    antara[0] = "Makassar (ANTARA) - " + antara[0]
    return [
        item(1, "bgn", "BGN Resmikan 120 SPPG Baru di Sulawesi Selatan", content=html(MBG_FULL)),
        item(2, "infopublik", "Siaran Pers: BGN Resmikan 120 SPPG Baru di Sulawesi Selatan",
             content=html(infopublik), hours=3),
        item(3, "kab-gowa", "BGN Resmikan 120 SPPG Baru di Sulawesi Selatan",
             summary="<p>MAKASSAR - " + MBG_FULL[0] + "</p>", hours=20),
        item(4, "antara", "Satu juta penerima manfaat MBG di Sulsel setelah 120 dapur baru beroperasi",
             content=html(antara), hours=26),
    ]  # fmt: skip


def hard_negative(i: int = 10, hours: float = 30) -> ClusterInput:
    return item(
        i, "bgn", "BGN Tambah 35 Dapur SPPG di Nusa Tenggara Timur", content=html(HARD_NEG), hours=hours
    )
