"""RFC 6455 on the wire, byte by byte: client frames as the cases want them (also malformed ones),
server frames parsed strictly, the opening handshake, and reads that never wait past a deadline.
Python 3 standard library only.
"""
import base64
import hashlib
import os
import socket
import struct
import time

# Opcodes (RFC 6455 §5.2, §11.8).
CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
RSV1, RSV2, RSV3 = 0x4, 0x2, 0x1

# The GUID a server appends to the key for Sec-WebSocket-Accept (RFC 6455 §1.3).
ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, mask_key=None, length=None):
    """One client frame. `rsv` is a combination of RSV1..RSV3; `length` overrides the payload
    length the header announces (for frames that lie about it)."""
    if isinstance(payload, str):
        payload = payload.encode()
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    size = len(payload) if length is None else length
    mask_bit = 0x80 if mask else 0
    if size < 126:
        header = struct.pack("!BB", first, mask_bit | size)
    elif size <= 0xFFFF:
        header = struct.pack("!BBH", first, mask_bit | 126, size)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, size)
    if not mask:
        return header + payload
    key = os.urandom(4) if mask_key is None else mask_key
    return header + key + apply_mask(key, payload)


def apply_mask(key, data):
    """XOR with the 4-byte key (RFC 6455 §5.3); the same call masks and unmasks."""
    if not data:
        return b""
    repeated = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        len(data), "big")


def close_payload(code=None, reason=b""):
    """The body of a close frame: nothing, or a 2-byte code and a reason (RFC 6455 §5.5.1)."""
    if isinstance(reason, str):
        reason = reason.encode()
    return b"" if code is None else struct.pack("!H", code) + reason


def close_frame(code=None, reason=b""):
    return frame(CLOSE, close_payload(code, reason))


def text(payload, **kw):
    return frame(TEXT, payload, **kw)


def binary(payload, **kw):
    return frame(BINARY, payload, **kw)


class ServerFrame:
    """A frame the server sent, with what is wrong with it (None when nothing is)."""

    def __init__(self, fin, rsv, opcode, payload, problem):
        self.fin, self.rsv, self.opcode, self.payload, self.problem = (
            fin, rsv, opcode, payload, problem)

    def close_code(self):
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    def __repr__(self):
        shown = self.payload if len(self.payload) <= 40 else (
            self.payload[:20] + b"..." + str(len(self.payload)).encode() + b" bytes")
        if self.opcode == CLOSE:
            return f"close({self.close_code()}, {self.payload[2:]!r})"
        name = {TEXT: "text", BINARY: "binary", PING: "ping", PONG: "pong",
                CONTINUATION: "continuation"}.get(self.opcode, f"opcode {self.opcode}")
        return f"{name}({shown!r}{'' if self.fin else ', fin=0'})"


def handshake_request(path, host, key=None, headers=None, version="13", method="GET",
                      http_version="HTTP/1.1"):
    """An upgrade request; `headers` adds to or (with a None value) removes the usual ones."""
    fields = {
        "Host": host,
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key if key is not None else base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": version,
    }
    for name, value in (headers or {}).items():
        fields.pop(name, None)
        if value is not None:
            fields[name] = value
    lines = [f"{method} {path} {http_version}"] + [
        f"{name}: {value}" for name, value in fields.items() if value is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def expected_accept(key):
    return base64.b64encode(hashlib.sha1(key.encode() + ACCEPT_GUID).digest()).decode()


class Timeout(Exception):
    pass


class Connection:
    """A TCP connection to the server with a receive buffer; every read has a deadline."""

    def __init__(self, address, timeout):
        self.sock = socket.create_connection(address, timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.eof = False

    def close(self):
        self.sock.close()

    def send(self, data):
        """Sends all of `data`; False when the server has already shut the connection."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def _fill(self, deadline):
        """Reads more bytes; False at end of stream (a reset counts as one)."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout()
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            raise Timeout() from None
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def _take(self, size, deadline):
        while len(self.buffer) < size:
            if not self._fill(deadline):
                return None
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_http_response(self, deadline):
        """(status, {lower-case name: value}) of the response head, or None at end of stream."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill(deadline):
                return None
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return status, headers

    def read_frame(self, deadline):
        """The next server frame, or None at end of stream. Raises Timeout past `deadline`."""
        head = self._take(2, deadline)
        if head is None:
            return None
        fin, rsv, opcode = head[0] >> 7, (head[0] >> 4) & 0x7, head[0] & 0xF
        masked, size = head[1] >> 7, head[1] & 0x7F
        problem = None
        if size == 126:
            raw = self._take(2, deadline)
            if raw is None:
                return None
            size = struct.unpack("!H", raw)[0]
            if size < 126:
                problem = "16-bit length used for a length below 126 (RFC 6455 §5.2)"
        elif size == 127:
            raw = self._take(8, deadline)
            if raw is None:
                return None
            size = struct.unpack("!Q", raw)[0]
            if size <= 0xFFFF:
                problem = "64-bit length used for a length below 65536 (RFC 6455 §5.2)"
        key = self._take(4, deadline) if masked else None
        payload = self._take(size, deadline)
        if payload is None:
            return None
        if masked:
            payload = apply_mask(key, payload)
            problem = "server frame is masked (RFC 6455 §5.1)"
        if rsv:
            problem = f"server frame has RSV bits {rsv:03b} without an extension (RFC 6455 §5.2)"
        if opcode >= 0x8 and (not fin or size > 125):
            problem = "server control frame fragmented or over 125 bytes (RFC 6455 §5.5)"
        return ServerFrame(bool(fin), rsv, opcode, payload, problem)


def open_websocket(address, path, timeout):
    """A connection whose opening handshake succeeded; raises RuntimeError otherwise."""
    conn = Connection(address, timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    conn.send(handshake_request(path, f"{address[0]}:{address[1]}", key))
    answer = conn.read_http_response(time.monotonic() + timeout)
    if answer is None or answer[0] != 101:
        conn.close()
        raise RuntimeError(f"opening handshake failed: {answer}")
    if answer[1].get("sec-websocket-accept") != expected_accept(key):
        conn.close()
        raise RuntimeError("wrong Sec-WebSocket-Accept")
    return conn
