#!/usr/bin/env python3
"""Open the keys wrapped in a Kinga handover package, written from docs/handover-format.md §4
alone. Needs `pip install blake3 cryptography`. Verify the package first (verify_package.py):
this only opens its `key` records.

    python unwrap_key.py PACKAGE SEED_HEX    prints `key_id hex-secret` for each wrapped key
SEED_HEX: the recipient instance's 32-byte Ed25519 seed (its key file) in hex.
"""
import base64
import hashlib
import json
import struct
import sys

from blake3 import blake3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

P = 2 ** 255 - 19


def ed25519_to_x25519_public(pk):
    """u = (1 + y) / (1 - y) mod p, from the Edwards y coordinate (sign bit dropped)."""
    y = int.from_bytes(pk, "little") & ((1 << 255) - 1)
    return ((1 + y) * pow(1 - y, P - 2, P) % P).to_bytes(32, "little")


def hchacha20(key, nonce16):
    """The HChaCha20 core (draft-irtf-cfrg-xchacha): XChaCha20's subkey."""
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))

    def qr(a, b, c, d):
        for x, y, z, r in ((a, b, d, 16), (c, d, b, 12), (a, b, d, 8), (c, d, b, 7)):
            s[x] = (s[x] + s[y]) & 0xFFFFFFFF
            s[z] ^= s[x]
            s[z] = ((s[z] << r) | (s[z] >> (32 - r))) & 0xFFFFFFFF

    for _ in range(10):
        qr(0, 4, 8, 12), qr(1, 5, 9, 13), qr(2, 6, 10, 14), qr(3, 7, 11, 15)
        qr(0, 5, 10, 15), qr(1, 6, 11, 12), qr(2, 7, 8, 13), qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def unwrap(rec, seed):
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)
    r = ed25519_to_x25519_public(public)
    x = X25519PrivateKey.from_private_bytes(hashlib.sha512(seed).digest()[:32])  # clamps
    e = b64url(rec["ephemeral"])
    shared = x.exchange(X25519PublicKey.from_public_bytes(e))  # refuses an all-zero result
    kek = blake3(shared + e + r, derive_key_context="kinga-handover-v1 key wrap").digest()
    nonce = b64url(rec["nonce"])
    subkey = hchacha20(kek, nonce[:16])
    return ChaCha20Poly1305(subkey).decrypt(b"\0" * 4 + nonce[16:], b64url(rec["sealed"]),
                                            rec["key_id"].encode("utf-8"))


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    seed = bytes.fromhex(argv[1])
    with open(argv[0], "rb") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("t") == "key":
                print(rec["key_id"], unwrap(rec, seed).hex())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
