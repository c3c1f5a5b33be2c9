//! `kinga serve`: the web server and its background jobs.

use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use kinga_app::App;
use kinga_app::delivery::MessageSender;
use kinga_web::AppState;
use kinga_web::listen::{PeerAddr, TimeoutListener};

/// Run the escalation, digest, spike, retry-answer and cache-refresh jobs until the process
/// ends.
pub fn spawn_jobs(app: App) {
    let every = Duration::from_secs(app.settings.deadlines.check_seconds.max(5));
    let a = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match a.escalate_due().await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(escalated = n, "missed deadlines escalated to coordinators")
                }
                Err(e) => tracing::warn!(error = %e, "escalation run failed"),
            }
            if let Err(e) = a.digest_if_due(a.now()).await {
                tracing::warn!(error = %e, "digest run failed");
            }
        }
    });
    let minutes = app.settings.analysis.spike_check_minutes;
    if minutes > 0 {
        // Spike detection reads four weeks of alerts: every few minutes is soon enough for a
        // day-long count, and cheap.
        let a = app.clone();
        spawn_every(
            Duration::from_secs(minutes.saturating_mul(60)),
            move || {
                let a = a.clone();
                async move { a.raise_spikes().await }
            },
            "spikes raised to coordinators",
            "spike detection run failed",
        );
    }
    // Remembered answers age by days: hourly is often enough, and the first tick at start
    // thins what a long stop let age.
    let a = app.clone();
    spawn_every(
        Duration::from_secs(3600),
        move || {
            let a = a.clone();
            async move { a.thin_retry_answers().await }
        },
        "old answers to retries thinned",
        "thinning old answers to retries failed",
    );
    let a = app.clone();
    tokio::spawn(async move {
        // Other servers sharing a PostgreSQL database change registries too.
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = a.refresh_caches().await {
                tracing::warn!(error = %e, "cache refresh failed");
            }
        }
    });
    tokio::spawn(async move {
        // The chain heads reached, written outside the database every second.
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if let Err(e) = app.persist_anchor() {
                tracing::warn!(error = %e, "the ledger anchor could not be written");
            }
        }
    });
}

/// Every `period`, the first at once, run a job that returns how many things it did, and
/// log what it did (`done`) or why it failed (`failed`); a late tick is not made up for.
fn spawn_every<F, Fut>(period: Duration, job: F, done: &'static str, failed: &'static str)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = kinga_app::AppResult<usize>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match job().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "{done}"),
                Err(e) => tracing::warn!(error = %e, "{failed}"),
            }
        }
    });
}

/// Run the delivery worker until the process ends: every `outbound.interval_seconds`, send
/// what is due, batch after batch while full batches come back. Failures are logged here and
/// shown on the outbox page (status and last error).
pub fn spawn_delivery(app: App, sender: Box<dyn MessageSender>) {
    let every = Duration::from_secs(app.settings.outbound.interval_seconds.max(1));
    let batch = app.settings.outbound.batch.max(1);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            loop {
                match app.deliver_due(sender.as_ref()).await {
                    Ok(run) => {
                        if run.total() > 0 {
                            tracing::info!(
                                sent = run.sent,
                                inbox = run.inbox,
                                retrying = run.retrying,
                                failed = run.failed,
                                "outbox delivery run"
                            );
                        }
                        if run.total() < batch {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox delivery run failed");
                        break;
                    }
                }
            }
        }
    });
}

/// Serve until SIGINT or SIGTERM.
pub async fn serve(app: App, listen: &str, banner: Option<String>) -> anyhow::Result<()> {
    // Refuse to start with an outbound gateway half configured, rather than fail every send.
    let sender = kinga_channels::send::from_settings(&app.settings)
        .context("outbound messages cannot be sent")?;
    tracing::info!(driver = %app.settings.outbound.driver, "outbound messages");
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    spawn_jobs(app.clone());
    spawn_delivery(app.clone(), Box::new(sender));
    crate::sync::spawn_periodic(app.clone());
    let idle = Duration::from_secs(app.settings.http.idle_seconds.max(1));
    let router = kinga_web::router(AppState::new(app.clone()));
    match banner {
        // The demo's table comes last, so it is what stays on screen.
        Some(b) => println!(
            "{b}\nOpen http://{addr} and sign in with one of the logins above (Ctrl-C stops Kinga)."
        ),
        None => println!("Kinga is listening on http://{addr}"),
    }
    let served = axum::serve(
        TimeoutListener::new(listener, idle),
        router.into_make_service_with_connect_info::<PeerAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("server failed");
    if let Err(e) = app.persist_anchor() {
        tracing::warn!(error = %e, "the ledger anchor could not be written");
    }
    served
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
