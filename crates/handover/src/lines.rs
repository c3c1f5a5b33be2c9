//! Splitting a package into lines in one pass, in one buffer refilled in place, so a batch of
//! lines can be checked on several cores while they stay where they were read.

use std::io::{ErrorKind, Read};

use crate::error::Fault;

/// Reads lines into one buffer that is refilled in place. Ranges it returns stay valid until
/// the next [`LineReader::refill`].
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
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
            buf: vec![0; 1 << 16],
            start: 0,
            end: 0,
            line: 0,
            base: 0,
            max,
        }
    }

    /// Bytes of the package consumed so far (through the last line returned).
    pub(crate) fn consumed(&self) -> u64 {
        self.base + self.start as u64
    }

    /// The buffer that ranges index.
    pub(crate) fn buf(&self) -> &[u8] {
        &self.buf
    }

    /// The next complete line already in the buffer, without its line feed; `Ok(None)` when
    /// the buffer holds no complete line (refill, or the input has ended).
    pub(crate) fn buffered_line(&mut self) -> Result<Option<(usize, usize)>, Fault> {
        if let Some(i) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
            let nl = self.start + i;
            let range = (self.start, nl);
            self.line += 1;
            if i > self.max {
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
        Ok(None)
    }

    /// True when bytes of an unfinished line are left in the buffer.
    pub(crate) fn has_partial(&self) -> bool {
        self.start < self.end
    }

    /// Moves the unread part to the front and reads more after it. Returns how far the
    /// buffer's content moved (earlier offsets shift down by it) and whether anything was
    /// read (nothing: the input has ended).
    pub(crate) fn refill(&mut self) -> Result<(usize, bool), Fault> {
        let shift = self.start;
        if shift > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += shift as u64;
            self.end -= shift;
            self.start = 0;
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
                    return Ok((shift, n > 0));
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

    /// True when no byte is left after the lines returned.
    pub(crate) fn at_end(&mut self) -> Result<bool, Fault> {
        if self.has_partial() {
            return Ok(false);
        }
        Ok(!self.refill()?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(data: &[u8], max: usize) -> Result<Vec<Vec<u8>>, Fault> {
        let mut r = LineReader::new(data, max);
        let mut out = vec![];
        loop {
            while let Some((a, b)) = r.buffered_line()? {
                out.push(r.buf()[a..b].to_vec());
            }
            if !r.refill()?.1 {
                if r.has_partial() {
                    return Err(Fault::Truncated {
                        line: r.line + 1,
                        reason: String::new(),
                    });
                }
                return Ok(out);
            }
        }
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
    fn long_lines_cross_refills() {
        let line = vec![b'x'; 300_000];
        let mut data = vec![];
        for _ in 0..10 {
            data.extend_from_slice(&line);
            data.push(b'\n');
        }
        let got = all_lines(&data, 1 << 20).unwrap();
        assert_eq!(got.len(), 10);
        assert!(got.iter().all(|l| *l == line));
    }
}
