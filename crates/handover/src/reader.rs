//! Reading and verifying a package in one pass, yielding each record once it has been checked.
//! Lines are taken in batches: the per-line work (JSON, event hashes) is shared between two
//! cores, the checks that follow the chain are made in line order.

use std::collections::VecDeque;
use std::io::Read;

use kinga_ledger::Event;

use crate::checker::{Checker, Pre, Stage, pre_parse};
use crate::error::Fault;
use crate::keys::{PublicKey, WrappedKey};
use crate::lines::LineReader;
use crate::manifest::Manifest;
use crate::writer::Progress;
use crate::{Header, MAX_LINE, Summary};

/// What the reader checks beyond the package's own consistency.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Refuse a package whose sender key is not this one (`--from SENDER.pub`).
    pub expected_sender: Option<PublicKey>,
    /// Refuse a package made for another recipient (import passes its own key).
    pub recipient: Option<PublicKey>,
    /// Longest line accepted, in bytes without its line feed.
    pub max_line: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            expected_sender: None,
            recipient: None,
            max_line: MAX_LINE,
        }
    }
}

/// A withheld event: enough to keep its chain checkable, nothing of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withheld {
    /// Origin instance.
    pub origin: String,
    /// Sequence number.
    pub seq: u64,
    /// Event id.
    pub id: String,
    /// Hash of the event before it.
    pub prev_hash: String,
    /// Its hash, as the sender states it (cannot be recomputed without the content).
    pub hash: String,
}

/// A file carried in the package; its bytes match its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// BLAKE3 of the bytes, hex.
    pub digest: String,
    /// Media type as given.
    pub media_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// One checked record. Every record is checked as it is read, but the package as a whole is
/// proven only by [`Item::End`]: an importer writes in one transaction and commits only then.
#[derive(Debug, Clone)]
pub enum Item {
    /// The header (first).
    Header(Header),
    /// An event whose hash and chain link were checked.
    Event(Event),
    /// A withheld event's stub whose chain link was checked.
    Withheld(Withheld),
    /// An attachment whose digest was checked.
    Attachment(Attachment),
    /// A secret wrapped for the recipient; open it with [`WrappedKey::unwrap_key`].
    Key(WrappedKey),
    /// The manifest, once it matched what was read.
    Manifest(Manifest),
    /// The signature verified and nothing follows: the package is intact.
    End(Summary),
}

/// Lines checked together; large enough that spreading them over two cores pays.
const BATCH_LINES: usize = 2048;

/// Reads a package from any byte stream, checking as it goes; iterate it for the items.
pub struct PackageReader<R> {
    lines: LineReader<R>,
    checker: Checker,
    hasher: blake3::Hasher,
    /// Offset in the line buffer up to which bytes have been hashed.
    hashed: usize,
    queue: VecDeque<Item>,
    pending: Option<Fault>,
    finished: bool,
    parallel: bool,
    materialize: bool,
}

impl<R: Read> PackageReader<R> {
    /// A reader of `input` (buffering is done inside; pass a `File` as it is).
    pub fn new(input: R, opts: ReaderOptions) -> Self {
        PackageReader {
            lines: LineReader::new(input, opts.max_line),
            checker: Checker::new(opts),
            hasher: blake3::Hasher::new(),
            hashed: 0,
            queue: VecDeque::new(),
            pending: None,
            finished: false,
            parallel: std::thread::available_parallelism().is_ok_and(|n| n.get() > 1),
            materialize: true,
        }
    }

    /// The header, once read.
    pub fn header(&self) -> Option<&Header> {
        self.checker.header_read()
    }

    /// How far the read has got (`bytes` against the file's length makes a progress bar).
    pub fn progress(&self) -> Progress {
        let mut p = self.checker.progress;
        p.bytes = self.lines.consumed();
        p
    }

