//! A liaison assistant and the voice hotline, at a desk (1366 px) and on a phone (360 px): a
//! recorded call (French speech made by espeak-ng) heads the queue, the recording plays in the
//! alert page (its `<audio>` source answers with the audio bytes, the browser decodes its
//! duration and plays it on), a plain link downloads it, the CLA types what was said, and
//! closes the alert.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::Value;

use super::{at_width, browser, click, fits, screenshot, sign_in, state_is, text_of, type_into};
use crate::harness::{Backend, Server};
use crate::voice::{SPOKEN, StandIn, recorded_call, voice_server, wav_seconds};

/// What the page's audio element gives the browser: its source's HTTP status, type and length.
async fn audio_source(c: &Client) -> (u64, String, u64) {
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const a = document.querySelector('audio[controls]');\
             if (!a) { done([0, 'no audio element', 0]); return; }\
             fetch(a.src, {credentials: 'same-origin'})\
               .then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type') || '', b.byteLength])))\
               .catch(e => done([0, String(e), 0]));",
            vec![],
        )
        .await
        .expect("fetch the audio source");
    (
        got[0].as_u64().unwrap_or(0),
        got[1].as_str().unwrap_or("").to_string(),
        got[2].as_u64().unwrap_or(0),
    )
}

/// The duration the browser decoded from the audio element, once it has loaded it.
async fn decoded_duration(c: &Client) -> f64 {
    c.execute(
        "const a = document.querySelector('audio[controls]'); if (a.readyState < 1) a.load();",
        vec![],
    )
    .await
    .expect("load the audio");
    for _ in 0..100 {
        let v: Value = c
            .execute(
                "const a = document.querySelector('audio[controls]');\
                 return [a.readyState, a.duration || 0, a.error ? a.error.code : 0];",
                vec![],
            )
            .await
            .expect("audio state");
        if v[2].as_u64().unwrap_or(0) != 0 {
            panic!(
                "the browser cannot play the recording: media error {}",
                v[2]
            );
        }
        if v[0].as_u64().unwrap_or(0) >= 1 {
            return v[1].as_f64().unwrap_or(0.0);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the recording never loaded in the audio element");
}

/// Play the page's recording (muted, as a browser may without a gesture) until it has run
/// for a while: how far it got, or why it did not play.
async fn play(c: &Client) -> Result<f64, String> {
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const a = document.querySelector('audio[controls]');\
             a.muted = true;\
             const t0 = performance.now();\
             a.play().then(() => {\
               const check = () => {\
                 if (a.currentTime > 0.3 || a.ended) { a.pause(); done([true, a.currentTime, '']); }\
                 else if (performance.now() - t0 > 10000) done([false, a.currentTime, 'no progress']);\
                 else setTimeout(check, 50);\
               };\
               check();\
             }).catch(e => done([false, 0, String(e)]));",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if got[0].as_bool() == Some(true) {
        Ok(got[1].as_f64().unwrap_or(0.0))
    } else {
        Err(format!("{got}"))
    }
}

async fn one_call(c: &Client, s: &Server, stand_in: &StandIn, width: u32, call_sid: &str) {
    let a = recorded_call(s, stand_in, call_sid, "+243810000057").await;
    let reference = a["reference"].as_str().expect("reference").to_string();
    at_width(c, width).await;
    c.goto(&format!("{}/alerts", s.base)).await.expect("queue");
    let first = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("tbody#new-rows tr[id^='row-']"))
        .await
        .expect("a queue row");
    assert_eq!(
        first.attr("id").await.expect("id").as_deref(),
        Some(format!("row-{reference}").as_str()),
        "the untranscribed call heads the new alerts on top of the queue"
    );
    fits(c, &format!("the queue at {width} px")).await;
    c.goto(&format!("{}/alerts/{reference}", s.base))
        .await
        .expect("alert page");
    state_is(c, "received").await;
    text_of(c, "#untranscribed-flag").await;
    // The recording plays: its source answers 200 with the audio, and the browser decodes it.
    let (status, ctype, len) = audio_source(c).await;
    assert_eq!(status, 200, "{ctype}");
    assert_eq!(ctype, "audio/x-wav");
    assert_eq!(len, stand_in.wav.len() as u64);
    let seconds = decoded_duration(c).await;
    let expected = wav_seconds(&stand_in.wav);
    assert!(
        (seconds - expected).abs() < 0.1,
        "decoded {seconds} s of {expected} s"
    );
    // A click on the page first: browsers play media only after the person interacted.
    c.find(Locator::Css("#untranscribed-flag"))
        .await
        .expect("flag")
        .click()
        .await
        .expect("click the page");
    let played = play(c).await.expect("the recording plays");
    assert!(played > 0.0, "played to {played} s");
    let link = c
        .find(Locator::Css("a.media-download"))
        .await
        .expect("download link");
    let href = link.attr("href").await.expect("href").unwrap_or_default();
    assert!(href.ends_with("?download=1"), "{href}");
    fits(c, &format!("the alert page at {width} px")).await;
    screenshot(c, &format!("voice-alert-{width}")).await;

    // What espeak-ng said in the recording.
    let words = SPOKEN;
    type_into(c, "#transcript", words).await;
    click(c, "#btn-transcribe").await;
    let notice = text_of(c, "#notice").await;
    assert!(!notice.is_empty());
    assert_eq!(text_of(c, "#alert-text").await, words);
    assert!(
        c.find(Locator::Css("#untranscribed-flag")).await.is_err(),
        "transcribed: no longer flagged"
    );

    click(c, "[data-action='acknowledge']").await;
    state_is(c, "acknowledged").await;
    click(c, "[data-action='verify']").await;
    state_is(c, "verified").await;
    c.execute(
        "document.querySelector('#category').value = 'no_responder';",
        vec![],
    )
    .await
    .expect("pick the outcome");
    type_into(
        c,
        "textarea#outcome",
        "Aucune patrouille disponible cette nuit",
    )
    .await;
    click(c, "[data-action='close']").await;
    state_is(c, "closed").await;
    fits(c, &format!("the closed alert at {width} px")).await;
}

async fn a_cla_plays_transcribes_and_closes_a_call(backend: Backend) {
    let media = tempfile::tempdir().expect("media dir");
    let Some(s) = voice_server(backend, media.path()).await else {
        return;
    };
    let stand_in = StandIn::start().await;
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    s.add_user("esther", "cla", "esther-password-1");
    sign_in(&c, &s.base, "esther", "esther-password-1").await;
    one_call(&c, &s, &stand_in, 1366, "CA1366").await;
    one_call(&c, &s, &stand_in, 360, "CA0360").await;
    let _ = c.close().await;
}
crate::on_both_stores!(
    voice_hotline_in_the_browser,
    super::a_cla_plays_transcribes_and_closes_a_call
);
