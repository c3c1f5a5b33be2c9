#!/usr/bin/env python3
"""Independent verifier of Kinga handover packages, written from docs/handover-format.md and
docs/ledger-format.md alone (no Kinga code). Needs `pip install blake3 cryptography`.

    python verify_package.py FILE [--from SENDER.pub]   exit 0: intact; 1: first fault printed
    python verify_package.py --vectors ledger-v1.json   check the ledger golden vectors
"""
import base64
import json
import sys

from blake3 import blake3
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_LINE = 64 << 20
GENESIS = "0" * 64
WRAP_ALG = "x25519-blake3-xchacha20poly1305"
STR, INT = "string", "integer"
# Every member name with its type, in the order of the format page's tables.
TYPES = {m: (INT if m in ("version", "seq", "size", "attachments", "keys") else STR) for m in (
    "t format version scope created_at sender_instance sender_name sender_key recipient_name "
    "recipient_key origin seq id actor at payload prev_hash hash digest media_type size data "
    "key_id alg ephemeral nonce sealed origins attachments keys sig").split()}
TYPES["origins"] = "origins"
MEMBERS = {
    "header": "t format version scope created_at sender_instance sender_name sender_key "
              "recipient_name recipient_key",
    "event": "t origin seq id actor at payload prev_hash hash",
    "withheld": "t origin seq id prev_hash hash",
    "attachment": "t digest media_type size data",
    "key": "t key_id alg ephemeral nonce sealed",
    "manifest": "t origins attachments keys",
    "signature": "t alg digest sig",
}
MEMBERS = {t: m.split() for t, m in MEMBERS.items()}
ORIGIN_MEMBERS = {"origin": STR, "first": INT, "last": INT, "count": INT, "withheld": INT,
                  "head": STR}


class Fault(Exception):
    def __init__(self, kind, line, reason):
        super().__init__(f"FAULT {kind} line {line}: {reason}")
        self.kind, self.line = kind, line


def preimage(e):
    """ledger-format.md §2: the bytes an event's hash is computed over."""
    out = bytearray(b"kinga-event-v1")
    for part in (e["origin"], str(e["seq"]), e["id"], e["actor"], e["at"], e["prev_hash"],
                 e["payload"]):
        b = part.encode("utf-8")
        out += len(b).to_bytes(8, "little") + b
    return bytes(out)


def no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"member {k!r} appears twice")
        obj[k] = v
    return obj


def of_type(v, kind):
    if kind == INT:
        return type(v) is int and 0 <= v < 2 ** 64
    if kind == STR:
        try:
            return type(v) is str and v.encode("utf-8") is not None
        except UnicodeEncodeError:  # a lone surrogate escape
            return False
    return type(v) is list and all(
        type(o) is dict and set(o) == set(ORIGIN_MEMBERS)
        and all(of_type(o[k], t) for k, t in ORIGIN_MEMBERS.items()) for o in v)


def parse(body, n):
    """Step 2: one JSON object of known members of the right types, with a known `t`."""
    try:
        rec = json.loads(body.decode("utf-8"), object_pairs_hook=no_duplicates)
    except ValueError as e:  # UnicodeDecodeError is a ValueError too
        raise Fault("malformed", n, f"not a JSON record: {e}")
    if type(rec) is not dict:
        raise Fault("malformed", n, "not a JSON object")
    for k, v in rec.items():
        if k not in TYPES:
            raise Fault("malformed", n, f"unknown member {k!r}")
        if not of_type(v, TYPES[k]):
            raise Fault("malformed", n, f"member {k!r} must be a {TYPES[k]}")
    if "t" not in rec:
        raise Fault("malformed", n, 'record lacks member "t"')
    if rec["t"] not in MEMBERS:
        raise Fault("malformed", n, f"unknown record type {rec['t']!r}")
    return rec


def b64url(s, size, what, n):
    try:
        b = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except ValueError:
        b = None
    if b is None or len(b) != size or base64.urlsafe_b64encode(b).rstrip(b"=").decode() != s:
        raise Fault("malformed", n, f"{what} is not unpadded base64url of {size} bytes")
    return b


def public_key(text, what, n):
    if not text.startswith("kinga-ed25519:"):
        raise Fault("malformed", n, f"{what} does not start with kinga-ed25519:")
    return b64url(text[len("kinga-ed25519:"):], 32, what, n)


