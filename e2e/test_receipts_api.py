"""Receipts through the API of the built server, on SQLite and on PostgreSQL: files uploaded
and downloaded byte for byte, files refused by their bytes whatever their name, the size limit
and the quota, roles and tenants, the accountant's ZIP; and the server's memory while 60 MiB
files go in and out (uploads are spooled to disk, downloads streamed in 256 KiB rows)."""
import csv
import hashlib
import http.client
import io
import json
import os
import re
import select
import socket
import time
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest

from harness import SMTPServer, Server
from journeys import HTML_PAGE, PASSWORD, SVG_IMAGE, receipt_jpeg, receipt_pdf
from loadrun import Stack

MiB = 1024 * 1024
LIMIT = 2 * MiB
QUOTA = 3 * MiB
SETTINGS = {"RECEIPT_MAX_BYTES": str(LIMIT), "RECEIPT_QUOTA_BYTES": str(QUOTA)}


class Answer:
    def __init__(self, response, body):
        self.status, self.headers, self.body = response.status, response.headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def problem(self):
        assert self.headers["Content-Type"].startswith("application/problem+json"), self.headers
        return urlsplit(self.json()["type"]).path


class Api:
    """One person's bearer token on the server's API."""

    def __init__(self, port, token=None):
        self.port, self.token = port, token

    def call(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if isinstance(body, dict):
            body, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response, response.read())
        finally:
            connection.close()

    def ok(self, method, path, body=None, status=200):
        answer = self.call(method, path, body)
        assert answer.status == status, (method, path, answer.status, answer.body[:500])
        return answer.json() if answer.body else None

    def upload(self, org, expense, data, filename, content_type="application/octet-stream", raw=False):
        """The file in the multipart field `file`, or (`raw`) as the body, named by Content-Disposition."""
        path = f"/api/v1/orgs/{org}/expenses/{expense}/receipts"
        if raw:
            return self.call("POST", path, data, {"Content-Type": content_type,
                                                  "Content-Disposition": f'attachment; filename="{filename}"'})
        head, tail = multipart(filename, content_type)
        return self.call("POST", path, head + data + tail,
                         {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})

    def expense(self, org, date, amount, merchant):
        return self.ok("POST", f"/api/v1/orgs/{org}/expenses",
                       {"amount": amount, "currency": "EUR", "date": date, "merchant": merchant}, 201)


BOUNDARY = "e2e-receipt-boundary-7d1f"


