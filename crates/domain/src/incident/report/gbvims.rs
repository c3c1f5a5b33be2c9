//! Aggregate GBVIMS statistics, as service providers share them (the monthly tables of the
//! Gender-Based Violence Information Management System: incidents by type of GBV, month,
//! place, and survivor's sex and age), read beside the CRSV cases monitors verified.
//!
//! The CSV a provider sends has a header row and one row per cell:
//! `month,place,gbv_type,survivor_sex,survivor_age,count` — `month` as `2026-09`, `place` a
//! P-code, `gbv_type` one of the six GBVIMS core types (`rape`, `sexual_assault`,
//! `physical_assault`, `forced_marriage`, `denial_of_resources`, `psychological_abuse`),
//! `survivor_sex` `female`, `male` or `unknown`, `survivor_age` `0-11`, `12-17`, `18+` or
//! `unknown`, `count` a whole number.
//!
//! A provider's newer import replaces its older rows for every month the newer one covers
//! (a corrected month is sent again whole). Every figure concerns survivors of GBV: any count
//! from 1 to below the threshold is shown as `<threshold`, with the same complementary hiding
//! as the MRM/MARA table.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Cell, MrmReport, Pair, Period, Shown, show_group};
use crate::DomainError;
use crate::compartment::Compartment;
use crate::incident::{Sex, Violation};
use crate::limits;

/// Most rows one import holds.
pub const MAX_ROWS: usize = 50_000;

/// The CSV's columns, in order.
pub const COLUMNS: [&str; 6] = [
    "month",
    "place",
    "gbv_type",
    "survivor_sex",
    "survivor_age",
    "count",
];

/// The six GBVIMS core incident types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GbvType {
    /// Rape.
    Rape,
    /// Sexual assault.
    SexualAssault,
    /// Physical assault.
    PhysicalAssault,
    /// Forced marriage.
    ForcedMarriage,
    /// Denial of resources, opportunities or services.
    DenialOfResources,
    /// Psychological or emotional abuse.
    PsychologicalAbuse,
}

impl GbvType {
    /// Every type, in the GBVIMS order.
    pub const ALL: [GbvType; 6] = [
        GbvType::Rape,
        GbvType::SexualAssault,
        GbvType::PhysicalAssault,
        GbvType::ForcedMarriage,
        GbvType::DenialOfResources,
        GbvType::PsychologicalAbuse,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            GbvType::Rape => "rape",
            GbvType::SexualAssault => "sexual_assault",
            GbvType::PhysicalAssault => "physical_assault",
            GbvType::ForcedMarriage => "forced_marriage",
            GbvType::DenialOfResources => "denial_of_resources",
            GbvType::PsychologicalAbuse => "psychological_abuse",
        }
    }

    /// The MARA category the type is read beside, when there is one: rape with rape, sexual
    /// assault with other sexual violence, forced marriage with forced marriage. Physical
    /// assault, denial of resources and psychological abuse are not CRSV.
    pub fn crsv(self) -> Option<Violation> {
        match self {
            GbvType::Rape => Some(Violation::Rape),
            GbvType::SexualAssault => Some(Violation::OtherSexualViolence),
            GbvType::ForcedMarriage => Some(Violation::ForcedMarriage),
            _ => None,
        }
    }
}

/// A survivor's age as GBVIMS tables group it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GbvAge {
    /// 0 to 11.
    #[serde(rename = "0-11")]
    Age0To11,
    /// 12 to 17.
    #[serde(rename = "12-17")]
    Age12To17,
    /// 18 and over.
    #[serde(rename = "18+")]
    Adult,
    /// Not known.
    #[serde(rename = "unknown")]
    Unknown,
}

impl GbvAge {
    /// Under 18.
    pub fn is_child(self) -> bool {
        matches!(self, GbvAge::Age0To11 | GbvAge::Age12To17)
    }
}

/// One cell of a provider's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GbvimsRow {
    /// The month (its first day).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub month: NaiveDate,
    /// Where (P-code).
    pub place: String,
    /// The type of GBV.
    pub gbv_type: GbvType,
    /// The survivors' sex.
    pub sex: Sex,
    /// Their age group.
    pub age: GbvAge,
    /// How many incidents.
    pub count: u64,
}

