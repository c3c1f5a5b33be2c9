//! What intake reads from a command: threat, severity and place, set or read from the text,
//! and the reporter and focal point behind a phone number.

use kinga_domain::Reporter;
use kinga_domain::place::{self, Gazetteer};
use kinga_domain::registry::FocalPoint;
use kinga_domain::sms::{self, ParseContext};

use super::{IntakeCommand, IntakeExtras, Reading};
use crate::sms_intake::flag;
use crate::{App, AppError, AppResult, Caller};

impl App {
    /// One reading of an alert, whatever the channel: what the person or the channel set is
    /// kept; what they left unset (threat type, severity, place) is read from the text by the
    /// same grammar as an SMS, so "Enlèvement de trois femmes" typed in a form is an
    /// abduction at severity 4, as it is by SMS.
    pub(super) async fn read(
        &self,
        caller: &Caller,
        cmd: &IntakeCommand,
        extras: &IntakeExtras,
        reporter: &Reporter,
        gaz: &Gazetteer,
        text: &str,
    ) -> AppResult<Reading> {
        let mut flags = extras.parse_flags.clone();
        // A channel that read the message itself (the SMS grammar) hands its candidates over.
        let channel_read = extras.place_candidates.is_some();
        let unset = cmd.threat_type.is_none()
            || cmd.severity.is_none()
            || (cmd.place.is_none()
                && cmd
                    .place_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty()));
        let grammar = (!channel_read && unset && !text.is_empty()).then(|| {
            let ctx = ParseContext {
                gazetteer: gaz,
                default_place: None,
                default_language: None,
            };
            sms::read_text(text, &ctx)
        });
        let threat_type = cmd
            .threat_type
            .or(grammar.as_ref().and_then(|g| g.threat_type));
        let severity = cmd.severity.or(grammar.as_ref().and_then(|g| g.severity));
        if cmd.threat_type.is_none() && threat_type.is_some()
            || cmd.severity.is_none() && severity.is_some()
        {
            flags.push(flag::READ_FROM_TEXT.into());
        }
        let (place, candidates) = match (&cmd.place, &cmd.place_name) {
            (Some(code), _) => {
                let code = code.trim();
                if gaz.get(code).is_none() {
                    return Err(AppError::Invalid(format!("unknown place P-code '{code}'")));
                }
                (
                    Some(code.to_string()),
                    extras.place_candidates.clone().unwrap_or_default(),
                )
            }
            _ if channel_read => (None, extras.place_candidates.clone().unwrap_or_default()),
            (None, Some(name)) if !name.trim().is_empty() => {
                let c = gaz.resolve(name, 5);
                let settled = place::settle(&c, gaz);
                if c.is_empty() {
                    flags.push("place_unknown".into());
                }
                flags.extend(settled.flags.iter().map(|f| f.to_string()));
                (settled.place, c)
            }
            _ => match &grammar {
                Some(g) if g.place.is_some() || !g.place_candidates.is_empty() => {
                    flags.extend(g.flags.iter().filter(|f| f.starts_with("place_")).cloned());
                    let place = g.place.clone().or_else(|| {
                        let area = g.place_area.clone()?;
                        flags.push(flag::PLACE_IS_AREA.into());
                        Some(area)
                    });
                    (place, g.place_candidates.clone())
                }
                // A caller who may not see reporters must not learn, from the place the
                // alert gets, that the number belongs to a focal point and where.
                _ if !caller.may_see_reporters() => (None, vec![]),
                _ => (self.focal_point_place(reporter).await, vec![]),
            },
        };
        flags.dedup();
        Ok(Reading {
            threat_type,
            severity,
            place,
            candidates,
            language: grammar.and_then(|g| g.language),
            flags,
        })
    }

    pub(super) async fn reporter(&self, phone: Option<&str>) -> AppResult<Reporter> {
        let Some(raw) = phone.filter(|p| !p.trim().is_empty()) else {
            return Ok(Reporter::default());
        };
        let msisdn = self.normalize_phone(raw)?;
        Ok(self.reporter_of(&msisdn).await?.0)
    }

    /// The reporter behind a normalised number, and its focal point when registered.
    pub(crate) async fn reporter_of(
        &self,
        msisdn: &str,
    ) -> AppResult<(Reporter, Option<FocalPoint>)> {
        let digest = self.sealer.phone_digest(msisdn);
        let fp = self.focal_point_by_phone(&digest).await?;
        let reporter = Reporter {
            focal_point: fp.as_ref().map(|f| f.id.clone()),
            pseudonym: fp.as_ref().map(|f| f.pseudonym.clone()),
            phone_digest: Some(digest),
            phone_sealed: Some(self.sealer.seal(msisdn)?),
            language: fp.as_ref().map(|f| f.language.clone()),
            hidden: false,
        };
        Ok((reporter, fp))
    }

    async fn focal_point_place(&self, reporter: &Reporter) -> Option<String> {
        let digest = reporter.phone_digest.as_deref()?;
        self.focal_point_by_phone(digest)
            .await
            .ok()
            .flatten()
            .and_then(|f| f.place)
    }

    /// The focal point with the number of this digest: from the caches, which every focal
    /// point saved here refreshes (a store read per alert was a hand-off to a reader thread
    /// and back, 5 % of intake's time in a flood), else from the store, which has those
    /// registered on another server since the last refresh.
    async fn focal_point_by_phone(&self, digest: &str) -> AppResult<Option<FocalPoint>> {
        if let Some(fp) = self.caches.focal_point_by_phone(digest) {
            return Ok(Some(FocalPoint::clone(&fp)));
        }
        Ok(self.store.focal_point_by_phone(digest).await?)
    }
}