def multipart(filename, content_type):
    """The bytes around a file in a multipart/form-data body of one part, `file`."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


def sign_up(port, smtp, email, name):
    """Registers through the API, confirms the address from its mail (with `smtp`), and signs in."""
    Api(port).ok("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": name}, 201)
    if smtp is not None:
        Api(port).ok("POST", "/api/v1/auth/verify", {"token": mailed_token(smtp, email, "Confirm your email")}, 204)
    api = Api(port, Api(port).ok("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})["token"])
    api.org = api.ok("GET", "/api/v1/orgs")["items"][0]["id"]
    return api


def mailed_token(smtp, email, subject):
    link = re.search(r"https?://\S+", smtp.wait_for(email, subject).text).group(0)
    return parse_qs(urlsplit(link).query)["token"][0]


def start_server(request, database, env, smtp=None):
    """The built server on SQLite, or on a new database in the run's PostgreSQL cluster (as the
    load tests get one): (server, stop)."""
    if database == "postgres":
        stack = Stack(cluster=request.getfixturevalue("pg_cluster"), smtp=smtp, extra_env=env)
        return stack.server, stack.close
    server = Server(smtp, env)
    return server, server.stop


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request):
    """The server on a database of each kind (RECEIPT_MAX_BYTES 2 MiB, quota 3 MiB), an owner,
    a viewer of the owner's organization, and a stranger with an organization of their own."""
    smtp = SMTPServer()
    server, stop = start_server(request, request.param, SETTINGS, smtp)
    try:
        owner = sign_up(server.port, smtp, "owner@example.org", "Olga Owner")
        viewer = sign_up(server.port, smtp, "vera@example.org", "Vera Viewer")
        stranger = sign_up(server.port, smtp, "sam@example.org", "Sam Stranger")
        owner.ok("POST", f"/api/v1/orgs/{owner.org}/invitations", {"email": "vera@example.org", "role": "viewer"}, 201)
        invitation = mailed_token(smtp, "vera@example.org", "invited you")
        viewer.ok("POST", "/api/v1/invitations/accept", {"token": invitation})
        yield owner, viewer, stranger
    finally:
        stop()
        smtp.stop()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def test_jpeg_and_pdf_round_trip_byte_for_byte_with_safe_headers(world):
    owner, viewer, _ = world
    org, jpeg, pdf = owner.org, receipt_jpeg(), receipt_pdf("Café Central, 12.50 EUR")
    expense = owner.expense(org, "2026-02-03", "12.50", "Café Central")
    assert expense["receipt_count"] == 0
    photo = owner.upload(org, expense["id"], jpeg, "till slip.jpg", "image/jpeg")
    assert photo.status == 201, photo.body
    photo = photo.json()
    scan = owner.upload(org, expense["id"], pdf, "scan.pdf", "application/pdf", raw=True)
    assert scan.status == 201, scan.body
    scan = scan.json()
    assert {k: photo[k] for k in ("expense_id", "media_type", "size", "sha256", "filename")} == {
        "expense_id": expense["id"], "media_type": "image/jpeg", "size": len(jpeg), "sha256": sha256(jpeg),
        "filename": "till slip.jpg"}
    assert (scan["media_type"], scan["size"], scan["sha256"], scan["filename"]) == (
        "application/pdf", len(pdf), sha256(pdf), "scan.pdf")
    assert photo["uploaded_by"] == owner.ok("GET", "/api/v1/me")["user"]["id"]

    listed = owner.ok("GET", f"/api/v1/orgs/{org}/expenses/{expense['id']}/receipts")["items"]
    assert [r["id"] for r in listed] == [photo["id"], scan["id"]]  # oldest first
    assert owner.ok("GET", f"/api/v1/orgs/{org}/expenses/{expense['id']}")["receipt_count"] == 2
    with_receipt = owner.ok("GET", f"/api/v1/orgs/{org}/expenses?has_receipt=true")["items"]
    assert expense["id"] in [e["id"] for e in with_receipt]
    without = owner.ok("GET", f"/api/v1/orgs/{org}/expenses?has_receipt=false")["items"]
    assert expense["id"] not in [e["id"] for e in without]

    for receipt, data, disposition in ((photo, jpeg, "inline"), (scan, pdf, "attachment")):
        for person in (owner, viewer):  # a viewer may look at receipts too
            got = person.call("GET", f"/api/v1/orgs/{org}/receipts/{receipt['id']}")
            assert got.status == 200 and got.body == data and sha256(got.body) == receipt["sha256"]
        assert got.headers["Content-Type"] == receipt["media_type"]
        assert got.headers["Content-Disposition"].startswith(disposition + ";"), got.headers["Content-Disposition"]
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert got.headers["ETag"] == f'"{receipt["sha256"]}"'
        again = owner.call("GET", f"/api/v1/orgs/{org}/receipts/{receipt['id']}",
                           headers={"If-None-Match": got.headers["ETag"]})
        assert again.status == 304 and again.body == b""

    assert owner.call("DELETE", f"/api/v1/orgs/{org}/receipts/{scan['id']}").status == 204
    assert owner.call("GET", f"/api/v1/orgs/{org}/receipts/{scan['id']}").status == 404
    assert owner.ok("GET", f"/api/v1/orgs/{org}/expenses/{expense['id']}")["receipt_count"] == 1


