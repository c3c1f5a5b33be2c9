//! The reasons of a capacity's state in words: the domain gives the structured
//! [`Reason`]; its wordings are the rows of this table, in English and French, with their
//! `{placeholders}` filled in by [`reason_words`] (pages in the reader's language, the API's
//! `reason_text` in English).

use kinga_domain::transition::{Reason, day_after, day_before};

use super::tr;

/// `(key, English, French)`.
#[rustfmt::skip]
pub(super) const CATALOGUE: &[(&str, &str, &str)] = &[
    ("rs_provided", "provided by {providers}", "assuré par {providers}"),
    ("rs_successor_ready", "{providers} until {last}, then {successors} from {handover}", "{providers} jusqu'au {last}, puis {successors} à partir du {handover}"),
    ("rs_handed_over", "handed over to {successors} on {since}", "transmis à {successors} le {since}"),
    ("rs_milestones_late", "successor named but {late} of {total} milestones late", "successeur désigné mais {late} jalons sur {total} en retard"),
    ("rs_milestones_blocked", "successor named but {late} of {total} milestones late ({blocked} blocked)", "successeur désigné mais {late} jalons sur {total} en retard ({blocked} bloqués)"),
    ("rs_no_successor", "no successor after {last}", "aucun successeur après le {last}"),
    ("rs_no_successor_undated", "no successor after {last}: {undated} named without a handover date", "aucun successeur après le {last} : {undated} désigné(s) sans date de passation"),
    ("rs_successor_late", "nobody from {from} to {to}: {successors} takes over only on {handover}", "personne du {from} au {to} : {successors} ne prend le relais que le {handover}"),
    ("rs_successor_late_nobody", "nobody until {to}: {successors} takes over only on {handover}", "personne jusqu'au {to} : {successors} ne prend le relais que le {handover}"),
    ("rs_no_provider", "nobody provides it and nobody is named", "personne ne l'assure et personne n'est désigné"),
    ("rs_reversed_provided", "handover to {successors} on {handover} reversed: provided by {providers}", "passation à {successors} du {handover} annulée : assuré par {providers}"),
    ("rs_reversed_until", "handover to {successors} on {handover} reversed: {providers} until {last}, nobody after", "passation à {successors} du {handover} annulée : {providers} jusqu'au {last}, personne ensuite"),
    ("rs_reversed_nobody", "handover to {successors} on {handover} reversed: nobody provides it", "passation à {successors} du {handover} annulée : personne ne l'assure"),
];

