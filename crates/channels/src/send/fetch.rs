//! Fetching a file a gateway holds (a call's recording, a WhatsApp photo) from the URL its
//! signed webhook named: only from the hosts the settings allow, within a size limit and a
//! time limit, with the account's credentials when the gateway asks for them.

use std::time::Duration;

/// Why a file could not be fetched.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    /// The URL is not http(s) or names a host the settings do not allow.
    #[error("media URL refused: {0}")]
    Refused(String),
    /// The file is larger than the limit.
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    /// The network or the server failed.
    #[error("cannot fetch the file: {0}")]
    Failed(String),
}

/// A file fetched: its type as served and its bytes.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// `Content-Type` as served (empty when none).
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The host of an http(s) URL, lower-cased, when it is one of `allowed`.
pub fn allowed_host(url: &str, allowed: &[String]) -> Result<(), FetchError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::Refused(e.to_string()))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(FetchError::Refused(format!("scheme {}", parsed.scheme())));
    }
    let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
    if allowed
        .iter()
        .any(|a| a.trim().eq_ignore_ascii_case(&host) && !host.is_empty())
    {
        Ok(())
    } else {
        Err(FetchError::Refused(format!(
            "host '{host}' is not in the allowed media hosts"
        )))
    }
}

/// Fetch `url` (a host of `allowed`), at most `max_bytes`, within `timeout`, with HTTP basic
/// credentials when given. Redirects are not followed to other hosts.
pub async fn fetch(
    url: &str,
    allowed: &[String],
    basic: Option<(&str, &str)>,
    max_bytes: u64,
    timeout: Duration,
) -> Result<Fetched, FetchError> {
    allowed_host(url, allowed)?;
    let hosts: Vec<String> = allowed.to_vec();
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            // Twilio answers a recording's URL with a redirect to its storage: followed only
            // to an allowed host (or over https to any, as Twilio's media CDN moves).
            let ok = attempt.url().scheme() == "https"
                || allowed_host(attempt.url().as_str(), &hosts).is_ok();
            if ok && attempt.previous().len() < 5 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .build()
        .map_err(|e| FetchError::Failed(e.to_string()))?;
    let mut req = client.get(url);
    if let Some((user, password)) = basic {
        req = req.basic_auth(user, Some(password));
    }
    let mut resp = req
        .send()
        .await
        .map_err(|e| FetchError::Failed(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(FetchError::Failed(format!(
            "HTTP {}",
            resp.status().as_u16()
        )));
    }
    if resp.content_length().is_some_and(|n| n > max_bytes) {
        return Err(FetchError::TooLarge(max_bytes));
    }
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut bytes = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| FetchError::Failed(e.to_string()))?
    {
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(FetchError::TooLarge(max_bytes));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Fetched {
        content_type,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let allowed = vec!["api.twilio.com".to_string(), "127.0.0.1".to_string()];
        assert!(allowed_host("https://api.twilio.com/2010-04-01/x", &allowed).is_ok());
        assert!(allowed_host("http://127.0.0.1:9000/r.wav", &allowed).is_ok());
        assert!(allowed_host("https://evil.example/x", &allowed).is_err());
        assert!(allowed_host("file:///etc/passwd", &allowed).is_err());
        assert!(allowed_host("https://api.twilio.com.evil.example/x", &allowed).is_err());
        assert!(allowed_host("not a url", &allowed).is_err());
    }
}
