"""permessage-deflate (RFC 7692) against wsedge started with --permessage_deflate=true, numbered in
the manner of Autobahn|Testsuite: 12 = echoes of compressed messages of several kinds and sizes;
13 = the same under other client offers (context takeover, window bits, several offers); 14 =
what Autobahn leaves out: the server's answer to each kind of offer, the forms a compressed
message may take on the wire, and the failures RFC 7692 asks for; 15 = compression_min_bytes at
its default (a table of its own, `min_bytes_cases`).

The client compresses each message as the server's answer allows (with context takeover unless
it said client_no_context_takeover, within client_max_window_bits) and inflates what comes back.
On top of the RFC, wsedge's design: it always answers server_no_context_takeover and deflates
every message on its own, so each compressed message it sends must inflate with a fresh
inflater; it sends plain frames to a client that asked for a window below 15 bits; and it sends
a message plain when deflating does not make it smaller or it is under compression_min_bytes.
`cases(limit)` builds them for a server whose max_message_bytes is `limit`.
"""
import functools
import random
import zlib

from case_model import FAILED, NON_STRICT, OK, AwaitClose, Case, Message
from ws_wire import (BINARY, CLOSE, CONTINUATION, PING, PONG, RSV1, RSV2, RSV3, TEXT, binary,
                     close_payload, deflate_message, frame, parse_extensions, raw_deflater, text)

OFFER = "permessage-deflate"
# wsedge's default compression_level: what the expected RSV1 of an echo is worked out with.
SERVER_LEVEL = 6
ACCEPT, DECLINE, EITHER = "accept", "decline", "either"

# --- Message contents, the same for every run (seeded) ---

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "lobby", "room", "presence", "join",
         "leave", "hello", "world", "message", "typing", "update", "edge", "shard", "member"]
UTF8_WORDS = ["κόσμε", "Grüße", "naïve", "日本語", "Ελληνικά", "😀", "Привет", "mañana", "façade",
              "edge", "room", "€", "µ@ßöäüàá"]


def json_like(size, rng):
    """ASCII text shaped like the JSON events of a chat room."""
    out, length = [], 0
    while length < size:
        record = ('{"id":%d,"room":"%s-%d","user":"user-%d","type":"%s","text":"%s","ts":%d},'
                  % (rng.randrange(10 ** 6), rng.choice(WORDS), rng.randrange(50),
                     rng.randrange(1000), rng.choice(("message", "presence", "typing")),
                     " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 12))),
                     1700000000000 + rng.randrange(10 ** 9)))
        out.append(record)
        length += len(record)
    return "".join(out).encode()[:size]


def utf8_prose(size, rng):
    """Valid UTF-8 of one- to four-byte sequences, cut at a code point (so up to 3 bytes short)."""
    out, length = [], 0
    while length < size:
        word = rng.choice(UTF8_WORDS)
        out.append(word)
        length += len(word.encode()) + 1
    return " ".join(out).encode()[:size].decode(errors="ignore").encode()


