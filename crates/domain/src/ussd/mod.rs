//! A USSD session as a pure state machine. USSD gateways (Africa's Talking) keep no state for
//! the application: each request carries every answer given so far, `*`-joined
//! (`"2*3*Kitchnga*1"`), so the screen to show is derived from that text alone, by replaying
//! the answers from the first screen on. Nothing is guessed: the person picks the language,
//! the threat type, the place (their own registered place, or a typed name resolved against
//! the gazetteer and picked among at most four candidates) and the severity, then confirms.
//!
//! ```text
//! language ─► threat type ─► [own place? 1 yes / 2 other] ─► type a name ─► pick 1..4
//!                                       │                       ▲   │ none: type again
//!                                       │                       └───┘ 0: type again
//!                                       └──────────────────────► severity ─► confirm ─► END
//! ```

mod screens;
#[cfg(test)]
mod tests;

pub use screens::{
    LANGUAGE_INVALID, LANGUAGE_SCREEN, Lang, MAX_SCREEN, THREATS, Words, alert_text,
    severity_label, submitted, threat_label, words,
};

use crate::limits;
use crate::place::{Gazetteer, PlaceCandidate};
use crate::{Severity, ThreatType};

use screens::{clip, menu};

/// Most answers one session may carry; a longer path is not a person at a phone.
pub const MAX_INPUTS: usize = 40;
/// Most place candidates offered on one screen.
pub const MAX_CANDIDATES: usize = 4;

/// What a session's answers are read against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The places typed names are resolved against.
    pub gazetteer: &'a Gazetteer,
    /// The registered place of the focal point dialling, offered first.
    pub home_place: Option<&'a str>,
}

/// What to answer a USSD request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Show this screen and wait for an answer (`CON …`).
    Continue(String),
    /// Show this screen and end the session (`END …`), nothing recorded.
    End(String),
    /// The person confirmed: record the alert, then end with [`submitted`].
    Submit(Report),
}

/// The alert a confirmed session reports, every field chosen by the person.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Language chosen on the first screen.
    pub language: Lang,
    /// Threat type picked from the menu.
    pub threat_type: ThreatType,
    /// Severity picked from the menu.
    pub severity: Severity,
    /// P-code of the place picked.
    pub place: String,
    /// The name the person typed, when the place was not their own.
    pub place_typed: Option<String>,
    /// The candidates the place was picked from (empty for their own place).
    pub candidates: Vec<PlaceCandidate>,
    /// The alert's text: the choices in the words the person saw.
    pub text: String,
}

/// Which screen the session is on.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Language,
    Threat,
    /// The focal point's own place offered, or another.
    Home,
    /// A place name to type; `not_found` after a name that matched nothing.
    Typing {
        not_found: bool,
    },
    /// Candidates for `typed` to pick from.
    Candidates {
        typed: String,
        candidates: Vec<PlaceCandidate>,
    },
    Severity,
    Confirm,
}

/// What one answer did.
enum Flow {
    Next,
    Cancel,
    Submit,
}

struct Session<'a> {
    ctx: Context<'a>,
    lang: Lang,
    threat: Option<ThreatType>,
    place: Option<(String, Option<String>, Vec<PlaceCandidate>)>,
    severity: Option<Severity>,
    step: Step,
    /// The last answer was not one the screen offered: show it again, saying so.
    invalid: bool,
}

/// The answers in a gateway's `text`: none on the first request.
pub fn inputs(text: &str) -> Vec<&str> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('*').collect()
    }
}

/// The answer to a request whose answers so far are `text`.
pub fn answer(text: &str, ctx: &Context<'_>) -> Answer {
    let mut s = Session {
        ctx: *ctx,
        lang: Lang::Fr,
        threat: None,
        place: None,
        severity: None,
        step: Step::Language,
        invalid: false,
    };
    let inputs = inputs(text);
    for (i, input) in inputs.iter().enumerate() {
        if i >= MAX_INPUTS {
            return Answer::End(words(s.lang).too_long.to_string());
        }
        match s.take(input) {
            Flow::Next => {}
            Flow::Cancel => return Answer::End(words(s.lang).cancelled.to_string()),
            Flow::Submit => match s.report() {
                Some(r) => return Answer::Submit(r),
                None => return Answer::End(words(s.lang).cancelled.to_string()),
            },
        }
    }
    Answer::Continue(s.screen())
}

