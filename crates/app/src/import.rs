//! CSV import of registries. Every row is checked before anything is written, so a file with
//! one bad row changes nothing and the error names the row.

use serde::Deserialize;

use kinga_domain::ThreatType;
use kinga_domain::place::{Place, PlaceLevel};
use kinga_domain::registry::{
    ActorKind, ContactPreference, Hours, Responder, ResponderKind, ThreatActor,
};

use crate::registry::{FocalPointInput, RegistryRecord};
use crate::{App, AppError, AppResult, Caller};

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// `pcode,name,alt_names,level,parent,country,lat,lon`
    Places,
    /// `id,name,kind,aliases,areas,notes`
    Actors,
    /// `id,name,kind,places,threat_types,hours,phone,email,prefers,community_consent,active`
    Responders,
    /// `name,phone[,place,language,pseudonym]`: a focal point without a pseudonym (empty, or
    /// no such column) is given a code that names no place.
    FocalPoints,
}

impl std::str::FromStr for ImportKind {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "places" => Ok(ImportKind::Places),
            "actors" => Ok(ImportKind::Actors),
            "responders" => Ok(ImportKind::Responders),
            "focal-points" | "focal_points" => Ok(ImportKind::FocalPoints),
            _ => Err(AppError::Invalid(format!(
                "unknown import kind '{s}' (places, actors, responders, focal-points)"
            ))),
        }
    }
}

fn list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn enum_value<T: serde::de::DeserializeOwned>(field: &str, v: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(v.trim().to_string()))
        .map_err(|_| format!("{field}: unknown value '{v}'"))
}

fn boolean(field: &str, v: &str) -> Result<bool, String> {
    match v.trim().to_lowercase().as_str() {
        "true" | "yes" | "oui" | "1" => Ok(true),
        "false" | "no" | "non" | "0" | "" => Ok(false),
        other => Err(format!("{field}: '{other}' is not true/false")),
    }
}

/// `HH:MM-HH:MM`, or empty for round the clock.
pub fn parse_hours(s: &str) -> Result<Hours, String> {
    let s = s.trim();
    if s.is_empty() || s == "24/7" {
        return Ok(Hours::ALWAYS);
    }
    let minute = |t: &str| -> Result<u16, String> {
        let (h, m) = t
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("hours: '{t}' is not HH:MM"))?;
        let (h, m): (u16, u16) = (
            h.parse().map_err(|_| format!("hours: bad hour in '{t}'"))?,
            m.parse()
                .map_err(|_| format!("hours: bad minute in '{t}'"))?,
        );
        if h > 24 || m > 59 || (h == 24 && m > 0) {
            return Err(format!("hours: '{t}' is not a time of day"));
        }
        Ok((h * 60 + m) % 1440)
    };
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("hours: '{s}' is not HH:MM-HH:MM"))?;
    Ok(Hours {
        start: minute(a)?,
        end: minute(b)?,
    })
}

#[derive(Deserialize)]
struct PlaceRow {
    pcode: String,
    name: String,
    #[serde(default)]
    alt_names: String,
    level: String,
    #[serde(default)]
    parent: String,
    country: String,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
}

#[derive(Deserialize)]
struct ActorRow {
    id: String,
    name: String,
    kind: String,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    areas: String,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
struct ResponderRow {
    id: String,
    name: String,
    kind: String,
    places: String,
    #[serde(default)]
    threat_types: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    prefers: String,
    community_consent: String,
    #[serde(default)]
    active: String,
}

#[derive(Deserialize)]
struct FocalPointRow {
    name: String,
    phone: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    pseudonym: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

fn rows<T: serde::de::DeserializeOwned>(csv_text: &str) -> AppResult<Vec<(usize, T)>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text.as_bytes());
    let mut out = vec![];
    for (i, r) in rdr.deserialize::<T>().enumerate() {
        let line = i + 2;
        out.push((
            line,
            r.map_err(|e| AppError::Invalid(format!("line {line}: {e}")))?,
        ));
    }
    Ok(out)
}