/// One provider's shared table, as imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GbvimsImport {
    /// Stable id (ULID).
    pub id: String,
    /// The service provider who shared it.
    pub provider: String,
    /// Its rows.
    pub rows: Vec<GbvimsRow>,
    /// Who imported it.
    pub imported_by: String,
    /// When.
    pub imported_at: DateTime<Utc>,
}

fn choice<T: serde::de::DeserializeOwned>(field: &'static str, v: &str) -> Result<T, DomainError> {
    serde_json::from_value(serde_json::Value::String(v.trim().to_lowercase())).map_err(|_| {
        DomainError::invalid(
            field,
            format!("unknown value '{}'", v.chars().take(40).collect::<String>()),
        )
    })
}

impl GbvimsRow {
    /// Read one CSV record (the fields of [`COLUMNS`], in order).
    pub fn read(fields: &[&str]) -> Result<GbvimsRow, DomainError> {
        if fields.len() < COLUMNS.len() {
            return Err(DomainError::invalid(
                "csv",
                format!(
                    "a row has {} fields; expected {}",
                    fields.len(),
                    COLUMNS.join(",")
                ),
            ));
        }
        let month = NaiveDate::parse_from_str(&format!("{}-01", fields[0].trim()), "%Y-%m-%d")
            .map_err(|_| DomainError::invalid("month", "write the month as 2026-09"))?;
        let place = fields[1].trim().to_string();
        limits::check("place", &place, limits::ID)?;
        if place.is_empty() {
            return Err(DomainError::Missing("place"));
        }
        let count = fields[5]
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= 1_000_000)
            .ok_or_else(|| DomainError::invalid("count", "a whole number from 0 to 1,000,000"))?;
        Ok(GbvimsRow {
            month,
            place,
            gbv_type: choice("gbv_type", fields[2])?,
            sex: choice("survivor_sex", fields[3])?,
            age: choice("survivor_age", fields[4])?,
            count,
        })
    }
}

/// Check an import before it is recorded.
pub fn check_import(
    provider: &str,
    rows: &[GbvimsRow],
    today: NaiveDate,
) -> Result<(), DomainError> {
    limits::check("provider", provider, limits::NAME)?;
    if provider.trim().is_empty() {
        return Err(DomainError::Missing("provider"));
    }
    if rows.is_empty() {
        return Err(DomainError::invalid("csv", "no row to import"));
    }
    if rows.len() > MAX_ROWS {
        return Err(DomainError::TooMany {
            field: "rows",
            max: MAX_ROWS,
        });
    }
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    if let Some(r) = rows.iter().find(|r| r.month > this_month) {
        return Err(DomainError::invalid(
            "month",
            format!("{} is in the future", r.month.format("%Y-%m")),
        ));
    }
    Ok(())
}

/// The rows in force: for each provider and month, those of its newest import covering it.
pub fn rows_in_force(imports: &[GbvimsImport]) -> Vec<&GbvimsRow> {
    let mut newest: std::collections::BTreeMap<(&str, NaiveDate), (&DateTime<Utc>, &str)> =
        Default::default();
    for i in imports {
        for r in &i.rows {
            let e = newest
                .entry((i.provider.as_str(), r.month))
                .or_insert((&i.imported_at, i.id.as_str()));
            if (&i.imported_at, i.id.as_str()) > (e.0, e.1) {
                *e = (&i.imported_at, i.id.as_str());
            }
        }
    }
    imports
        .iter()
        .flat_map(|i| i.rows.iter().map(move |r| (i, r)))
        .filter(|(i, r)| {
            newest
                .get(&(i.provider.as_str(), r.month))
                .is_some_and(|(_, id)| *id == i.id)
        })
        .map(|(_, r)| r)
        .collect()
}

/// One GBV type's line: what services saw, beside what monitors verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GbvimsLine {
    /// The type.
    pub gbv_type: GbvType,
    /// Incidents services saw in the period.
    pub services: Shown,
    /// Of them, by survivor's sex: female, male, unknown.
    pub by_sex: Vec<Shown>,
    /// Of them, survivors under 18, 18 and over, age unknown.
    pub by_age: Vec<Shown>,
    /// The MARA category read beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crsv_violation: Option<Violation>,
    /// Its incidents in the MRM/MARA table of the same period (allegations and verified
    /// apart; none when the type has no CRSV counterpart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crsv: Option<Pair>,
}