def test_files_are_refused_by_their_bytes_and_size_and_nothing_is_kept(world):
    owner, _, _ = world
    org = owner.org
    expense = owner.expense(org, "2026-02-04", "3.00", "Kiosk")["id"]
    refusals = [
        (owner.upload(org, expense, HTML_PAGE, "receipt.png", "image/png"), 415, "/problems/not-a-receipt"),
        (owner.upload(org, expense, HTML_PAGE, "receipt.png", "image/png", raw=True), 415, "/problems/not-a-receipt"),
        (owner.upload(org, expense, SVG_IMAGE, "receipt.svg", "image/svg+xml"), 415, "/problems/not-a-receipt"),
        (owner.upload(org, expense, b"", "receipt.jpg", "image/jpeg"), 422, "/problems/empty-file"),
        (owner.upload(org, expense, b"", "receipt.jpg", "image/jpeg", raw=True), 422, "/problems/empty-file"),
        (owner.upload(org, expense, jpeg_of_size(LIMIT + 1), "big.jpg", "image/jpeg"), 413, "/problems/too-large"),
        (owner.upload(org, expense, jpeg_of_size(LIMIT + 1), "big.jpg", "image/jpeg", raw=True), 413,
         "/problems/too-large"),
    ]
    for number, (answer, status, problem) in enumerate(refusals):
        assert (answer.status, answer.problem) == (status, problem), (number, answer.status, answer.body[:300])
    assert owner.ok("GET", f"/api/v1/orgs/{org}/expenses/{expense}/receipts")["items"] == []
    # Exactly the limit is allowed.
    exact = jpeg_of_size(LIMIT, seed=b"exact")
    answer = owner.upload(org, expense, exact, "exact.jpg", "image/jpeg", raw=True)
    assert answer.status == 201, answer.body
    assert owner.call("GET", f"/api/v1/orgs/{org}/receipts/{answer.json()['id']}").body == exact
    assert owner.call("DELETE", f"/api/v1/orgs/{org}/receipts/{answer.json()['id']}").status == 204


