//! OpenRosa, the protocol ODK Collect and KoboCollect speak: the form list, the shipped
//! protection-monitoring XForm, the answers a submission gets, and the reading of a submitted
//! instance into an incident draft. Pure: the web layer owns HTTP and authentication, the
//! application records the incident.
//!
//! The form's source is the XLSForm in `forms/protection_monitoring/` (CSV sheets built into
//! an `.xlsx` and converted by `pyxform`); `forms/protection_monitoring.xml` is what `pyxform`
//! makes of it, and a test checks that it still does.

use chrono::NaiveDate;
use md5::{Digest, Md5};
use serde::de::DeserializeOwned;

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::{
    AgeGroup, DatePrecision, IncidentDraft, MAX_PARTS, Perpetrator, PerpetratorCategory, Source,
    Victim, Violation,
};

use crate::ChannelError;

/// The id of the shipped form (`form_id` of its settings sheet).
pub const FORM_ID: &str = "protection_monitoring";

/// The form's version (`version` of its settings sheet).
pub const FORM_VERSION: &str = "2026113001";

/// The form's title as the form list shows it.
pub const FORM_NAME: &str = "Protection monitoring (Kinga)";

/// The XForm, as `pyxform` converts the XLSForm.
pub const FORM_XML: &str = include_str!("../../../forms/protection_monitoring.xml");

/// The OpenRosa version every answer declares (`X-OpenRosa-Version`).
pub const OPENROSA_VERSION: &str = "1.0";

/// Largest submission accepted, all parts together (ODK Collect splits bigger ones).
pub const MAX_SUBMISSION_BYTES: usize = 10 * 1024 * 1024;

/// Largest instance document: a filled form is a few kilobytes.
pub const MAX_INSTANCE_BYTES: usize = 1024 * 1024;

/// The form's hash as the form list gives it: `md5:` and the hex MD5 of the XForm, which
/// OpenRosa clients compare to know whether to download the form again.
pub fn form_hash() -> String {
    format!("md5:{}", hex::encode(Md5::digest(FORM_XML.as_bytes())))
}

/// Escape text for an XML element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; drop them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The OpenRosa form list (`GET /formList`): the one shipped form, downloadable from
/// `{base_url}/forms/{id}`.
pub fn form_list(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <xforms xmlns=\"http://openrosa.org/xforms/xformsList\">\n  \
         <xform>\n    \
         <formID>{id}</formID>\n    \
         <name>{name}</name>\n    \
         <version>{FORM_VERSION}</version>\n    \
         <hash>{hash}</hash>\n    \
         <downloadUrl>{url}</downloadUrl>\n  \
         </xform>\n\
         </xforms>\n",
        id = FORM_ID,
        name = escape(FORM_NAME),
        hash = form_hash(),
        url = escape(&format!("{base}/forms/{FORM_ID}")),
    )
}

/// The body of an OpenRosa answer to a submission: a message the client shows its user.
pub fn response(message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">\n  \
         <message nature=\"submit_success\">{}</message>\n\
         </OpenRosaResponse>\n",
        escape(message)
    )
}

/// The body of an OpenRosa refusal.
pub fn refusal(message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OpenRosaResponse xmlns=\"http://openrosa.org/http/response\">\n  \
         <message nature=\"error\">{}</message>\n\
         </OpenRosaResponse>\n",
        escape(message)
    )
}

/// A submitted instance of the protection-monitoring form, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    /// The instance's id (`meta/instanceID`, `uuid:…`): the idempotency key of the intake.
    pub instance_id: String,
    /// The incident it records, in the compartment its violations call for.
    pub draft: IncidentDraft,
    /// File names of the attachments the instance names (the photo), matched against the
    /// parts of the submission.
    pub files: Vec<String>,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ChannelError {
    ChannelError::InvalidField {
        field,
        reason: reason.into(),
    }
}

/// A choice of the form read as the domain's value (the form's choice names are the domain's
/// snake_case identifiers).
fn choice<T: DeserializeOwned>(field: &'static str, value: &str) -> Result<T, ChannelError> {
    serde_json::from_value(serde_json::Value::String(value.trim().to_string())).map_err(|_| {
        invalid(
            field,
            format!(
                "unknown choice '{}'",
                value.chars().take(40).collect::<String>()
            ),
        )
    })
}

fn yes(field: &'static str, value: &str) -> Result<bool, ChannelError> {
    match value.trim() {
        "yes" | "true" | "1" => Ok(true),
        "no" | "false" | "0" | "" => Ok(false),
        _ => Err(invalid(field, "answer yes or no")),
    }
}