/// Fill the `{name}` placeholders of the catalogue's `key` in `lang`.
fn fill(lang: &str, key: &str, values: &[(&str, String)]) -> String {
    let mut out = tr(lang, key).to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A reason in `lang` (`fr`, else English).
pub fn reason_words(lang: &str, r: &Reason) -> String {
    let list = |v: &[String]| v.join(", ");
    match r {
        Reason::Provided { providers } => {
            fill(lang, "rs_provided", &[("providers", list(providers))])
        }
        Reason::SuccessorReady {
            providers,
            successors,
            handover_on,
        } => fill(
            lang,
            "rs_successor_ready",
            &[
                ("providers", list(providers)),
                ("last", day_before(*handover_on).to_string()),
                ("successors", list(successors)),
                ("handover", handover_on.to_string()),
            ],
        ),
        Reason::HandedOver { successors, since } => fill(
            lang,
            "rs_handed_over",
            &[
                ("successors", list(successors)),
                ("since", since.to_string()),
            ],
        ),
        Reason::MilestonesLate {
            late,
            blocked,
            total,
        } => fill(
            lang,
            if *blocked > 0 {
                "rs_milestones_blocked"
            } else {
                "rs_milestones_late"
            },
            &[
                ("late", late.to_string()),
                ("total", total.to_string()),
                ("blocked", blocked.to_string()),
            ],
        ),
        Reason::NoSuccessor { last_day, undated } => fill(
            lang,
            if undated.is_empty() {
                "rs_no_successor"
            } else {
                "rs_no_successor_undated"
            },
            &[("last", last_day.to_string()), ("undated", list(undated))],
        ),
        Reason::SuccessorLate {
            last_day,
            successors,
            handover_on,
        } => fill(
            lang,
            if last_day.is_some() {
                "rs_successor_late"
            } else {
                "rs_successor_late_nobody"
            },
            &[
                (
                    "from",
                    last_day.map(day_after).unwrap_or_default().to_string(),
                ),
                ("to", day_before(*handover_on).to_string()),
                ("successors", list(successors)),
                ("handover", handover_on.to_string()),
            ],
        ),
        Reason::NoProvider => fill(lang, "rs_no_provider", &[]),
        Reason::HandoverReversed {
            providers,
            successors,
            handover_on,
            last_day,
        } => {
            let key = match last_day {
                _ if providers.is_empty() => "rs_reversed_nobody",
                None => "rs_reversed_provided",
                Some(_) => "rs_reversed_until",
            };
            fill(
                lang,
                key,
                &[
                    ("successors", list(successors)),
                    ("handover", handover_on.to_string()),
                    ("providers", list(providers)),
                    ("last", last_day.unwrap_or_default().to_string()),
                ],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Every wording in both languages, on hand-written cases.
    #[test]
    fn reasons_read_in_english_and_french() {
        let cases = [
            (
                Reason::Provided {
                    providers: names(&["MONUSCO CLA"]),
                },
                "provided by MONUSCO CLA",
                "assuré par MONUSCO CLA",
            ),
            (
                Reason::SuccessorReady {
                    providers: names(&["MONUSCO CLA"]),
                    successors: names(&["Civil protection"]),
                    handover_on: d("2026-09-01"),
                },
                "MONUSCO CLA until 2026-08-31, then Civil protection from 2026-09-01",
                "MONUSCO CLA jusqu'au 2026-08-31, puis Civil protection à partir du 2026-09-01",
            ),
            (
                Reason::HandedOver {
                    successors: names(&["FARDC 33rd region"]),
                    since: d("2026-10-01"),
                },
                "handed over to FARDC 33rd region on 2026-10-01",
                "transmis à FARDC 33rd region le 2026-10-01",
            ),
            (
                Reason::MilestonesLate {
                    late: 2,
                    blocked: 0,
                    total: 5,
                },
                "successor named but 2 of 5 milestones late",
                "successeur désigné mais 2 jalons sur 5 en retard",
            ),
            (
                Reason::MilestonesLate {
                    late: 2,
                    blocked: 1,
                    total: 5,
                },
                "successor named but 2 of 5 milestones late (1 blocked)",
                "successeur désigné mais 2 jalons sur 5 en retard (1 bloqués)",
            ),
            (
                Reason::NoSuccessor {
                    last_day: d("2027-03-31"),
                    undated: vec![],
                },
                "no successor after 2027-03-31",
                "aucun successeur après le 2027-03-31",
            ),
            (
                Reason::NoSuccessor {
                    last_day: d("2027-06-29"),
                    undated: names(&["UNDP"]),
                },
                "no successor after 2027-06-29: UNDP named without a handover date",
                "aucun successeur après le 2027-06-29 : UNDP désigné(s) sans date de passation",
            ),
            (
                Reason::SuccessorLate {
                    last_day: Some(d("2026-08-31")),
                    successors: names(&["FARDC 33rd region"]),
                    handover_on: d("2026-10-01"),
                },
                "nobody from 2026-09-01 to 2026-09-30: FARDC 33rd region takes over only on 2026-10-01",
                "personne du 2026-09-01 au 2026-09-30 : FARDC 33rd region ne prend le relais que le 2026-10-01",
            ),
            (
                Reason::SuccessorLate {
                    last_day: None,
                    successors: names(&["UNMAS national"]),
                    handover_on: d("2026-03-01"),
                },
                "nobody until 2026-02-28: UNMAS national takes over only on 2026-03-01",
                "personne jusqu'au 2026-02-28 : UNMAS national ne prend le relais que le 2026-03-01",
            ),
            (
                Reason::NoProvider,
                "nobody provides it and nobody is named",
                "personne ne l'assure et personne n'est désigné",
            ),
            (
                Reason::HandoverReversed {
                    providers: names(&["MONUSCO CLA"]),
                    successors: names(&["Civil protection"]),
                    handover_on: d("2027-04-01"),
                    last_day: None,
                },
                "handover to Civil protection on 2027-04-01 reversed: provided by MONUSCO CLA",
                "passation à Civil protection du 2027-04-01 annulée : assuré par MONUSCO CLA",
            ),
            (
                Reason::HandoverReversed {
                    providers: names(&["MONUSCO Kalehe"]),
                    successors: names(&["Civil protection"]),
                    handover_on: d("2026-10-01"),
                    last_day: Some(d("2026-09-14")),
                },
                "handover to Civil protection on 2026-10-01 reversed: MONUSCO Kalehe until 2026-09-14, nobody after",
                "passation à Civil protection du 2026-10-01 annulée : MONUSCO Kalehe jusqu'au 2026-09-14, personne ensuite",
            ),
            (
                Reason::HandoverReversed {
                    providers: vec![],
                    successors: names(&["Civil protection"]),
                    handover_on: d("2026-10-01"),
                    last_day: None,
                },
                "handover to Civil protection on 2026-10-01 reversed: nobody provides it",
                "passation à Civil protection du 2026-10-01 annulée : personne ne l'assure",
            ),
        ];
        for (r, en, fr) in cases {
            assert_eq!(reason_words("en", &r), en);
            assert_eq!(reason_words("fr", &r), fr);
            assert!(!reason_words("en", &r).contains('{'), "{r:?}");
        }
    }
}