def jpeg_of_size(size, seed=b"receipt"):
    """`size` bytes that start as a JPEG does (the server reads the kind from the first bytes)."""
    filler = hashlib.sha256(seed).digest() * (size // 32 + 1)
    return (b"\xff\xd8\xff\xe0" + filler)[:size]


def test_viewers_and_other_tenants_cannot_touch_receipts(world):
    owner, viewer, stranger = world
    org = owner.org
    expense = owner.expense(org, "2026-02-05", "8.00", "Bakery")["id"]
    receipt = owner.upload(org, expense, receipt_jpeg(b"roles"), "bread.jpg", "image/jpeg").json()["id"]
    answer = viewer.upload(org, expense, receipt_jpeg(b"viewer"), "mine.jpg", "image/jpeg")
    assert (answer.status, answer.problem) == (403, "/problems/forbidden")
    assert viewer.call("DELETE", f"/api/v1/orgs/{org}/receipts/{receipt}").status == 403
    assert viewer.call("GET", f"/api/v1/orgs/{org}/exports/receipts.zip").status == 403
    # Another tenant: the organization and its receipts are not there for them, by either path.
    for path in (f"/api/v1/orgs/{org}/receipts/{receipt}", f"/api/v1/orgs/{stranger.org}/receipts/{receipt}"):
        assert stranger.call("GET", path).status == 404, path
        assert stranger.call("DELETE", path).status == 404, path
    assert stranger.upload(org, expense, receipt_jpeg(b"x"), "x.jpg", "image/jpeg").status == 404
    assert owner.ok("GET", f"/api/v1/orgs/{org}/expenses/{expense}/receipts")["items"][0]["id"] == receipt


def test_the_quota_counts_each_distinct_file_once(world):
    owner, _, _ = world
    org = owner.ok("POST", "/api/v1/orgs", {"name": "Quota Ltd", "currency": "EUR", "timezone": "UTC"}, 201)["id"]
    first, second = (owner.expense(org, "2026-02-06", "1.00", name)["id"] for name in ("First", "Second"))
    big = jpeg_of_size(LIMIT, seed=b"quota")  # raw bodies: the debug build parses multipart slowly
    assert owner.upload(org, first, big, "big.jpg", "image/jpeg", raw=True).status == 201
    # The same bytes again fit (stored and counted once); a new file past the quota does not.
    assert owner.upload(org, second, big, "again.jpg", "image/jpeg", raw=True).status == 201
    over = jpeg_of_size(QUOTA - LIMIT + 1, seed=b"over")
    refused = owner.upload(org, second, over, "over.jpg", "image/jpeg", raw=True)
    assert (refused.status, refused.problem) == (409, "/problems/quota-exceeded"), refused.body
    assert owner.ok("GET", f"/api/v1/orgs/{org}/expenses/{second}")["receipt_count"] == 1
    fits = owner.upload(org, second, jpeg_of_size(QUOTA - LIMIT, seed=b"fits"), "fits.jpg", raw=True)
    assert fits.status == 201, fits.body


def test_the_zip_holds_the_periods_expenses_csv_and_every_receipt_byte_for_byte(world):
    owner, _, _ = world
    org = owner.org
    cafe = owner.expense(org, "2026-03-02", "12.50", "Café Central")
    books = owner.expense(org, "2026-03-31", "40.00", "Paper & Ink")
    bare = owner.expense(org, "2026-03-15", "5.00", "No Receipt Deli")
    before = owner.expense(org, "2026-02-28", "9.99", "Old Books")
    files = {}
    for expense, data, name in ((cafe, receipt_jpeg(b"zip"), "slip.jpg"), (cafe, receipt_pdf("Cafe"), "invoice.pdf"),
                                (books, receipt_pdf("Books"), "books.pdf"),
                                (before, receipt_jpeg(b"before"), "old.jpg")):
        answer = owner.upload(org, expense["id"], data, name, "application/octet-stream")
        assert answer.status == 201, answer.body
        files[answer.json()["id"]] = (expense, data)

    answer = owner.call("GET", f"/api/v1/orgs/{org}/exports/receipts.zip?from=2026-03-01&to=2026-03-31")
    assert answer.status == 200 and answer.headers["Content-Type"].startswith("application/zip"), answer.headers
    archive = zipfile.ZipFile(io.BytesIO(answer.body))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[0] == "expenses.csv", names
    rows = list(csv.DictReader(io.StringIO(archive.read("expenses.csv").decode("utf-8-sig"))))
    assert list(rows[0])[-3:] == ["receipt_count", "base_amount", "base_currency"]
    assert {row["id"]: row["receipt_count"] for row in rows} == {cafe["id"]: "2", books["id"]: "1", bare["id"]: "0"}

    in_period = {rid: v for rid, v in files.items() if v[0] is not before}
    assert len(names) == 1 + len(in_period), names
    for receipt_id, (expense, data) in in_period.items():
        [name] = [n for n in names if receipt_id in n]
        pattern = rf"{expense['date']}_[\w-]+_{re.escape(expense['amount'])}_{receipt_id}\.(jpg|pdf)"
        assert re.fullmatch(pattern, name), name
        assert archive.read(name) == data, name
    # The merchant keeps its letters of any script; every other run of characters is one dash.
    assert any(n.startswith("2026-03-02_Café-Central_12.50_") for n in names), names
    outside = [rid for rid, v in files.items() if v[0] is before][0]
    assert not [n for n in names if outside in n or archive.read(n) == files[outside][1]]


def stream_upload(port, path, token, chunks, content_length=None, content_type="application/octet-stream"):
    """POSTs the chunks as they come (chunked, or under `content_length`), watching for an answer
    the server may send before the body ends. Returns (answer, bytes sent)."""
    framing = f"Content-Length: {content_length}" if content_length is not None else "Transfer-Encoding: chunked"
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Type: {content_type}\r\n{framing}\r\n\r\n").encode())
    sock.setblocking(False)
    sent, answered = 0, False
    for chunk in chunks:
        piece = memoryview(chunk if content_length is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
        while piece and not answered:
            readable, writable, _ = select.select([sock], [sock], [], 120)
            if not readable and not writable:
                raise TimeoutError(f"the server neither read nor answered for 120 s, {sent} bytes in")
            answered = bool(readable)
            if writable and not answered:
                try:
                    piece = piece[sock.send(piece):]
                except (BrokenPipeError, ConnectionResetError):
                    answered = True
        if answered:
            break
        sent += len(chunk)
    if not answered and content_length is None:
        sock.setblocking(True)
        sock.sendall(b"0\r\n\r\n")
    sock.setblocking(True)
    sock.settimeout(120)
    response = http.client.HTTPResponse(sock, method="POST")
    response.begin()
    answer = Answer(response, response.read())
    sock.close()
    return answer, sent


def chunks_of(total, digest, first=b"\xff\xd8\xff\xe0", size=MiB):
    """`total` bytes, a JPEG's first bytes and then random ones, one MiB at a time, hashed into `digest`."""
    remaining = total
    while remaining:
        chunk = (first + os.urandom(size - len(first)) if remaining == total else os.urandom(size))[:remaining]
        digest.update(chunk)
        remaining -= len(chunk)
        yield chunk


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_big_files_stream_through_with_flat_server_memory(request, database):
    limit = 64 * MiB
    server, stop = start_server(request, database, {"RECEIPT_MAX_BYTES": str(limit)})
    try:
        port = server.port
        owner = sign_up(port, None, "big@example.org", "Big Scans")
        org = owner.org
        expense = owner.expense(org, "2026-04-01", "99.00", "Big Scans")["id"]
        path = f"/api/v1/orgs/{org}/expenses/{expense}/receipts"
        warm = owner.upload(org, expense, receipt_jpeg(), "warm.jpg", "image/jpeg")  # every path used once
        assert owner.call("GET", f"/api/v1/orgs/{org}/receipts/{warm.json()['id']}").status == 200
        baseline, rss = server.memory()
        print(f"\nserver after warm-up: VmHWM {baseline / MiB:.1f} MiB, VmRSS {rss / MiB:.1f} MiB")

        started = time.monotonic()
        answer, sent = stream_upload(port, path, owner.token, chunks_of(limit + 1, hashlib.sha256()))
        assert (answer.status, answer.problem) == (413, "/problems/too-large"), answer.body
        print(f"64 MiB + 1 byte, chunked: 413 after {sent / MiB:.1f} MiB sent, {time.monotonic() - started:.1f} s; "
              f"VmHWM {server.memory()[0] / MiB:.1f} MiB")

        # A page, not a receipt: refused from its first bytes, long before its end.
        answer, sent = stream_upload(port, path, owner.token, chunks_of(limit, hashlib.sha256(), first=HTML_PAGE))
        assert (answer.status, answer.problem) == (415, "/problems/not-a-receipt"), answer.body
        print(f"64 MiB of HTML, chunked: 415 after {sent / MiB:.1f} MiB sent")
        assert sent < limit / 2

        # Raw, not multipart: the debug build's multipart parser takes about a second per MiB.
        digest, size, started = hashlib.sha256(), 60 * MiB, time.monotonic()
        answer, _ = stream_upload(port, path, owner.token, chunks_of(size, digest), size)
        assert answer.status == 201, answer.body
        assert (answer.json()["size"], answer.json()["sha256"]) == (size, digest.hexdigest())
        print(f"60 MiB with Content-Length: 201 in {time.monotonic() - started:.1f} s; "
              f"VmHWM {server.memory()[0] / MiB:.1f} MiB")

        started, received = time.monotonic(), hashlib.sha256()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.request("GET", f"/api/v1/orgs/{org}/receipts/{answer.json()['id']}",
                           headers={"Authorization": f"Bearer {owner.token}"})
        response = connection.getresponse()
        assert response.status == 200
        while chunk := response.read(MiB):
            received.update(chunk)
        connection.close()
        assert received.hexdigest() == digest.hexdigest()
        peak, rss = server.memory()
        print(f"downloaded in {time.monotonic() - started:.1f} s; VmHWM {peak / MiB:.1f} MiB "
              f"(+{(peak - baseline) / MiB:.1f} MiB), VmRSS {rss / MiB:.1f} MiB")
        assert peak - baseline < 32 * MiB, f"VmHWM grew {(peak - baseline) / MiB:.1f} MiB"
    finally:
        stop()
