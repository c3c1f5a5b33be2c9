//! `kinga sync PEER` and the periodic sync of `kinga serve`: the HTTP client side of
//! replication (docs/sync-protocol.md). Push first — the peer's cursors, then batches of what
//! it lacks until it lacks nothing — then pull — batches after this instance's cursors until an
//! empty one. Every step starts from the cursors, so a sync cut at any point resumes where the
//! chains stand, and a batch received twice changes nothing.

use std::time::Duration;

use anyhow::{Context, bail};

use kinga_app::handover::{Identity, PublicKey};
use kinga_app::sync::{
    HeadsAnswer, KEY_HEADER, MAX_BATCH, PullRequest, Received, SIGNATURE_HEADER, TIME_HEADER,
    answer_signed_by, sign_request,
};
use kinga_app::{App, Caller};
use kinga_domain::peer::Peer;

/// What one sync with a peer moved.
#[derive(Debug, Default, Clone)]
pub struct SyncSummary {
    /// Events sent (shared and withheld).
    pub pushed: u64,
    /// Of them, withheld by the agreement.
    pub pushed_withheld: u64,
    /// Events taken in.
    pub pulled: u64,
    /// Of them, withheld stubs.
    pub pulled_withheld: u64,
    /// Batches exchanged.
    pub batches: u64,
    /// Why nothing was pushed, when the agreement forbids it.
    pub push_refused: Option<String>,
}

struct Client {
    http: reqwest::Client,
    peer: Peer,
    key: PublicKey,
}

impl Client {
    /// One signed request; the answer's body once its signature is the peer's.
    async fn call(
        &self,
        app: &App,
        me: &Identity,
        method: &str,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<Vec<u8>> {
        let (key, time, sig) = sign_request(&me.key, method, path, app.now(), &body);
        let url = format!("{}{path}", self.peer.url);
        let req = match method {
            "GET" => self.http.get(&url),
            _ => self.http.post(&url).body(body),
        };
        let resp = req
            .header(KEY_HEADER, key)
            .header(TIME_HEADER, time)
            .header(SIGNATURE_HEADER, &sig)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .send()
            .await
            .with_context(|| format!("{} does not answer at {url}", self.peer.name))?;
        let status = resp.status();
        let answer_sig = resp
            .headers()
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = resp.bytes().await?.to_vec();
        if !status.is_success() {
            let said: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            bail!(
                "{} answered {status} to {path}: {}",
                self.peer.name,
                said["error"]["message"].as_str().unwrap_or("(no message)")
            );
        }
        if !answer_signed_by(&self.key, &sig, &bytes, &answer_sig) {
            bail!(
                "the answer to {path} is not signed by {}'s key: not taken",
                self.peer.name
            );
        }
        Ok(bytes)
    }
}

/// Sync with one peer, both ways.
pub async fn sync_with(app: &App, caller: &Caller, name: &str) -> anyhow::Result<SyncSummary> {
    let peer = app.peer_named(caller, name).await?;
    let me = app.identity(caller).await?;
    let key: PublicKey = peer
        .key
        .parse()
        .map_err(|e| anyhow::anyhow!("peer {}: {e}", peer.name))?;
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?,
        peer,
        key,
    };
    let mut s = SyncSummary::default();
    // Push: what the peer lacks, as the agreement with it allows.
    loop {
        let bytes = client
            .call(
                app,
                &me,
                "GET",
                "/api/v1/sync/heads",
                Vec::new(),
                "application/json",
            )
            .await?;
        let theirs: HeadsAnswer = serde_json::from_slice(&bytes).context("the peer's cursors")?;
        let batch = match app
            .sync_batch(
                &me,
                &client.peer,
                &theirs.heads,
                &theirs.instance,
                MAX_BATCH,
            )
            .await
        {
            Ok(b) => b,
            Err(kinga_app::AppError::Forbidden(why)) => {
                s.push_refused = Some(why);
                break;
            }
            Err(e) => return Err(e.into()),
        };
        if batch.events == 0 {
            break;
        }
        let bytes = client
            .call(
                app,
                &me,
                "POST",
                "/api/v1/sync/push",
                batch.bytes,
                kinga_web::api::sync::PACKAGE_TYPE,
            )
            .await?;
        let r: Received = serde_json::from_slice(&bytes).context("the push's answer")?;
        s.batches += 1;
        s.pushed += r.appended;
        s.pushed_withheld += r.withheld;
        if r.appended == 0 {
            // Everything was already there (the cursors raced another sync): done.
            break;
        }
    }
    // Pull: what this instance lacks, as the agreement on the peer's side allows.
    loop {
        let mine = app.sync_heads().await?;
        let req = PullRequest {
            instance: mine.instance.clone(),
            after: mine.heads,
            limit: MAX_BATCH,
        };
        let bytes = client
            .call(
                app,
                &me,
                "POST",
                "/api/v1/sync/pull",
                serde_json::to_vec(&req)?,
                "application/json",
            )
            .await?;
        let r = app.sync_receive(&me, &client.peer, &bytes).await?;
        s.batches += 1;
        s.pulled += r.appended;
        s.pulled_withheld += r.withheld;
        if r.appended == 0 {
            break;
        }
    }
    Ok(s)
}

/// One line for a terminal or a log.
pub fn one_line(name: &str, s: &SyncSummary) -> String {
    let mut line = format!(
        "synced with {name}: sent {} events ({} withheld), received {} ({} withheld) in {} batches",
        s.pushed, s.pushed_withheld, s.pulled, s.pulled_withheld, s.batches
    );
    if let Some(why) = &s.push_refused {
        line.push_str(&format!("; nothing sent: {why}"));
    }
    line
}

/// Sync with every paired instance every `instance.sync_seconds` until the process ends.
pub fn spawn_periodic(app: App) {
    let every = app.settings.instance.sync_seconds;
    if every == 0 {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every.max(5)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        let caller = Caller::system();
        loop {
            tick.tick().await;
            let peers = match app.peers(&caller).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "sync: the peers cannot be read");
                    continue;
                }
            };
            for p in peers {
                match sync_with(&app, &caller, &p.name).await {
                    Ok(s) if s.pushed + s.pulled > 0 => {
                        tracing::info!(peer = %p.name, "{}", one_line(&p.name, &s))
                    }
                    Ok(_) => {}
                    // A field laptop is often offline: said, and tried again next time.
                    Err(e) => tracing::warn!(peer = %p.name, error = %e, "sync failed"),
                }
            }
        }
    });
}
