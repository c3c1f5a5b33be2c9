//! Phone numbers to E.164, so the same focal point is recognised whichever way a gateway or
//! a person wrote their number ("0812 345 678", "00243812345678", "243812345678", "+243…").
//! The only normaliser in Kinga: registries, intake and gateways all match numbers through it,
//! so a number registered one way is recognised when a gateway writes it another.

/// Why a phone number could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MsisdnError {
    /// Nothing but white space or separators.
    #[error("the number is empty")]
    Empty,
    /// A character that has no place in a phone number.
    #[error("unexpected character {0:?} in a phone number")]
    InvalidCharacter(char),
    /// The default country code is not 1–3 digits.
    #[error("invalid country code '{0}'")]
    InvalidCountryCode(String),
    /// Fewer digits than any international number has.
    #[error("{0} digits is too short for an international number")]
    TooShort(usize),
    /// More digits than E.164 allows (15).
    #[error("{0} digits is too long for an international number (15 at most)")]
    TooLong(usize),
}

/// Shortest full international number accepted (country code included); shorter strings are
/// short codes or typos, and guessing would attach alerts to the wrong person.
const MIN_DIGITS: usize = 8;
/// E.164 maximum.
const MAX_DIGITS: usize = 15;

/// Normalise a phone number to E.164 (`+243812345678`). `default_country_code` ("243" or
/// "+243") completes national numbers: a leading trunk `0` is dropped, `00` and `+` mark
/// international numbers, and a number that already starts with the country code and is long
/// enough is taken as international (Kannel and some SMSCs send `243…` without `+`).
pub fn normalize_msisdn(raw: &str, default_country_code: &str) -> Result<String, MsisdnError> {
    let cc = default_country_code.trim().trim_start_matches('+');
    if cc.is_empty()
        || cc.len() > 3
        || !cc.bytes().all(|b| b.is_ascii_digit())
        || cc.starts_with('0')
    {
        return Err(MsisdnError::InvalidCountryCode(
            default_country_code.to_string(),
        ));
    }
    let mut s = raw.trim();
    if s.len() >= 4 && s.is_char_boundary(4) && s[..4].eq_ignore_ascii_case("tel:") {
        s = s[4..].trim();
    }
    // "+243 (0)81…" writes the trunk prefix that must be dialled only nationally.
    let s = s.replace("(0)", "");
    let mut digits = String::with_capacity(s.len());
    let mut plus = false;
    for c in s.chars() {
        match c {
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' | '\t' => {}
            _ => match ascii_digit(c) {
                Some(d) => digits.push(d),
                None => return Err(MsisdnError::InvalidCharacter(c)),
            },
        }
    }
    if digits.is_empty() {
        return Err(MsisdnError::Empty);
    }
    let international = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("{cc}{rest}")
    } else if digits.starts_with(cc) && digits.len() >= cc.len() + MIN_DIGITS {
        digits
    } else {
        format!("{cc}{digits}")
    };
    if international.starts_with('0') {
        // No country code starts with 0: "+0812…" is a national number with a stray plus.
        return Err(MsisdnError::InvalidCountryCode(raw.trim().to_string()));
    }
    match international.len() {
        n if n < MIN_DIGITS => Err(MsisdnError::TooShort(n)),
        n if n > MAX_DIGITS => Err(MsisdnError::TooLong(n)),
        _ => Ok(format!("+{international}")),
    }
}

/// ASCII, Arabic-Indic and Extended Arabic-Indic digits (phones in Sudan and South Sudan
/// may type the latter) as an ASCII digit.
fn ascii_digit(c: char) -> Option<char> {
    let v = match c {
        '0'..='9' => c as u32 - '0' as u32,
        '\u{660}'..='\u{669}' => c as u32 - 0x660,
        '\u{6f0}'..='\u{6f9}' => c as u32 - 0x6f0,
        _ => return None,
    };
    char::from_digit(v, 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_forms() {
        for raw in [
            "+243812345678",
            "+243 81 234 5678",
            "00243812345678",
            "0812345678",
            "081-234-5678",
            "243812345678",
            "812345678",
            "tel:+243812345678",
            "+243 (0) 812 345 678",
            "(081) 234.5678",
        ] {
            assert_eq!(
                normalize_msisdn(raw, "243").as_deref(),
                Ok("+243812345678"),
                "{raw}"
            );
        }
        assert_eq!(
            normalize_msisdn("0912 345 678", "+211").as_deref(),
            Ok("+211912345678")
        );
        assert_eq!(
            normalize_msisdn("+236 72 12 34 56", "243").as_deref(),
            Ok("+23672123456")
        );
        assert_eq!(
            normalize_msisdn("٠٩١٢٣٤٥٦٧٨", "249").as_deref(),
            Ok("+249912345678")
        );
    }

    #[test]
    fn refuses_what_is_not_a_number() {
        assert_eq!(normalize_msisdn("  ", "243"), Err(MsisdnError::Empty));
        assert_eq!(
            normalize_msisdn("081234567x", "243"),
            Err(MsisdnError::InvalidCharacter('x'))
        );
        assert_eq!(
            normalize_msisdn("+12", "243"),
            Err(MsisdnError::TooShort(2))
        );
        assert_eq!(
            normalize_msisdn("+1234567890123456", "243"),
            Err(MsisdnError::TooLong(16))
        );
        assert!(matches!(
            normalize_msisdn("0812", "24x"),
            Err(MsisdnError::InvalidCountryCode(_))
        ));
        assert!(normalize_msisdn("+0812345678", "243").is_err());
        assert!(normalize_msisdn("++243812345678", "243").is_err());
    }
}