fn age_group(value: &str) -> Result<AgeGroup, ChannelError> {
    Ok(match value.trim() {
        "age_0_4" => AgeGroup::Age0To4,
        "age_5_11" => AgeGroup::Age5To11,
        "age_12_17" => AgeGroup::Age12To17,
        "age_18_59" => AgeGroup::Age18To59,
        "age_60_plus" => AgeGroup::Age60Plus,
        "unknown" | "" => AgeGroup::Unknown,
        _ => return Err(invalid("victim_age_group", "unknown age group")),
    })
}

fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The text of an element (its text children joined; none for an empty element).
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

/// Read a submitted instance of the shipped form. Anything the form would not send is refused
/// with the field it concerns; nothing is half-read.
pub fn parse_submission(xml: &str) -> Result<Submission, ChannelError> {
    if xml.len() > MAX_INSTANCE_BYTES {
        return Err(ChannelError::BodyTooLarge {
            size: xml.len(),
            limit: MAX_INSTANCE_BYTES,
        });
    }
    let doc = roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 100_000,
            ..Default::default()
        },
    )
    .map_err(|e| invalid("xml_submission_file", format!("not XML: {e}")))?;
    let root = doc.root_element();
    let form = root.attribute("id").unwrap_or_default();
    if form != FORM_ID {
        return Err(invalid(
            "id",
            format!(
                "this server takes the form '{FORM_ID}', not '{}'",
                form.chars().take(60).collect::<String>()
            ),
        ));
    }
    let field = |name: &str| -> String {
        root.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .map(text_of)
            .unwrap_or_default()
    };
    let instance_id = root
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "meta")
        .flat_map(|m| m.children())
        .find(|c| c.is_element() && c.tag_name().name() == "instanceID")
        .map(text_of)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or(ChannelError::MissingField("meta/instanceID"))?;
    if instance_id.len() > 100 || instance_id.chars().any(char::is_control) {
        return Err(invalid("meta/instanceID", "not an instance id"));
    }

    let violations = field("violations")
        .split_whitespace()
        .map(|v| choice::<Violation>("violations", v))
        .collect::<Result<Vec<_>, _>>()?;
    if violations.is_empty() {
        return Err(ChannelError::EmptyField("violations"));
    }
    let compartment: Compartment = Violation::compartment_for(&violations);
    let occurred = field("occurred_on");
    // ODK writes dates as YYYY-MM-DD; a datetime's date part is taken as well.
    let occurred_on =
        NaiveDate::parse_from_str(occurred.trim().get(..10).unwrap_or(""), "%Y-%m-%d")
            .map_err(|_| invalid("occurred_on", "not a date (YYYY-MM-DD)"))?;
    let precision = field("date_precision");
    let date_precision: DatePrecision = if precision.trim().is_empty() {
        DatePrecision::Day
    } else {
        choice("date_precision", &precision)?
    };
    let category: PerpetratorCategory =
        choice("perpetrator_category", &field("perpetrator_category"))?;
    let unidentified = category == PerpetratorCategory::Unidentified;
    let perpetrator = Perpetrator {
        category,
        // A changed answer may leave the actor filled although the form hides it.
        actor: some(&field("perpetrator_actor")).filter(|_| !unidentified),
        unit: some(&field("perpetrator_unit")).filter(|_| !unidentified),
    };
    let source = Source {
        kind: choice("source_kind", &field("source_kind"))?,
        reliability: choice("source_reliability", &field("source_reliability"))?,
        remote: yes("source_remote", &field("source_remote"))?,
        contact: some(&field("source_contact")),
    };
    let mut victims = Vec::new();
    for v in root
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "victims")
    {
        if victims.len() >= MAX_PARTS {
            return Err(invalid("victims", format!("more than {MAX_PARTS}")));
        }
        let get = |name: &str| {
            v.children()
                .find(|c| c.is_element() && c.tag_name().name() == name)
                .map(text_of)
                .unwrap_or_default()
        };
        let sex = get("victim_sex");
        victims.push(Victim {
            sex: if sex.trim().is_empty() {
                kinga_domain::incident::Sex::Unknown
            } else {
                choice("victim_sex", &sex)?
            },
            age_group: age_group(&get("victim_age_group"))?,
            disability: yes("victim_disability", &get("victim_disability"))?,
            displaced: yes("victim_displaced", &get("victim_displaced"))?,
            name: some(&get("victim_name")),
        });
    }
    let files = some(&field("photo")).into_iter().collect();
    Ok(Submission {
        instance_id,
        draft: IncidentDraft {
            compartment,
            occurred_on,
            date_precision,
            place: field("place").trim().to_string(),
            narrative: field("narrative"),
            sources: vec![source],
            alerts: Vec::new(),
            perpetrators: vec![perpetrator],
            victims,
            violations,
        },
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinga_domain::incident::{Reliability, Sex, SourceKind};

    const FILLED: &str = r#"<?xml version='1.0' ?><data id="protection_monitoring" version="2026113001" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"><violations>rape looting</violations><occurred_on>2026-09-14</occurred_on><date_precision>day</date_precision><place>CD6111-V001</place><narrative>Trois hommes armés &amp; la nuit</narrative><perpetrator_category>armed_group</perpetrator_category><perpetrator_actor>Zebra Brigade</perpetrator_actor><perpetrator_unit /><source_kind>victim</source_kind><source_reliability>reliable</source_reliability><source_remote>no</source_remote><source_contact>+243990777123</source_contact><victims><victim_sex>female</victim_sex><victim_age_group>age_18_59</victim_age_group><victim_disability>no</victim_disability><victim_displaced>yes</victim_displaced><victim_name>Neema</victim_name></victims><victims><victim_sex>female</victim_sex><victim_age_group>age_12_17</victim_age_group><victim_disability>yes</victim_disability><victim_displaced>no</victim_displaced><victim_name /></victims><photo>1764500000000.jpg</photo><meta><instanceID>uuid:6b0c1e2a-1111-4c3d-9e8f-0123456789ab</instanceID></meta></data>"#;

    #[test]
    fn a_filled_form_becomes_a_draft_in_the_compartment_of_its_violations() {
        let s = parse_submission(FILLED).unwrap();
        assert_eq!(s.instance_id, "uuid:6b0c1e2a-1111-4c3d-9e8f-0123456789ab");
        assert_eq!(s.draft.compartment, Compartment::Crsv);
        assert_eq!(
            s.draft.violations,
            vec![Violation::Rape, Violation::Looting]
        );
        assert_eq!(s.draft.narrative, "Trois hommes armés & la nuit");
        assert_eq!(s.draft.victims.len(), 2);
        assert_eq!(s.draft.victims[0].name.as_deref(), Some("Neema"));
        assert_eq!(s.draft.victims[1].age_group, AgeGroup::Age12To17);
        assert_eq!(s.draft.victims[1].sex, Sex::Female);
        assert!(s.draft.victims[1].disability);
        assert_eq!(s.draft.sources[0].kind, SourceKind::Victim);
        assert_eq!(s.draft.sources[0].reliability, Reliability::Reliable);
        assert_eq!(s.draft.perpetrators[0].unit, None);
        assert_eq!(s.files, vec!["1764500000000.jpg".to_string()]);
    }

    #[test]
    fn malformed_or_foreign_instances_are_refused_by_field() {
        let other = FILLED.replace("id=\"protection_monitoring\"", "id=\"household_survey\"");
        assert!(
            parse_submission(&other)
                .unwrap_err()
                .to_string()
                .contains("'id'")
        );
        let no_id = FILLED.replace("uuid:6b0c1e2a-1111-4c3d-9e8f-0123456789ab", "");
        assert_eq!(
            parse_submission(&no_id).unwrap_err(),
            ChannelError::MissingField("meta/instanceID")
        );
        let bad = FILLED.replace("rape looting", "rape arson");
        assert!(
            parse_submission(&bad)
                .unwrap_err()
                .to_string()
                .contains("violations")
        );
        let dtd = format!("<!DOCTYPE data [<!ENTITY x \"y\">]>{}", &FILLED[22..]);
        assert!(parse_submission(&dtd).is_err());
        assert!(parse_submission("not xml").is_err());
        assert!(parse_submission(&FILLED[..FILLED.len() - 10]).is_err());
    }

    #[test]
    fn the_form_list_names_the_shipped_form_with_its_hash() {
        let list = form_list("https://kinga.example.org/");
        assert!(list.contains("<formID>protection_monitoring</formID>"));
        assert!(list.contains(
            "<downloadUrl>https://kinga.example.org/forms/protection_monitoring</downloadUrl>"
        ));
        assert!(list.contains(&form_hash()));
        assert!(roxmltree::Document::parse(&list).is_ok());
        assert!(FORM_XML.contains("id=\"protection_monitoring\" version=\"2026113001\""));
        assert!(roxmltree::Document::parse(&response("a <b> & c")).is_ok());
    }
}
