//! A parser for the one line layout that makes up nearly all of a package: an event record
//! exactly as the writer emits it. It gives what the general JSON parser would give, or
//! nothing — then the general parser decides, and names any fault — so it changes speed only.
//! Verification spends a third of its time in JSON; this layout needs no backtracking, no
//! member lookup and, for the payload, one pass of unescaping.

use std::borrow::Cow;

use crate::records::{Raw, Text};

/// The event record of `line` if it is in the writer's layout, `None` for anything else.
pub(crate) fn event_line(line: &[u8]) -> Option<Raw<'_>> {
    let mut p = Cursor { s: line, i: 0 };
    p.lit(b"{\"t\":\"event\",\"origin\":")?;
    let origin = p.string()?;
    p.lit(b",\"seq\":")?;
    let seq = p.number()?;
    p.lit(b",\"id\":")?;
    let id = p.string()?;
    p.lit(b",\"actor\":")?;
    let actor = p.string()?;
    p.lit(b",\"at\":")?;
    let at = p.string()?;
    p.lit(b",\"payload\":")?;
    let payload = p.string()?;
    p.lit(b",\"prev_hash\":")?;
    let prev_hash = p.string()?;
    p.lit(b",\"hash\":")?;
    let hash = p.string()?;
    p.lit(b"}")?;
    if p.i != line.len() {
        return None;
    }
    Some(Raw {
        t: Some(Text(Cow::Borrowed("event"))),
        origin: Some(origin),
        seq: Some(seq),
        id: Some(id),
        actor: Some(actor),
        at: Some(at),
        payload: Some(payload),
        prev_hash: Some(prev_hash),
        hash: Some(hash),
        ..Raw::default()
    })
}

/// Bytes that end a run of plain string content: quote, backslash, control characters.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn lit(&mut self, want: &[u8]) -> Option<()> {
        let end = self.i.checked_add(want.len())?;
        (self.s.get(self.i..end)? == want).then(|| self.i = end)
    }

    /// A JSON integer without sign, fraction or exponent that fits in 64 bits.
    fn number(&mut self) -> Option<u64> {
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(d) = self.s.get(self.i).filter(|b| b.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        let digits = self.i - start;
        // JSON allows no leading zero; anything else is left to the general parser.
        (digits == 1 || (digits > 1 && self.s[start] != b'0')).then_some(n)
    }

    /// A JSON string: borrowed when it has no escapes, decoded otherwise.
    fn string(&mut self) -> Option<Text<'a>> {
        self.lit(b"\"")?;
        let s = self.s;
        let start = self.i;
        let mut owned: Option<Vec<u8>> = None;
        loop {
            // Escapes come every few bytes in a payload: a plain scan beats a vector search.
            let rel = s[self.i..].iter().position(|b| SPECIAL[usize::from(*b)])?;
            let run = &s[self.i..self.i + rel];
            if let Some(o) = owned.as_mut() {
                o.extend_from_slice(run);
            }
            self.i += rel;
            match s[self.i] {
                b'"' => {
                    self.i += 1;
                    return match owned {
                        None => std::str::from_utf8(&s[start..self.i - 1])
                            .ok()
                            .map(|t| Text(Cow::Borrowed(t))),
                        Some(o) => String::from_utf8(o).ok().map(|t| Text(Cow::Owned(t))),
                    };
                }
                b'\\' => {}
                // A control character, which JSON allows only escaped.
                _ => return None,
            }
            let o = owned.get_or_insert_with(|| {
                let mut v = Vec::with_capacity(s.len() - start);
                v.extend_from_slice(&s[start..self.i]);
                v
            });
            let esc = *s.get(self.i + 1)?;
            self.i += 2;
            let c = match esc {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode()?,
                _ => return None,
            };
            let mut utf8 = [0u8; 4];
            o.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
    }

    /// The code point of `\uXXXX` (the `\u` already read), joining a surrogate pair; a lone
    /// surrogate is left to the general parser.
    fn unicode(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            self.lit(b"\\u")?;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return None;
            }
            return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
        }
        char::from_u32(hi)
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let v = u32::from_str_radix(text, 16).ok()?;
        // from_str_radix accepts a leading '+', JSON does not.
        if digits[0] == b'+' {
            return None;
        }
        self.i += 4;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(origin: &str, seq: &str, payload: &str) -> Vec<u8> {
        format!(
            r#"{{"t":"event","origin":{origin},"seq":{seq},"id":"01J","actor":"cla","at":"2026-01-01T00:00:00.000000Z","payload":{payload},"prev_hash":"00","hash":"ab"}}"#
        )
        .into_bytes()
    }

    fn texts(raw: &Raw) -> Vec<String> {
        [
            &raw.origin,
            &raw.id,
            &raw.actor,
            &raw.at,
            &raw.payload,
            &raw.prev_hash,
            &raw.hash,
        ]
        .iter()
        .map(|t| {
            t.as_ref()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default()
        })
        .collect()
    }

    #[test]
    fn the_writers_layout_is_read_as_the_general_parser_reads_it() {
        let l = line(
            r#""kinga-goma""#,
            "12",
            r#""{\"type\":\"alert\",\"text\":\"armés \\u00e0 \ud83d\ude00 \\n\"}""#,
        );
        let fast = event_line(&l).unwrap();
        let slow: Raw = serde_json::from_slice(&l).unwrap();
        assert_eq!(texts(&fast), texts(&slow));
        assert_eq!(fast.seq, Some(12));
        // Everything unusual is left to the general parser.
        for (o, s, p) in [
            (r#""a""#, "012", r#""x""#),
            (r#""a""#, "1.0", r#""x""#),
            (r#""a""#, "18446744073709551616", r#""x""#),
            (r#""a""#, "1", r#""\ud800""#),
            (r#""a""#, "1", r#""\x""#),
            (r#""a""#, "1", "\"tab\there\""),
            (r#""a""#, "1", r#""\u+041""#),
            ("null", "1", r#""x""#),
        ] {
            assert!(event_line(&line(o, s, p)).is_none(), "{o} {s} {p}");
        }
        let mut spaced = line(r#""a""#, "1", r#""x""#);
        spaced.push(b' ');
        assert!(event_line(&spaced).is_none());
        assert_eq!(
            event_line(&line(r#""a""#, "0", r#""x""#)).unwrap().seq,
            Some(0)
        );
    }

    proptest! {
        #[test]
        fn any_text_round_trips_like_the_general_parser(
            origin in "\\PC{0,12}", payload in any::<String>(), seq in any::<u64>()
        ) {
            let l = line(
                &serde_json::to_string(&origin).unwrap(),
                &seq.to_string(),
                &serde_json::to_string(&payload).unwrap(),
            );
            let fast = event_line(&l).unwrap();
            let slow: Raw = serde_json::from_slice(&l).unwrap();
            prop_assert_eq!(texts(&fast), texts(&slow));
            prop_assert_eq!(fast.seq, Some(seq));
        }

        #[test]
        fn on_any_bytes_it_agrees_or_steps_aside(mut l in any::<Vec<u8>>(), at in any::<usize>(), b in any::<u8>()) {
            let mut base = line(r#""a\u00e9""#, "7", r#""{\"k\":\"v\\\\\"}""#);
            let i = at % base.len();
            base[i] = b;
            l.truncate(8);
            for candidate in [base, l] {
                if let Some(fast) = event_line(&candidate) {
                    let slow: Raw = serde_json::from_slice(&candidate).unwrap();
                    prop_assert_eq!(texts(&fast), texts(&slow));
                    prop_assert_eq!(fast.seq, slow.seq);
                }
            }
        }
    }
}
