//! Why a package is refused (the reader's first fault) and why one cannot be written.

/// The first thing wrong with a package. `line` is the 1-based line (= record) number where
/// it was found; a fault about the end of the file names the line that should have come next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    /// The file could not be read.
    #[error("line {line}: read error: {message}")]
    Io {
        /// Line being read.
        line: u64,
        /// The operating system's message.
        message: String,
    },
    /// The file ends too early: mid-line, or before the manifest and signature.
    #[error("line {line}: package is truncated: {reason}")]
    Truncated {
        /// Line that is cut or missing.
        line: u64,
        /// Which.
        reason: String,
    },
    /// A line is longer than any record may be.
    #[error("line {line}: longer than {max} bytes")]
    LineTooLong {
        /// The line.
        line: u64,
        /// The limit.
        max: usize,
    },
    /// A line is not a well-formed record.
    #[error("line {line}: malformed record: {reason}")]
    Malformed {
        /// The line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The header names another format or version.
    #[error("line {line}: not a package this verifier reads: {reason}")]
    Format {
        /// The line.
        line: u64,
        /// What it says instead.
        reason: String,
    },
    /// A record stands where it may not (header not first, anything after the manifest but
    /// the signature, …).
    #[error("line {line}: record out of place: {reason}")]
    Order {
        /// The line.
        line: u64,
        /// What is out of place.
        reason: String,
    },
    /// The header's sender key is not the key the package was expected from.
    #[error("line {line}: package is from {found}, not from the expected sender {expected}")]
    Sender {
        /// The line (the header's).
        line: u64,
        /// Key expected.
        expected: String,
        /// Key in the header.
        found: String,
    },
    /// The package was made for another recipient.
    #[error("line {line}: package is for {found}, not for this instance ({expected})")]
    Recipient {
        /// The line (the header's).
        line: u64,
        /// This instance's key.
        expected: String,
        /// Key in the header.
        found: String,
    },
    /// An event's sequence number does not continue its origin's chain.
    #[error("line {line}: chain of origin {origin} breaks at event {seq} ({id}): {reason}")]
    Sequence {
        /// The line.
        line: u64,
        /// Origin.
        origin: String,
        /// Sequence number found.
        seq: u64,
        /// Event id.
        id: String,
        /// Expected what.
        reason: String,
    },
    /// An event's previous hash is not the hash of the event before it.
    #[error("line {line}: chain of origin {origin} breaks at event {seq} ({id}): {reason}")]
    Link {
        /// The line.
        line: u64,
        /// Origin.
        origin: String,
        /// Sequence number.
        seq: u64,
        /// Event id.
        id: String,
        /// Which link.
        reason: String,
    },
    /// An event's content does not give its hash.
    #[error(
        "line {line}: event {seq} ({id}) of origin {origin} was altered: its content does not give its hash"
    )]
    Altered {
        /// The line.
        line: u64,
        /// Origin.
        origin: String,
        /// Sequence number.
        seq: u64,
        /// Event id.
        id: String,
    },
    /// An attachment's bytes do not match its digest or size.
    #[error("line {line}: attachment {digest}: {reason}")]
    Attachment {
        /// The line.
        line: u64,
        /// Digest it claims.
        digest: String,
        /// What does not match.
        reason: String,
    },
    /// An attachment digest or key id appears twice.
    #[error("line {line}: duplicate {what}")]
    Duplicate {
        /// The line.
        line: u64,
        /// Which digest or key id.
        what: String,
    },
    /// The manifest does not describe what the package holds.
    #[error("line {line}: manifest does not match the package{}: {reason}", origin.as_ref().map(|o| format!(" (origin {o})")).unwrap_or_default())]
    Manifest {
        /// The line (the manifest's).
        line: u64,
        /// Origin concerned, if any.
        origin: Option<String>,
        /// First difference.
        reason: String,
    },
    /// The bytes before the signature are not the bytes that were signed.
    #[error(
        "line {line}: package was altered: the digest of lines 1-{} is {computed}, the signature record says {claimed}", line.saturating_sub(1)
    )]
    Digest {
        /// The line (the signature's).
        line: u64,
        /// Digest computed.
        computed: String,
        /// Digest in the record.
        claimed: String,
    },
    /// The signature is not the header's sender's signature.
    #[error("line {line}: signature does not verify with the sender key {sender}")]
    Signature {
        /// The line (the signature's).
        line: u64,
        /// The key it was checked against.
        sender: String,
    },
    /// Bytes follow the signature.
    #[error("line {line}: data after the signature")]
    Trailing {
        /// First line after the signature.
        line: u64,
    },
}

impl Fault {
    /// The fault's short name, as the format page and the Python verifier print it.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Io { .. } => "io",
            Fault::Truncated { .. } => "truncated",
            Fault::LineTooLong { .. } => "too_long",
            Fault::Malformed { .. } => "malformed",
            Fault::Format { .. } => "format",
            Fault::Order { .. } => "order",
            Fault::Sender { .. } => "sender",
            Fault::Recipient { .. } => "recipient",
            Fault::Sequence { .. } => "sequence",
            Fault::Link { .. } => "link",
            Fault::Altered { .. } => "altered",
            Fault::Attachment { .. } => "attachment",
            Fault::Duplicate { .. } => "duplicate",
            Fault::Manifest { .. } => "manifest",
            Fault::Digest { .. } => "digest",
            Fault::Signature { .. } => "signature",
            Fault::Trailing { .. } => "trailing",
        }
    }

    /// The line where it was found.
    pub fn line(&self) -> u64 {
        match self {
            Fault::Io { line, .. }
            | Fault::Truncated { line, .. }
            | Fault::LineTooLong { line, .. }
            | Fault::Malformed { line, .. }
            | Fault::Format { line, .. }
            | Fault::Order { line, .. }
            | Fault::Sender { line, .. }
            | Fault::Recipient { line, .. }
            | Fault::Sequence { line, .. }
            | Fault::Link { line, .. }
            | Fault::Altered { line, .. }
            | Fault::Attachment { line, .. }
            | Fault::Duplicate { line, .. }
            | Fault::Manifest { line, .. }
            | Fault::Digest { line, .. }
            | Fault::Signature { line, .. }
            | Fault::Trailing { line } => *line,
        }
    }
}

/// Why a package could not be written. The writer refuses to sign what its reader would reject.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output failed.
    #[error("writing the package: {0}")]
    Io(#[from] std::io::Error),
    /// An event does not continue its origin's chain as given to the writer.
    #[error("event {seq} ({id}) of origin {origin} cannot be exported: {reason}")]
    Chain {
        /// Origin.
        origin: String,
        /// Sequence number.
        seq: u64,
        /// Id.
        id: String,
        /// Why.
        reason: String,
    },
    /// An attachment with the same bytes, or a key with the same id, was already written.
    #[error("duplicate {0}")]
    Duplicate(String),
    /// A field cannot be written as the format requires.
    #[error("{0}")]
    Invalid(String),
    /// The events written do not make the manifest the caller expected.
    #[error("the package does not match the expected manifest{}: {reason}", origin.as_ref().map(|o| format!(" (origin {o})")).unwrap_or_default())]
    Manifest {
        /// Origin concerned, if any.
        origin: Option<String>,
        /// First difference.
        reason: String,
    },
    /// Key wrapping failed.
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),
    /// A record could not be encoded.
    #[error("encoding a record: {0}")]
    Json(#[from] serde_json::Error),
}
