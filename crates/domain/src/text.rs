//! Text normalisation shared by place matching, duplicate scoring and message parsing.

/// Lower-case, strip accents (transliterate to ASCII), turn punctuation into spaces and fold
/// runs of white space: "Nord-Kivu, Bunagana!" becomes "nord kivu bunagana".
pub fn fold(s: &str) -> String {
    let ascii = deunicode::deunicode(s).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    let mut space = true;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Words of a folded text.
pub fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("  Nord-Kivu, Bunagana! "), "nord kivu bunagana");
        assert_eq!(fold("Équateur"), "equateur");
        assert_eq!(fold("Mbandaka—Ville"), "mbandaka ville");
        assert_eq!(
            words("Rutshuru  Territoire"),
            vec!["rutshuru", "territoire"]
        );
    }
}