    /// The next checked item; `None` after [`Item::End`] or after a fault was returned.
    pub fn next_item(&mut self) -> Result<Option<Item>, Fault> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Ok(Some(item));
            }
            if let Some(f) = self.pending.take() {
                self.finished = true;
                return Err(f);
            }
            if self.finished {
                return Ok(None);
            }
            self.batch();
        }
    }

    /// Reads the lines now buffered (reading more if there are none), checks them, and
    /// queues their items and the first fault.
    fn batch(&mut self) {
        let mut ranges = Vec::with_capacity(BATCH_LINES);
        let mut after: Option<Fault> = None;
        let mut clean_end = false;
        loop {
            match self.lines.buffered_line() {
                Ok(Some(r)) => {
                    ranges.push(r);
                    if ranges.len() == BATCH_LINES {
                        break;
                    }
                }
                Ok(None) if !ranges.is_empty() => break,
                Ok(None) => match self.lines.refill() {
                    Ok((shift, true)) => self.hashed -= shift.min(self.hashed),
                    Ok((_, false)) if self.lines.has_partial() => {
                        after = Some(Fault::Truncated {
                            line: self.lines.line + 1,
                            reason: "the last line has no line feed: the file was cut mid-line"
                                .into(),
                        });
                        break;
                    }
                    Ok((_, false)) => {
                        clean_end = true;
                        break;
                    }
                    Err(f) => {
                        after = Some(f);
                        break;
                    }
                },
                Err(f) => {
                    after = Some(f);
                    break;
                }
            }
        }
        let first_line = self.lines.line - ranges.len() as u64 + 1;
        let PackageReader {
            lines,
            checker,
            hasher,
            hashed,
            queue,
            pending,
            finished,
            parallel,
            materialize,
        } = self;
        let buf = lines.buf();
        let pres = pre_parse_all(buf, &ranges, *parallel, *materialize);
        let mut ended_at = None;
        for (k, (range, pre)) in ranges.iter().zip(pres).enumerate() {
            let line = first_line + k as u64;
            if checker.stage == Stage::Done {
                // The package is not intact after all: take back the end already queued.
                queue.pop_back();
                *pending = Some(Fault::Trailing { line });
                return;
            }
            let digest = (checker.stage == Stage::Signature).then(|| {
                hasher.update(&buf[*hashed..range.0]);
                *hashed = range.0;
                hasher.finalize().to_hex().to_string()
            });
            match checker.record(line, pre, digest.as_deref()) {
                Ok(Some(item)) => {
                    if matches!(item, Item::End(_)) {
                        ended_at = Some(line);
                    }
                    queue.push_back(item);
                }
                Ok(None) => {}
                Err(f) => {
                    *pending = Some(f);
                    return;
                }
            }
        }
        if let Some(line) = ended_at {
            // Nothing may follow the signature, not even an unfinished line.
            let trailing = match lines.at_end() {
                Ok(true) if after.is_none() => None,
                Ok(_) => Some(Fault::Trailing { line: line + 1 }),
                Err(f) => Some(f),
            };
            if let Some(f) = trailing {
                queue.pop_back();
                *pending = Some(f);
                return;
            }
            if let Some(Item::End(s)) = queue.back_mut() {
                s.bytes = lines.consumed();
            }
            *finished = true;
            return;
        }
        if let Some(&(_, last)) = ranges.last() {
            hasher.update(&buf[*hashed..last + 1]);
            *hashed = last + 1;
        }
        if clean_end {
            let reason = match checker.stage {
                Stage::Header => "the file is empty",
                Stage::Body => "it ends before the manifest and the signature",
                _ => "it ends before the signature",
            };
            after = Some(Fault::Truncated {
                line: lines.line + 1,
                reason: reason.into(),
            });
        }
        *pending = after;
    }
}

/// [`pre_parse`] of each line, on two cores when there are enough lines to share.
fn pre_parse_all<'a>(
    buf: &'a [u8],
    ranges: &[(usize, usize)],
    parallel: bool,
    materialize: bool,
) -> Vec<Pre<'a>> {
    let run = |rs: &[(usize, usize)]| -> Vec<Pre<'a>> {
        rs.iter()
            .map(|&(a, b)| pre_parse(&buf[a..b], materialize))
            .collect()
    };
    if !parallel || ranges.len() < 64 {
        return run(ranges);
    }
    let mid = ranges.len() / 2;
    std::thread::scope(|s| {
        let second = s.spawn(|| run(&ranges[mid..]));
        let mut out = run(&ranges[..mid]);
        match second.join() {
            Ok(rest) => out.extend(rest),
            // A panic in the other thread would be a bug; redo its half here rather than lose it.
            Err(_) => out.extend(run(&ranges[mid..])),
        }
        out
    })
}

impl<R: Read> Iterator for PackageReader<R> {
    type Item = Result<Item, Fault>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

/// Read and check a whole package; the summary of an intact one, or its first fault.
pub fn verify(input: impl Read, opts: ReaderOptions) -> Result<Summary, Fault> {
    let mut r = PackageReader::new(input, opts);
    // Events are checked where they lie in the buffer; nobody would take them.
    r.materialize = false;
    while let Some(item) = r.next_item()? {
        if let Item::End(s) = item {
            return Ok(s);
        }
    }
    Err(Fault::Truncated {
        line: r.lines.line + 1,
        reason: "it ends before the signature".into(),
    })
}