/// A menu answer: its number, when it is one.
fn choice(input: &str) -> Option<usize> {
    let t = input.trim();
    if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

impl Session<'_> {
    fn home(&self) -> Option<&str> {
        self.ctx
            .home_place
            .filter(|p| self.ctx.gazetteer.get(p).is_some())
    }

    fn take(&mut self, input: &str) -> Flow {
        let n = choice(input);
        let mut valid = true;
        match (&self.step, n) {
            (Step::Language, Some(n)) if Lang::from_choice(n).is_some() => {
                self.lang = Lang::from_choice(n).unwrap_or(Lang::Fr);
                self.step = Step::Threat;
            }
            (Step::Threat, Some(n)) if (1..=THREATS.len()).contains(&n) => {
                self.threat = Some(THREATS[n - 1]);
                self.step = match self.home() {
                    Some(_) => Step::Home,
                    None => Step::Typing { not_found: false },
                };
            }
            (Step::Home, Some(1)) => {
                let home = self.home().unwrap_or_default().to_string();
                self.place = Some((home, None, Vec::new()));
                self.step = Step::Severity;
            }
            (Step::Home, Some(2)) | (Step::Candidates { .. }, Some(0)) => {
                self.step = Step::Typing { not_found: false };
            }
            (Step::Candidates { typed, candidates }, Some(n))
                if (1..=candidates.len()).contains(&n) =>
            {
                let picked = candidates[n - 1].pcode.clone();
                self.place = Some((picked, Some(typed.clone()), candidates.clone()));
                self.step = Step::Severity;
            }
            // A name typed where a number was asked: the person is correcting the spelling.
            (Step::Typing { .. } | Step::Candidates { .. }, None) if !input.trim().is_empty() => {
                self.typed(input);
            }
            (Step::Severity, Some(n)) if (1..=4).contains(&n) => {
                self.severity = Severity::new(n as u8).ok();
                self.step = Step::Confirm;
            }
            (Step::Confirm, Some(1)) => return Flow::Submit,
            (Step::Confirm, Some(2)) => return Flow::Cancel,
            _ => valid = false,
        }
        self.invalid = !valid;
        Flow::Next
    }

    /// A typed place name, resolved: candidates to pick from, or the prompt again.
    fn typed(&mut self, input: &str) {
        let typed = clip(input.trim(), limits::PLACE_NAME);
        let candidates = self.ctx.gazetteer.resolve(&typed, MAX_CANDIDATES);
        self.step = if candidates.is_empty() {
            Step::Typing { not_found: true }
        } else {
            Step::Candidates { typed, candidates }
        };
    }

    fn place_label(&self, pcode: &str) -> String {
        self.ctx.gazetteer.label(pcode)
    }

    fn screen(&self) -> String {
        let w = words(self.lang);
        let prefix = self.invalid.then_some(w.invalid);
        match &self.step {
            Step::Language => match self.invalid {
                true => format!("{LANGUAGE_INVALID}\n{LANGUAGE_SCREEN}"),
                false => LANGUAGE_SCREEN.to_string(),
            },
            Step::Threat => {
                let items: Vec<(String, String)> = THREATS
                    .iter()
                    .enumerate()
                    .map(|(i, t)| ((i + 1).to_string(), threat_label(self.lang, *t).into()))
                    .collect();
                menu(prefix, w.threat, &items)
            }
            Step::Home => {
                let home = self.home().map(|p| self.place_label(p)).unwrap_or_default();
                let items = [("1".into(), home), ("2".into(), w.other_place.into())];
                menu(prefix, w.place, &items)
            }
            Step::Typing { not_found } => {
                let prompt = if *not_found {
                    w.place_not_found
                } else {
                    w.type_place
                };
                match prefix {
                    Some(p) => format!("{p}\n{prompt}"),
                    None => prompt.to_string(),
                }
            }
            Step::Candidates { candidates, .. } => {
                let mut items: Vec<(String, String)> = candidates
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let label = if c.context.is_empty() {
                            c.name.clone()
                        } else {
                            format!("{} ({})", c.name, c.context)
                        };
                        ((i + 1).to_string(), label)
                    })
                    .collect();
                items.push(("0".into(), w.retype.into()));
                menu(prefix, w.choose_place, &items)
            }
            Step::Severity => {
                let items: Vec<(String, String)> = (1..=4u8)
                    .filter_map(|n| Severity::new(n).ok())
                    .map(|s| {
                        (
                            s.level().to_string(),
                            severity_label(self.lang, s).to_string(),
                        )
                    })
                    .collect();
                menu(prefix, w.severity, &items)
            }
            Step::Confirm => self.confirm_screen(prefix),
        }
    }

    fn confirm_screen(&self, prefix: Option<&str>) -> String {
        let w = words(self.lang);
        let threat = self
            .threat
            .map(|t| threat_label(self.lang, t))
            .unwrap_or_default();
        let severity = self
            .severity
            .map(|s| {
                format!(
                    "{} {}: {}",
                    w.severity_word,
                    s.level(),
                    severity_label(self.lang, s)
                )
            })
            .unwrap_or_default();
        let place = self
            .place
            .as_ref()
            .map(|(p, _, _)| self.place_label(p))
            .unwrap_or_default();
        let choices = format!("1 {}\n2 {}", w.send, w.cancel);
        let mut lines: Vec<&str> = prefix.into_iter().collect();
        lines.extend([w.confirm, threat]);
        let fixed: usize = lines.iter().map(|l| l.chars().count() + 1).sum::<usize>()
            + severity.chars().count()
            + 1
            + choices.chars().count()
            + 1;
        let place = clip(&place, MAX_SCREEN.saturating_sub(fixed));
        let mut out = lines.join("\n");
        for l in [place.as_str(), severity.as_str(), choices.as_str()] {
            out.push('\n');
            out.push_str(l);
        }
        out
    }

    fn report(&self) -> Option<Report> {
        let threat_type = self.threat?;
        let severity = self.severity?;
        let (place, place_typed, candidates) = self.place.clone()?;
        let name = self
            .ctx
            .gazetteer
            .get(&place)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| place.clone());
        let text = alert_text(
            self.lang,
            threat_type,
            &name,
            place_typed.as_deref(),
            severity,
        );
        Some(Report {
            language: self.lang,
            threat_type,
            severity,
            place,
            place_typed,
            candidates,
            text,
        })
    }
}
