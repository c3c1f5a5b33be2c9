"""Twilio webhook signatures computed and checked by the official `twilio` package.

Prints a JSON list of cases for tests/twilio_signatures.rs: each has the URL Twilio signed,
the URL the request was checked at, the POST parameters (or JSON body), the signature, and
whether twilio-python's RequestValidator accepts it. The Rust validator must agree on every
case, valid and tampered alike.
"""

import hashlib
import json
import sys

from twilio.request_validator import RequestValidator


class Multi(dict):
    """Parameters with repeated names, as Flask's MultiDict exposes them to the validator."""

    def getall(self, name):
        return self[name]


def multi(pairs):
    out = Multi()
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


SMS = [
    ("ToCountry", "CD"),
    ("ToState", ""),
    ("SmsMessageSid", "SM0123456789abcdef0123456789abcdef"),
    ("NumMedia", "0"),
    ("SmsSid", "SM0123456789abcdef0123456789abcdef"),
    ("SmsStatus", "received"),
    ("Body", "ALERTE Kalehe: hommes armés à Numbi, 3 déplacés 😀 & 50% +1"),
    ("FromCountry", "CD"),
    ("To", "+243970000000"),
    ("NumSegments", "2"),
    ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
    ("AccountSid", "AC00000000000000000000000000000000"),
    ("From", "+243812345678"),
    ("ApiVersion", "2010-04-01"),
]
TOKEN = "12345abcdef67890fedcba0987654321"

cases = []


def form_case(name, token, signed_url, checked_url, pairs, signed_pairs=None, signature=None, algorithm=None):
    v = RequestValidator(token)
    signed = multi(signed_pairs if signed_pairs is not None else pairs)
    kwargs = {} if algorithm is None else {"algorithm": algorithm}
    sig = signature if signature is not None else v.compute_signature(signed_url, signed, **kwargs)
    valid = v.validate(checked_url, multi(pairs), sig, **kwargs)
    cases.append({
        "name": name, "kind": "form", "algorithm": algorithm or "HMAC_SHA1", "token": token,
        "signed_url": signed_url, "url": checked_url, "params": [list(p) for p in pairs],
        "signature": sig, "valid": bool(valid),
        "computed": signature is None and signed_pairs is None,
    })


def json_case(name, token, url, body, signed_body=None):
    v = RequestValidator(token)
    digest = hashlib.sha256((signed_body if signed_body is not None else body).encode("utf-8")).hexdigest()
    full = url + ("&" if "?" in url else "?") + "bodySHA256=" + digest
    sig = v.compute_signature(full, {})
    cases.append({
        "name": name, "kind": "json", "algorithm": "HMAC_SHA1", "token": token, "signed_url": full,
        "url": full, "body": body, "signature": sig, "valid": bool(v.validate(full, body, sig)),
        "computed": True,
    })


base = "https://kinga.example.org/channels/twilio/sms"
form_case("sms webhook", TOKEN, base, base, SMS)
form_case("signed without port, checked with :443", TOKEN, base, "https://kinga.example.org:443/channels/twilio/sms", SMS)
form_case("signed with :443, checked without", TOKEN, "https://kinga.example.org:443/channels/twilio/sms", base, SMS)
form_case("http with :80", TOKEN, "http://kinga.example.org:80/channels/twilio/sms", "http://kinga.example.org/channels/twilio/sms", SMS)
form_case("custom port kept", TOKEN, "https://kinga.example.org:8443/channels/twilio/sms", "https://kinga.example.org:8443/channels/twilio/sms", SMS)
form_case("custom port dropped", TOKEN, "https://kinga.example.org:8443/channels/twilio/sms", base, SMS)
form_case("query string", TOKEN, base + "?secret=abc&x=1", base + "?secret=abc&x=1", SMS)
form_case("query string changed", TOKEN, base + "?secret=abc&x=1", base + "?secret=abc&x=2", SMS)
form_case("no parameters", TOKEN, base, base, [])
form_case("repeated names", TOKEN, base, base, [("x", "b"), ("x", "a"), ("x", "b"), ("A", "1")])
form_case("key order by code point", TOKEN, base, base, [("a", "1"), ("B", "2"), ("_", "3"), ("é", "4"), ("Z", "5")])
form_case("special characters", TOKEN, base, base, [("Body", "a=b&c+d%20 <x> \"q\" 'r'\n"), ("From", "whatsapp:+243812345678")])
form_case("empty token", "", base, base, SMS)
form_case("doc example", "12345", "https://mycompany.com/myapp.php?foo=1&bar=2", "https://mycompany.com/myapp.php?foo=1&bar=2",
          [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212")])

tampered_body = [(k, "ALERTE Kalehe: 3 hommes armés" if k == "Body" else v) for k, v in SMS]
form_case("tampered value", TOKEN, base, base, tampered_body, signed_pairs=SMS)
form_case("added parameter", TOKEN, base, base, SMS + [("Extra", "1")], signed_pairs=SMS)
form_case("removed parameter", TOKEN, base, base, SMS[:-1], signed_pairs=SMS)
form_case("other path", TOKEN, base, base.replace("/sms", "/sms2"), SMS)
form_case("other host", TOKEN, base, base.replace("kinga.", "evil."), SMS)
good = RequestValidator(TOKEN).compute_signature(base, multi(SMS))
form_case("wrong token", "not-the-token", base, base, SMS, signature=good)
flipped = ("A" if good[0] != "A" else "B") + good[1:]
form_case("altered signature", TOKEN, base, base, SMS, signature=flipped)
form_case("empty signature", TOKEN, base, base, SMS, signature="")

# Twilio's SHA-256 signatures: a twilio release that cannot make them fails this script
# (and the test) rather than quietly dropping the cases.
form_case("shared key sha256", TOKEN, base, base, SMS, algorithm="HMAC_SHA256")
form_case("shared key sha256 with :443", TOKEN, base, "https://kinga.example.org:443/channels/twilio/sms", SMS, algorithm="HMAC_SHA256")

json_case("json body", TOKEN, "https://kinga.example.org/channels/twilio/status", '{"MessageSid":"SM1","MessageStatus":"delivered"}')
json_case("json body tampered", TOKEN, "https://kinga.example.org/channels/twilio/status", '{"MessageSid":"SM1","MessageStatus":"failed"}',
          signed_body='{"MessageSid":"SM1","MessageStatus":"delivered"}')

json.dump(cases, sys.stdout, ensure_ascii=False, indent=1)
