//! What the intake benchmark sends: alerts spread over the demo's places, threat types and
//! texts. The texts are the blind SMS corpus (messages written before the parser); the free
//! place names are the GeoNames towns of the demo gazetteer.

use serde_json::{Value, json};

/// The blind corpus: text, language, threat type, severity, place, notes.
const BLIND: &str = include_str!("../../../domain/tests/sms_blind_corpus.tsv");
/// Focal points the demo registers.
const DEMO_FOCAL_POINTS: usize = 52;
/// Towns of the demo gazetteer.
const TOWNS: &str = include_str!("../../data/geonames-places.csv");

/// One message of the corpus with what a form or an API client would add to it.
#[derive(Debug, Clone)]
pub struct Message {
    /// What the reporter typed.
    pub text: String,
    /// Threat type a form would give, when the corpus knows it.
    pub threat_type: Option<String>,
    /// Severity a form would give.
    pub severity: Option<u8>,
    /// P-code a form would give.
    pub place: Option<String>,
}

/// The messages, town names and numbers the load is drawn from.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Corpus messages.
    pub messages: Vec<Message>,
    /// Town names (Congolese GeoNames rows).
    pub towns: Vec<String>,
    /// Focal points the benchmark registers beside the demo's (`KINGA_BENCH_NETWORK`).
    pub network: usize,
    /// The messages' P-codes, in corpus order: the homes given to those focal points.
    homes: Vec<String>,
}

impl Corpus {
    /// The corpus shipped with the repository, with a network of `network` more focal points.
    pub fn load(network: usize) -> Corpus {
        let messages: Vec<Message> = BLIND
            .lines()
            .skip(1)
            .filter_map(|line| {
                let cols: Vec<&str> = line.split('\t').collect();
                let known = |i: usize| {
                    cols.get(i)
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty() && *c != "-")
                        .map(str::to_string)
                };
                Some(Message {
                    text: known(0)?,
                    threat_type: known(2),
                    severity: known(3).and_then(|s| s.parse().ok()),
                    place: known(4).filter(|p| p.starts_with("CD")),
                })
            })
            .collect();
        let towns = TOWNS
            .lines()
            .skip(1)
            .filter(|l| l.contains(",CD,"))
            .filter_map(|l| l.split(',').next().map(str::to_string))
            .collect();
        let homes = messages.iter().filter_map(|m| m.place.clone()).collect();
        Corpus {
            messages,
            towns,
            network,
            homes,
        }
    }

    /// The `i`-th API body: a third carries only the text (the grammar reads everything), a
    /// third a form's P-code, threat type and severity, a third a free place name to resolve.
    pub fn api_body(&self, i: usize, phone: &str) -> Value {
        let m = &self.messages[i % self.messages.len()];
        match i % 3 {
            0 => json!({ "text": m.text, "reporter_phone": phone }),
            1 => json!({
                "text": m.text,
                "place": m.place.clone().unwrap_or_else(|| "CD6111".into()),
                "threat_type": m.threat_type.clone().unwrap_or_else(|| "other".into()),
                "severity": m.severity.unwrap_or(2),
                "reporter_phone": phone,
            }),
            _ => json!({
                "text": m.text,
                "place_name": self.towns[(i / 3) % self.towns.len()],
                "threat_type": m.threat_type.clone().unwrap_or_else(|| "other".into()),
            }),
        }
    }

    /// The number the `i`-th message of client `c` comes from: nine in ten from the alert
    /// network's registered focal points (the demo's and the benchmark's own, a flood comes
    /// from the network's reporters), one in ten from a number Kinga does not know. Each
    /// client walks the numbers from its own offset, so the same phone writes again only
    /// after the rest of the network has: with a few thousand numbers a phone sends a few
    /// messages a step, some of them follow-ups, as a village's phones do when it is attacked.
    pub fn phone(&self, c: usize, i: u64) -> String {
        let i = i as usize;
        if i % 10 == 9 {
            return format!("+2439900{:05}", c * 100 + (i / 10) % 100);
        }
        let k = (c * 31 + i) % (DEMO_FOCAL_POINTS + self.network);
        match k.checked_sub(DEMO_FOCAL_POINTS) {
            Some(n) => Self::network_phone(n),
            // As the demo numbers them (`demo_phone`).
            None => format!("+24399{:07}", 1_000_000 + k * 7919),
        }
    }

    /// The number of the benchmark's `n`-th own focal point (never a demo number nor one of
    /// the unknown numbers above).
    pub fn network_phone(n: usize) -> String {
        format!("+2439960{n:05}")
    }

    /// The registration of the benchmark's `n`-th own focal point, as `POST
    /// /api/v1/focal-points` takes it: a home place and a language spread over the corpus's.
    pub fn network_focal_point(&self, n: usize) -> Value {
        let language = ["fr", "sw", "en"][n % 3];
        json!({
            "name": format!("Point focal {n}"),
            "phone": Self::network_phone(n),
            "place": self.homes.get(n % self.homes.len().max(1)),
            "language": language,
        })
    }

    /// The `i`-th SMS text.
    pub fn sms(&self, i: usize) -> &str {
        &self.messages[i % self.messages.len()].text
    }

    /// How many distinct places, threat types and texts the load covers.
    pub fn spread(&self) -> String {
        let count = |f: &dyn Fn(&Message) -> Option<String>| {
            let mut v: Vec<String> = self.messages.iter().filter_map(f).collect();
            v.sort();
            v.dedup();
            v.len()
        };
        format!(
            "{} texts, {} P-codes + {} town names, {} threat types, {} focal points' numbers",
            self.messages.len(),
            count(&|m| m.place.clone()),
            self.towns.len(),
            count(&|m| m.threat_type.clone()),
            DEMO_FOCAL_POINTS + self.network,
        )
    }
}
