//! SQL helpers both backends use: page limits, integer conversions, index ranges for a
//! prefix and `LIKE` patterns.

use crate::{StoreError, StoreResult};

/// Most alerts one page may hold, whatever the query asks.
pub const MAX_PAGE: usize = 1000;

/// Page size actually served for an alert query.
pub fn page_limit(limit: usize) -> usize {
    limit.min(MAX_PAGE)
}

/// A count or offset as an SQL integer; values past `i64::MAX` mean "no bound" anyway.
pub fn sql_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A sequence number or version as an SQL integer.
pub fn to_sql_int(n: u64, what: &str) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::Backend(format!("{what} {n} is too large to store")))
}

/// An SQL integer read back as a sequence number, position or version.
pub fn from_sql_int(n: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} is negative ({n})")))
}

/// The smallest string greater than every string starting with `prefix`, so a prefix filter
/// becomes an index range `prefix <= x < bound`; `None` when no such bound exists.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// A text searched for inside a column with `LIKE … ESCAPE '\\'`: its wildcards taken
/// literally, wrapped in `%`.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_bound_covers_exactly_the_prefixed_codes() {
        let upper = prefix_upper_bound("CD62").unwrap();
        assert_eq!(upper, "CD63");
        for inside in ["CD62", "CD6201", "CD6201-S003", "CD62\u{10FFFF}"] {
            assert!(inside >= "CD62" && inside < upper.as_str(), "{inside}");
        }
        for outside in ["CD61", "CD63", "CD7", "CD6", "D"] {
            assert!(
                !(outside >= "CD62" && outside < upper.as_str()),
                "{outside}"
            );
        }
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
        assert_eq!(prefix_upper_bound(""), None);
    }

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("Kiwanja"), "%Kiwanja%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn limits_are_capped_and_converted() {
        assert_eq!(page_limit(5000), MAX_PAGE);
        assert_eq!(page_limit(20), 20);
        assert_eq!(sql_count(usize::MAX), i64::MAX);
        assert!(to_sql_int(u64::MAX, "seq").is_err());
        assert!(matches!(
            from_sql_int(-1, "seq"),
            Err(StoreError::Corrupt(_))
        ));
    }
}
