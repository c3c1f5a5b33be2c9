//! Splitting a package into lines in one pass, hashing the bytes before the signature in
//! large runs rather than line by line.

use std::io::{ErrorKind, Read};

use crate::error::Fault;

/// Reads lines into one buffer that is refilled in place.
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    hashed: usize,
    hasher: blake3::Hasher,
    /// Lines returned so far.
    pub line: u64,
    /// Absolute offset of `buf[0]`.
    base: u64,
    max: usize,
}

const READ_AT_LEAST: usize = 1 << 20;

impl<R: Read> LineReader<R> {
    pub(crate) fn new(inner: R, max: usize) -> Self {
        LineReader {
            inner,
            buf: vec![0; READ_AT_LEAST],
            start: 0,
            end: 0,
            hashed: 0,
            hasher: blake3::Hasher::new(),
            line: 0,
            base: 0,
            max,
        }
    }

    /// Bytes of the package consumed so far (through the last line returned).
    pub(crate) fn consumed(&self) -> u64 {
        self.base + self.start as u64
    }

    /// The bytes of a line returned by [`LineReader::next_line`].
    pub(crate) fn get(&self, range: (usize, usize)) -> &[u8] {
        &self.buf[range.0..range.1]
    }

    /// The next line without its line feed, as a range of the buffer; `None` at a clean end
    /// of file.
    pub(crate) fn next_line(&mut self) -> Result<Option<(usize, usize)>, Fault> {
        let mut searched = self.start;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[searched..self.end]) {
                let nl = searched + i;
                let range = (self.start, nl);
                self.line += 1;
                if nl - self.start > self.max {
                    return Err(Fault::LineTooLong {
                        line: self.line,
                        max: self.max,
                    });
                }
                self.start = nl + 1;
                return Ok(Some(range));
            }
            if self.end - self.start > self.max {
                return Err(Fault::LineTooLong {
                    line: self.line + 1,
                    max: self.max,
                });
            }
            searched = self.end - self.start;
            if self.fill()? == 0 {
                if self.start == self.end {
                    return Ok(None);
                }
                return Err(Fault::Truncated {
                    line: self.line + 1,
                    reason: "the last line has no line feed: the file was cut mid-line".into(),
                });
            }
        }
    }

    /// True when no byte is left.
    pub(crate) fn at_end(&mut self) -> Result<bool, Fault> {
        if self.start < self.end {
            return Ok(false);
        }
        Ok(self.fill()? == 0)
    }

    /// BLAKE3 of every byte before offset `upto` of the buffer (the start of the signature
    /// line), as lower-case hex.
    pub(crate) fn digest_before(&mut self, upto: usize) -> String {
        self.hasher.update(&self.buf[self.hashed..upto]);
        self.hashed = upto;
        self.hasher.finalize().to_hex().to_string()
    }

    /// Moves the unread part to the front and reads more after it; the returned count is 0
    /// only at the end of the input. Everything before `start` is hashed first.
    fn fill(&mut self) -> Result<usize, Fault> {
        if self.start > 0 {
            self.hasher.update(&self.buf[self.hashed..self.start]);
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
            self.hashed = 0;
        }
        if self.buf.len() - self.end < READ_AT_LEAST / 2 {
            let want = (self.buf.len() * 2).min(self.max + READ_AT_LEAST + 1);
            if want > self.buf.len() {
                self.buf.resize(want, 0);
            }
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Fault::Io {
                        line: self.line + 1,
                        message: e.to_string(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(data: &[u8], max: usize) -> Result<Vec<Vec<u8>>, Fault> {
        let mut r = LineReader::new(data, max);
        let mut out = vec![];
        while let Some(range) = r.next_line()? {
            out.push(r.get(range).to_vec());
        }
        Ok(out)
    }

    #[test]
    fn lines_are_split_and_cut_lines_refused() {
        assert_eq!(
            all_lines(b"a\nbc\n\n", 10).unwrap(),
            vec![b"a".to_vec(), b"bc".to_vec(), vec![]]
        );
        assert!(matches!(
            all_lines(b"a\nbc", 10),
            Err(Fault::Truncated { line: 2, .. })
        ));
        assert!(matches!(
            all_lines(b"a\n0123456789x\n", 10),
            Err(Fault::LineTooLong { line: 2, .. })
        ));
    }

    #[test]
    fn long_inputs_cross_refills_and_hash_in_order() {
        let line = vec![b'x'; 300_000];
        let mut data = vec![];
        for _ in 0..10 {
            data.extend_from_slice(&line);
            data.push(b'\n');
        }
        let sig_at = data.len();
        data.extend_from_slice(b"sig\n");
        let mut r = LineReader::new(&data[..], 1 << 20);
        let mut last = (0, 0);
        for _ in 0..11 {
            last = r.next_line().unwrap().unwrap();
        }
        assert_eq!(r.get(last), b"sig");
        assert_eq!(
            r.digest_before(last.0),
            blake3::hash(&data[..sig_at]).to_hex().to_string()
        );
        assert!(r.at_end().unwrap());
    }
}
