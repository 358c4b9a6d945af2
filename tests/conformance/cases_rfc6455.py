"""The RFC 6455 cases without extensions, grouped and numbered like Autobahn|Testsuite's 1-10:
framing, pings and pongs, reserved bits, opcodes, fragmentation, UTF-8, close handling, limits
and miscellany (Autobahn has no groups 8 and 11). The server echoes every message.
`cases(limit)` builds them for a server whose max_message_bytes is `limit`.
"""
from case_model import AwaitClose, Case, Chop, fail_case, echo_case
from ws_wire import (BINARY, CLOSE, CONTINUATION, PING, PONG, RSV1, RSV2, RSV3, TEXT, binary,
                     close_frame, close_payload, frame, text)

HELLO = b"Hello, world!"
# Autobahn's UTF-8 sample: one-, two- and three-byte sequences.
HELLO_UTF8 = "Hello-µ@ßöäüàá-UTF-8!!".encode()
KOSME = bytes.fromhex("cebae1bdb9cf83cebcceb5")  # "κόσμε"


def fragments(opcode, pieces, **kw):
    """One message as consecutive frames, one per piece (the first with `opcode`)."""
    return b"".join(
        frame(opcode if i == 0 else CONTINUATION, piece, fin=(i == len(pieces) - 1), **kw)
        for i, piece in enumerate(pieces))


def per_byte(payload):
    return [payload[i:i + 1] for i in range(len(payload))] or [b""]


def framing():
    cases = []
    sizes = [0, 125, 126, 127, 128, 65535, 65536]
    for group, opcode, kind in ((1, TEXT, "text"), (2, BINARY, "binary")):
        for n, size in enumerate(sizes, 1):
            payload = b"*" * size if opcode == TEXT else bytes([0xFE]) * size
            cases.append(echo_case(f"1.{group}.{n}", f"{kind} message, payload {size}",
                                   [frame(opcode, payload)], [(opcode, payload)]))
        payload = b"*" * 65536 if opcode == TEXT else bytes([0xFE]) * 65536
        cases.append(echo_case(f"1.{group}.8", f"{kind} message, payload 65536, in 997-byte writes",
                               [Chop(frame(opcode, payload), 997)], [(opcode, payload)]))
    cases += [
        echo_case("1.3.1", "mask key 00000000", [text(HELLO, mask_key=b"\0\0\0\0")],
                  [(TEXT, HELLO)]),
        echo_case("1.3.2", "mask key FFFFFFFF", [text(HELLO, mask_key=b"\xff" * 4)],
                  [(TEXT, HELLO)]),
        echo_case("1.3.3", "frame header and payload in 1-byte writes", [Chop(text(HELLO), 1)],
                  [(TEXT, HELLO)]),
        fail_case("1.3.4", "unmasked client frame (§5.1: the server must close)",
                  [text(HELLO, mask=False)], drop_ok=True),
        # Such a length is both invalid and over max_message_bytes: either code is right.
        Case("1.3.5", "64-bit length with its most significant bit set (§5.2): 1002 or 1009",
             [frame(BINARY, b"", length=1 << 63), AwaitClose()], close=frozenset({1002, 1009}),
             fail=True),
    ]
    return cases