def verify(f, expected_sender=None):
    stage, n, hasher, header = "header", 0, blake3(), None
    chains, digests, key_ids = {}, set(), set()
    while True:
        raw = f.readline(MAX_LINE + 2)
        n += 1
        if stage == "done":
            if raw:
                raise Fault("trailing", n, "data after the signature")
            return header, chains, len(digests), len(key_ids)
        if not raw:
            reason = {"header": "the file is empty", "body": "it ends before the manifest",
                      "signature": "it ends before the signature"}[stage]
            raise Fault("truncated", n, reason)
        body = raw[:-1] if raw.endswith(b"\n") else raw
        if len(body) > MAX_LINE:
            raise Fault("too_long", n, f"longer than {MAX_LINE} bytes")
        if not raw.endswith(b"\n"):
            raise Fault("truncated", n, "the last line has no line feed (cut mid-line)")
        rec = parse(body, n)
        t = rec["t"]
        if {"header": "header", "signature": "signature"}.get(t, "body") != stage:
            raise Fault("order", n, f"a {t} record where a {stage} record must come")
        for m in MEMBERS[t]:
            if m not in rec:
                raise Fault("malformed", n, f'{t} record lacks member "{m}"')
        for m in TYPES:
            if m in rec and m not in MEMBERS[t]:
                raise Fault("malformed", n, f'{t} record must not have member "{m}"')

        if t == "header":
            if rec["format"] != "kinga-handover" or rec["version"] != 1:
                raise Fault("format", n, f"{rec['format']} version {rec['version']}")
            if rec["scope"] not in ("full", "partial"):
                raise Fault("malformed", n, "scope must be full or partial")
            sender = public_key(rec["sender_key"], "sender_key", n)
            public_key(rec["recipient_key"], "recipient_key", n)
            if expected_sender is not None and sender != expected_sender:
                raise Fault("sender", n, f"package is from {rec['sender_key']}")
            header, stage = rec, "body"
        elif t in ("event", "withheld"):
            if t == "withheld" and not is_hex64(rec["hash"]):
                raise Fault("malformed", n, "hash of a withheld event must be 64 hex digits")
            o, seq = rec["origin"], rec["seq"]
            where = f"chain of origin {o} breaks at event {seq} ({rec['id']})"
            c = chains.get(o)
            if c is not None:
                if seq != c["last"] + 1:
                    raise Fault("sequence", n, f"{where}: expected sequence number {c['last'] + 1}")
                if rec["prev_hash"] != c["head"]:
                    raise Fault("link", n, f"{where}: previous hash is not the hash before")
            elif seq == 1 and rec["prev_hash"] != GENESIS:
                raise Fault("link", n, f"{where}: first event must have the all-zero previous hash")
            elif seq != 1 and (header["scope"] == "full" or seq == 0):
                raise Fault("sequence", n, f"{where}: a full package starts every chain at 1")
            if t == "event" and blake3(preimage(rec)).hexdigest() != rec["hash"]:
                raise Fault("altered", n, f"event {seq} ({rec['id']}) of origin {o} was altered")
            c = chains.setdefault(o, {"origin": o, "first": seq, "last": 0, "count": 0,
                                      "withheld": 0, "head": ""})
            c.update(last=seq, count=c["count"] + 1, head=rec["hash"],
                     withheld=c["withheld"] + (t == "withheld"))
        elif t == "attachment":
            try:
                data = base64.b64decode(rec["data"], validate=True)
            except ValueError:
                data = None
            if data is None or base64.b64encode(data).decode() != rec["data"]:
                raise Fault("malformed", n, "data is not padded standard base64")
            if len(data) != rec["size"] or blake3(data).hexdigest() != rec["digest"]:
                raise Fault("attachment", n, f"{rec['digest']}: data does not match size/digest")
            if rec["digest"] in digests:
                raise Fault("duplicate", n, f"attachment {rec['digest']}")
            digests.add(rec["digest"])
        elif t == "key":
            if rec["alg"] != WRAP_ALG or not rec["key_id"]:
                raise Fault("malformed", n, "bad key alg or empty key_id")
            for m, size in (("ephemeral", 32), ("nonce", 24), ("sealed", 48)):
                b64url(rec[m], size, m, n)
            if rec["key_id"] in key_ids:
                raise Fault("duplicate", n, f"key id {rec['key_id']}")
            key_ids.add(rec["key_id"])
        elif t == "manifest":
            names = [o["origin"] for o in rec["origins"]]
            if any(a >= b for a, b in zip(names, names[1:])):
                raise Fault("malformed", n, "manifest origins must be sorted, each once")
            check_manifest(rec, chains, len(digests), len(key_ids), n)
            stage = "signature"
        else:  # signature
            if rec["alg"] != "ed25519":
                raise Fault("malformed", n, "signature alg must be ed25519")
            sig = b64url(rec["sig"], 64, "sig", n)
            digest = hasher.hexdigest()
            if rec["digest"] != digest:
                raise Fault("digest", n, f"package was altered: lines 1-{n - 1} give {digest}")
            key = Ed25519PublicKey.from_public_bytes(public_key(header["sender_key"], "", n))
            try:
                key.verify(sig, ("kinga-handover-v1:" + digest).encode("ascii"))
            except InvalidSignature:
                raise Fault("signature", n, f"does not verify with {header['sender_key']}")
            stage = "done"
        if t != "signature":
            hasher.update(raw)


