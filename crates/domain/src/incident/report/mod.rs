//! The MRM/MARA periodic aggregate table: per violation, incidents and victims (by sex and
//! age group) and incidents per perpetrator category, allegations and verified cases always
//! counted apart.
//!
//! How things are counted:
//! - an incident counts once under each of its violations; its victims count under each of
//!   its violations too (the record does not say which victim suffered which violation);
//! - *allegations* are incidents reported or under verification; *verified* are verified
//!   ones; not verified and unfounded incidents are counted only in the totals, as dismissed;
//! - an incident with no perpetrator recorded counts as `unidentified`;
//! - the period is the incident's date (not the date it was recorded or verified).
//!
//! Small counts leave no compartment: a cell that holds records of a sensitive compartment
//! and counts fewer than the threshold (default 5), but not zero, is shown as `<5`. When one
//! part of a breakdown is hidden and its total shown, the smallest other non-zero part is
//! hidden too, so no hidden count can be found by subtraction.

pub mod gbvims;
mod period;
#[cfg(test)]
mod tests;

pub use period::Period;

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::{AgeGroup, PerpetratorCategory, Sex, Taxonomy, VerificationState, Violation};
use crate::compartment::Compartment;

/// The default smallest count shown from a sensitive compartment.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// Incidents with one violation, in one compartment and state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentTally {
    /// Compartment.
    pub compartment: Compartment,
    /// Verification state.
    pub state: VerificationState,
    /// Violation.
    pub violation: Violation,
    /// How many incidents.
    pub n: u64,
}

/// Victims of incidents with one violation, by sex and age group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VictimTally {
    /// Compartment.
    pub compartment: Compartment,
    /// Verification state.
    pub state: VerificationState,
    /// Violation.
    pub violation: Violation,
    /// Sex.
    pub sex: Sex,
    /// Age group.
    pub age_group: AgeGroup,
    /// How many victims.
    pub n: u64,
}

/// Incidents with one violation with at least one perpetrator of a category (none recorded:
/// `unidentified`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerpetratorTally {
    /// Compartment.
    pub compartment: Compartment,
    /// Verification state.
    pub state: VerificationState,
    /// Violation.
    pub violation: Violation,
    /// Category.
    pub category: PerpetratorCategory,
    /// How many incidents.
    pub n: u64,
}

/// What the store counts for a period, in the compartments asked (nothing else).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies {
    /// Incidents per compartment and state (each incident once).
    pub by_state: Vec<(Compartment, VerificationState, u64)>,
    /// Incidents per violation.
    pub incidents: Vec<IncidentTally>,
    /// Victims per violation, sex and age group.
    pub victims: Vec<VictimTally>,
    /// Incidents per violation and perpetrator category.
    pub perpetrators: Vec<PerpetratorTally>,
}

/// How an incident's verification state is counted in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Reported or under verification.
    Allegation,
    /// Verified.
    Verified,
    /// Not verified or unfounded.
    Dismissed,
}

impl VerificationState {
    /// How the state is counted in reports.
    pub fn standing(self) -> Standing {
        match self {
            VerificationState::Reported | VerificationState::UnderVerification => {
                Standing::Allegation
            }
            VerificationState::Verified => Standing::Verified,
            VerificationState::NotVerified | VerificationState::Unfounded => Standing::Dismissed,
        }
    }
}

/// A count as it may be shown: the figure, or hidden because it is small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The figure.
    Count(u64),
    /// Fewer than the threshold (not zero), or hidden so that such a count cannot be
    /// found by subtraction: written `<threshold`.
    Suppressed(u64),
}

impl Shown {
    /// The figure, or `<5`.
    pub fn text(&self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Suppressed(t) => format!("<{t}"),
        }
    }
}

impl Serialize for Shown {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shown::Count(n) => s.serialize_u64(*n),
            Shown::Suppressed(_) => s.serialize_str(&self.text()),
        }
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Shown {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^<[0-9]+$")),
            )
            .description(Some(
                "A count, or `<5` (the threshold) when a small count of sensitive records is hidden",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Shown {}

/// A count under construction: how many, and whether any came from a sensitive compartment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    n: u64,
    sensitive: bool,
}

impl Cell {
    fn add(&mut self, c: Compartment, n: u64) {
        self.n += n;
        self.sensitive |= c.is_sensitive() && n > 0;
    }

    fn hidden(&self, threshold: u64) -> bool {
        self.sensitive && self.n > 0 && self.n < threshold
    }
}

/// Allegations and verified cases, side by side and never added up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pair {
    /// Reported or under verification.
    pub allegations: Shown,
    /// Verified.
    pub verified: Shown,
}

