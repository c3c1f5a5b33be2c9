//! Form-encoded bodies and query strings, kept as ordered pairs because signatures cover
//! every pair (repeated keys included), not just the fields an adapter reads.

use crate::{ChannelError, MAX_BODY_BYTES};

/// Decoded `key=value` pairs in the order they came.
pub type Params = Vec<(String, String)>;

/// Decode an `application/x-www-form-urlencoded` body or a query string (`+` is a space,
/// invalid UTF-8 becomes U+FFFD rather than an error, as gateways do not all send UTF-8).
pub fn parse(body: &[u8]) -> Result<Params, ChannelError> {
    check_size(body)?;
    Ok(form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// Refuse bodies larger than [`MAX_BODY_BYTES`].
pub fn check_size(body: &[u8]) -> Result<(), ChannelError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ChannelError::BodyTooLarge {
            size: body.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    Ok(())
}

/// The first value of `key`, if present.
pub fn get<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The first value among several accepted spellings of a key.
pub fn get_any<'a>(params: &'a [(String, String)], keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| get(params, k))
}

/// A field that must be present (it may be empty).
pub fn required<'a>(
    params: &'a [(String, String)],
    key: &'static str,
) -> Result<&'a str, ChannelError> {
    get(params, key).ok_or(ChannelError::MissingField(key))
}

/// A field that must be present and hold something other than white space.
pub fn required_nonempty<'a>(
    params: &'a [(String, String)],
    key: &'static str,
) -> Result<&'a str, ChannelError> {
    let v = required(params, key)?;
    if v.trim().is_empty() {
        Err(ChannelError::EmptyField(key))
    } else {
        Ok(v)
    }
}

/// A field that may be absent; an empty value counts as absent.
pub fn optional(params: &[(String, String)], key: &str) -> Option<String> {
    get(params, key)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Encode pairs as a form body or query string.
pub fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The query string of a URL or request target (`/path?a=1` gives `a=1`), fragment excluded.
pub fn query_of(url: &str) -> &str {
    let before_fragment = url.split('#').next().unwrap_or("");
    before_fragment
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_percent_and_repeats() {
        let p = parse(b"Body=Alerte+%C3%A0+Beni&x=1&x=2&empty=").unwrap();
        assert_eq!(get(&p, "Body"), Some("Alerte à Beni"));
        assert_eq!(p.iter().filter(|(k, _)| k == "x").count(), 2);
        assert_eq!(optional(&p, "empty"), None);
        assert_eq!(
            required_nonempty(&p, "empty"),
            Err(ChannelError::EmptyField("empty"))
        );
        assert_eq!(
            required(&p, "nope"),
            Err(ChannelError::MissingField("nope"))
        );
    }

    #[test]
    fn refuses_huge_bodies_and_survives_bad_utf8() {
        assert!(matches!(
            parse(&vec![b'a'; MAX_BODY_BYTES + 1]),
            Err(ChannelError::BodyTooLarge { .. })
        ));
        let p = parse(b"text=%FF%FE").unwrap();
        assert_eq!(get(&p, "text"), Some("\u{FFFD}\u{FFFD}"));
    }

    #[test]
    fn query_of_url() {
        assert_eq!(query_of("https://x/y?a=1&b=2#f"), "a=1&b=2");
        assert_eq!(query_of("/y"), "");
        assert_eq!(encode([("a", "é b"), ("c", "&")]), "a=%C3%A9+b&c=%26");
    }
}