def pings():
    ten_pings = [frame(PING, b"ping %d" % i) for i in range(10)]
    ping_p = frame(PING, b"p")
    return [
        echo_case("2.1", "ping, no payload", [frame(PING)], [(PONG, b"")]),
        echo_case("2.2", "ping, small text payload", [frame(PING, HELLO)], [(PONG, HELLO)]),
        echo_case("2.3", "ping, small binary payload", [frame(PING, b"\x00\xff\xfe\xfd\xfc")],
                  [(PONG, b"\x00\xff\xfe\xfd\xfc")]),
        echo_case("2.4", "ping, payload 125", [frame(PING, b"\xfe" * 125)],
                  [(PONG, b"\xfe" * 125)]),
        fail_case("2.5", "ping, payload 126 (§5.5: control frames carry at most 125)",
                  [frame(PING, b"\xfe" * 126)]),
        echo_case("2.6", "ping, payload 125, in 1-byte writes", [Chop(frame(PING, b"x" * 125), 1)],
                  [(PONG, b"x" * 125)]),
        echo_case("2.7", "unsolicited pong, no payload", [frame(PONG)], []),
        echo_case("2.8", "unsolicited pong, with payload", [frame(PONG, b"unsolicited")], []),
        echo_case("2.9", "unsolicited pong, then ping", [frame(PONG, b"x"), frame(PING, HELLO)],
                  [(PONG, HELLO)]),
        echo_case("2.10", "10 pings in one write", [b"".join(ten_pings)],
                  [(PONG, b"ping %d" % i) for i in range(10)]),
        echo_case("2.11", "10 pings in 1-byte writes", [Chop(b"".join(ten_pings), 1)],
                  [(PONG, b"ping %d" % i) for i in range(10)]),
        echo_case("2.12", "ping between two text messages",
                  [text(b"one"), frame(PING, b"p"), text(b"two")],
                  [(TEXT, b"one"), (PONG, b"p"), (TEXT, b"two")]),
        # Between messages wsedge answers pings itself, before Beast: the same rules must hold
        # however a ping's bytes arrive.
        fail_case("2.13", "ping, payload 126, in 1-byte writes",
                  [Chop(frame(PING, b"x" * 126), 1)]),
        fail_case("2.14", "pong, payload 126", [frame(PONG, b"x" * 126)]),
        fail_case("2.15", "unmasked ping (§5.1: the server must close)",
                  [frame(PING, HELLO, mask=False)], drop_ok=True),
        fail_case("2.16", "unmasked ping, in 1-byte writes",
                  [Chop(frame(PING, HELLO, mask=False), 1)], drop_ok=True),
        echo_case("2.17", "text and the first 3 bytes of a ping, then the rest of the ping",
                  [text(b"one") + ping_p[:3], ping_p[3:]], [(TEXT, b"one"), (PONG, b"p")]),
        echo_case("2.18", "ping and text in one write, in 1-byte writes",
                  [Chop(ping_p + text(b"one"), 1)], [(PONG, b"p"), (TEXT, b"one")]),
    ]


def reserved_bits():
    echo_then_fail = dict(before=[(TEXT, HELLO)], non_strict=[])
    return [
        fail_case("3.1", "text with RSV1 set", [text(HELLO, rsv=RSV1)]),
        fail_case("3.2", "text, then text with RSV2, then ping",
                  [text(HELLO), text(HELLO, rsv=RSV2), frame(PING, HELLO)], **echo_then_fail),
        fail_case("3.3", "text, then text with RSV3, then ping, in 1-byte writes",
                  [Chop(text(HELLO) + text(HELLO, rsv=RSV3) + frame(PING, HELLO), 1)],
                  **echo_then_fail),
        fail_case("3.4", "text, then text with RSV1+RSV2, then ping",
                  [text(HELLO), text(HELLO, rsv=RSV1 | RSV2), frame(PING, HELLO)],
                  **echo_then_fail),
        fail_case("3.5", "binary with RSV1+RSV3", [binary(b"\xff" * 8, rsv=RSV1 | RSV3)]),
        fail_case("3.6", "ping with RSV2+RSV3", [frame(PING, HELLO, rsv=RSV2 | RSV3)]),
        fail_case("3.7", "close with RSV1+RSV2+RSV3",
                  [frame(CLOSE, close_payload(1000), rsv=RSV1 | RSV2 | RSV3)]),
        fail_case("3.8", "continuation with RSV1 inside a fragmented text",
                  [text(b"frag", fin=False) + frame(CONTINUATION, b"ment", rsv=RSV1)]),
    ]