/// Parse a registry CSV into records, failing on the first bad row with its line number.
pub fn parse(kind: ImportKind, csv_text: &str) -> AppResult<Vec<RegistryRecordOrInput>> {
    let at = |line: usize| move |e: String| AppError::Invalid(format!("line {line}: {e}"));
    let mut out = vec![];
    match kind {
        ImportKind::Places => {
            for (line, r) in rows::<PlaceRow>(csv_text)? {
                let level: PlaceLevel = enum_value("level", &r.level).map_err(at(line))?;
                if r.pcode.trim().is_empty() || r.name.trim().is_empty() {
                    return Err(at(line)("pcode and name are required".into()));
                }
                out.push(RegistryRecordOrInput::Record(RegistryRecord::Place(
                    Place {
                        pcode: r.pcode,
                        name: r.name,
                        alt_names: list(&r.alt_names),
                        level,
                        parent: opt(&r.parent),
                        country: r.country,
                        lat: r.lat,
                        lon: r.lon,
                    },
                )));
            }
        }
        ImportKind::Actors => {
            for (line, r) in rows::<ActorRow>(csv_text)? {
                let kind: ActorKind = enum_value("kind", &r.kind).map_err(at(line))?;
                out.push(RegistryRecordOrInput::Record(RegistryRecord::Actor(
                    ThreatActor {
                        id: r.id,
                        name: r.name,
                        kind,
                        aliases: list(&r.aliases),
                        areas: list(&r.areas),
                        notes: r.notes,
                    },
                )));
            }
        }
        ImportKind::Responders => {
            for (line, r) in rows::<ResponderRow>(csv_text)? {
                let kind: ResponderKind = enum_value("kind", &r.kind).map_err(at(line))?;
                let threat_types = list(&r.threat_types)
                    .iter()
                    .map(|t| t.parse::<ThreatType>().map_err(|e| e.to_string()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(at(line))?;
                let prefers: ContactPreference = if r.prefers.trim().is_empty() {
                    ContactPreference::Sms
                } else {
                    enum_value("prefers", &r.prefers).map_err(at(line))?
                };
                out.push(RegistryRecordOrInput::Record(RegistryRecord::Responder(
                    Responder {
                        id: r.id,
                        name: r.name,
                        kind,
                        places: list(&r.places),
                        threat_types,
                        hours: parse_hours(&r.hours).map_err(at(line))?,
                        phone: opt(&r.phone),
                        email: opt(&r.email),
                        prefers,
                        community_consent: boolean("community_consent", &r.community_consent)
                            .map_err(at(line))?,
                        active: r.active.trim().is_empty()
                            || boolean("active", &r.active).map_err(at(line))?,
                    },
                )));
            }
        }
        ImportKind::FocalPoints => {
            for (_, r) in rows::<FocalPointRow>(csv_text)? {
                out.push(RegistryRecordOrInput::FocalPoint(FocalPointInput {
                    id: None,
                    name: r.name,
                    phone: r.phone,
                    place: opt(&r.place),
                    language: r.language,
                    pseudonym: opt(&r.pseudonym),
                }));
            }
        }
    }
    Ok(out)
}

/// A parsed row: a ready record, or a focal point whose identity still has to be sealed.
#[derive(Debug, Clone)]
pub enum RegistryRecordOrInput {
    /// Ready to save.
    Record(RegistryRecord),
    /// To seal first.
    FocalPoint(FocalPointInput),
}

impl App {
    /// Import a registry CSV: all rows or none.
    pub async fn import_csv(
        &self,
        caller: &Caller,
        kind: ImportKind,
        csv_text: &str,
    ) -> AppResult<usize> {
        let rows = parse(kind, csv_text)?;
        // Focal points are sealed together, so their pseudonyms stay unique across the file.
        let inputs: Vec<FocalPointInput> = rows
            .iter()
            .filter_map(|r| match r {
                RegistryRecordOrInput::FocalPoint(input) => Some(input.clone()),
                RegistryRecordOrInput::Record(_) => None,
            })
            .collect();
        let line = |i: usize| format!("line {}: ", i + 2);
        // A focal-point file holds focal points only, so the k-th is on the k-th row's line.
        let mut sealed = if inputs.is_empty() {
            vec![]
        } else {
            self.seal_focal_points(caller, &inputs, line).await?
        }
        .into_iter();
        let mut records = vec![];
        for r in rows {
            records.push(match r {
                RegistryRecordOrInput::Record(r) => r,
                RegistryRecordOrInput::FocalPoint(_) => RegistryRecord::FocalPoint(
                    sealed
                        .next()
                        .ok_or_else(|| AppError::Invalid("a focal point was not sealed".into()))?,
                ),
            });
        }
        // The same checks as every form and API call, the error naming the file's line.
        self.save_numbered(caller, records, line).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responder_rows_parse_with_lists_and_hours() {
        let csv = "id,name,kind,places,threat_types,hours,phone,email,prefers,community_consent,active\n\
                   r1,TOB Kiwanja,mission_military,CD6105;CD6104,killing;clashes,18:00-06:00,+243990000001,,sms,yes,\n";
        let recs = parse(ImportKind::Responders, csv).unwrap();
        let RegistryRecordOrInput::Record(RegistryRecord::Responder(r)) = &recs[0] else {
            panic!("not a responder")
        };
        assert_eq!(r.places, vec!["CD6105", "CD6104"]);
        assert_eq!(
            r.threat_types,
            vec![ThreatType::Killing, ThreatType::Clashes]
        );
        assert_eq!(
            r.hours,
            Hours {
                start: 1080,
                end: 360
            }
        );
        assert!(r.community_consent && r.active);
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let csv = "id,name,kind,places,threat_types,hours,phone,email,prefers,community_consent,active\n\
                   r1,A,ngo,CD61,,,,,,yes,\n\
                   r2,B,ngo,CD61,fire,,,,,yes,\n";
        let err = parse(ImportKind::Responders, csv).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("fire"), "{err}");
    }

    #[test]
    fn focal_points_need_no_pseudonym_column() {
        for csv in [
            "name,phone\nFuraha Kambale,+243990001001\n",
            "name,phone,place,language,pseudonym\nFuraha Kambale,+243990001001,CD61,sw,\n",
        ] {
            let recs = parse(ImportKind::FocalPoints, csv).unwrap();
            let [RegistryRecordOrInput::FocalPoint(f)] = recs.as_slice() else {
                panic!("not one focal point")
            };
            assert_eq!(f.pseudonym, None, "{csv}");
        }
        let recs = parse(
            ImportKind::FocalPoints,
            "name,phone,pseudonym\nA B,+243990001001, FP-Mzee-2 \n",
        )
        .unwrap();
        let [RegistryRecordOrInput::FocalPoint(f)] = recs.as_slice() else {
            panic!("not one focal point")
        };
        assert_eq!(f.pseudonym.as_deref(), Some("FP-Mzee-2"));
    }

    #[test]
    fn hours_are_checked() {
        assert_eq!(parse_hours("").unwrap(), Hours::ALWAYS);
        assert!(parse_hours("25:00-06:00").is_err());
        assert!(parse_hours("08:00").is_err());
    }
}