/// Allegation and verified cells under construction.
#[derive(Debug, Clone, Copy, Default)]
struct PairCells {
    allegations: Cell,
    verified: Cell,
}

impl PairCells {
    fn add(&mut self, c: Compartment, s: VerificationState, n: u64) {
        match s.standing() {
            Standing::Allegation => self.allegations.add(c, n),
            Standing::Verified => self.verified.add(c, n),
            Standing::Dismissed => {}
        }
    }
}

/// Show one total and its parts, hiding small sensitive counts and, when exactly one part is
/// hidden under a shown total, the smallest other non-zero part.
fn show_group(total: Cell, parts: &[Cell], t: u64) -> (Shown, Vec<Shown>) {
    let mut hidden: Vec<bool> = parts.iter().map(|c| c.hidden(t)).collect();
    let total_hidden = total.hidden(t);
    if !total_hidden && hidden.iter().filter(|h| **h).count() == 1 {
        let other = parts
            .iter()
            .enumerate()
            .filter(|(i, c)| !hidden[*i] && c.n > 0)
            .min_by_key(|(_, c)| c.n)
            .map(|(i, _)| i);
        if let Some(i) = other {
            hidden[i] = true;
        }
    }
    let shown = |c: &Cell, h: bool| {
        if h {
            Shown::Suppressed(t)
        } else {
            Shown::Count(c.n)
        }
    };
    (
        shown(&total, total_hidden),
        parts.iter().zip(hidden).map(|(c, h)| shown(c, h)).collect(),
    )
}

/// Show the allegation and verified halves of a total and its parts, each half on its own.
fn show_pairs(total: PairCells, parts: &[PairCells], t: u64) -> (Pair, Vec<Pair>) {
    let alleg: Vec<Cell> = parts.iter().map(|p| p.allegations).collect();
    let verif: Vec<Cell> = parts.iter().map(|p| p.verified).collect();
    let (ta, pa) = show_group(total.allegations, &alleg, t);
    let (tv, pv) = show_group(total.verified, &verif, t);
    (
        Pair {
            allegations: ta,
            verified: tv,
        },
        pa.into_iter()
            .zip(pv)
            .map(|(allegations, verified)| Pair {
                allegations,
                verified,
            })
            .collect(),
    )
}

/// Sexes in the order of the tables.
pub const SEXES: [Sex; 3] = [Sex::Female, Sex::Male, Sex::Unknown];
/// Age groups in the order of the tables.
pub const AGE_GROUPS: [AgeGroup; 6] = [
    AgeGroup::Age0To4,
    AgeGroup::Age5To11,
    AgeGroup::Age12To17,
    AgeGroup::Age18To59,
    AgeGroup::Age60Plus,
    AgeGroup::Unknown,
];
/// Perpetrator categories in the order of the tables.
pub const CATEGORIES: [PerpetratorCategory; 6] = [
    PerpetratorCategory::StateForces,
    PerpetratorCategory::UnPeacekeeping,
    PerpetratorCategory::OtherPeacekeeping,
    PerpetratorCategory::Pmsc,
    PerpetratorCategory::ArmedGroup,
    PerpetratorCategory::Unidentified,
];

/// One violation's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViolationRow {
    /// The violation.
    pub violation: Violation,
    /// Its taxonomy.
    pub taxonomy: Taxonomy,
    /// Incidents.
    pub incidents: Pair,
    /// Victims.
    pub victims: Pair,
    /// Victims by sex, in the order of [`SEXES`].
    pub by_sex: Vec<Pair>,
    /// Victims by age group, in the order of [`AGE_GROUPS`].
    pub by_age: Vec<Pair>,
    /// Incidents by perpetrator category, in the order of [`CATEGORIES`].
    pub by_perpetrator: Vec<Pair>,
}

/// Incidents of the period, each once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    /// Reported or under verification.
    pub allegations: Shown,
    /// Verified.
    pub verified: Shown,
    /// Not verified or unfounded.
    pub dismissed: Shown,
}