def is_hex64(s):
    return len(s) == 64 and all(c in "0123456789abcdef" for c in s)


def check_manifest(rec, chains, attachments, keys, n):
    claimed = {o["origin"]: o for o in rec["origins"]}
    for name in sorted(set(claimed) | set(chains)):
        said, read = claimed.get(name), chains.get(name)
        if said is None:
            raise Fault("manifest", n, f"origin {name}: not listed in the manifest")
        if read is None:
            raise Fault("manifest", n, f"origin {name}: listed but none of its events is here")
        for m in ("first", "last", "count", "withheld", "head"):
            if said[m] != read[m]:
                raise Fault("manifest", n, f"origin {name}: manifest says {m} {said[m]}, "
                                           f"the package holds {read[m]}")
    if rec["attachments"] != attachments or rec["keys"] != keys:
        raise Fault("manifest", n, "attachment or key count differs")


def check_vectors(path):
    """ledger-format.md: recompute each golden vector's bytes and hash and follow the chains."""
    heads, vectors = {}, json.load(open(path, encoding="utf-8"))["events"]
    for e in vectors:
        pre = preimage(e)
        assert pre.hex() == e["preimage_hex"], f"{e['id']}: hashed bytes differ"
        assert blake3(pre).hexdigest() == e["hash"], f"{e['id']}: hash differs"
        last_seq, last_hash = heads.get(e["origin"], (0, GENESIS))
        assert (e["seq"], e["prev_hash"]) == (last_seq + 1, last_hash), f"{e['id']}: chain"
        heads[e["origin"]] = (e["seq"], e["hash"])
    print(f"OK: {len(vectors)} ledger vectors, {len(heads)} chains")


def main(argv):
    if len(argv) == 2 and argv[0] == "--vectors":
        return check_vectors(argv[1]) or 0
    if len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] != "--from"):
        print(__doc__, file=sys.stderr)
        return 2
    expected = None
    if len(argv) == 3:
        lines = [ln.strip() for ln in open(argv[2], encoding="utf-8")]
        key = next(ln for ln in lines if ln and not ln.startswith("#")).split()[0]
        expected = public_key(key, "--from key", 0)
    try:
        with open(argv[0], "rb") as f:
            header, chains, attachments, keys = verify(f, expected)
    except Fault as fault:
        print(fault)
        return 1
    total = sum(c["count"] for c in chains.values())
    withheld = sum(c["withheld"] for c in chains.values())
    print(f"OK: intact package, {total} events ({withheld} withheld) in {len(chains)} chain(s), "
          f"{attachments} attachments, {keys} wrapped keys")
    print(f"signed by {header['sender_key']} ({header['sender_name']})"
          + ("" if expected else " — sender not checked: give --from SENDER.pub"))
    for c in sorted(chains.values(), key=lambda c: c["origin"]):
        print(f"  origin {c['origin']}: events {c['first']}-{c['last']}, head {c['head']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