def opcodes():
    cases = []
    for group, codes in ((1, (3, 4, 5, 6, 7)), (2, (11, 12, 13, 14, 15))):
        kind = "non-control" if group == 1 else "control"
        for n, op in enumerate(codes, 1):
            if n <= 2:
                steps = [frame(op, b"" if n == 1 else b"reserved")]
                cases.append(fail_case(f"4.{group}.{n}", f"reserved {kind} opcode {op}", steps))
                continue
            steps = [text(HELLO), frame(op, b"" if n == 3 else b"reserved"), frame(PING, HELLO)]
            if n == 5:
                steps = [Chop(b"".join(steps), 1)]
            cases.append(fail_case(
                f"4.{group}.{n}",
                f"text, then reserved {kind} opcode {op}, then ping"
                + (", in 1-byte writes" if n == 5 else ""),
                steps, before=[(TEXT, HELLO)], non_strict=[]))
    return cases


def fragmentation():
    two = fragments(TEXT, [b"fragment1", b"fragment2"])
    with_ping = (text(b"fragment1", fin=False) + frame(PING, b"ping")
                 + frame(CONTINUATION, b"fragment2"))
    five = [b"fragment%d" % i for i in range(1, 6)]
    five_with_pings = (text(five[0], fin=False) + frame(CONTINUATION, five[1], fin=False)
                       + frame(PING, b"p1") + frame(CONTINUATION, five[2], fin=False)
                       + frame(CONTINUATION, five[3], fin=False) + frame(PING, b"p2")
                       + frame(CONTINUATION, five[4]))
    lone_cont = frame(CONTINUATION, b"fragment2") + text(HELLO)
    lone_cont_open = frame(CONTINUATION, b"fragment1", fin=False) + frame(CONTINUATION, b"2")
    both = [(PONG, b"p1"), (PONG, b"p2"), (TEXT, b"".join(five))]
    return [
        fail_case("5.1", "ping in 2 fragments (§5.4: control frames are never fragmented)",
                  [frame(PING, b"frag", fin=False) + frame(CONTINUATION, b"ment")]),
        fail_case("5.2", "pong in 2 fragments",
                  [frame(PONG, b"frag", fin=False) + frame(CONTINUATION, b"ment")]),
        echo_case("5.3", "text in 2 fragments", [two], [(TEXT, b"fragment1fragment2")]),
        echo_case("5.4", "text in 2 fragments, 2 writes",
                  [text(b"fragment1", fin=False), frame(CONTINUATION, b"fragment2")],
                  [(TEXT, b"fragment1fragment2")]),
        echo_case("5.5", "text in 2 fragments, in 1-byte writes", [Chop(two, 1)],
                  [(TEXT, b"fragment1fragment2")]),
        echo_case("5.6", "text in 2 fragments, ping in between", [with_ping],
                  [(PONG, b"ping"), (TEXT, b"fragment1fragment2")]),
        echo_case("5.7", "text in 2 fragments, ping in between, in 1-byte writes",
                  [Chop(with_ping, 1)], [(PONG, b"ping"), (TEXT, b"fragment1fragment2")]),
        fail_case("5.8", "continuation (FIN) with no message started", [lone_cont]),
        fail_case("5.9", "continuation (FIN) with no message started, in 1-byte writes",
                  [Chop(lone_cont, 1)]),
        fail_case("5.10", "continuation (no FIN) with no message started", [lone_cont_open]),
        fail_case("5.11", "continuation (no FIN) with no message started, in 1-byte writes",
                  [Chop(lone_cont_open, 1)]),
        fail_case("5.12", "text in 2 fragments, then a continuation after the message ended",
                  [two + frame(CONTINUATION, b"fragment3", fin=False)
                   + frame(CONTINUATION, b"fragment4")],
                  before=[(TEXT, b"fragment1fragment2")], non_strict=[]),
        fail_case("5.13", "text (no FIN), then a new text (§5.4: data frame inside a message)",
                  [text(b"fragment1", fin=False) + text(b"fragment2")]),
        fail_case("5.14", "text (no FIN), then binary",
                  [text(b"fragment1", fin=False) + binary(b"fragment2")]),
        fail_case("5.15", "text (no FIN), then text (no FIN), then continuation",
                  [text(b"f1", fin=False) + text(b"f2", fin=False) + frame(CONTINUATION, b"f3")]),
        echo_case("5.16", "text in 5 fragments, 2 pings in between", [five_with_pings], both),
        echo_case("5.17", "text in 5 fragments, 2 pings in between, in 1-byte writes",
                  [Chop(five_with_pings, 1)], both),
        echo_case("5.18", "binary in 3 fragments, the first and last empty",
                  [fragments(BINARY, [b"", b"\x00\x01\x02", b""])],
                  [(BINARY, b"\x00\x01\x02")]),
        echo_case("5.19", "text in 100 fragments of 1 byte",
                  [fragments(TEXT, [b"x"] * 100)], [(TEXT, b"x" * 100)]),
        echo_case("5.20", "unsolicited pong inside a fragmented text",
                  [text(b"a", fin=False) + frame(PONG, b"u") + frame(CONTINUATION, b"b")],
                  [(TEXT, b"ab")]),
    ]