def pattern(size, rng):
    unit = bytes(rng.randrange(256) for _ in range(37))
    return (unit * (size // len(unit) + 1))[:size]


def random_bytes(size, rng):
    return rng.randbytes(size)


def mixed(size, rng):
    """Random blocks of 64 bytes between JSON-like ones of 192: compresses a little."""
    out = b""
    while len(out) < size:
        out += rng.randbytes(64) + json_like(192, rng)
    return out[:size]


def messages_of(kind, opcode, size, count, seed):
    return [(opcode, kind(size, random.Random(f"{seed}.{i}"))) for i in range(count)]


# --- What the server's answer and its echoes must be ---

def deflated_size(payload):
    return len(deflate_message(payload, level=SERVER_LEVEL))


def server_compresses(payload, pmd, min_bytes=0):
    """Whether wsedge's echo of `payload` must come compressed (True), plain (False), or may be
    either (None: deflating saves too little to tell from here, e.g. another zlib version)."""
    if pmd is None or pmd.server_window < 15 or len(payload) < min_bytes:
        return False
    size = deflated_size(payload)
    if size >= len(payload):
        return False
    return True if size < 0.95 * len(payload) else None


def _valid_bits(value, empty_ok):
    if value is None:
        return empty_ok
    return value.isdigit() and not value.startswith("0") and 8 <= int(value) <= 15


def offer_problem(params):
    """Why a server must decline this permessage-deflate offer (RFC 7692 §5, §7.1), or None."""
    names = [name for name, _ in params]
    for name, value in params:
        if names.count(name) > 1:
            return f"{name} given twice"
        if name in ("server_no_context_takeover", "client_no_context_takeover"):
            if value is not None:
                return f"{name} with a value"
        elif name == "server_max_window_bits":
            if not _valid_bits(value, empty_ok=False):
                return f"server_max_window_bits={value}"
        elif name == "client_max_window_bits":
            if not _valid_bits(value, empty_ok=True):
                return f"client_max_window_bits={value}"
        else:
            return f"unknown parameter {name}"
    return None


def response_problem(params):
    """What makes the parameters of a permessage-deflate response invalid in themselves."""
    names = [name for name, _ in params]
    for name, value in params:
        if names.count(name) > 1:
            return f"{name} twice (RFC 7692 §5: the client must fail the connection)"
        if name in ("server_no_context_takeover", "client_no_context_takeover"):
            if value is not None:
                return f"{name}={value}: this parameter has no value (RFC 7692 §7.1.1)"
        elif name in ("server_max_window_bits", "client_max_window_bits"):
            if not _valid_bits(value, empty_ok=False):
                return f"{name}={value}: a response needs a value of 8 to 15 (RFC 7692 §7.1.2)"
        else:
            return f"unknown parameter {name} (RFC 7692 §5: the client must fail the connection)"
    return None


def answer_problem(offer, answer):
    """(verdict, reason) of `answer` (response params, a dict) as the acceptance of `offer`
    (request params, a dict): RFC 7692 §7.1."""
    if "client_max_window_bits" in answer:
        if "client_max_window_bits" not in offer:
            return FAILED, ("client_max_window_bits in the response to an offer without it "
                            "(RFC 7692 §7.1.2.2: the client may not support it)")
        offered = offer["client_max_window_bits"]
        if offered is not None and int(answer["client_max_window_bits"]) > int(offered):
            return FAILED, (f"client_max_window_bits={answer['client_max_window_bits']} over the "
                            f"offered {offered} (RFC 7692 §7.1.2.2)")
    if "server_max_window_bits" in offer:
        offered = int(offer["server_max_window_bits"])
        if "server_max_window_bits" in answer:
            if int(answer["server_max_window_bits"]) > offered:
                return FAILED, (f"server_max_window_bits={answer['server_max_window_bits']} "
                                f"accepts an offer of server_max_window_bits={offered}: the "
                                "answer must be the same or smaller (RFC 7692 §7.1.2.1)")
        else:
            # Even for 15, where the window would be the same: strict clients (Python's
            # websockets: "expected server_max_window_bits") fail such a handshake.
            return FAILED, (f"server_max_window_bits={offered} offered, answered without it: "
                            "RFC 7692 §7.1.2.1 accepts it by answering server_max_window_bits "
                            "with the same or a smaller value")
    if "server_no_context_takeover" in offer and "server_no_context_takeover" not in answer:
        return FAILED, ("server_no_context_takeover offered, accepted without it "
                        "(RFC 7692 §7.1.1.1)")
    return OK, ""


def judge_negotiation(offer, want, extensions):
    """(verdict, reason) of the server's Sec-WebSocket-Extensions (None: absent) for `offer`."""
    offers = [dict(params) for name, params in parse_extensions(offer or "")
              if name == "permessage-deflate" and offer_problem(params) is None]
    if not extensions:
        if want == ACCEPT:
            return FAILED, f"declined the offer {offer!r}; wsedge accepts it"
        return OK, ""
    selected = parse_extensions(extensions)
    if offer is None:
        return FAILED, f"answered {extensions!r} to no offer (RFC 6455 §9.1)"
    if len(selected) != 1 or selected[0][0] != "permessage-deflate":
        return FAILED, (f"answered {extensions!r}: one permessage-deflate only "
                        "(RFC 6455 §9.1, RFC 7692 §5)")
    problem = response_problem(selected[0][1])
    if problem:
        return FAILED, f"answered {extensions!r}: {problem}"
    if want == DECLINE or not offers:
        return FAILED, (f"answered {extensions!r} to {offer!r}, an offer it must decline "
                        "(RFC 7692 §5)")
    answer = dict(selected[0][1])
    verdicts = [answer_problem(o, answer) for o in offers]
    best = min(verdicts, key=lambda v: (OK, NON_STRICT, FAILED).index(v[0]))
    if best[0] == FAILED:
        return FAILED, f"answered {extensions!r}: {best[1]}"
    if "server_no_context_takeover" not in answer:
        return FAILED, (f"answered {extensions!r}: wsedge always answers "
                        "server_no_context_takeover (one deflated frame for every member)")
    return best[0], (f"answered {extensions!r}: {best[1]}" if best[1] else "")


def deflate_case(id, description, steps, messages, offer=OFFER, want=ACCEPT, min_bytes=0,
                 **kw):
    """A case whose steps the server echoes as `messages` (opcode, payload), each compressed or
    not as wsedge's design says, after answering `offer` as `want` says."""
    def compressed(pmd):
        return [server_compresses(p, pmd, min_bytes) if op in (TEXT, BINARY) else False
                for op, p in messages]
    return Case(id, description, steps, expect=list(messages), offer=offer,
                negotiation=functools.partial(judge_negotiation, offer, want),
                compressed=compressed, **kw)


def echo(id, description, messages, offer=OFFER, want=ACCEPT, **kw):
    """Each of `messages` sent as a client sends it (compressed when negotiated), and echoed."""
    return deflate_case(id, description, [Message(op, p) for op, p in messages], messages,
                        offer=offer, want=want, **kw)


def deflate_fail(id, description, steps, codes=(1002,), offer=OFFER, want=ACCEPT, **kw):
    return Case(id, description, steps, close=frozenset(codes), fail=True, offer=offer,
                negotiation=functools.partial(judge_negotiation, offer, want), **kw)


# --- 12: compressed echoes of several kinds and sizes (Autobahn 12) ---

SIZES = [16, 64, 256, 1024, 4096, 16384, 65536, 131072]
KINDS = [
    (TEXT, "text, JSON-like", json_like),
    (BINARY, "binary, a 37-byte pattern repeated", pattern),
    (TEXT, "text, UTF-8 of 1- to 4-byte sequences", utf8_prose),
    (BINARY, "binary, random (deflating makes it larger: echoed plain)", random_bytes),
    (BINARY, "binary, random and JSON-like blocks", mixed),
]


def count_for(size):
    return 10 if size <= 4096 else 4 if size <= 16384 else 2


def echoes():
    cases = []
    for group, (opcode, what, kind) in enumerate(KINDS, 1):
        for n, size in enumerate(SIZES, 1):
            count = count_for(size)
            messages = messages_of(kind, opcode, size, count, f"12.{group}.{n}")
            cases.append(echo(f"12.{group}.{n}", f"{what}: {count} messages of {size} bytes",
                              messages))
    return cases


# --- 13: the same under other offers (Autobahn 13) ---

def sample(seed):
    """10 messages of 64 B to 128 KiB: text, UTF-8 text and binary, each kind repeated."""
    return (messages_of(json_like, TEXT, 64, 1, f"{seed}.a")
            + messages_of(json_like, TEXT, 256, 3, f"{seed}.b")
            + messages_of(utf8_prose, TEXT, 4096, 3, f"{seed}.c")
            + messages_of(pattern, BINARY, 16384, 2, f"{seed}.d")
            + messages_of(json_like, TEXT, 131072, 1, f"{seed}.e"))


def offers():
    plain_note = " (below 15: wsedge echoes plain)"
    cases = [
        echo("13.1.1", "offer client_no_context_takeover: the client deflates each message "
             "afresh", sample("13.1.1"), offer=f"{OFFER}; client_no_context_takeover"),
        echo("13.2.1", "offer client_max_window_bits (no value)", sample("13.2.1"),
             offer=f"{OFFER}; client_max_window_bits"),
    ]
    for bits in range(9, 16):
        cases.append(echo(f"13.3.{bits - 8}", f"offer client_max_window_bits={bits}: the client "
                          f"deflates within {bits} bits", sample(f"13.3.{bits}"),
                          offer=f"{OFFER}; client_max_window_bits={bits}"))
    for n, bits in enumerate((9, 12, 15), 1):
        cases.append(echo(f"13.4.{n}", f"offer client_no_context_takeover; "
                          f"client_max_window_bits={bits}", sample(f"13.4.{bits}"),
                          offer=f"{OFFER}; client_no_context_takeover; "
                                f"client_max_window_bits={bits}"))
    for bits in range(9, 16):
        cases.append(echo(f"13.5.{bits - 8}", f"offer server_max_window_bits={bits}"
                          + (plain_note if bits < 15 else ""), sample(f"13.5.{bits}"),
                          offer=f"{OFFER}; server_max_window_bits={bits}"))
    cases += [
        echo("13.6.1", "offer server_no_context_takeover", sample("13.6.1"),
             offer=f"{OFFER}; server_no_context_takeover"),
        echo("13.6.2", "offer every parameter: both no_context_takeover, both windows 15",
             sample("13.6.2"), offer=f"{OFFER}; server_no_context_takeover; "
             "client_no_context_takeover; server_max_window_bits=15; client_max_window_bits=15"),
        echo("13.7.1", "3 offers: no context takeover with 9 bits, client_max_window_bits, "
             "none", sample("13.7.1"),
             offer=f"{OFFER}; client_no_context_takeover; client_max_window_bits=9, "
                   f"{OFFER}; client_max_window_bits, {OFFER}"),
        echo("13.7.2", "2 offers: server_max_window_bits=10, then none (either may be taken)",
             sample("13.7.2"), offer=f"{OFFER}; server_max_window_bits=10, {OFFER}"),
        echo("13.7.3", "2 offers: none, then server_max_window_bits=10", sample("13.7.3"),
             offer=f"{OFFER}, {OFFER}; server_max_window_bits=10"),
    ]
    return cases


# --- 14.1: the answer to each kind of offer ---

def negotiation():
    two = messages_of(json_like, TEXT, 2048, 2, "14.1")
    offers_and_wants = [
        (None, DECLINE, "no offer: no extension, plain echoes"),
        (OFFER, ACCEPT, "permessage-deflate: accepted with server_no_context_takeover"),
        (f"{OFFER}; client_max_window_bits=8", ACCEPT,
         "client_max_window_bits=8: accepted (the client deflates with literals only)"),
        (f"{OFFER}; server_max_window_bits=8", EITHER,
         "server_max_window_bits=8: declined, or answered with 8"),
        (f"{OFFER};client_max_window_bits=10;server_no_context_takeover", ACCEPT,
         "parameters without spaces: accepted"),
        (f"x-unknown-extension, {OFFER}", ACCEPT,
         "an unknown extension, then permessage-deflate: only permessage-deflate accepted"),
        ("x-webkit-deflate-frame", DECLINE, "only an unknown extension: no extension"),
        (f"{OFFER}; x-unknown=1, {OFFER}", EITHER,
         "an offer with an unknown parameter, then a valid one: declined, or the second taken"),
        (f'{OFFER}; client_max_window_bits="10"', EITHER,
         "client_max_window_bits as a quoted string (RFC 7692 §7.1: allowed)"),
        ("PerMessage-Deflate", EITHER, "the name in mixed case"),
        # Offers a server must decline (RFC 7692 §5, §7.1).
        (f"{OFFER}; server_max_window_bits", DECLINE, "server_max_window_bits without a value"),
        (f"{OFFER}; server_max_window_bits=16", DECLINE, "server_max_window_bits=16"),
        (f"{OFFER}; server_max_window_bits=7", DECLINE, "server_max_window_bits=7"),
        (f"{OFFER}; server_max_window_bits=010", DECLINE,
         "server_max_window_bits=010 (a leading zero)"),
        (f"{OFFER}; client_max_window_bits=7", DECLINE, "client_max_window_bits=7"),
        (f"{OFFER}; client_max_window_bits=16", DECLINE, "client_max_window_bits=16"),
        (f"{OFFER}; client_no_context_takeover=1", DECLINE,
         "client_no_context_takeover with a value"),
        (f"{OFFER}; server_no_context_takeover; server_no_context_takeover", DECLINE,
         "server_no_context_takeover twice"),
        (f"{OFFER}; client_max_window_bits=10; client_max_window_bits=12", DECLINE,
         "client_max_window_bits twice"),
        (f"{OFFER}; x-unknown-parameter", DECLINE, "an unknown parameter"),
    ]
    return [echo(f"14.1.{n}", description, two, offer=offer, want=want)
            for n, (offer, want, description) in enumerate(offers_and_wants, 1)]


# --- 14.2: the forms a compressed message may take ---

def deflated(payload, **kw):
    """`payload` deflated as the first message of a connection (no earlier context)."""
    return deflate_message(payload, **kw)


def finished(payload, **kw):
    """DEFLATE ended with a final block (BFINAL=1), then an empty stored block header byte:
    RFC 7692 §7.2.3.4's form for platforms without a sync flush."""
    deflater = raw_deflater(**kw)
    return deflater.compress(payload) + deflater.flush(zlib.Z_FINISH) + b"\x00"


def inbound_forms(limit):
    hello = b"Hello, permessage-deflate!"
    utf8 = utf8_prose(3000, random.Random("14.2.1"))
    js = json_like(1000, random.Random("14.2.3"))
    pieces = deflated(js)
    kib = json_like(1024, random.Random("14.2.9"))
    at_limit = json_like(limit, random.Random("14.2.13"))
    big = json_like(65536, random.Random("14.2.14"))
    alternating = messages_of(json_like, TEXT, 700, 10, "14.2.8")
    smalls = [(TEXT, b"message %d" % i) for i in range(100)]
    two_flushes = raw_deflater()
    two_parts = (two_flushes.compress(js[:400]) + two_flushes.flush(zlib.Z_SYNC_FLUSH)
                 + two_flushes.compress(js[400:]) + two_flushes.flush(zlib.Z_SYNC_FLUSH))[:-4]
    return [
        deflate_case("14.2.1", "compressed UTF-8 text in 3 frames, RSV1 on the first only",
                     [Message(TEXT, utf8, frames=3)], [(TEXT, utf8)]),
        deflate_case("14.2.2", "compressed binary, one frame per byte of the compressed payload",
                     [Message(BINARY, js[:300], frames=len(deflated(js[:300])))],
                     [(BINARY, js[:300])]),
        deflate_case("14.2.3", "compressed text in 2 frames, a ping in between",
                     [text(pieces[:100], rsv=RSV1, fin=False) + frame(PING, b"p")
                      + frame(CONTINUATION, pieces[100:])], [(PONG, b"p"), (TEXT, js)]),
        deflate_case("14.2.4", "compressed text, its first frame empty (RSV1 on it)",
                     [text(b"", rsv=RSV1, fin=False) + frame(CONTINUATION, pieces)],
                     [(TEXT, js)]),
        deflate_case("14.2.5", "compressed text, its last frame empty",
                     [text(pieces, rsv=RSV1, fin=False) + frame(CONTINUATION, b"")],
                     [(TEXT, js)]),
        deflate_case("14.2.6", "compressed empty text: no payload", [text(b"", rsv=RSV1)],
                     [(TEXT, b"")]),
        deflate_case("14.2.7", "compressed empty binary: payload 00 (RFC 7692 §7.2.3.6)",
                     [binary(b"\x00", rsv=RSV1)], [(BINARY, b"")]),
        deflate_case("14.2.8", "10 messages, plain and compressed alternating (context kept "
                     "across the plain ones)",
                     [Message(op, p) if i % 2 else frame(op, p)
                      for i, (op, p) in enumerate(alternating)], alternating),
        echo("14.2.9", "the same 1 KiB text 20 times: each refers to the one before",
             [(TEXT, kib)] * 20),
        deflate_case("14.2.10", "'Hello' with BFINAL=1, RFC 7692 §7.2.3.4: f3 48 cd c9 c9 07 00 00",
                     [text(bytes.fromhex("f348cdc9c9070000"), rsv=RSV1)], [(TEXT, b"Hello")]),
        deflate_case("14.2.11", "1 KiB text ended with a final block (BFINAL=1) and 00",
                     [text(finished(js), rsv=RSV1)], [(TEXT, js)]),
        deflate_case("14.2.12", "1 KiB text in stored blocks (no compression, level 0)",
                     [text(deflated(js, level=0), rsv=RSV1)], [(TEXT, js)]),
        deflate_case("14.2.13", "1 KiB text with fixed Huffman codes",
                     [text(deflated(js, strategy=zlib.Z_FIXED), rsv=RSV1)], [(TEXT, js)]),
        deflate_case("14.2.14", "1 KiB text with 2 sync flushes: 00 00 FF FF inside the payload",
                     [text(two_parts, rsv=RSV1)], [(TEXT, js)]),
        echo("14.2.15", f"compressed text inflating to {limit} bytes (max_message_bytes)",
             [(TEXT, at_limit)]),
        deflate_case("14.2.16", "compressed text of 64 KiB in 997-byte writes",
                     [Message(TEXT, big, write_size=997)], [(TEXT, big)]),
        deflate_case("14.2.17", "compressed text of 4 KiB in 64 frames, in 1-byte writes",
                     [Message(TEXT, big[:4096], frames=64, write_size=1)], [(TEXT, big[:4096])]),
        echo("14.2.18", "100 small compressed text messages", smalls),
        deflate_case("14.2.19", "compressed text, then a ping and an unsolicited pong",
                     [Message(TEXT, hello), frame(PING, hello), frame(PONG, b"u")],
                     [(TEXT, hello), (PONG, hello)]),
    ]


# --- 14.3: connection failures ---

def bomb(size):
    """A frame's payload that deflates `size` zero bytes (about 1/1000 of it)."""
    deflater = raw_deflater(level=9)
    chunk = bytes(1 << 20)
    return b"".join(deflater.compress(chunk) for _ in range(size >> 20)) + deflater.flush(
        zlib.Z_SYNC_FLUSH)[:-4]


def failures(limit):
    hello = b"Hello, permessage-deflate!"
    squeezed = deflated(hello)
    js = json_like(1000, random.Random("14.3"))
    # The first frame ends at a block boundary (a sync flush); the second starts a block of
    # the reserved type 11.
    flushed = raw_deflater()
    first_half = flushed.compress(js[:500]) + flushed.flush(zlib.Z_SYNC_FLUSH)
    zeros = bomb(64 << 20)
    bomb_frame = binary(zeros, rsv=RSV1)
    bomb_pieces = [zeros[i:i + 1024] for i in range(0, len(zeros), 1024)]
    over = json_like(limit + 1, random.Random("14.3.over"))
    # Back-references into a dictionary the server never saw: "distance too far back".
    foreign = deflate_message(js, zdict=js)
    bad_utf8 = b"valid text, then a surrogate: \xed\xa0\x80 and more text" * 4
    invalid = (1007, 1002)
    rsv1_declined = f"{OFFER}; server_max_window_bits=16"
    return [
        deflate_fail("14.3.1", "compressed text in 2 frames, RSV1 on the continuation too",
                     [text(squeezed[:5], rsv=RSV1, fin=False)
                      + frame(CONTINUATION, squeezed[5:], rsv=RSV1)]),
        deflate_fail("14.3.2", "plain text in 2 frames, RSV1 on the continuation only",
                     [text(b"frag", fin=False) + frame(CONTINUATION, b"ment", rsv=RSV1)]),
        deflate_fail("14.3.3", "ping with RSV1", [frame(PING, hello, rsv=RSV1)]),
        deflate_fail("14.3.4", "pong with RSV1", [frame(PONG, hello, rsv=RSV1)]),
        deflate_fail("14.3.5", "close 1000 with RSV1",
                     [frame(CLOSE, close_payload(1000), rsv=RSV1)], client_closes=False),
        deflate_fail("14.3.6", "compressed text with RSV2 as well",
                     [text(squeezed, rsv=RSV1 | RSV2)]),
        deflate_fail("14.3.7", "compressed binary with RSV3 as well",
                     [binary(squeezed, rsv=RSV1 | RSV3)]),
        deflate_fail("14.3.8", "plain text with RSV2", [text(hello, rsv=RSV2)]),
        deflate_fail("14.3.9", "RSV1 with no offer (nothing negotiated)",
                     [text(squeezed, rsv=RSV1)], offer=None, want=DECLINE),
        deflate_fail("14.3.10", "RSV1 after a declined offer (server_max_window_bits=16)",
                     [text(squeezed, rsv=RSV1)], offer=rsv1_declined, want=DECLINE),
        deflate_fail("14.3.11", "invalid DEFLATE: a block of the reserved type 11",
                     [text(b"\x06" + squeezed, rsv=RSV1)], codes=invalid),
        deflate_fail("14.3.12", "invalid DEFLATE: a stored block whose LEN and NLEN disagree",
                     [binary(b"\x00\x05\x00\x00\x00hello", rsv=RSV1)], codes=invalid),
        deflate_fail("14.3.13", "invalid DEFLATE: back-references before the message's start",
                     [text(foreign, rsv=RSV1)], codes=invalid),
        deflate_fail("14.3.14", "invalid DEFLATE in the second frame of a compressed text",
                     [text(first_half, rsv=RSV1, fin=False)
                      + frame(CONTINUATION, b"\x06" + deflated(js[500:]))], codes=invalid),
        deflate_fail("14.3.15", "compressed text inflating to invalid UTF-8 (a surrogate)",
                     [text(deflated(bad_utf8), rsv=RSV1)], codes=(1007,)),
        deflate_fail("14.3.16", "compressed text in 3 frames inflating to invalid UTF-8",
                     [Message(TEXT, bad_utf8, frames=3)], codes=(1007,)),
        deflate_fail("14.3.17", f"a {len(zeros)}-byte frame inflating to 64 MiB of zeros: 1009 "
                     "before its end is sent", [bomb_frame[:4096], AwaitClose(2.0),
                                                bomb_frame[4096:]], codes=(1009,)),
        deflate_fail("14.3.18", f"the same in {len(bomb_pieces)} frames of 1 KiB",
                     [b"".join(frame(BINARY if i == 0 else CONTINUATION, piece,
                                     fin=(i == len(bomb_pieces) - 1), rsv=RSV1 if i == 0 else 0)
                               for i, piece in enumerate(bomb_pieces))], codes=(1009,)),
        deflate_fail("14.3.19", f"compressed text inflating to {limit + 1} bytes (one over "
                     "max_message_bytes)", [Message(TEXT, over)], codes=(1009,)),
    ]


def cases(limit):
    """The permessage-deflate table, for a server with compression_min_bytes=0."""
    return echoes() + offers() + negotiation() + inbound_forms(limit) + failures(limit)


# --- 15: compression_min_bytes at its default ---

def min_bytes_cases(min_bytes=512):
    """For a server with --permessage_deflate=true and compression_min_bytes left at
    `min_bytes`: shorter messages come back plain, longer compressible ones compressed."""
    def one(size, kind=json_like, opcode=TEXT, seed="15"):
        return messages_of(kind, opcode, size, 1, f"{seed}.{size}")

    def sized(id, description, messages, **kw):
        return echo(id, description, messages, min_bytes=min_bytes, **kw)

    return [
        sized("15.1", "text of 16 bytes: plain", [(TEXT, b"a" * 16)]),
        sized("15.2", f"text of {min_bytes - 1} bytes: plain", one(min_bytes - 1)),
        sized("15.3", f"text of {min_bytes} bytes: compressed", one(min_bytes)),
        sized("15.4", "binary of 4096 bytes, a pattern: compressed",
              one(4096, pattern, BINARY)),
        sized("15.5", "binary of 4096 random bytes: plain", one(4096, random_bytes, BINARY)),
        sized("15.6", "messages of 100, 600, 100 and 6000 bytes: plain, compressed, plain, "
              "compressed", one(100, seed="15.6a") + one(600, seed="15.6b")
              + one(100, seed="15.6c") + one(6000, seed="15.6d")),
        sized("15.7", "no offer: 4096 bytes come back plain", one(4096), offer=None,
              want=DECLINE),
    ]
