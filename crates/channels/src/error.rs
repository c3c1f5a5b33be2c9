//! What can be wrong with a gateway's request, said plainly enough to log and answer.

use kinga_domain::phone::MsisdnError;

/// A webhook or callback that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The body is larger than any gateway sends.
    #[error("request body of {size} bytes exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// Bytes received.
        size: usize,
        /// Bytes allowed.
        limit: usize,
    },
    /// A field the provider always sends is absent.
    #[error("missing field '{0}'")]
    MissingField(&'static str),
    /// A field is present but empty where a value is required.
    #[error("field '{0}' is empty")]
    EmptyField(&'static str),
    /// A field's value cannot be understood.
    #[error("invalid field '{field}': {reason}")]
    InvalidField {
        /// Field name as the provider spells it.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The body is not the JSON the provider sends.
    #[error("invalid JSON body: {0}")]
    InvalidJson(String),
    /// The provider signs its requests but this one carries no signature.
    #[error("missing signature header")]
    MissingSignature,
    /// The signature does not match the body, URL and secret: forged, altered, or signed for
    /// another URL (check KINGA_PUBLIC_URL).
    #[error("signature does not match the request")]
    BadSignature,
    /// A shared secret is configured but the request carries none.
    #[error("missing shared secret")]
    MissingSecret,
    /// The shared secret given is wrong.
    #[error("wrong shared secret")]
    BadSecret,
    /// A phone number cannot be read.
    #[error("invalid phone number: {0}")]
    InvalidPhone(#[from] MsisdnError),
}

impl ChannelError {
    /// True when the caller failed to prove it is the gateway (answer 403, not 400).
    pub fn is_authentication_failure(&self) -> bool {
        matches!(
            self,
            ChannelError::MissingSignature
                | ChannelError::BadSignature
                | ChannelError::MissingSecret
                | ChannelError::BadSecret
        )
    }
}
