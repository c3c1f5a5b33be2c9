//! USSD sessions through Africa's Talking's callback, driven screen by screen as a phone does:
//! the secret that keeps others out, a French session from an unknown number with a typed
//! place that matches nothing and then a misspelt one, its last request retried (also racing)
//! into one alert, a Swahili session from a registered focal point, and a cancelled one.

use futures::future::join_all;
use serde_json::Value;

use kinga_channels::form;

use crate::harness::{Backend, FURAHA, Server};
use crate::on_both_stores;

const SECRET: &str = "at-ussd-secret";
const PATH: &str = "/channels/africastalking/ussd";

async fn server(backend: Backend) -> Option<Server> {
    Server::start_with_env(backend, &[("KINGA_AFRICASTALKING_CALLBACK_SECRET", SECRET)]).await
}

/// One request of a session: the status, the content type and the screen.
async fn ussd(
    s: &Server,
    secret: Option<&str>,
    session: &str,
    phone: &str,
    text: &str,
) -> (u16, String, String) {
    let path = match secret {
        Some(sec) => format!("{PATH}?secret={sec}"),
        None => PATH.to_string(),
    };
    let body = form::encode([
        ("sessionId", session),
        ("serviceCode", "*384*1234#"),
        ("phoneNumber", phone),
        ("networkCode", "63001"),
        ("text", text),
    ]);
    let r = reqwest::Client::new()
        .post(format!("{}{path}", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("ussd request");
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ctype, r.text().await.unwrap_or_default())
}

/// The screen after `text`, which must be a 200 answer.
async fn screen(s: &Server, session: &str, phone: &str, text: &str) -> String {
    let (st, ctype, body) = ussd(s, Some(SECRET), session, phone, text).await;
    assert_eq!(st, 200, "{text}: {body}");
    assert!(ctype.starts_with("text/plain"), "{ctype}");
    assert!(
        body.chars().count() <= 4 + 182,
        "{text}: screen too long: {body}"
    );
    body
}

/// The number a screen gives the line that contains `name`.
fn number_of(screen: &str, name: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(name))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_else(|| panic!("{name} not offered: {screen}"))
        .to_string()
}

async fn total(s: &Server) -> u64 {
    s.get("/api/v1/alerts?limit=1").await.1["total"]
        .as_u64()
        .expect("total")
}

async fn by_reference(s: &Server, end: &str) -> Value {
    let reference = end
        .split_whitespace()
        .find(|w| w.starts_with("K-"))
        .unwrap_or_else(|| panic!("no reference in {end}"));
    let (st, a) = s.get(&format!("/api/v1/alerts/{reference}")).await;
    assert_eq!(st, 200, "{a}");
    a
}

