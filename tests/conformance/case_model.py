"""What a conformance case is, and how one is run and judged, in the manner of Autobahn|Testsuite:
the client sends its steps, then (unless the server is expected to fail the connection) closes
with 1000, answers the server's close, reads until the server ends the TCP connection, and
compares what came back with what the RFC asks for. Verdicts: OK, NON-STRICT (allowed by the
RFC but not its recommendation, e.g. failing late or without a close frame), FAILED.

A case may offer an extension (permessage-deflate, RFC 7692): it judges the server's answer,
sends Message steps compressed when the answer accepted it, and compares the server's messages
after inflating them, each compressed or not as the case expects.
"""
import time
from dataclasses import dataclass, field

import ws_wire
from ws_wire import CLOSE, CONTINUATION, PING, PONG, RSV1

OK, NON_STRICT, FAILED = "OK", "NON-STRICT", "FAILED"


@dataclass
class Chop:
    """Bytes sent in writes of `size` bytes each (the server sees them arrive in pieces)."""
    data: bytes
    size: int


@dataclass
class AwaitClose:
    """A fail-fast point: the server should have failed the connection by now, before the rest
    of the steps are sent. Waits up to `seconds` for its close frame."""
    seconds: float = 1.0


@dataclass
class Message:
    """A data message as a client sends it: compressed (RSV1 on its first frame) when the
    connection negotiated permessage-deflate, else plain; in `frames` frames (the payload as
    sent split evenly), in writes of `write_size` bytes (0: one write)."""
    opcode: int
    payload: bytes
    frames: int = 1
    write_size: int = 0

    def encode(self, pmd):
        data = pmd.compress(self.payload) if pmd else self.payload
        step = -(-len(data) // self.frames) if data else 0
        pieces = [data[i * step:(i + 1) * step] for i in range(self.frames)]
        return b"".join(
            ws_wire.frame(self.opcode if i == 0 else CONTINUATION, piece,
                          fin=(i == self.frames - 1), rsv=RSV1 if pmd and i == 0 else 0)
            for i, piece in enumerate(pieces))


@dataclass
class Case:
    id: str
    description: str
    steps: list
    # What the server sends before its close frame: (opcode, payload) per message or control
    # frame, in order. Data messages are compared whole (a server may fragment them).
    expect: list = field(default_factory=list)
    # Acceptable close codes of the server's close frame (None: a close frame with no code).
    close: frozenset = frozenset({1000})
    # The server must fail the connection: the client sends no close of its own.
    fail: bool = False
    # Also acceptable, but NON-STRICT: what the server may send instead of `expect`.
    non_strict: list = None
    # Failing the connection without a close frame is OK here (the RFC says MAY, not SHOULD).
    drop_ok: bool = False
    # The steps hold no close of the client's: it closes with 1000 after them (in a fail case,
    # it answers the server's close instead). False when the steps hold the client's close.
    client_closes: bool = True
    # Sec-WebSocket-Extensions of the request (None: no such header).
    offer: str = None
    # Judges the response's Sec-WebSocket-Extensions (None when absent): (verdict, reason).
    negotiation: object = None
    # Per event of `expect`: whether it must come compressed (RSV1), True/False, None: either;
    # or a function of the negotiated ws_wire.PerMessageDeflate (None when not) giving that list.
    compressed: object = None

    def run(self, address, path, timeout):
        return run_case(address, path, self, timeout)


def echo_case(id, description, steps, messages, **kw):
    """A case whose messages the server echoes, each as (opcode, payload)."""
    return Case(id, description, steps, expect=list(messages), **kw)


def fail_case(id, description, steps, code=1002, before=(), **kw):
    """A case in which the server must fail the connection with `code` after echoing `before`."""
    return Case(id, description, steps, expect=list(before), close=frozenset({code}), fail=True,
                **kw)


def _shown(events, limit=3):
    parts = [repr(ws_wire.ServerFrame(True, 0, op, payload, None)) for op, payload in events]
    more = f" and {len(parts) - limit} more" if len(parts) > limit else ""
    return "[" + ", ".join(parts[:limit]) + more + "]"


class _Reader:
    """The server's frames as events: control frames as they come, data messages reassembled."""

    def __init__(self, conn):
        self.conn = conn
        self.events = []          # (opcode, payload) before the close frame
        self.close_frame = None
        self.after_close = []     # anything sent after the close frame (must stay empty)
        self.problems = []
        self.partial = None       # (opcode, payload so far, compressed) of a fragmented message
        self.compressed = []      # per event: whether it came compressed (RSV1)

    def _message(self, opcode, payload, compressed):
        if compressed:
            payload, problem = self.conn.pmd.inflate(payload)
            if problem:
                self.problems.append(problem)
                return
        self.events.append((opcode, payload))
        self.compressed.append(compressed)

    def read_one(self, deadline):
        """Reads one frame; False at end of stream."""
        got = self.conn.read_frame(deadline)
        if got is None:
            return False
        if got.problem:
            self.problems.append(got.problem)
        if self.close_frame is not None:
            self.after_close.append(got)
        elif got.opcode == CLOSE:
            self.close_frame = got
        elif got.opcode in (PING, PONG):
            self._message(got.opcode, got.payload, False)
        elif got.opcode == CONTINUATION:
            if self.partial is None:
                self.problems.append("server sent a continuation with no message started")
            else:
                self.partial = (self.partial[0], self.partial[1] + got.payload, self.partial[2])
                if got.fin:
                    self._message(*self.partial)
                    self.partial = None
        else:
            compressed = bool(got.rsv & RSV1) and self.conn.pmd is not None
            if got.fin:
                self._message(got.opcode, got.payload, compressed)
            else:
                self.partial = (got.opcode, got.payload, compressed)
        return True


def _send_steps(conn, reader, case, deadline):
    """Sends the steps; returns the fail-fast points the server missed (it closed late)."""
    missed = []
    for step in case.steps:
        if isinstance(step, AwaitClose):
            wait_until = min(deadline, time.monotonic() + step.seconds)
            try:
                while reader.close_frame is None and reader.read_one(wait_until):
                    pass
            except ws_wire.Timeout:
                missed.append(step)
            continue
        if isinstance(step, Message):
            data = step.encode(conn.pmd)
            size = step.write_size or len(data) or 1
        elif isinstance(step, Chop):
            data, size = step.data, step.size
        else:
            data, size = step, len(step) or 1
        for at in range(0, len(data), size):
            if not conn.send(data[at:at + size]):
                return missed
    return missed


def run_case(address, path, case, timeout):
    """(verdict, reason) of one case against a fresh connection to `path`."""
    deadline = time.monotonic() + timeout
    try:
        conn = ws_wire.open_websocket(address, path, timeout, offer=case.offer)
    except (OSError, RuntimeError, ws_wire.Timeout) as error:
        return FAILED, f"could not connect: {error}"
    try:
        return _judge(conn, case, deadline)
    finally:
        conn.close()


def _judge(conn, case, deadline):
    non_strict = []
    if case.negotiation is not None:
        verdict, reason = case.negotiation(conn.extensions)
        if verdict == FAILED:
            return FAILED, reason
        if verdict == NON_STRICT:
            non_strict.append(reason)
    reader = _Reader(conn)
    missed = _send_steps(conn, reader, case, deadline)
    sent_close = not case.client_closes
    if not case.fail and case.client_closes:
        conn.send(ws_wire.close_frame(1000))
        sent_close = True
    timed_out = False
    try:
        while True:
            had_close = reader.close_frame is not None
            if not reader.read_one(deadline):
                break
            # The server's close, not an answer to ours: answer it, as a client must (§5.5.1).
            if not had_close and reader.close_frame is not None and not sent_close:
                code = reader.close_frame.close_code()
                conn.send(ws_wire.close_frame(code if code not in (None, 1005, 1006) else 1000))
                sent_close = True
    except ws_wire.Timeout:
        timed_out = True

    if reader.problems:
        return FAILED, reader.problems[0]
    if reader.after_close:
        return FAILED, f"sent {reader.after_close[0]!r} after its close frame (RFC 6455 §5.5.1)"
    if reader.events != case.expect:
        if case.non_strict is not None and reader.events == case.non_strict:
            non_strict.append(f"sent {_shown(reader.events)} rather than {_shown(case.expect)}")
        else:
            return FAILED, f"sent {_shown(reader.events)}, expected {_shown(case.expect)}"
    elif case.compressed is not None:
        wanted = case.compressed(conn.pmd) if callable(case.compressed) else case.compressed
        for n, (want, got) in enumerate(zip(wanted, reader.compressed), 1):
            if want is not None and want != got:
                return FAILED, (f"sent message {n} of {len(reader.events)} "
                                f"{'compressed' if got else 'uncompressed'} (RSV1={int(got)}), "
                                f"expected it {'compressed' if want else 'uncompressed'}")
    if reader.close_frame is None:
        if timed_out:
            return FAILED, "no close frame and the connection still open at the case's deadline"
        if not case.fail:
            return FAILED, "ended the TCP connection without a close frame"
        if not case.drop_ok:
            non_strict.append("failed the connection without a close frame (RFC 6455 §7.1.7)")
    else:
        code = reader.close_frame.close_code()
        if code not in case.close:
            wanted = ", ".join(str(c) for c in sorted(case.close, key=lambda c: c or 0))
            return FAILED, f"closed with {code}, expected {wanted}"
        if timed_out:
            non_strict.append("kept the TCP connection open after the close handshake "
                              "(RFC 6455 §7.1.1: the server closes it first)")
    if missed:
        non_strict.append("failed the connection late, not at the first invalid byte")
    if non_strict:
        return NON_STRICT, "; ".join(non_strict)
    return OK, ""
