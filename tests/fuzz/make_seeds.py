#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/: small valid inputs of each kind.

The targets read their inputs through libFuzzer's FuzzedDataProvider, which takes strings from
the front (ConsumeRandomLengthString: a backslash followed by any other byte ends the string,
two backslashes are one) and integers and booleans from the back, so a seed is built as
front bytes + back bytes reversed. Rerun after changing a target's input layout:
    python3 tests/fuzz/make_seeds.py
"""
import base64
import hashlib
import hmac
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


class Provider:
    """Builds bytes that FuzzedDataProvider reads back in the order they were added."""

    def __init__(self):
        self.front = b""
        self.back = b""  # in consumption order: the last byte of the input is consumed first

    def string(self, data):  # ConsumeRandomLengthString
        if isinstance(data, str):
            data = data.encode()
        self.front += data.replace(b"\\", b"\\\\") + b"\\|"
        return self

    def rest(self, data):  # ConsumeRemainingBytes(AsString): must be added last
        if isinstance(data, str):
            data = data.encode()
        self.front += data
        return self

    def uint(self, value, nbytes):  # ConsumeIntegralInRange: most significant byte first
        self.back += value.to_bytes(nbytes, "big")
        return self

    def int64(self, value):  # ConsumeIntegral<int64_t>: min + the 8 bytes read
        return self.uint(value + 2**63, 8)

    def boolean(self, value):
        return self.uint(1 if value else 0, 1)

    def bytes(self):
        return self.front + self.back[::-1]


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# --- WebSocket frames ----------------------------------------------------------------------

def client_frame(opcode, payload, fin=True, mask=b"\x01\x02\x03\x04"):
    if isinstance(payload, str):
        payload = payload.encode()
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n <= 0xFFFF:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


def websocket_seed(stream, chunks=(), max_message=200):
    # Read as: max_message (0..300: 2 bytes), chunk count (0..8: 1 byte), chunk sizes
    # (1..64: 1 byte each), then the stream.
    p = Provider().rest(stream)
    p.uint(max_message - 1, 2).uint(len(chunks), 1)
    for c in chunks:
        p.uint(c - 1, 1)
    return p.bytes()


write("websocket_frame", "text", websocket_seed(client_frame(0x1, '42["hello",{"a":1}]')))
write("websocket_frame", "ping_pong_close", websocket_seed(
    client_frame(0x9, "p") + client_frame(0xA, "") + client_frame(0x8, b"\x03\xe8bye"), (3, 5)))
write("websocket_frame", "fragments", websocket_seed(
    client_frame(0x1, "4he", fin=False) + client_frame(0x9, "x") + client_frame(0x0, "llo ✓"),
    (2, 7, 1)))
write("websocket_frame", "binary_126", websocket_seed(client_frame(0x2, bytes(range(130)))))

# --- Engine.IO -----------------------------------------------------------------------------

write("engineio_packet", "message", "4hello")
write("engineio_packet", "probe", "2probe")
write("engineio_packet", "payload", "4hello\x1e2\x1e40/messenger,{\"token\":\"x\"}\x1ebAQIDBA==")
write("engineio_packet", "binary_unpadded", "bAAEC")

# --- Socket.IO -----------------------------------------------------------------------------


def socketio_seed(messages):
    p = Provider()
    for binary, text in messages:
        p.boolean(binary).string(text)
    return p.bytes()


write("socketio_packet", "event", socketio_seed([(False, '2["hello",1,"two",{"three":[3]}]')]))
write("socketio_packet", "connect", socketio_seed([(False, '0/messenger,{"token":"abc"}')]))
write("socketio_packet", "ack", socketio_seed([(False, '3/messenger,12["ok",null]')]))
write("socketio_packet", "binary_event", socketio_seed([
    (False, '52-/messenger,7["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'),
    (True, "\x00\x01\x02"), (True, "bytes")]))
write("socketio_packet", "binary_ack", socketio_seed([
    (False, '61-3[{"_placeholder":true,"num":0}]'), (True, "x")]))
write("socketio_packet", "disconnect", socketio_seed([(False, "1/messenger,")]))
write("socketio_packet", "connect_error", socketio_seed([(False, '4{"message":"nope"}')]))

# --- messenger payloads --------------------------------------------------------------------

for name, payload in {
    "new_message": {"room_id": "alice.bob", "from": "alice", "to": "bob", "type": "TEXT",
                    "content": "hi ✓", "client_message_id": "c1"},
    "create_room": {"type": "BS", "buyer": "alice", "seller": 42, "shop_id": "s1",
                    "creator": "alice"},
    "seen_messages": {"room_id": "alice.bob", "from": "bob", "to": "alice",
                      "message_ids": ["01JD5N8Q3ZK3M6V9X0A1B2C3D4"]},
    "sync": {"since": "2026-11-25T13:37:21.123Z", "limit": 20},
    "sync_id": {"since": "01JD5N8Q3ZK3M6V9X0A1B2C3D4"},
    "sync_ms": {"since": 1764077841123},
    "user_status": {"user_ids": ["alice", "bob", 7]},
    "verify_user": {"token": "a.b.c", "user_id": "alice", "user_role": "buyer"},
    "typing": {"room_id": "x%2Ey.z", "from": "x.y", "to": "z"},
}.items():
    write("messenger_validate", name, json.dumps(payload, ensure_ascii=False))

# --- JWT -----------------------------------------------------------------------------------


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(header, payload, secret=b"fuzzing-secret"):
    signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
    mac = hmac.new(secret, signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64url(mac)


NOW_MS = 1764077841123
claims = {"sub": "alice", "role": "BUYER", "exp": NOW_MS // 1000 + 3600, "nbf": NOW_MS // 1000}
raw = Provider().int64(NOW_MS).boolean(True).rest(
    hs256_token({"alg": "HS256", "typ": "JWT"}, claims))
write("jwt", "raw_hs256", raw.bytes())
write("jwt", "raw_es256", Provider().int64(NOW_MS).boolean(True).rest(
    b64url(b'{"alg":"ES256"}') + "." + b64url(b'{"sub":"a"}') + "." + b64url(bytes(64))).bytes())
signed = Provider().int64(NOW_MS).boolean(False)
signed.string(json.dumps({"alg": "HS256", "typ": "JWT"})).string(json.dumps(claims))
signed.string("alice").rest("buyer")
write("jwt", "signed", signed.bytes())
signed = Provider().int64(NOW_MS).boolean(False)
signed.string('{"alg":"HS256"}').string('{"sub":12,"exp":1.5e9}').string("12").rest("SELLER")
write("jwt", "signed_numeric", signed.bytes())

# --- REST ----------------------------------------------------------------------------------


def rest_seed(target, path_id, authorization, content_type, body, token_role=True):
    p = Provider().boolean(token_role)
    p.string(target).string(path_id).string(authorization)
    p.boolean(content_type is not None).string(content_type or "").rest(body)
    return p.bytes()


write("rest_params", "list_messages", rest_seed(
    "/v1/messages?room_id=alice.bob&limit=10&created_at=-1&cursor=01JD5N8Q3ZK3M6V9X0A1B2C3D4"
    "&from=2026-11-25T13:37:21Z", "01JD5N8Q3ZK3M6V9X0A1B2C3D4", "Bearer a.b.c", None, ""))
write("rest_params", "list_rooms", rest_seed(
    "/v1/rooms?user_id=alice&role=BUYER&name=sh%C3%B6p+one&pinned=1", "alice.bob",
    "bearer  x.y.z ", "application/json", ""))
write("rest_params", "create_room", rest_seed(
    "/v1/rooms", "alice%2Ex.bob", "Bearer t", "application/json; charset=utf-8",
    json.dumps({"buyer": "alice", "seller": "bob", "shop_id": "s1",
                "shop": {"name": "Shop", "_id": "s1", "tags": ["a", {"b": 1}]},
                "buyer_info": {"name": "Alice", "avatar": None, "email": "a@x"}})))
write("rest_params", "post_message", rest_seed(
    "/v1/messages", "m1", "", "application/json",
    json.dumps({"room_id": "alice.bob", "from": "alice", "to": "bob", "type": "EMOJI",
                "content": ":)", "user_id": "alice", "role": "BUYER"})))
write("rest_params", "edit_message", rest_seed(
    "/v1/messages/m1?user_id=alice", "m%31", "Bearer t", "application/vnd.api+json",
    json.dumps({"content": "edited"}), token_role=False))

# --- Redis adapter messages (msgpack) ------------------------------------------------------


class Raw(bytes):
    """Bytes written as they are (an ext value, which mp() cannot make)."""


def mp(value):
    if isinstance(value, Raw):
        return bytes(value)
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value < 128:
            return bytes([value])
        if -32 <= value < 0:
            return struct.pack("b", value)
        if value >= 0:
            return b"\xcf" + struct.pack(">Q", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, str):
        data = value.encode()
        if len(data) < 32:
            return bytes([0xA0 | len(data)]) + data
        return b"\xd9" + bytes([len(data)]) + data
    if isinstance(value, bytes):
        return b"\xc4" + bytes([len(value)]) + value
    if isinstance(value, list):
        return bytes([0x90 | len(value)]) + b"".join(mp(v) for v in value)
    if isinstance(value, dict):
        return bytes([0x80 | len(value)]) + b"".join(mp(k) + mp(v) for k, v in value.items())
    raise TypeError(value)


write("cluster_broadcast", "event", mp([
    "Ab3xYz", {"type": 2, "data": ["new_message", {"_id": "m1", "content": "hi", "n": -3,
                                                   "f": 1.5, "ok": True, "none": None}],
               "nsp": "/messenger"},
    {"rooms": ["alice"], "except": [], "flags": {}}]))
write("cluster_broadcast", "binary", mp([
    "node2", {"type": 5, "data": ["file", b"\x00\x01\x02", {"nested": [b"x", 7]}],
              "nsp": "/"},
    {"rooms": ["a", "b"], "except": ["c"], "flags": {"local": False, "volatile": True}}]))
write("cluster_broadcast", "ext_and_nil", mp([
    "n", {"type": 2, "data": ["e", Raw(b"\xd4\x00\x00"), None, -100000]},
    {"rooms": None, "except": None}]))

# --- Redis replies (RESP) ------------------------------------------------------------------


def bulk(s):
    if isinstance(s, str):
        s = s.encode()
    return b"$%d\r\n%s\r\n" % (len(s), s)


def resp_seed(data, chunks=()):
    p = Provider().rest(data)
    p.uint(len(chunks), 1)
    for c in chunks:
        p.uint(c - 1, 1)
    return p.bytes()


write("redis_reply", "pmessage", resp_seed(
    b"*3\r\n" + bulk("psubscribe") + bulk("socket.io#/messenger#*") + b":1\r\n" +
    b"*4\r\n" + bulk("pmessage") + bulk("socket.io#/messenger#*") +
    bulk("socket.io#/messenger#alice#") + bulk(b"\x93\xa1x\x80\x80"), (5, 9, 3)))
write("redis_reply", "statuses", resp_seed(
    b"*2\r\n*3\r\n:2\r\n" + bulk("BUYER") + bulk("1764077841123") +
    b"*3\r\n:0\r\n" + bulk("SELLER") + bulk("1764077000000")))
write("redis_reply", "heartbeat", resp_seed(
    b"*2\r\n:1\r\n*2\r\n" + bulk("cz:presence:user:alice") + bulk("cz:presence:user:bob") +
    b":0\r\n-ERR unknown command\r\n+OK\r\n$-1\r\n*-1\r\n", (4,)))

# --- import files --------------------------------------------------------------------------

ROOM = {"_id": "alice.bob", "type": "BS", "buyer": "alice", "seller": "bob",
        "shop": {"_id": {"$oid": "5f1d7f3e9b1e8a3c4d5e6f70"}, "name": "Shop"},
        "buyer_unseen_messages": {"$numberInt": "2"},
        "created_at": {"$date": "2020-07-26T10:00:00.000Z"},
        "updated_at": {"$date": {"$numberLong": "1595757600000"}}}
MESSAGE = {"_id": "5f1d7f3e9b1e8a3c4d5e6f71", "room_id": "alice.bob", "from": "alice",
           "to": "bob", "type": "text", "content": "hello", "is_seen": False,
           "createdAt": {"$date": 1595757600000}}
CUID_MESSAGE = {"_id": "ckd2x8k2g0000qzrmn831i7rn", "room_id": "alice.bob", "sender": "bob",
                "receiver": "alice", "content": "hi", "is_read": True}
write("import_readers", "json_lines",
      "\n".join(json.dumps(d) for d in (ROOM, MESSAGE, CUID_MESSAGE)) + "\n\n  \r\n{bad}\n")
write("import_readers", "json_array", json.dumps([ROOM, MESSAGE, 3, CUID_MESSAGE]))
write("import_readers", "json_pretty", "\ufeff" + json.dumps(MESSAGE, indent=2) + "\n" +
      json.dumps(ROOM, indent=2) + '\n{"unterminated": "}')


def bson_doc(fields):
    body = b""
    for key, value in fields:
        k = key.encode() + b"\x00"
        if isinstance(value, str):
            data = value.encode() + b"\x00"
            body += b"\x02" + k + struct.pack("<i", len(data)) + data
        elif isinstance(value, bool):
            body += b"\x08" + k + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            body += b"\x12" + k + struct.pack("<q", value)
        elif isinstance(value, bytes) and len(value) == 12:
            body += b"\x07" + k + value  # ObjectId
        elif isinstance(value, tuple):  # ("date", ms)
            body += b"\x09" + k + struct.pack("<q", value[1])
        elif isinstance(value, list):
            body += b"\x03" + k + bson_doc(value)
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


write("import_readers", "bson", bson_doc([
    ("_id", bytes.fromhex("5f1d7f3e9b1e8a3c4d5e6f71")), ("room_id", "alice.bob"),
    ("from", "alice"), ("to", "bob"), ("content", "hello"), ("is_seen", True),
    ("created_at", ("date", 1595757600000))]) + bson_doc([
    ("_id", "alice.bob"), ("buyer", "alice"), ("seller", "bob"),
    ("shop", [("name", "Shop"), ("n", 3)]), ("updated_at", ("date", 1595757600000))]))


def crc32(data):
    import zlib
    return zlib.crc32(data) & 0xffffffff


def log_record(mid, room, sender, to, content, client_id, type_, created_at):
    """One record of store/sqlite/message_log.hpp."""
    payload = b""
    for field in (mid, room, sender, to, content, client_id):
        data = field.encode()
        payload += struct.pack("<I", len(data)) + data
    payload += bytes([type_]) + struct.pack("<q", created_at)
    return struct.pack("<II", len(payload), crc32(payload)) + payload


ONE = log_record("01JABCDEFGHJKMNPQRSTVWXYZ0", "b1.s1", "b1", "s1", "hello", "c-1", 0,
                 1_700_000_000_000)
TWO = log_record("01JABCDEFGHJKMNPQRSTVWXYZ1", "b1.s1", "s1", "b1", "\u00e9\u20ac", "", 2,
                 1_700_000_000_001)
write("message_log", "two_records", ONE + TWO)
write("message_log", "torn_tail", ONE + TWO[:-3])
write("message_log", "damaged", ONE[:20] + b"\x00" + ONE[21:] + TWO)