async fn sessions(backend: Backend) {
    let Some(s) = server(backend).await else {
        return;
    };
    let stranger = "+243810000077";
    // Without the secret, or with a wrong one: refused before anything is read.
    for secret in [None, Some("wrong")] {
        let (st, _, body) = ussd(&s, secret, "ATUid_x", stranger, "1*2*Minova*1*3*1").await;
        assert_eq!(st, 403, "{secret:?}: {body}");
    }
    let (st, _, _) = ussd(&s, Some(SECRET), "", stranger, "").await;
    assert_eq!(st, 400, "no session id");
    assert_eq!(total(&s).await, 0);

    // French, from a number nobody registered.
    let fr = "ATUid_fr_0001";
    let first = screen(&s, fr, stranger, "").await;
    assert!(first.starts_with("CON Kinga"), "{first}");
    assert!(
        first.contains("1 Français\n2 English\n3 Kiswahili"),
        "{first}"
    );
    let threats = screen(&s, fr, stranger, "1").await;
    assert!(threats.starts_with("CON Que se passe-t-il ?"), "{threats}");
    let armed = number_of(&threats, "Hommes armés");
    let typing = screen(&s, fr, stranger, &format!("1*{armed}")).await;
    assert_eq!(typing, "CON Tapez le nom du village ou du lieu :");
    // A name matching no place: asked again.
    let path = format!("1*{armed}*Qxzzvq");
    let retry = screen(&s, fr, stranger, &path).await;
    assert!(retry.starts_with("CON Lieu introuvable."), "{retry}");
    // Misspelt: Kitshanga offered, picked by its number.
    let path = format!("{path}*Kitchnga");
    let list = screen(&s, fr, stranger, &path).await;
    assert!(list.starts_with("CON Choisissez le lieu :"), "{list}");
    let n = number_of(&list, "Kitshanga (Masisi");
    let path = format!("{path}*{n}");
    let severity = screen(&s, fr, stranger, &path).await;
    assert!(
        severity.starts_with("CON Gravité :\n1 Faible"),
        "{severity}"
    );
    let path = format!("{path}*3");
    let confirm = screen(&s, fr, stranger, &path).await;
    assert_eq!(
        confirm,
        "CON Envoyer cette alerte ?\nHommes armés\nKitshanga, Masisi, Nord-Kivu\nGravité 3: Grave\n1 Envoyer\n2 Annuler"
    );
    assert_eq!(total(&s).await, 0, "nothing before the confirmation");
    let path = format!("{path}*1");
    let end = screen(&s, fr, stranger, &path).await;
    assert!(end.starts_with("END Alerte K-"), "{end}");
    assert!(end.ends_with("enregistrée. Merci, nous nous en occupons."));
    // The gateway retries the last request, some of the retries racing: one alert.
    let retries = join_all((0..4).map(|_| ussd(&s, Some(SECRET), fr, stranger, &path))).await;
    for (st, _, body) in retries {
        assert_eq!((st, body.as_str()), (200, end.as_str()));
    }
    // "Send" pressed twice: still the session's one alert.
    assert_eq!(screen(&s, fr, stranger, &format!("{path}*1")).await, end);
    assert_eq!(total(&s).await, 1);
    let a = by_reference(&s, &end).await;
    assert_eq!(a["channel"], "ussd");
    assert_eq!(a["threat_type"], "armed_presence");
    assert_eq!(a["severity"], 3);
    assert_eq!(a["place"], "CD6103-V003");
    assert_eq!(a["place_name"], "Kitchnga");
    assert_eq!(a["language"], "fr");
    assert_eq!(a["reporter"]["unknown"], true);
    assert_eq!(a["state"], "received");
    assert_eq!(
        a["text"],
        "USSD: Hommes armés; Kitshanga (tapé : Kitchnga); Gravité 3 (Grave)"
    );
    assert!(
        a["parse_flags"].as_array().is_none_or(|f| f.is_empty()),
        "nothing guessed: {a}"
    );

    // Swahili, from Furaha, registered at Kiwanja: her own place is offered first; she
    // picks another, types a name matching nothing, then a misspelt one.
    let sw = "ATUid_sw_0002";
    let furaha = "+243990001001";
    let threats = screen(&s, sw, furaha, "3").await;
    assert!(threats.starts_with("CON Nini kinatokea?"), "{threats}");
    let abduction = number_of(&threats, "Utekaji nyara");
    let place = screen(&s, sw, furaha, &format!("3*{abduction}")).await;
    assert_eq!(
        place,
        "CON Wapi?\n1 Kiwanja, Rutshuru, Nord-Kivu\n2 Mahali pengine"
    );
    let path = format!("3*{abduction}*2");
    let typing = screen(&s, sw, furaha, &path).await;
    assert_eq!(typing, "CON Andika jina la kijiji au mahali:");
    let path = format!("{path}*Zzqxv");
    let retry = screen(&s, sw, furaha, &path).await;
    assert!(retry.starts_with("CON Mahali hapajulikani."), "{retry}");
    let path = format!("{path}*Bunagna");
    let list = screen(&s, sw, furaha, &path).await;
    assert!(list.starts_with("CON Chagua mahali:"), "{list}");
    assert!(list.ends_with("\n0 Andika tena"), "{list}");
    let path = format!("{path}*{}", number_of(&list, "Bunagana"));
    let severity = screen(&s, sw, furaha, &path).await;
    assert!(
        severity.starts_with("CON Ni hatari kiasi gani?"),
        "{severity}"
    );
    let path = format!("{path}*4");
    let confirm = screen(&s, sw, furaha, &path).await;
    assert!(
        confirm.starts_with("CON Tuma taarifa hii?\nUtekaji nyara\nBunagana"),
        "{confirm}"
    );
    let end = screen(&s, sw, furaha, &format!("{path}*1")).await;
    assert!(end.starts_with("END Taarifa K-"), "{end}");
    assert!(
        end.ends_with("imepokelewa. Asante, tunaifuatilia."),
        "{end}"
    );
    let a = by_reference(&s, &end).await;
    assert_eq!(a["channel"], "ussd");
    assert_eq!(a["threat_type"], "abduction");
    assert_eq!(a["severity"], 4);
    assert_eq!(a["place"], "CD6111-V002");
    assert_eq!(a["language"], "sw");
    assert_eq!(a["reporter"]["pseudonym"], FURAHA);
    // Routed like any alert: Rutshuru's responders proposed.
    assert!(
        a["proposed_responders"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "{a}"
    );
    // Her own place, in another session.
    let home = "ATUid_sw_0003";
    let end = screen(&s, home, furaha, "3*1*1*2*1").await;
    assert!(end.starts_with("END Taarifa K-"), "{end}");
    let a = by_reference(&s, &end).await;
    assert_eq!(a["place"], "CD6111-V001");
    assert!(a["place_name"].is_null(), "{a}");

    // Cancelled at the confirmation: nothing recorded.
    let before = total(&s).await;
    let cancelled = screen(&s, "ATUid_en_0004", stranger, "2*3*Minova*1*2*2").await;
    assert_eq!(cancelled, "END Alert cancelled. Nothing was sent.");
    assert_eq!(total(&s).await, before);
    assert_eq!(before, 3);

    // Every row rebuilds from the ledger.
    let out = s.cli(&["verify"], None);
    assert!(
        out.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
on_both_stores!(ussd_sessions, super::sessions);
