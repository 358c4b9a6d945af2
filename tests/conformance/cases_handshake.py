"""The opening handshake (RFC 6455 §4.1, §4.2, §4.4): a valid request is answered with 101 and
the right Sec-WebSocket-Accept; an invalid one gets a 4xx and no upgrade, and an unknown version
426 with the versions the server speaks.
"""
import base64
import os
import time
from dataclasses import dataclass, field

import ws_wire
from case_model import FAILED, NON_STRICT, OK
from ws_wire import TEXT, handshake_request, text

UPGRADED, REFUSED, VERSION_REFUSED = "upgraded", "refused", "version refused"


@dataclass
class HandshakeCase:
    id: str
    description: str
    # Header changes (a None value removes one) and request-line changes for handshake_request.
    headers: dict = field(default_factory=dict)
    request: dict = field(default_factory=dict)
    expect: str = REFUSED
    extra_lines: list = field(default_factory=list)  # added verbatim (e.g. a repeated header)
    pipelined: bytes = b""                            # sent in the same write as the request

    def run(self, address, path, timeout):
        deadline = time.monotonic() + timeout
        key = self.headers.get("Sec-WebSocket-Key", base64.b64encode(os.urandom(16)).decode())
        raw = handshake_request(path, f"{address[0]}:{address[1]}", key=key, headers=self.headers,
                                **self.request)
        if self.extra_lines:
            raw = raw[:-2] + "".join(f"{line}\r\n" for line in self.extra_lines).encode() + b"\r\n"
        try:
            conn = ws_wire.Connection(address, timeout)
        except OSError as error:
            return FAILED, f"could not connect: {error}"
        try:
            conn.send(raw + self.pipelined)
            answer = conn.read_http_response(deadline)
            if answer is None:
                return FAILED, "connection ended with no HTTP response"
            return self._judge(conn, key, *answer, deadline)
        except ws_wire.Timeout:
            return FAILED, "no HTTP response within the case's deadline"
        finally:
            conn.close()

    def _judge(self, conn, key, status, headers, deadline):
        if self.expect != UPGRADED:
            if status == 101:
                return FAILED, "upgraded an invalid request (101)"
            if not 400 <= status < 500:
                return FAILED, f"answered {status}, expected a 4xx"
            if self.expect == VERSION_REFUSED:
                versions = [v.strip() for v in headers.get("sec-websocket-version", "").split(",")]
                if "13" not in versions:
                    return FAILED, f"{status} without Sec-WebSocket-Version: 13 (RFC 6455 §4.4)"
                if status != 426:
                    return NON_STRICT, f"answered {status}; §4.4 suggests 426 Upgrade Required"
            return OK, f"{status}"
        if status != 101:
            return FAILED, f"answered {status}, expected 101"
        if headers.get("upgrade", "").lower() != "websocket":
            return FAILED, f"Upgrade: {headers.get('upgrade')!r} (RFC 6455 §4.2.2)"
        if "upgrade" not in [t.strip().lower() for t in headers.get("connection", "").split(",")]:
            return FAILED, f"Connection: {headers.get('connection')!r} (RFC 6455 §4.2.2)"
        if headers.get("sec-websocket-accept") != ws_wire.expected_accept(key):
            return FAILED, "wrong Sec-WebSocket-Accept (RFC 6455 §4.2.2)"
        if headers.get("sec-websocket-extensions"):
            return FAILED, "selected an extension the client did not offer (RFC 6455 §9.1)"
        if self.pipelined:
            got = conn.read_frame(deadline)
            if got is None or (got.opcode, got.payload) != (TEXT, b"pipelined"):
                return FAILED, f"the frame sent behind the request came back as {got!r}"
        return OK, ""


def cases():
    bad_key = base64.b64encode(os.urandom(15)).decode()
    good_key = base64.b64encode(os.urandom(16)).decode()
    return [
        HandshakeCase("0.1", "valid request: 101, Upgrade, Connection, Sec-WebSocket-Accept",
                      expect=UPGRADED),
        HandshakeCase("0.2", "Upgrade: WebSocket and Connection: keep-alive, Upgrade (tokens, "
                      "any case)", headers={"Upgrade": "WebSocket",
                                            "Connection": "keep-alive, Upgrade"},
                      expect=UPGRADED),
        HandshakeCase("0.3", "a text frame in the same write as the request: echoed",
                      expect=UPGRADED, pipelined=text(b"pipelined")),
        HandshakeCase("0.4", "Sec-WebSocket-Version: 8: 426 naming version 13",
                      headers={"Sec-WebSocket-Version": "8"}, expect=VERSION_REFUSED),
        HandshakeCase("0.5", "Sec-WebSocket-Version: 14: 426 naming version 13",
                      headers={"Sec-WebSocket-Version": "14"}, expect=VERSION_REFUSED),
        HandshakeCase("0.6", "no Sec-WebSocket-Version: 4xx",
                      headers={"Sec-WebSocket-Version": None}),
        HandshakeCase("0.7", "no Sec-WebSocket-Key: 4xx", headers={"Sec-WebSocket-Key": None}),
        HandshakeCase("0.8", "Sec-WebSocket-Key of 15 bytes: 4xx",
                      headers={"Sec-WebSocket-Key": bad_key}),
        HandshakeCase("0.9", "Sec-WebSocket-Key not base64: 4xx",
                      headers={"Sec-WebSocket-Key": "not base64 at all!!!!!!"}),
        HandshakeCase("0.10", "Sec-WebSocket-Key given twice: 4xx",
                      extra_lines=[f"Sec-WebSocket-Key: {good_key}"]),
        HandshakeCase("0.11", "no Upgrade header: 4xx", headers={"Upgrade": None}),
        HandshakeCase("0.12", "Upgrade: h2c: 4xx", headers={"Upgrade": "h2c"}),
        HandshakeCase("0.13", "Connection: keep-alive (no upgrade token): 4xx",
                      headers={"Connection": "keep-alive"}),
        HandshakeCase("0.14", "method POST: 4xx", request={"method": "POST"}),
        HandshakeCase("0.15", "HTTP/1.0: 4xx", request={"http_version": "HTTP/1.0"}),
        HandshakeCase("0.16", "no Host header: 4xx", headers={"Host": None}),
        HandshakeCase("0.17", "permessage-deflate offered, not enabled: upgraded without it",
                      headers={"Sec-WebSocket-Extensions": "permessage-deflate"},
                      expect=UPGRADED),
    ]