# UTF-8 sequences (Markus Kuhn's decoder test and the RFC 3629 boundaries), valid or not.
VALID_UTF8 = [
    ("κόσμε", KOSME),
    ("first 1-byte sequence U+0000", "00"), ("first 2-byte sequence U+0080", "c280"),
    ("first 3-byte sequence U+0800", "e0a080"), ("first 4-byte sequence U+10000", "f0908080"),
    ("last 1-byte sequence U+007F", "7f"), ("last 2-byte sequence U+07FF", "dfbf"),
    ("last 3-byte sequence U+FFFF", "efbfbf"), ("last 4-byte sequence U+10FFFF", "f48fbfbf"),
    ("U+D7FF (before the surrogates)", "ed9fbf"), ("U+E000 (after the surrogates)", "ee8080"),
    ("U+FFFD", "efbfbd"), ("noncharacter U+FFFE", "efbfbe"), ("noncharacter U+FDD0", "efb790"),
    ("noncharacter U+1FFFE", "f09fbfbe"), ("noncharacter U+10FFFE", "f48fbfbe"),
    ("emoji U+1F600", "f09f9880"), ("Autobahn sample", HELLO_UTF8),
]
INVALID_UTF8 = [
    ("U+D800 surrogate inside valid text", KOSME + bytes.fromhex("eda080") + b"edited"),
    ("first 5-byte sequence", "f888808080"), ("first 6-byte sequence", "fc8480808080"),
    ("last 5-byte sequence", "fbbfbfbfbf"), ("last 6-byte sequence", "fdbfbfbfbfbf"),
    ("U+110000 (beyond Unicode)", "f4908080"), ("F7 BF BF BF", "f7bfbfbf"),
    ("start byte F5", "f5808080"),
    ("lone continuation 80", "80"), ("lone continuation BF", "bf"),
    ("continuations 80 BF 80 BF", "80bf80bf"),
    ("2-byte start followed by a space", "c020"), ("3-byte start followed by a space", "e020"),
    ("4-byte start followed by a space", "f020"),
    ("2-byte sequence without its last byte", "c2"), ("3-byte sequence without its last byte",
                                                      "e1bd"),
    ("4-byte sequence without its last byte", "f09080"), ("last 3-byte sequence cut", "efbf"),
    ("impossible byte FE", "fe"), ("impossible byte FF", "ff"), ("FE FE FF FF", "fefeffff"),
    ("overlong '/' in 2 bytes", "c0af"), ("overlong '/' in 3 bytes", "e080af"),
    ("overlong '/' in 4 bytes", "f08080af"), ("overlong '/' in 5 bytes", "f8808080af"),
    ("largest overlong 2-byte C1 BF", "c1bf"), ("largest overlong 3-byte E0 9F BF", "e09fbf"),
    ("largest overlong 4-byte F0 8F BF BF", "f08fbfbf"), ("overlong NUL C0 80", "c080"),
    ("surrogate U+D800", "eda080"), ("surrogate U+DB7F", "edadbf"), ("surrogate U+DB80",
                                                                      "edae80"),
    ("surrogate U+DBFF", "edafbf"), ("surrogate U+DC00", "edb080"), ("surrogate U+DF80",
                                                                      "edbe80"),
    ("surrogate U+DFFF", "edbfbf"), ("surrogate pair U+D800 U+DC00", "eda080edb080"),
    ("surrogate pair U+DBFF U+DFFF", "edafbfedbfbf"),
    ("valid text, then a truncated sequence at the end", HELLO + bytes.fromhex("e282")),
]


