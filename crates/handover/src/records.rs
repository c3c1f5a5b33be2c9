//! The lines of a package as JSON: what the writer emits and the one flat shape the reader
//! parses every line into before checking which members its record type allows.

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::manifest::OriginRange;

/// Text that borrows from the line when it has no escapes and is copied when it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl Text<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every member any record may have. Parsing into one flat shape lets the reader check
/// member types first and the record's member set after, in the order the format page gives.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Raw<'a> {
    #[serde(borrow)]
    pub t: Option<Text<'a>>,
    #[serde(borrow)]
    pub format: Option<Text<'a>>,
    pub version: Option<u64>,
    #[serde(borrow)]
    pub scope: Option<Text<'a>>,
    #[serde(borrow)]
    pub created_at: Option<Text<'a>>,
    #[serde(borrow)]
    pub sender_instance: Option<Text<'a>>,
    #[serde(borrow)]
    pub sender_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub sender_key: Option<Text<'a>>,
    #[serde(borrow)]
    pub recipient_name: Option<Text<'a>>,
    #[serde(borrow)]
    pub recipient_key: Option<Text<'a>>,
    #[serde(borrow)]
    pub origin: Option<Text<'a>>,
    pub seq: Option<u64>,
    #[serde(borrow)]
    pub id: Option<Text<'a>>,
    #[serde(borrow)]
    pub actor: Option<Text<'a>>,
    #[serde(borrow)]
    pub at: Option<Text<'a>>,
    #[serde(borrow)]
    pub payload: Option<Text<'a>>,
    #[serde(borrow)]
    pub prev_hash: Option<Text<'a>>,
    #[serde(borrow)]
    pub hash: Option<Text<'a>>,
    #[serde(borrow)]
    pub digest: Option<Text<'a>>,
    #[serde(borrow)]
    pub media_type: Option<Text<'a>>,
    pub size: Option<u64>,
    #[serde(borrow)]
    pub data: Option<Text<'a>>,
    #[serde(borrow)]
    pub key_id: Option<Text<'a>>,
    #[serde(borrow)]
    pub alg: Option<Text<'a>>,
    #[serde(borrow)]
    pub ephemeral: Option<Text<'a>>,
    #[serde(borrow)]
    pub nonce: Option<Text<'a>>,
    #[serde(borrow)]
    pub sealed: Option<Text<'a>>,
    pub origins: Option<Vec<OriginRange>>,
    pub attachments: Option<u64>,
    pub keys: Option<u64>,
    #[serde(borrow)]
    pub sig: Option<Text<'a>>,
}

/// The members of each record type, `t` first, in the order the writer emits them.
pub(crate) const HEADER: &[&str] = &[
    "t",
    "format",
    "version",
    "scope",
    "created_at",
    "sender_instance",
    "sender_name",
    "sender_key",
    "recipient_name",
    "recipient_key",
];
pub(crate) const EVENT: &[&str] = &[
    "t",
    "origin",
    "seq",
    "id",
    "actor",
    "at",
    "payload",
    "prev_hash",
    "hash",
];
pub(crate) const WITHHELD: &[&str] = &["t", "origin", "seq", "id", "prev_hash", "hash"];
pub(crate) const ATTACHMENT: &[&str] = &["t", "digest", "media_type", "size", "data"];
pub(crate) const KEY: &[&str] = &["t", "key_id", "alg", "ephemeral", "nonce", "sealed"];
pub(crate) const MANIFEST: &[&str] = &["t", "origins", "attachments", "keys"];
pub(crate) const SIGNATURE: &[&str] = &["t", "alg", "digest", "sig"];

impl Raw<'_> {
    /// Which members are present, as bits in [`ALL_MEMBERS`] order.
    fn present(&self) -> u32 {
        let flags = [
            self.t.is_some(),
            self.format.is_some(),
            self.version.is_some(),
            self.scope.is_some(),
            self.created_at.is_some(),
            self.sender_instance.is_some(),
            self.sender_name.is_some(),
            self.sender_key.is_some(),
            self.recipient_name.is_some(),
            self.recipient_key.is_some(),
            self.origin.is_some(),
            self.seq.is_some(),
            self.id.is_some(),
            self.actor.is_some(),
            self.at.is_some(),
            self.payload.is_some(),
            self.prev_hash.is_some(),
            self.hash.is_some(),
            self.digest.is_some(),
            self.media_type.is_some(),
            self.size.is_some(),
            self.data.is_some(),
            self.key_id.is_some(),
            self.alg.is_some(),
            self.ephemeral.is_some(),
            self.nonce.is_some(),
            self.sealed.is_some(),
            self.origins.is_some(),
            self.attachments.is_some(),
            self.keys.is_some(),
            self.sig.is_some(),
        ];
        flags
            .iter()
            .enumerate()
            .fold(0, |m, (i, f)| m | (u32::from(*f) << i))
    }

    /// Checks the record has exactly `members`: names the first missing member, in the
    /// table's order, then the first member it must not have, in [`ALL_MEMBERS`] order.
    pub(crate) fn check_members(&self, kind: &str, members: &[&str]) -> Result<(), String> {
        let want = match kind {
            "header" => HEADER_MASK,
            "event" => EVENT_MASK,
            "withheld" => WITHHELD_MASK,
            "attachment" => ATTACHMENT_MASK,
            "key" => KEY_MASK,
            "manifest" => MANIFEST_MASK,
            _ => SIGNATURE_MASK,
        };
        let have = self.present();
        if have == want {
            return Ok(());
        }
        if let Some(m) = members.iter().find(|m| have & mask(&[m]) == 0) {
            return Err(format!("{kind} record lacks member \"{m}\""));
        }
        let extra = ALL_MEMBERS
            .iter()
            .enumerate()
            .find(|(i, _)| (have & !want) >> i & 1 == 1)
            .map_or("?", |(_, m)| m);
        Err(format!("{kind} record must not have member \"{extra}\""))
    }
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The bits of `members` in [`ALL_MEMBERS`] order, computed at compile time.
const fn mask(members: &[&str]) -> u32 {
    let mut m = 0;
    let mut i = 0;
    while i < members.len() {
        let mut j = 0;
        while j < ALL_MEMBERS.len() {
            if same(members[i], ALL_MEMBERS[j]) {
                m |= 1 << j;
            }
            j += 1;
        }
        i += 1;
    }
    m
}

