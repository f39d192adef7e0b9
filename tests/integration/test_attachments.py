#!/usr/bin/env python3
"""Attachments: upload limits, type allow-list checked against magic
bytes, storage once per SHA-256, who may link and fetch them, and how they
are served."""
import hashlib
import os
import sys
import urllib.parse
import uuid
import zipfile
import io

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loketlib  # noqa: E402
from loketlib import LoketTestCase, create_token, db_query  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
GIF = b"GIF89a" + b"\x00" * 10
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8


def office(first_entry, name):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(first_entry[0], first_entry[1])
        z.writestr(name, "<x/>")
    return buf.getvalue()


DOCX = office(("[Content_Types].xml", "<Types/>"), "word/document.xml")
XLSX = office(("[Content_Types].xml", "<Types/>"), "xl/workbook.xml")
ODT = office(("mimetype", "application/vnd.oasis.opendocument.text"),
             "content.xml")


class AttachmentTest(LoketTestCase):
    def setUp(self):
        self.data = self.make_data_dir()
        _, self.tok = create_token(self.data, "crm", "api")
        _, self.other = create_token(self.data, "other", "api")
        _, self.conf = create_token(self.data, "conf", "api confidential")
        self.srv = self.start_server(self.data,
                                     extra_args=["--max-attachment", "4096"])

    def upload(self, body, ctype, filename="bestand", token=None,
               headers=None):
        hdrs = {"Content-Type": ctype} if ctype else {}
        hdrs.update(headers or {})
        path = "/api/v1/attachments"
        if filename is not None:
            path += "?filename=" + urllib.parse.quote(filename, safe="")
        return self.srv.request("POST", path, body=body, headers=hdrs,
                                token=token or self.tok)

    def conversation(self, token=None, **fields):
        body = {"channel": "email", "content": "zie bijlage",
                "from": {"name": "Jan"}}
        body.update(fields)
        return self.srv.post_json("/api/v1/conversations", body,
                                  token=token or self.tok)

    def blob_files(self):
        out = []
        for root, _, files in os.walk(os.path.join(self.data, "blobs")):
            out += [f for f in files]
        return out

    def test_allowed_types(self):
        cases = [(PDF, "application/pdf"), (PNG, "image/png"),
                 (JPEG, "image/jpeg"), (GIF, "image/gif"),
                 (WEBP, "image/webp"),
                 ("Gewoon tekst, ook met é\n".encode(),
                  "text/plain; charset=utf-8"),
                 (DOCX, "application/vnd.openxmlformats-officedocument."
                        "wordprocessingml.document"),
                 (XLSX, "application/vnd.openxmlformats-officedocument."
                        "spreadsheetml.sheet"),
                 (ODT, "application/vnd.oasis.opendocument.text")]
        for body, ctype in cases:
            r = self.upload(body, ctype, "f")
            self.assertEqual(r.status, 201, (ctype, r))
            a = r.json()
            self.assertEqual(a["sha256"], hashlib.sha256(body).hexdigest())
            self.assertEqual(a["size"], len(body))
            self.assertEqual(a["mediaType"], ctype.split(";")[0])
            self.assertIsNone(a["messageId"])

    def test_refused_types_and_mismatches(self):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script>'
        cases = [
            (svg, "image/svg+xml"),
            (svg, "text/plain"),
            (b"<!DOCTYPE html><script>alert(1)</script>", "text/html"),
            (b"  <html><body>x</body></html>", "text/plain"),
            (b"<?xml version='1.0'?><svg/>", "text/plain"),
            (PDF, "image/png"),
            (PNG, "application/pdf"),
            (b"MZ\x90\x00", "application/octet-stream"),
            (b"\xff\xfe\x00bad", "text/plain"),
            (DOCX, "application/vnd.openxmlformats-officedocument."
                   "spreadsheetml.sheet"),
            (XLSX, "application/vnd.oasis.opendocument.text"),
            (PDF, None),
        ]
        for body, ctype in cases:
            r = self.upload(body, ctype)
            self.assertProblem(r, 415, "unsupported-media-type",
                               field="/mediaType")
        r = self.upload(b"", "application/pdf")
        self.assertProblem(r, 422)
        self.assertEqual(self.blob_files(), [])
        self.assertEqual(db_query(self.data,
                                  "SELECT COUNT(*) FROM attachments")[0][0], 0)

    def test_size_limit(self):
        r = self.upload(PDF + b"x" * (4096 - len(PDF)), "application/pdf")
        self.assertEqual(r.status, 201, r)
        r = self.upload(PDF + b"x" * (4097 - len(PDF)), "application/pdf")
        self.assertProblem(r, 413, "body-too-large")
        # the rest of the API keeps its own (larger than 4 KiB) body limit
        r = self.conversation(content="x" * 8000)
        self.assertEqual(r.status, 201, r)

    def test_dedup_by_hash(self):
        a = self.upload(PDF, "application/pdf", "a.pdf").json()
        b = self.upload(PDF, "application/pdf", "b.pdf",
                        token=self.other).json()
        self.assertNotEqual(a["id"], b["id"])
        self.assertEqual(a["sha256"], b["sha256"])
        self.assertEqual(self.blob_files(), [a["sha256"]])
        path = os.path.join(self.data, "blobs", a["sha256"][:2], a["sha256"])
        with open(path, "rb") as f:
            self.assertEqual(f.read(), PDF)

    def test_who_may_link_and_fetch(self):
        mine = self.upload(PDF, "application/pdf", "brief.pdf").json()
        path = "/api/v1/attachments/" + mine["id"]
        # unlinked: only the uploader
        self.assertEqual(self.srv.get(path, token=self.tok).status, 200)
        self.assertProblem(self.srv.get(path, token=self.other), 404)
        self.assertProblem(self.srv.get(path + "/content", token=self.other),
                           404)
        r = self.conversation(token=self.other, attachmentIds=[mine["id"]])
        self.assertProblem(r, 404, field="/attachmentIds/0")
        # linked by its uploader: visible to whoever sees the message
        c = self.conversation(attachmentIds=[mine["id"]])
        self.assertEqual(c.status, 201, c)
        c = c.json()
        self.assertEqual(self.srv.get(path, token=self.other).json()
                         ["messageId"], c["messageId"])
        g = self.srv.get("/api/v1/conversations/" + c["id"],
                         token=self.tok).json()
        self.assertEqual([a["id"] for a in g["messages"][0]["attachments"]],
                         [mine["id"]])
        # linked once only
        r = self.srv.post_json("/api/v1/conversations/%s/messages" % c["id"],
                               {"direction": "outbound", "content": "x",
                                "attachmentIds": [mine["id"]]},
                               token=self.tok)
        self.assertProblem(r, 404, field="/attachmentIds/0")
        for bad in (str(uuid.uuid4()), "x", mine["id"][:-1]):
            self.assertProblem(self.srv.get("/api/v1/attachments/" + bad,
                                            token=self.tok), 404)

    def test_confidential_attachment(self):
        a = self.upload(PNG, "image/png").json()
        c = self.conversation(confidential=True, attachmentIds=[a["id"]])
        self.assertEqual(c.status, 201)
        path = "/api/v1/attachments/%s/content" % a["id"]
        self.assertProblem(self.srv.get(path, token=self.tok), 404)
        self.assertEqual(self.srv.get(path, token=self.conf).status, 200)

    def test_served_as_download(self):
        name = 'rapport "2026"\r\n<script>é.pdf'
        r = self.upload(PDF, "application/pdf", name)
        self.assertProblem(r, 422, field="/filename")
        name = 'rapport "2026" <script>é.pdf'
        a = self.upload(PDF, "application/pdf", "C:\\tmp\\../" + name).json()
        self.assertEqual(a["filename"], name)
        r = self.srv.get("/api/v1/attachments/%s/content" % a["id"],
                         token=self.tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, PDF)
        self.assertEqual(r.content_type, "application/pdf")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        cd = r.header("Content-Disposition")
        self.assertTrue(cd.startswith('attachment; filename="rapport '), cd)
        self.assertNotIn("<", cd.split(";")[1])
        self.assertIn("filename*=UTF-8''rapport%20%222026%22%20%3Cscript%3E"
                      "%C3%A9.pdf", cd)
        # the name may also come in Content-Disposition
        r = self.upload(PNG, "image/png", None,
                        headers={"Content-Disposition":
                                 'attachment; filename="foto.png"'})
        self.assertEqual(r.json()["filename"], "foto.png")


if __name__ == "__main__":
    loketlib.main()
