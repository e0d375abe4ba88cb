"""Read stage: discovery, size caps, binary detection, decoding, hashing."""
import gzip
import hashlib

import pytest

from flows.records import RawDocument, Rejection, SourceRef
from flows.stages.read import InputError, ReadOptions, decode, list_sources, read


def _read(path, **kw):
    return read(SourceRef(str(path)), ReadOptions(**kw))


def test_identity_is_sha256_of_raw_bytes(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"Hello world, this is a page.\n")
    doc = _read(p)
    assert isinstance(doc, RawDocument)
    assert doc.doc_id == hashlib.sha256(p.read_bytes()).hexdigest()
    assert doc.content_type == "text" and doc.encoding == "utf-8"


def test_gzip_page_has_same_identity_as_plain(tmp_path):
    raw = "<html><body><p>Same page</p></body></html>".encode()
    (tmp_path / "p.html").write_bytes(raw)
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(raw))
    a, b = _read(tmp_path / "p.html"), _read(tmp_path / "p.html.gz")
    assert a.doc_id == b.doc_id and b.content_type == "html"


def test_gzip_bomb_is_capped(tmp_path):
    p = tmp_path / "bomb.txt.gz"
    with gzip.open(p, "wb") as f:
        for _ in range(64):
            f.write(b" " * (1 << 20))
    r = _read(p, max_bytes=1 << 20)
    assert isinstance(r, Rejection) and r.reason == "too_large"


def test_truncated_gzip(tmp_path):
    data = gzip.compress(b"some text " * 5000)
    p = tmp_path / "cut.txt.gz"
    p.write_bytes(data[: len(data) // 2])
    r = _read(p)
    assert isinstance(r, Rejection) and r.reason == "corrupt_gzip"


@pytest.mark.parametrize("content,reason", [
    (b"", "empty_document"),
    (b"  \n\t\n ", "empty_document"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary_content"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary_content"),
])
def test_bad_bytes_rejected_with_reason(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    r = _read(p)
    assert isinstance(r, Rejection) and r.reason == reason and r.stage == "read"


def test_windows_1251_is_decoded():
    text = ("Министерство иностранных дел России заявило в пятницу, что переговоры "
            "о безопасности в Европе продолжатся на следующей неделе в Женеве.")
    decoded, enc = decode(text.encode("cp1251"))
    assert decoded == text and enc.replace("_", "").lower() in {"cp1251", "windows1251"}


def test_latin1_is_decoded():
    text = "Le président a déclaré que la réforme serait présentée à l'Assemblée en février. " * 3
    decoded, _ = decode(text.encode("latin-1"))
    assert "président" in decoded and "déclaré" in decoded


def test_list_sources_dir_and_glob(tmp_path):
    (tmp_path / "d").mkdir()
    for name in ("a.txt", "b.html.gz", "c.pdf", "d/e.htm", "README.md", "urls.tsv"):
        (tmp_path / name).write_text("x")
    found = [r.source_uri for r in list_sources([tmp_path])]
    # a stray PDF is a document (quarantined later with its reason); notes are left out
    assert [p.rsplit("/", 1)[1] for p in found] == ["a.txt", "b.html.gz", "c.pdf", "e.htm"]
    assert len(list(list_sources([str(tmp_path / "*.txt")]))) == 1


def test_missing_input_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="not a file, a directory or a glob"):
        list(list_sources([tmp_path / "nope"]))


def test_mojibake_is_repaired_without_touching_good_quotes(tmp_path):
    good = "He said they don’t know. The café opened in 2019 – officially on Monday.\n"
    p = tmp_path / "m.txt"
    p.write_bytes(good.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"))
    doc = _read(p)
    assert doc.text == good and doc.encoding.endswith("+ftfy")
    q = tmp_path / "g.txt"
    q.write_text(good, encoding="utf-8")
    assert _read(q).text == good


def test_relative_parent_directory_is_listed(tmp_path, monkeypatch):
    (tmp_path / "crawl").mkdir()
    (tmp_path / "crawl" / "a.txt").write_text("x")
    (tmp_path / "crawl" / ".hidden.txt").write_text("x")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    found = [r.source_uri for r in list_sources(["../crawl"])]
    assert [p.rsplit("/", 1)[1] for p in found] == ["a.txt"]


# ---------------------------------------------------------------- nearly-valid UTF-8

# English with curly quotes: one bad byte made charset detection answer mac_latin2 /
# mac_iceland here, and the page loaded as "‚ÄúWe have no choice.‚ÄĚ".
UTF8_STORY = ("The mayor said: “We have no choice.” He added that the council’s meeting on "
              "Thursday was “eagerly awaited” by residents, and that the plan – long delayed "
              "– would go ahead. ") * 4


@pytest.mark.parametrize("damage", [
    lambda b: b[:200] + b"\xff" + b[200:],          # one stray byte
    lambda b: b[:100] + b"\xe9" + b[100:],          # one Latin-1 letter pasted in
    lambda b: b + "’".encode()[:2],                 # cut inside the last character
])
def test_one_bad_byte_keeps_utf8_with_a_replacement_character(damage):
    text, enc = decode(damage(UTF8_STORY.encode("utf-8")))
    assert enc == "utf-8-replace"  # was mac_iceland / cp1250 by charset detection
    assert "“We have no choice.”" in text and "council’s" in text and "– long delayed –" in text
    assert text.count("\ufffd") == 1 and "‚Äú" not in text and "â€" not in text


@pytest.mark.parametrize("enc", ["cp1252", "cp1250", "cp1251", "shift_jis", "euc_kr", "gb18030"])
def test_legacy_encodings_are_not_taken_for_damaged_utf8(enc):
    samples = {
        "cp1252": "Le président a déclaré que la réforme serait présentée en février. " * 3,
        "cp1250": "Předseda vlády řekl, že reforma bude představena v únoru. " * 3,
        "cp1251": "Министерство заявило, что переговоры продолжатся в Женеве. " * 3,
        "shift_jis": "政府は来週、新しい経済対策を発表すると明らかにした。" * 3,
        "euc_kr": "정부는 다음 주에 새로운 경제 대책을 발표한다고 밝혔다." * 3,
        "gb18030": "政府表示将于下周公布新的经济措施，以应对物价上涨。" * 3,
    }
    _, got = decode(samples[enc].encode(enc))
    assert got != "utf-8-replace"


def test_mac_roman_mojibake_is_repaired(tmp_path):
    good = "She said “it’s over” – and the café closed.\n"
    p = tmp_path / "m.txt"
    p.write_bytes(good.encode("utf-8").decode("mac_roman").encode("utf-8"))  # "‚Äúit‚Äôs"
    doc = _read(p)
    assert doc.text == good and doc.encoding.endswith("+ftfy")
