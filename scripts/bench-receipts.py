#!/usr/bin/env python3
"""Receipt benchmarks against a running server (scripts/bench-receipts.sh starts one).

Measures, with the server's resident memory sampled every 10 ms from /proc:
- one 5 MiB upload and its download (time, memory);
- 50 concurrent downloads of that receipt, repeated (throughput, peak memory);
- the ZIP export of 1,000 receipts (MB/s, peak memory).
Prints Markdown rows; the numbers beside them come from pgbench over the same SQL (run by the
shell script)."""
import hashlib
import http.client
import json
import os
import sys
import threading
import time
import zipfile
import io

PORT = int(os.environ["BENCH_PORT"])
PID = int(os.environ["SERVER_PID"])
TOKEN = os.environ["BENCH_TOKEN"]
ORG = os.environ["BENCH_ORG"]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def rss_mib():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """The peak resident memory while a block runs."""

    def __enter__(self):
        self.peak = rss_mib()
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mib())
            time.sleep(0.01)

    def __exit__(self, *_):
        self.running = False
        self.thread.join()


def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    connection.request(method, path, body=body, headers={**AUTH, **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def jpeg(size, seed):
    block = hashlib.sha256(seed.to_bytes(8, "big")).digest()
    body = (block * (size // len(block) + 1))[: size - 4]
    return b"\xff\xd8\xff\xe0" + body


def new_expense(day):
    status, data = request(
        "POST", f"/api/v1/orgs/{ORG}/expenses",
        json.dumps({"amount": "12.50", "date": day, "merchant": "Bench receipts"}),
        {"Content-Type": "application/json"})
    assert status == 201, (status, data)
    return json.loads(data)["id"]


def upload(expense, data):
    status, body = request(
        "POST", f"/api/v1/orgs/{ORG}/expenses/{expense}/receipts", data,
        {"Content-Type": "application/octet-stream", "Content-Disposition": 'attachment; filename="bench.jpg"'})
    assert status == 201, (status, body)
    return json.loads(body)["id"]


def upload_multipart(expense, data):
    boundary = "----bench-receipts-7MA4YWxkTrZu0gW"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    status, answer = request(
        "POST", f"/api/v1/orgs/{ORG}/expenses/{expense}/receipts", body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status == 201, (status, answer)


def main():
    idle = rss_mib()
    rows = []
    five = jpeg(5 * 1024 * 1024, 1)
    expense = new_expense("2026-06-01")
    with Sampler() as sampled:
        start = time.perf_counter()
        receipt = upload(expense, five)
        upload_s = time.perf_counter() - start
        start = time.perf_counter()
        status, data = request("GET", f"/api/v1/orgs/{ORG}/receipts/{receipt}")
        download_s = time.perf_counter() - start
    assert status == 200 and data == five
    rows.append(("upload of a 5 MiB receipt", f"{upload_s * 1000:.0f} ms ({5 / upload_s:.0f} MiB/s)",
                 f"{sampled.peak - idle:+.1f} MiB"))
    rows.append(("download of it", f"{download_s * 1000:.0f} ms ({5 / download_s:.0f} MiB/s)",
                 f"{sampled.peak - idle:+.1f} MiB"))

    other = jpeg(5 * 1024 * 1024, 2)
    with Sampler() as sampled:
        start = time.perf_counter()
        upload_multipart(expense, other)
        multipart_s = time.perf_counter() - start
    rows.append(("upload of a 5 MiB receipt as multipart/form-data", f"{multipart_s * 1000:.0f} ms "
                 f"({5 / multipart_s:.0f} MiB/s)", f"{sampled.peak - idle:+.1f} MiB"))

    rounds, clients = 4, 50
    errors = []

    def fetch():
        for _ in range(rounds):
            status, data = request("GET", f"/api/v1/orgs/{ORG}/receipts/{receipt}")
            if status != 200 or len(data) != len(five):
                errors.append(status)

    with Sampler() as sampled:
        start = time.perf_counter()
        threads = [threading.Thread(target=fetch) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
    total = rounds * clients * 5
    rows.append((f"{clients} concurrent downloads of it, {rounds} each",
                 f"{total / seconds:.0f} MiB/s ({rounds * clients / seconds:.1f} downloads/s), errors {len(errors)}",
                 f"{sampled.peak - idle:+.1f} MiB (peak {sampled.peak:.0f} MiB, idle {idle:.0f} MiB)"))

    count = int(os.environ.get("BENCH_RECEIPTS", "1000"))
    size = 200 * 1024
    start = time.perf_counter()
    for index in range(count):
        day = f"2026-07-{index % 28 + 1:02d}"
        upload(new_expense(day), jpeg(size, 1000 + index))
    setup_s = time.perf_counter() - start
    rows.append((f"uploads of {count} receipts of 200 KiB, one at a time (with their expenses)",
                 f"{count / setup_s:.0f} receipts/s", ""))
    with Sampler() as sampled:
        start = time.perf_counter()
        status, data = request("GET", f"/api/v1/orgs/{ORG}/exports/receipts.zip?from=2026-07-01&to=2026-07-31")
        seconds = time.perf_counter() - start
    assert status == 200
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert len(archive.namelist()) == count + 1, len(archive.namelist())
    assert archive.testzip() is None
    mib = len(data) / 1024 / 1024
    rows.append((f"ZIP export of {count} receipts ({mib:.0f} MiB)", f"{mib / seconds:.0f} MiB/s ({seconds:.1f} s)",
                 f"{sampled.peak - idle:+.1f} MiB (peak {sampled.peak:.0f} MiB)"))
    print("| measurement | result | server memory over idle |")
    print("|---|---|---|")
    for name, result, memory in rows:
        print(f"| {name} | {result} | {memory} |")
    # The client reads each response whole into memory: its own footprint is not the server's.
    sys.stdout.flush()


if __name__ == "__main__":
    main()
