//! Webhook signatures, computed and checked exactly as Twilio's reference validator does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::ChannelError;
use crate::form;
use crate::secret::ct_eq;

/// HMAC algorithm of a webhook signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// The legacy and default algorithm, keyed with the account auth token.
    HmacSha1,
    /// Used by webhooks signed with a shared key.
    HmacSha256,
}

/// The algorithm named by an `X-Twilio-Webhooks-Signature-Settings` header
/// (`key=…,algorithm=HMAC_SHA256`); no header or no `algorithm=` means HMAC-SHA1, and an
/// algorithm this code does not know gives `None` (the request must then be refused).
pub fn signature_algorithm(settings_header: Option<&str>) -> Option<SignatureAlgorithm> {
    let named = settings_header.unwrap_or("").split(',').find_map(|part| {
        let (name, value) = part.split_once('=')?;
        (name.trim() == "algorithm" && !value.trim().is_empty()).then(|| value.trim())
    });
    match named.map(str::to_ascii_uppercase).as_deref() {
        None | Some("HMAC_SHA1") => Some(SignatureAlgorithm::HmacSha1),
        Some("HMAC_SHA256") => Some(SignatureAlgorithm::HmacSha256),
        Some(_) => None,
    }
}

/// The signature Twilio would send for this URL and these POST parameters.
pub fn compute_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    algorithm: SignatureAlgorithm,
) -> String {
    let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut s = String::from(url);
    for name in names {
        // Repeated values of one name are sorted and counted once, like the reference.
        let mut values: Vec<&str> = params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        values.sort_unstable();
        values.dedup();
        for v in values {
            s.push_str(name);
            s.push_str(v);
        }
    }
    let digest = match algorithm {
        SignatureAlgorithm::HmacSha1 => hmac_digest::<Hmac<Sha1>>(auth_token, &s),
        SignatureAlgorithm::HmacSha256 => hmac_digest::<Hmac<Sha256>>(auth_token, &s),
    };
    BASE64.encode(digest)
}

fn hmac_digest<M: Mac + hmac::digest::KeyInit>(key: &str, data: &str) -> Vec<u8> {
    // HMAC takes keys of any length, so this never fails; an empty result would simply never
    // match a signature.
    match <M as hmac::digest::KeyInit>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// True when `signature_header` is Twilio's HMAC-SHA1 signature of a form-encoded webhook
/// sent to `full_url` (scheme, host, path and query exactly as Twilio called them) with
/// `params` (the decoded POST fields, repeated names included).
pub fn validate_signature(
    auth_token: &str,
    full_url: &str,
    params: &[(String, String)],
    signature_header: &str,
) -> bool {
    validate_signature_with(
        auth_token,
        full_url,
        params,
        signature_header,
        SignatureAlgorithm::HmacSha1,
    )
}

/// [`validate_signature`] with the algorithm chosen by [`signature_algorithm`].
pub fn validate_signature_with(
    auth_token: &str,
    full_url: &str,
    params: &[(String, String)],
    signature_header: &str,
    algorithm: SignatureAlgorithm,
) -> bool {
    let mut ok = false;
    // Every variant is computed and compared so the time taken does not say which matched.
    for url in url_variants(full_url) {
        let expected = compute_signature(auth_token, &url, params, algorithm);
        ok |= ct_eq(expected.as_bytes(), signature_header.trim().as_bytes());
    }
    ok
}

/// Validate a webhook with a JSON body: Twilio then signs only the URL, which carries the
/// body's SHA-256 in its `bodySHA256` query parameter.
pub fn validate_json_signature(
    auth_token: &str,
    full_url: &str,
    body: &str,
    signature_header: &str,
) -> bool {
    let query = form::query_of(full_url);
    let claimed = form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == "bodySHA256" && !v.is_empty())
        .map(|(_, v)| v.into_owned());
    let body_ok = match claimed {
        Some(h) => ct_eq(
            hex::encode(Sha256::digest(body.as_bytes())).as_bytes(),
            h.as_bytes(),
        ),
        None => true,
    };
    let sig_ok = validate_signature(auth_token, full_url, &[], signature_header);
    body_ok && sig_ok
}

/// Check the signature of any signed form request (webhook or status callback) against the
/// decoded parameters; `signature` and `settings` are the two headers as received.
pub fn check_signature(
    auth_token: &str,
    full_url: &str,
    params: &[(String, String)],
    signature: Option<&str>,
    settings: Option<&str>,
) -> Result<(), ChannelError> {
    let signature = signature
        .filter(|s| !s.trim().is_empty())
        .ok_or(ChannelError::MissingSignature)?;
    let algorithm = signature_algorithm(settings).ok_or(ChannelError::BadSignature)?;
    if validate_signature_with(auth_token, full_url, params, signature, algorithm) {
        Ok(())
    } else {
        Err(ChannelError::BadSignature)
    }
}

/// The URL as given, and as Python's `urlparse(…).geturl()` writes it without and with the
/// default port: what the reference validator tries.
pub(super) fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    if let Some(parts) = UrlParts::split(url) {
        let (without, with) = match parts.port() {
            Err(()) => (None, None),
            Ok(Some(p)) if p != 0 => {
                let host = parts.netloc.split(':').next().unwrap_or("");
                (Some(parts.unsplit(host)), Some(parts.unsplit(parts.netloc)))
            }
            Ok(_) => {
                let port = if parts.scheme == "https" { 443 } else { 80 };
                (
                    Some(parts.unsplit(parts.netloc)),
                    Some(parts.unsplit(&format!("{}:{port}", parts.netloc))),
                )
            }
        };
        for v in [without, with].into_iter().flatten() {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// A URL cut the way Python's `urllib.parse.urlsplit` cuts it.
struct UrlParts<'a> {
    scheme: String,
    netloc: &'a str,
    path: &'a str,
    query: &'a str,
    fragment: &'a str,
}

impl<'a> UrlParts<'a> {
    fn split(url: &'a str) -> Option<UrlParts<'a>> {
        let (scheme, rest) = url.split_once(':')?;
        let mut sc = scheme.chars();
        let first_ok = sc.next().is_some_and(|c| c.is_ascii_alphabetic());
        if !first_ok
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        let rest = rest.strip_prefix("//")?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (netloc, rest) = rest.split_at(end);
        let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Some(UrlParts {
            scheme: scheme.to_ascii_lowercase(),
            netloc,
            path,
            query,
            fragment,
        })
    }

    /// `Ok(None)` without a port, `Err` for a port Python would refuse to read.
    fn port(&self) -> Result<Option<u32>, ()> {
        let hostinfo = self.netloc.rsplit('@').next().unwrap_or("");
        let after_host = match hostinfo.split_once('[') {
            Some((_, bracketed)) => bracketed.split_once(']').map(|(_, r)| r).unwrap_or(""),
            None => hostinfo,
        };
        let port = after_host.split_once(':').map(|(_, p)| p).unwrap_or("");
        if port.is_empty() {
            return Ok(None);
        }
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        match port.parse::<u32>() {
            Ok(p) if p <= 65535 => Ok(Some(p)),
            _ => Err(()),
        }
    }

    fn unsplit(&self, netloc: &str) -> String {
        let mut s = format!("{}://{}", self.scheme, netloc);
        if !self.path.is_empty() && !self.path.starts_with('/') {
            s.push('/');
        }
        s.push_str(self.path);
        if !self.query.is_empty() {
            s.push('?');
            s.push_str(self.query);
        }
        if !self.fragment.is_empty() {
            s.push('#');
            s.push_str(self.fragment);
        }
        s
    }
}
