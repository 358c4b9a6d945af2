"""RFC 6455 on the wire, byte by byte: client frames as the cases want them (also malformed ones),
server frames parsed strictly, the opening handshake, and reads that never wait past a deadline;
and permessage-deflate (RFC 7692) as a client does it once a response accepted it. Python 3
standard library only (zlib for DEFLATE).
"""
import base64
import hashlib
import os
import socket
import struct
import time
import zlib

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
        # The Sec-WebSocket-Extensions of the 101 response (None: no such header), and
        # permessage-deflate when that response accepted it.
        self.extensions = None
        self.pmd = None

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
        if rsv and self.pmd is None:
            problem = f"server frame has RSV bits {rsv:03b} without an extension (RFC 6455 §5.2)"
        elif rsv & ~(RSV1 if opcode in (TEXT, BINARY) else 0):
            problem = (f"server frame (opcode {opcode}) has RSV bits {rsv:03b}: permessage-deflate "
                       "sets RSV1 on the first frame of a message only (RFC 7692 §6)")
        if opcode >= 0x8 and (not fin or size > 125):
            problem = "server control frame fragmented or over 125 bytes (RFC 6455 §5.5)"
        return ServerFrame(bool(fin), rsv, opcode, payload, problem)


def open_websocket(address, path, timeout, offer=None):
    """A connection whose opening handshake succeeded; raises RuntimeError otherwise. `offer`:
    the Sec-WebSocket-Extensions the client sends (None: none); when the response selects
    permessage-deflate, conn.pmd compresses and inflates as that response says."""
    conn = Connection(address, timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    headers = {"Sec-WebSocket-Extensions": offer} if offer is not None else None
    conn.send(handshake_request(path, f"{address[0]}:{address[1]}", key, headers=headers))
    answer = conn.read_http_response(time.monotonic() + timeout)
    if answer is None or answer[0] != 101:
        conn.close()
        raise RuntimeError(f"opening handshake failed: {answer}")
    if answer[1].get("sec-websocket-accept") != expected_accept(key):
        conn.close()
        raise RuntimeError("wrong Sec-WebSocket-Accept")
    conn.extensions = answer[1].get("sec-websocket-extensions")
    selected = parse_extensions(conn.extensions or "")
    if selected and selected[0][0] == "permessage-deflate":
        conn.pmd = PerMessageDeflate(dict(selected[0][1]))
    return conn


# --- permessage-deflate (RFC 7692) ---

# A sync flush ends with an empty stored block, which the sender removes and the receiver puts
# back (RFC 7692 §7.2.1, §7.2.2).
SYNC_TAIL = b"\x00\x00\xff\xff"


def parse_extensions(value):
    """Sec-WebSocket-Extensions as [(name, [(param, value or None), ...]), ...], names and
    params in lower case, quoted values unquoted (RFC 6455 §9.1). Duplicates are kept."""
    def split(text, separator):
        parts, current, quoted = [], "", False
        for char in text:
            if char == '"':
                quoted = not quoted
            if char == separator and not quoted:
                parts.append(current)
                current = ""
            else:
                current += char
        return parts + [current]

    extensions = []
    for item in split(value, ","):
        pieces = [p.strip() for p in split(item, ";")]
        if not pieces[0]:
            continue
        params = []
        for piece in pieces[1:]:
            name, has_value, param_value = piece.partition("=")
            param_value = param_value.strip()
            if len(param_value) >= 2 and param_value[0] == param_value[-1] == '"':
                param_value = param_value[1:-1]
            params.append((name.strip().lower(), param_value if has_value else None))
        extensions.append((pieces[0].lower(), params))
    return extensions


def raw_deflater(window_bits=15, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, zdict=None):
    """A raw DEFLATE compressor whose back-references stay within 2^window_bits bytes. zlib has
    no raw 256-byte window: for 8 bits, literals only (Huffman only: no back-reference at all)."""
    if window_bits < 9:
        window_bits, strategy = 9, zlib.Z_HUFFMAN_ONLY
    args = (level, zlib.DEFLATED, -window_bits, 8, strategy) + ((zdict,) if zdict else ())
    return zlib.compressobj(*args)


def deflate_message(payload, deflater=None, **kw):
    """The payload of a compressed message (RFC 7692 §7.2.1): DEFLATE with a sync flush, its
    trailing 00 00 FF FF removed. `deflater` keeps its context from earlier messages."""
    deflater = deflater or raw_deflater(**kw)
    data = deflater.compress(payload) + deflater.flush(zlib.Z_SYNC_FLUSH)
    return data[:-4] if data.endswith(SYNC_TAIL) else data


def _window_bits(value):
    """A response's window bits; 15 when absent or out of range (the case judges that)."""
    return int(value) if value and value.isdigit() and 8 <= int(value) <= 15 else 15


class PerMessageDeflate:
    """permessage-deflate as accepted by a response's parameters: the client compresses with the
    window client_max_window_bits allows, keeping its context across messages unless
    client_no_context_takeover; it inflates the server's messages with a window of
    server_max_window_bits, afresh for each one when server_no_context_takeover (RFC 7692 §7)."""

    def __init__(self, params):
        self.params = params
        self.client_window = _window_bits(params.get("client_max_window_bits"))
        self.server_window = _window_bits(params.get("server_max_window_bits"))
        self.client_takeover = "client_no_context_takeover" not in params
        self.server_takeover = "server_no_context_takeover" not in params
        self._deflater = None
        self._inflater = None

    def compress(self, payload):
        if self._deflater is None or not self.client_takeover:
            self._deflater = raw_deflater(self.client_window)
        return deflate_message(payload, self._deflater)

    def inflate(self, payload):
        """(the message, None), or (None, what is wrong) when it does not inflate."""
        if self._inflater is None or not self.server_takeover:
            self._inflater = zlib.decompressobj(-self.server_window)
        fresh = "a fresh inflater" if not self.server_takeover else "the connection's inflater"
        try:
            return self._inflater.decompress(payload + SYNC_TAIL), None
        except zlib.error as error:
            return None, (f"a compressed message ({len(payload)} bytes) does not inflate with "
                          f"{fresh} and a {self.server_window}-bit window: {error} (RFC 7692 §7)")