/// Sexual-violence incidents of the period whose survivors were referred to a service at
/// least once: the response to sexual violence as a figure. Every such incident is in a
/// sensitive compartment, so small counts are hidden, and the rate with them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralRate {
    /// Sexual-violence incidents (CRSV, and sexual violence against children).
    pub incidents: Shown,
    /// Of them, those with at least one referral.
    pub referred: Shown,
    /// `referred / incidents` between 0 and 1, when both are shown and there is any.
    pub rate: Option<f64>,
}

impl ReferralRate {
    /// The figure from the counts, hiding what is below the threshold.
    pub fn of(incidents: u64, referred: u64, threshold: u64) -> ReferralRate {
        let t = threshold.max(1);
        let small = |n: u64| n > 0 && n < t;
        let hide_all = small(incidents);
        let hide_referred =
            hide_all || small(referred) || small(incidents - referred.min(incidents));
        ReferralRate {
            incidents: if hide_all {
                Shown::Suppressed(t)
            } else {
                Shown::Count(incidents)
            },
            referred: if hide_referred {
                Shown::Suppressed(t)
            } else {
                Shown::Count(referred)
            },
            rate: (!hide_referred && incidents > 0).then(|| referred as f64 / incidents as f64),
        }
    }
}

/// The MRM/MARA aggregate table of a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MrmReport {
    /// The period as written (`2026-Q3`).
    pub period: String,
    /// Its first day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: chrono::NaiveDate,
    /// Its last day (included).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: chrono::NaiveDate,
    /// The compartments whose records were counted (those the reader may see).
    pub compartments: Vec<Compartment>,
    /// Counts of sensitive records below this are shown as `<threshold`.
    pub threshold: u64,
    /// Whether any cell is hidden.
    pub suppressed: bool,
    /// Incidents of the period, each once.
    pub totals: Totals,
    /// One row per violation with any incident, in the taxonomies' order.
    pub rows: Vec<ViolationRow>,
    /// Sexual-violence incidents referred to services (set by the application, which reads
    /// the referrals).
    pub sv_referrals: ReferralRate,
}

impl MrmReport {
    /// Build the table from the store's counts of the compartments the reader may see.
    pub fn build(
        period: &Period,
        compartments: Vec<Compartment>,
        tallies: &Tallies,
        threshold: u64,
    ) -> MrmReport {
        let t = threshold.max(1);
        #[derive(Default)]
        struct Acc {
            incidents: PairCells,
            victims: PairCells,
            sex: [PairCells; 3],
            age: [PairCells; 6],
            perp: [PairCells; 6],
        }
        let mut acc: BTreeMap<Violation, Acc> = BTreeMap::new();
        for x in &tallies.incidents {
            acc.entry(x.violation)
                .or_default()
                .incidents
                .add(x.compartment, x.state, x.n);
        }
        for x in &tallies.victims {
            let a = acc.entry(x.violation).or_default();
            a.victims.add(x.compartment, x.state, x.n);
            if let Some(i) = SEXES.iter().position(|s| *s == x.sex) {
                a.sex[i].add(x.compartment, x.state, x.n);
            }
            if let Some(i) = AGE_GROUPS.iter().position(|g| *g == x.age_group) {
                a.age[i].add(x.compartment, x.state, x.n);
            }
        }
        for x in &tallies.perpetrators {
            let a = acc.entry(x.violation).or_default();
            if let Some(i) = CATEGORIES.iter().position(|c| *c == x.category) {
                a.perp[i].add(x.compartment, x.state, x.n);
            }
        }
        let mut rows = Vec::new();
        for tax in Taxonomy::ALL {
            for v in tax.violations() {
                let Some(a) = acc.get(&v) else { continue };
                let (incidents, by_perpetrator) = show_pairs(a.incidents, &a.perp, t);
                let (victims, by_sex) = show_pairs(a.victims, &a.sex, t);
                let (_, by_age) = show_pairs(a.victims, &a.age, t);
                rows.push(ViolationRow {
                    violation: v,
                    taxonomy: tax,
                    incidents,
                    victims,
                    by_sex,
                    by_age,
                    by_perpetrator,
                });
            }
        }
        let mut totals = [Cell::default(); 3];
        for (c, s, n) in &tallies.by_state {
            let i = match s.standing() {
                Standing::Allegation => 0,
                Standing::Verified => 1,
                Standing::Dismissed => 2,
            };
            totals[i].add(*c, *n);
        }
        let show = |c: &Cell| {
            if c.hidden(t) {
                Shown::Suppressed(t)
            } else {
                Shown::Count(c.n)
            }
        };
        let totals = Totals {
            allegations: show(&totals[0]),
            verified: show(&totals[1]),
            dismissed: show(&totals[2]),
        };
        let mut report = MrmReport {
            period: period.to_string(),
            from: period.from,
            to: period.to,
            compartments,
            threshold: t,
            suppressed: false,
            totals,
            rows,
            sv_referrals: ReferralRate::of(0, 0, t),
        };
        let suppressed = report.cells().any(|c| matches!(c, Shown::Suppressed(_)));
        report.suppressed = suppressed;
        report
    }

