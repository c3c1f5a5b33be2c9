use chrono::{NaiveDate, TimeZone, Utc};

use super::*;

const GED: &str = include_str!("../../../cli/tests/integration/context/ucdp-ged-sample.csv");
const ACLED: &str = include_str!("../../../cli/tests/integration/context/acled-sample.csv");

fn read(dataset: ContextDataset, text: &str) -> Result<Vec<ContextEvent>, ContextError> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let names: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let header = ContextHeader::new(dataset, &names)?;
    let at = Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap();
    r.records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.unwrap();
            let row: Vec<&str> = rec.iter().collect();
            header.event(i + 2, &row, dataset.default_licence(), at, "u-admin")
        })
        .collect()
}

#[test]
fn ucdp_ged_rows_are_read_in_the_published_layout() {
    let events = read(ContextDataset::UcdpGed, GED).unwrap();
    assert_eq!(events.len(), 3);
    let e = &events[0];
    assert_eq!(e.id, "ucdp_ged:512001");
    assert_eq!(e.date, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    assert_eq!(e.date_end, NaiveDate::from_ymd_opt(2026, 11, 21));
    assert_eq!(e.event_type, "state-based");
    assert_eq!(
        e.sub_event_type.as_deref(),
        Some("DR Congo (Zaire): Government")
    );
    assert_eq!(e.actors, vec!["Government of DR Congo (Zaire)", "M23"]);
    assert_eq!((e.lat, e.lon), (-1.163, 29.455));
    assert_eq!(e.fatalities, Some(6));
    assert_eq!(e.admin1.as_deref(), Some("Nord-Kivu province"));
    assert!(e.licence.contains("CC BY 4.0"));
    assert_eq!(events[1].event_type, "one-sided");
    assert_eq!(events[2].event_type, "non-state");
    assert!(events[1].names_actor("m23"));
    assert!(!events[2].names_actor("m23"));
}

#[test]
fn acled_rows_are_read_in_the_published_layout() {
    let events = read(ContextDataset::Acled, ACLED).unwrap();
    assert_eq!(events.len(), 3);
    let e = &events[1];
    assert_eq!(e.id, "acled:DRC34002");
    assert_eq!(e.event_type, "Battles");
    assert_eq!(e.sub_event_type.as_deref(), Some("Armed clash"));
    assert_eq!(e.actors.len(), 2);
    assert_eq!(e.location.as_deref(), Some("Kiwanja"));
    assert_eq!(e.admin2.as_deref(), Some("Rutshuru"));
    assert_eq!(e.fatalities, Some(0));
    assert!(
        e.notes
            .as_deref()
            .unwrap_or("")
            .contains("\"heavy weapons\"")
    );
    assert!(e.licence.contains("ACLED"));
    assert!(events[2].names_actor("Return, Reclamation"));
}

#[test]
fn a_file_of_the_other_layout_is_refused_by_its_missing_column() {
    let err = read(ContextDataset::UcdpGed, ACLED).unwrap_err();
    assert_eq!(
        err,
        ContextError::MissingColumn {
            dataset: "UCDP GED",
            column: "id"
        }
    );
    assert!(matches!(
        read(ContextDataset::Acled, GED),
        Err(ContextError::MissingColumn {
            column: "event_id_cnty",
            ..
        })
    ));
}

#[test]
fn a_bad_row_is_named() {
    let text = ACLED.replacen("0.7000,29.5167", "97.1,29.5167", 1);
    let err = read(ContextDataset::Acled, &text).unwrap_err();
    assert!(matches!(err, ContextError::Row { row: 2, .. }), "{err}");
    let text = GED.replacen(",Clear,1,", ",Clear,7,", 1);
    assert!(read(ContextDataset::UcdpGed, &text).is_err());
}

#[test]
fn days_in_the_data_sets_forms() {
    let d = NaiveDate::from_ymd_opt(2024, 1, 15);
    assert_eq!(day("2024-01-15 00:00:00.000"), d);
    assert_eq!(day("2024-01-15"), d);
    assert_eq!(day("15 January 2024"), d);
    assert_eq!(day("15/01/2024"), d);
    assert_eq!(day("January"), None);
}

#[test]
fn formats_are_named_as_the_cli_takes_them() {
    assert_eq!(
        "ucdp-ged".parse::<ContextDataset>(),
        Ok(ContextDataset::UcdpGed)
    );
    assert_eq!("ACLED".parse::<ContextDataset>(), Ok(ContextDataset::Acled));
    assert!("gdelt".parse::<ContextDataset>().is_err());
}