/// GBVIMS figures of a period beside the CRSV counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GbvimsReport {
    /// The period as written.
    pub period: String,
    /// First day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    /// Last day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: NaiveDate,
    /// Providers whose figures are counted.
    pub providers: Vec<String>,
    /// The suppression threshold.
    pub threshold: u64,
    /// Whether any figure is hidden.
    pub suppressed: bool,
    /// Incidents services saw, all types.
    pub total: Shown,
    /// One line per type.
    pub lines: Vec<GbvimsLine>,
    /// The compartments the CRSV figures were counted in (the reader's).
    pub compartments: Vec<Compartment>,
}

/// Every GBVIMS figure is about survivors: a sensitive cell.
fn cell(n: u64) -> Cell {
    Cell { n, sensitive: true }
}

impl GbvimsReport {
    /// The figures of `period` from the imports in force, beside `mrm` (the MRM/MARA table
    /// of the same period, already counted over the reader's compartments).
    pub fn build(
        period: &Period,
        imports: &[GbvimsImport],
        mrm: &MrmReport,
        threshold: u64,
    ) -> GbvimsReport {
        let t = threshold.max(1);
        let rows: Vec<&GbvimsRow> = rows_in_force(imports)
            .into_iter()
            .filter(|r| r.month >= period.from && r.month <= period.to)
            .collect();
        let mut providers: Vec<String> = imports
            .iter()
            .filter(|i| {
                i.rows
                    .iter()
                    .any(|r| r.month >= period.from && r.month <= period.to)
            })
            .map(|i| i.provider.clone())
            .collect();
        providers.sort();
        providers.dedup();
        let mut suppressed = false;
        let mut lines = Vec::new();
        let mut total = 0;
        for ty in GbvType::ALL {
            let of: Vec<&&GbvimsRow> = rows.iter().filter(|r| r.gbv_type == ty).collect();
            let sum = |f: &dyn Fn(&GbvimsRow) -> bool| -> u64 {
                of.iter().filter(|r| f(r)).map(|r| r.count).sum()
            };
            let n = sum(&|_: &GbvimsRow| true);
            total += n;
            let sexes = [Sex::Female, Sex::Male, Sex::Unknown]
                .map(|s| cell(sum(&|r: &GbvimsRow| r.sex == s)));
            let ages = [
                cell(sum(&|r: &GbvimsRow| r.age.is_child())),
                cell(sum(&|r: &GbvimsRow| r.age == GbvAge::Adult)),
                cell(sum(&|r: &GbvimsRow| r.age == GbvAge::Unknown)),
            ];
            let (services, by_sex) = show_group(cell(n), &sexes, t);
            let (_, by_age) = show_group(cell(n), &ages, t);
            suppressed |= std::iter::once(&services)
                .chain(&by_sex)
                .chain(&by_age)
                .any(|s| matches!(s, Shown::Suppressed(_)));
            let crsv_violation = ty.crsv();
            let crsv = crsv_violation.map(|v| {
                mrm.rows
                    .iter()
                    .find(|row| row.violation == v)
                    .map(|row| row.incidents)
                    .unwrap_or(Pair {
                        allegations: Shown::Count(0),
                        verified: Shown::Count(0),
                    })
            });
            lines.push(GbvimsLine {
                gbv_type: ty,
                services,
                by_sex,
                by_age,
                crsv_violation,
                crsv,
            });
        }
        let total_shown = if cell(total).hidden(t) {
            suppressed = true;
            Shown::Suppressed(t)
        } else {
            Shown::Count(total)
        };
        GbvimsReport {
            period: mrm.period.clone(),
            from: period.from,
            to: period.to,
            providers,
            threshold: t,
            suppressed,
            total: total_shown,
            lines,
            compartments: mrm.compartments.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::report::Tallies;
    use chrono::TimeZone;

    fn row(line: &str) -> GbvimsRow {
        let f: Vec<&str> = line.split(',').collect();
        GbvimsRow::read(&f).expect(line)
    }

    fn import(id: &str, provider: &str, day: u32, rows: &[&str]) -> GbvimsImport {
        GbvimsImport {
            id: id.into(),
            provider: provider.into(),
            rows: rows.iter().map(|l| row(l)).collect(),
            imported_by: "wpa".into(),
            imported_at: Utc.with_ymd_and_hms(2026, 10, day, 8, 0, 0).unwrap(),
        }
    }

    #[test]
    fn rows_are_read_plainly_and_refused_by_field() {
        let r = row("2026-09,CD6111,Rape,female,12-17,7");
        assert_eq!(r.gbv_type, GbvType::Rape);
        assert_eq!(r.age, GbvAge::Age12To17);
        assert_eq!(r.month, NaiveDate::from_ymd_opt(2026, 9, 1).unwrap());
        for (bad, field) in [
            ("2026-13,CD6111,rape,female,18+,1", "month"),
            ("2026-09,CD6111,arson,female,18+,1", "gbv_type"),
            ("2026-09,CD6111,rape,woman,18+,1", "survivor_sex"),
            ("2026-09,CD6111,rape,female,adult,1", "survivor_age"),
            ("2026-09,CD6111,rape,female,18+,-3", "count"),
        ] {
            let f: Vec<&str> = bad.split(',').collect();
            let e = GbvimsRow::read(&f).unwrap_err().to_string();
            assert!(e.contains(field), "{bad}: {e}");
        }
        let today = NaiveDate::from_ymd_opt(2026, 9, 15).unwrap();
        assert!(check_import("IRC", &[row("2026-10,CD6111,rape,female,18+,1")], today).is_err());
        assert!(check_import(" ", &[row("2026-09,CD6111,rape,female,18+,1")], today).is_err());
    }

    #[test]
    fn a_newer_import_replaces_the_months_it_covers_for_its_provider_only() {
        let old = import(
            "A",
            "IRC",
            1,
            &[
                "2026-08,CD6111,rape,female,18+,10",
                "2026-09,CD6111,rape,female,18+,10",
            ],
        );
        let newer = import("B", "IRC", 5, &["2026-09,CD6111,rape,female,18+,12"]);
        let other = import("C", "Heal Africa", 2, &["2026-09,CD6111,rape,female,18+,3"]);
        let all = [newer, old, other];
        let rows = rows_in_force(&all);
        let total: u64 = rows.iter().map(|r| r.count).sum();
        assert_eq!(total, 10 + 12 + 3);
    }

    #[test]
    fn services_figures_sit_beside_the_crsv_pairs_with_small_counts_hidden() {
        let period: Period = "2026-Q3".parse().unwrap();
        let mrm = MrmReport::build(&period, vec![Compartment::Crsv], &Tallies::default(), 5);
        let imp = import(
            "A",
            "IRC",
            1,
            &[
                "2026-09,CD6111,rape,female,18+,20",
                "2026-09,CD6111,rape,female,12-17,6",
                "2026-09,CD6111,rape,male,18+,2",
                "2026-07,CD6111,forced_marriage,female,12-17,3",
                "2026-06,CD6111,rape,female,18+,99",
            ],
        );
        let r = GbvimsReport::build(&period, &[imp], &mrm, 5);
        let rape = &r.lines[0];
        assert_eq!(rape.services, Shown::Count(28));
        // Male 2 is hidden, and female with it (unknown is 0), so neither can be derived.
        assert_eq!(
            rape.by_sex,
            vec![Shown::Suppressed(5), Shown::Suppressed(5), Shown::Count(0)]
        );
        assert_eq!(
            rape.by_age,
            vec![Shown::Count(6), Shown::Count(22), Shown::Count(0)]
        );
        assert_eq!(rape.crsv_violation, Some(Violation::Rape));
        assert_eq!(rape.crsv.map(|p| p.verified), Some(Shown::Count(0)));
        let fm = &r.lines[3];
        assert_eq!(fm.services, Shown::Suppressed(5));
        assert!(r.lines[2].crsv.is_none(), "physical assault is not CRSV");
        assert_eq!(r.total, Shown::Count(31));
        assert!(r.suppressed);
        assert_eq!(r.providers, vec!["IRC".to_string()]);
    }
}
