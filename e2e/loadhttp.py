"""A small HTTP/1.1 client on asyncio streams for the load and fault checks.

One keep-alive connection per simulated person, and an exact account of how each request
ended: a full response, or the way the connection failed and whether any byte of the answer had
arrived (a request refused at connect was never sent; one closed before any answer may or may
not have been processed; one cut off mid-answer was)."""
import asyncio
import json


class ConnectionFailed(Exception):
    """`kind`: refused (nothing sent), closed (connection ended before any byte of the answer,
    by EOF or reset), truncated (ended mid-answer), timeout. `reset` says whether the peer sent
    RST (as opposed to closing in order)."""

    def __init__(self, kind, reset=False, detail=""):
        super().__init__(f"{kind}{' (reset)' if reset else ''}: {detail}")
        self.kind = kind
        self.reset = reset


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    @property
    def acceptable_unavailable(self):
        """503 with Retry-After: the server's way of saying "busy, come back", allowed under load."""
        return self.status == 503 and self.headers.get("retry-after", "").isdigit()


class Connection:
    def __init__(self, host, port, timeout=30.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.reader = None
        self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method, path, headers=None, body=None):
        try:
            return await asyncio.wait_for(self._request(method, path, headers or {}, body), self.timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise ConnectionFailed("timeout", detail=f"{method} {path}") from None

    async def _request(self, method, path, headers, body):
        if self.writer is None:
            try:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            except ConnectionRefusedError as error:
                raise ConnectionFailed("refused", detail=str(error)) from None
        payload = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        received = False
        try:
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
            received = True
            status, response_headers = self._parse_head(head)
            data = await self._read_body(method, status, response_headers)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, OSError) as error:
            partial = isinstance(error, asyncio.IncompleteReadError) and bool(error.partial)
            await self.close()
            raise ConnectionFailed("truncated" if received or partial else "closed",
                                   reset=isinstance(error, ConnectionResetError),
                                   detail=f"{method} {path}: {error!r}") from None
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, response_headers, data)

    @staticmethod
    def _parse_head(head):
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        return status, headers

    async def _read_body(self, method, status, headers):
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    while await self.reader.readuntil(b"\r\n") != b"\r\n":
                        pass
                    return b"".join(chunks)
                chunks.append((await self.reader.readexactly(size + 2))[:-2])
        if "content-length" in headers:
            return await self.reader.readexactly(int(headers["content-length"]))
        # Neither: the body runs to the end of the connection.
        data = await self.reader.read()
        await self.close()
        return data