const HEADER_MASK: u32 = mask(HEADER);
const EVENT_MASK: u32 = mask(EVENT);
const WITHHELD_MASK: u32 = mask(WITHHELD);
const ATTACHMENT_MASK: u32 = mask(ATTACHMENT);
const KEY_MASK: u32 = mask(KEY);
const MANIFEST_MASK: u32 = mask(MANIFEST);
const SIGNATURE_MASK: u32 = mask(SIGNATURE);

/// Every member name, in the order the format page's table lists them.
pub(crate) const ALL_MEMBERS: &[&str] = &[
    "t",
    "format",
    "version",
    "scope",
    "created_at",
    "sender_instance",
    "sender_name",
    "sender_key",
    "recipient_name",
    "recipient_key",
    "origin",
    "seq",
    "id",
    "actor",
    "at",
    "payload",
    "prev_hash",
    "hash",
    "digest",
    "media_type",
    "size",
    "data",
    "key_id",
    "alg",
    "ephemeral",
    "nonce",
    "sealed",
    "origins",
    "attachments",
    "keys",
    "sig",
];

/// The header as written.
#[derive(Serialize)]
pub(crate) struct HeaderOut<'a> {
    pub t: &'static str,
    pub format: &'static str,
    pub version: u64,
    pub scope: &'a str,
    pub created_at: &'a str,
    pub sender_instance: &'a str,
    pub sender_name: &'a str,
    pub sender_key: String,
    pub recipient_name: &'a str,
    pub recipient_key: String,
}

/// An event as written.
#[derive(Serialize)]
pub(crate) struct EventOut<'a> {
    pub t: &'static str,
    pub origin: &'a str,
    pub seq: u64,
    pub id: &'a str,
    pub actor: &'a str,
    pub at: &'a str,
    pub payload: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// A withheld event's stub as written.
#[derive(Serialize)]
pub(crate) struct WithheldOut<'a> {
    pub t: &'static str,
    pub origin: &'a str,
    pub seq: u64,
    pub id: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// An attachment as written.
#[derive(Serialize)]
pub(crate) struct AttachmentOut<'a> {
    pub t: &'static str,
    pub digest: &'a str,
    pub media_type: &'a str,
    pub size: u64,
    pub data: String,
}

/// A wrapped key as written.
#[derive(Serialize)]
pub(crate) struct KeyOut<'a> {
    pub t: &'static str,
    pub key_id: &'a str,
    pub alg: &'static str,
    pub ephemeral: String,
    pub nonce: String,
    pub sealed: String,
}

/// The manifest as written.
#[derive(Serialize)]
pub(crate) struct ManifestOut<'a> {
    pub t: &'static str,
    pub origins: &'a [OriginRange],
    pub attachments: u64,
    pub keys: u64,
}

/// The signature as written.
#[derive(Serialize)]
pub(crate) struct SignatureOut<'a> {
    pub t: &'static str,
    pub alg: &'static str,
    pub digest: &'a str,
    pub sig: String,
}

/// Unpadded base64url of `n` bytes, refusing any other length or a non-canonical text.
pub(crate) fn b64url<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| format!("{what} is not unpadded base64url: {e}"))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("{what} must be {N} bytes, found {}", b.len()))
}

/// Unpadded base64url text of bytes.
pub(crate) fn to_b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard padded base64 (attachment data), refusing non-canonical text.
pub(crate) fn b64_data(text: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(text)
        .map_err(|e| format!("data is not padded standard base64: {e}"))
}

/// Standard padded base64 text of bytes.
pub(crate) fn to_b64_data(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Whether `s` is 64 lower-case hexadecimal digits, the only form a hash has.
pub(crate) fn is_hash_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(line: &str, kind: &str, of: &[&str]) -> Result<(), String> {
        serde_json::from_str::<Raw>(line)
            .unwrap()
            .check_members(kind, of)
    }

    #[test]
    fn member_sets_name_the_first_missing_then_the_first_extra() {
        let sig = r#"{"t":"signature","alg":"ed25519","digest":"d","sig":"s"}"#;
        assert_eq!(members(sig, "signature", SIGNATURE), Ok(()));
        let e = members(
            r#"{"t":"signature","alg":"ed25519","sig":"s"}"#,
            "signature",
            SIGNATURE,
        );
        assert_eq!(e.unwrap_err(), "signature record lacks member \"digest\"");
        let e = members(
            r#"{"t":"signature","alg":"ed25519","digest":"d","sig":"s","size":1,"origin":"o"}"#,
            "signature",
            SIGNATURE,
        );
        assert_eq!(
            e.unwrap_err(),
            "signature record must not have member \"origin\""
        );
        assert_eq!(ALL_MEMBERS.len(), 31);
        assert_eq!(SIGNATURE_MASK.count_ones(), 4);
    }
}