    /// Every shown cell.
    fn cells(&self) -> impl Iterator<Item = &Shown> {
        let totals = [
            &self.totals.allegations,
            &self.totals.verified,
            &self.totals.dismissed,
        ];
        totals.into_iter().chain(self.rows.iter().flat_map(|r| {
            std::iter::once(&r.incidents)
                .chain(std::iter::once(&r.victims))
                .chain(r.by_sex.iter())
                .chain(r.by_age.iter())
                .chain(r.by_perpetrator.iter())
                .flat_map(|p| [&p.allegations, &p.verified])
        }))
    }

    /// The table as CSV rows: the header row, the HXL hashtag row, then one row per
    /// violation and standing (allegations, verified), long enough to read in a spreadsheet
    /// and tagged so that HXL tools can read it.
    pub fn csv_rows(&self) -> Vec<Vec<String>> {
        let mut headers: Vec<String> = [
            "period",
            "taxonomy",
            "violation",
            "status",
            "incidents",
            "victims",
        ]
        .map(String::from)
        .to_vec();
        let mut tags: Vec<String> = [
            "#date+period",
            "#indicator+taxonomy",
            "#indicator+violation",
            "#status+verification",
            "#indicator+incidents+num",
            "#affected+num",
        ]
        .map(String::from)
        .to_vec();
        for s in SEXES {
            headers.push(format!("victims_{}", s.as_str()));
            tags.push(format!("#affected+{}+num", sex_attr(s)));
        }
        for a in AGE_GROUPS {
            headers.push(format!("victims_age_{}", a.as_str()));
            tags.push(format!("#affected+{}+num", age_attr(a)));
        }
        for c in CATEGORIES {
            headers.push(format!("incidents_by_{}", c.as_str()));
            tags.push(format!("#indicator+incidents+perp_{}+num", c.as_str()));
        }
        let mut out = vec![headers, tags];
        for r in &self.rows {
            for (status, pick) in [
                (
                    "allegation",
                    (|p: &Pair| p.allegations) as fn(&Pair) -> Shown,
                ),
                ("verified", |p: &Pair| p.verified),
            ] {
                let mut row = vec![
                    self.period.clone(),
                    r.taxonomy.as_str().to_string(),
                    r.violation.as_str().to_string(),
                    status.to_string(),
                    pick(&r.incidents).text(),
                    pick(&r.victims).text(),
                ];
                row.extend(r.by_sex.iter().map(|p| pick(p).text()));
                row.extend(r.by_age.iter().map(|p| pick(p).text()));
                row.extend(r.by_perpetrator.iter().map(|p| pick(p).text()));
                out.push(row);
            }
        }
        out
    }
}

/// The HXL attribute of a sex (`f`, `m`, `unknown_sex`).
fn sex_attr(s: Sex) -> &'static str {
    match s {
        Sex::Female => "f",
        Sex::Male => "m",
        Sex::Unknown => "unknown_sex",
    }
}

/// The HXL attribute of an age group (`age0_4`, …, `age60plus`, `unknown_age`).
fn age_attr(a: AgeGroup) -> &'static str {
    match a {
        AgeGroup::Age0To4 => "age0_4",
        AgeGroup::Age5To11 => "age5_11",
        AgeGroup::Age12To17 => "age12_17",
        AgeGroup::Age18To59 => "age18_59",
        AgeGroup::Age60Plus => "age60plus",
        AgeGroup::Unknown => "unknown_age",
    }
}
