"""Packed documents: the flow process holds a batch's pages as UTF-8 bytes, not str."""
import gzip
import json

from flows.records import RawDocument, SourceRef
from flows.run.worker import _received, _to_send
from flows.stages.load import document_row
from flows.stages.read import ReadOptions, read
from flows.stages.validate.articles import MarkupCheck
from flows.store.warehouse import stage_batch


def test_a_packed_utf8_page_keeps_the_files_own_bytes(tmp_path):
    raw = "<html><body><p>Grüße 😀 ok</p></body></html>".encode("utf-8")
    p = tmp_path / "p.html"
    p.write_bytes(raw)
    doc = read(SourceRef(str(p)), ReadOptions(pack=True))
    assert doc.text == "" and doc.utf8 == raw
    assert doc.content == raw.decode("utf-8") == read(SourceRef(str(p)), ReadOptions()).text
    assert doc.unpacked().text == doc.content and doc.unpacked().utf8 is None


def test_a_packed_legacy_encoding_page_holds_its_decoded_text_as_utf8(tmp_path):
    p = tmp_path / "p.txt"
    p.write_bytes("Café crème, déjà vu. Une page en français.".encode("cp1252"))
    plain = read(SourceRef(str(p)), ReadOptions())
    packed = read(SourceRef(str(p)), ReadOptions(pack=True))
    assert packed.utf8 == plain.text.encode("utf-8") and packed.content == plain.text
    assert (packed.doc_id, packed.encoding, packed.byte_size) == (plain.doc_id, plain.encoding, plain.byte_size)


def test_workers_get_the_text_and_the_loader_gets_utf8_either_way():
    doc = RawDocument("d" * 64, "a.txt", None, "text", "naïve ✓ text", "utf-8", 14)
    for form in (doc, doc.packed()):
        (sent,) = _received(_to_send([form]))
        assert sent.text == doc.text and sent.utf8 is None
        assert document_row(form, "run")["content"] == doc.text.encode("utf-8")


def test_a_staged_batch_writes_packed_content_as_text(tmp_path):
    from flows.stages.load import LoadBatch

    doc = RawDocument("d" * 64, "a.txt", None, "text", "naïve ✓ text", "utf-8", 14).packed()
    batch = LoadBatch()
    batch.documents.append(document_row(doc, "run"))
    path = stage_batch(tmp_path, "run", 1, batch)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        assert json.load(f)["documents"][0]["content"] == "naïve ✓ text"


def test_markup_check_reads_a_packed_source():
    src = "<html><body><p>Use &lt;b&gt; for bold</p></body></html>"
    for source in (src, src.encode("utf-8")):
        check = MarkupCheck("html", source, "Use <b> for bold")
        assert not check.leaked("Use <b> for bold")
