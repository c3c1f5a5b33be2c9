//! Words of a message with their place in the original text, so that whatever is not
//! understood can be handed back verbatim.

/// One word: its byte span in the original text and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// Lower case ASCII letters and digits ("Armés" gives "armes").
    pub norm: String,
}

/// Split `text` into runs of letters and digits. Punctuation, apostrophes and hyphens
/// separate words ("d'hommes" gives "d", "hommes"; "K-12" gives "k", "12"); runs that fold
/// to nothing (emoji, symbols) are dropped.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            push(text, s, i, &mut out);
        }
    }
    if let Some(s) = start {
        push(text, s, text.len(), &mut out);
    }
    out
}

fn push(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let norm: String = deunicode::deunicode(&text[start..end])
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if !norm.is_empty() {
        out.push(Token { start, end, norm });
    }
}

/// The text between two tokens (or around them), e.g. "-" in "K-12" or ", " in "Beni, Nord".
pub fn gap<'a>(text: &'a str, before: &Token, after: &Token) -> &'a str {
    text.get(before.end..after.start).unwrap_or("")
}

/// True when a gap holds punctuation that ends a phrase or a place name.
pub fn is_hard_break(gap: &str) -> bool {
    gap.chars().any(|c| {
        matches!(
            c,
            '.' | ':' | ';' | '!' | '?' | '\n' | '\r' | '(' | ')' | '/' | '|'
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_folds() {
        let t = tokenize("ALERTE: d'hommes-Armés à K-12 🙏 Bunagana!");
        let norms: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(
            norms,
            ["alerte", "d", "hommes", "armes", "a", "k", "12", "bunagana"]
        );
        let text = "ALERTE: d'hommes-Armés à K-12 🙏 Bunagana!";
        assert_eq!(&text[t[3].start..t[3].end], "Armés");
        assert_eq!(gap(text, &t[5], &t[6]), "-");
        assert!(tokenize("").is_empty());
        assert!(tokenize("🙏 !!").is_empty());
    }
}