def _as_bytes(value):
    return bytes.fromhex(value) if isinstance(value, str) else value


def utf8():
    cases = [
        echo_case("6.1.1", "empty text", [text(b"")], [(TEXT, b"")]),
        echo_case("6.1.2", "text of 3 empty fragments", [fragments(TEXT, [b"", b"", b""])],
                  [(TEXT, b"")]),
        echo_case("6.1.3", "text: empty, 'middle', empty fragments",
                  [fragments(TEXT, [b"", b"middle", b""])], [(TEXT, b"middle")]),
        echo_case("6.2.1", "valid UTF-8 in one frame", [text(HELLO_UTF8)], [(TEXT, HELLO_UTF8)]),
        echo_case("6.2.2", "valid UTF-8 in 2 fragments split at a code point",
                  [fragments(TEXT, [HELLO_UTF8[:7], HELLO_UTF8[7:]])], [(TEXT, HELLO_UTF8)]),
        echo_case("6.2.3", "valid UTF-8, one byte per fragment (code points split)",
                  [fragments(TEXT, per_byte(HELLO_UTF8))], [(TEXT, HELLO_UTF8)]),
        echo_case("6.2.4", "κόσμε, one byte per fragment", [fragments(TEXT, per_byte(KOSME))],
                  [(TEXT, KOSME)]),
        fail_case("6.3.1", "invalid UTF-8 (a surrogate) in one frame",
                  [text(INVALID_UTF8[0][1])], code=1007),
        fail_case("6.3.2", "invalid UTF-8 (a surrogate), one byte per fragment",
                  [fragments(TEXT, per_byte(INVALID_UTF8[0][1]))], code=1007),
        fail_case("6.3.3", "invalid UTF-8 split across fragments: E1 BD | 28",
                  [fragments(TEXT, [b"ab\xe1\xbd", b"\x28cd"])], code=1007),
        fail_case("6.3.4", "message ending inside a sequence: 'ab' E2 | 82",
                  [fragments(TEXT, [b"ab\xe2", b"\x82"])], code=1007),
        echo_case("6.3.5", "a sequence split across fragments: E2 | 82 AC (the euro sign)",
                  [fragments(TEXT, [b"ab\xe2", b"\x82\xac"])], [(TEXT, b"ab\xe2\x82\xac")]),
    ]
    # Fail-fast: the server should fail at the invalid byte, not at the message's end.
    valid_head, bad = KOSME, bytes.fromhex("f4908080")
    invalid_frame = text(valid_head + bad + b"x" * 40)
    cases += [
        fail_case("6.4.1", "fail-fast: invalid first fragment, the rest sent after a pause",
                  [text(valid_head + bad, fin=False), AwaitClose(),
                   frame(CONTINUATION, b"edited")], code=1007),
        fail_case("6.4.2", "fail-fast: invalid bytes early in a frame, its rest after a pause",
                  [invalid_frame[:-40], AwaitClose(), invalid_frame[-40:]], code=1007),
        fail_case("6.4.3", "fail-fast: invalid in the second of 3 fragments",
                  [text(valid_head, fin=False) + frame(CONTINUATION, bad, fin=False),
                   AwaitClose(), frame(CONTINUATION, b"edited")], code=1007),
    ]
    for n, (what, value) in enumerate(VALID_UTF8, 1):
        payload = _as_bytes(value)
        cases.append(echo_case(f"6.5.{n}", f"valid: {what}", [text(payload)], [(TEXT, payload)]))
        cases.append(echo_case(f"6.6.{n}", f"valid, one byte per fragment: {what}",
                               [fragments(TEXT, per_byte(payload))], [(TEXT, payload)]))
    for n, (what, value) in enumerate(INVALID_UTF8, 1):
        payload = _as_bytes(value)
        cases.append(fail_case(f"6.7.{n}", f"invalid: {what}", [text(payload)], code=1007))
        cases.append(fail_case(f"6.8.{n}", f"invalid, one byte per fragment: {what}",
                               [fragments(TEXT, per_byte(payload))], code=1007))
    return cases


def close_handling(limit):
    valid_codes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 3999,
                   4000, 4999]
    # §7.4.1 reserves 1004-1006 and 1015 and forbids them on the wire; §7.4.2 leaves 0-999
    # unused and 1016-2999 to future RFCs; 5000 and up are not defined at all.
    invalid_codes = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]
    big = b"*" * (limit // 4)
    client_closes = dict(client_closes=False)
    cases = [
        echo_case("7.1.1", "text, then close", [text(HELLO), close_frame(1000)],
                  [(TEXT, HELLO)], **client_closes),
        echo_case("7.1.2", "close twice: one close back, nothing after",
                  [close_frame(1000), close_frame(1000)], [], **client_closes),
        echo_case("7.1.3", "close, then ping: no pong", [close_frame(1000), frame(PING, b"p")],
                  [], **client_closes),
        echo_case("7.1.4", "close, then text: no echo", [close_frame(1000), text(HELLO)], [],
                  **client_closes),
        echo_case("7.1.5", "text fragment, close, continuation: close only",
                  [text(b"fragment1", fin=False), close_frame(1000),
                   frame(CONTINUATION, b"fragment2")], [], **client_closes),
        echo_case("7.1.6", f"text of {len(big)} bytes, ping, text, close in one write: "
                  "all answered before the close",
                  [text(big) + frame(PING, b"p") + text(HELLO) + close_frame(1000)],
                  [(TEXT, big), (PONG, b"p"), (TEXT, HELLO)], **client_closes),
        Case("7.3.1", "close with no payload", [close_frame()], close=frozenset({None, 1000}),
             client_closes=False),
        fail_case("7.3.2", "close with a 1-byte payload", [frame(CLOSE, b"\x03")],
                  client_closes=False),
        Case("7.3.3", "close 1000, no reason", [close_frame(1000)], client_closes=False),
        Case("7.3.4", "close 1000 with a reason", [close_frame(1000, "Hello World!")],
             client_closes=False),
        Case("7.3.5", "close 1000 with a 123-byte reason (payload 125)",
             [close_frame(1000, "*" * 123)], client_closes=False),
        fail_case("7.3.6", "close 1000 with a 124-byte reason (payload 126)",
                  [close_frame(1000, "*" * 124)], client_closes=False),
        # The reason is not a message: 1007 (§7.4.1, "inconsistent data") or 1002 both fit,
        # and Autobahn's 7.5.1 accepts either.
        Case("7.5.1", "close 1000 with an invalid UTF-8 reason: 1007 or 1002",
             [close_frame(1000, KOSME + bytes.fromhex("eda080") + b"edited")],
             close=frozenset({1007, 1002}), fail=True, client_closes=False),
        Case("7.5.2", "close 1000 with a valid UTF-8 reason", [close_frame(1000, HELLO_UTF8)],
             client_closes=False),
    ]
    for n, code in enumerate(valid_codes, 1):
        cases.append(Case(f"7.7.{n}", f"close with valid code {code}: echoed (or 1000)",
                          [close_frame(code)], close=frozenset({code, 1000}), client_closes=False))
    # 1014 was registered with IANA after RFC 6455; a server may know it or not.
    cases.append(Case(f"7.7.{len(valid_codes) + 1}", "close 1014 (registered after the RFC): "
                      "echoed, 1000 or 1002", [close_frame(1014)],
                      close=frozenset({1014, 1000, 1002}), client_closes=False))
    for n, code in enumerate(invalid_codes, 1):
        cases.append(fail_case(f"7.9.{n}", f"close with invalid code {code}",
                               [close_frame(code)], client_closes=False))
    return cases


def limits(limit):
    """Messages up to max_message_bytes (`limit`) are echoed; one byte more closes with 1009."""
    kib = 1024
    at_limit = b"*" * limit
    over = b"*" * (limit + 1)
    many = [b"message %d" % i for i in range(1000)]
    return [
        echo_case("9.1.1", "text of 64 KiB", [text(b"*" * (64 * kib))],
                  [(TEXT, b"*" * (64 * kib))]),
        echo_case("9.1.2", f"text of {limit} bytes (max_message_bytes)", [text(at_limit)],
                  [(TEXT, at_limit)]),
        echo_case("9.2.1", f"binary of {limit} bytes", [binary(at_limit)], [(BINARY, at_limit)]),
        echo_case("9.3.1", f"text of {limit} bytes in 16 KiB fragments",
                  [fragments(TEXT, [at_limit[i:i + 16 * kib] for i in range(0, limit, 16 * kib)])],
                  [(TEXT, at_limit)]),
        echo_case("9.3.2", f"binary of {limit} bytes in 256-byte fragments",
                  [fragments(BINARY, [at_limit[i:i + 256] for i in range(0, limit, 256)])],
                  [(BINARY, at_limit)]),
        echo_case("9.5.1", f"text of {limit} bytes in 64-byte writes", [Chop(text(at_limit), 64)],
                  [(TEXT, at_limit)]),
        echo_case("9.7.1", "1000 small text messages in one write",
                  [b"".join(text(m) for m in many)], [(TEXT, m) for m in many]),
        echo_case("9.8.1", "1000 small binary messages, one write each",
                  [binary(m) for m in many], [(BINARY, m) for m in many]),
        fail_case("9.9.1", f"text of {limit + 1} bytes (one over max_message_bytes)",
                  [text(over)], code=1009),
        fail_case("9.9.2", f"text of {limit + 1} bytes in 2 fragments",
                  [fragments(TEXT, [over[:limit // 2], over[limit // 2:]])], code=1009),
        fail_case("9.9.3", "a frame announcing 2^62 bytes: failed at its header",
                  [frame(BINARY, b"", length=1 << 62), AwaitClose(), b"\0" * 1024], code=1009),
    ]


def misc():
    payload = b"*" * 65536
    return [
        echo_case("10.1.1", "text of 65536 bytes in 1300-byte fragments",
                  [fragments(TEXT, [payload[i:i + 1300] for i in range(0, len(payload), 1300)])],
                  [(TEXT, payload)]),
        echo_case("10.1.2", "text and binary alternating, 20 messages",
                  [text(b"t%d" % i) if i % 2 == 0 else binary(b"b%d" % i) for i in range(20)],
                  [(TEXT, b"t%d" % i) if i % 2 == 0 else (BINARY, b"b%d" % i)
                   for i in range(20)]),
    ]


def cases(limit):
    return (framing() + pings() + reserved_bits() + opcodes() + fragmentation() + utf8()
            + close_handling(limit) + limits(limit) + misc())
