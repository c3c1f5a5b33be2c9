//! A person's own settings and inbox: what they may change, what is refused, and how an
//! escalation reaches a coordinator in Kinga and outside it.

mod support;

use chrono::Duration;
use support::cla;

use kinga_app::alerts::IntakeCommand;
use kinga_app::profile::ProfileUpdate;
use kinga_app::{App, AppError, Caller};
use kinga_domain::outbox::MessageKind;
use kinga_domain::people::{NotifyChannel, Role, User};
use kinga_domain::{Channel, ThreatType};

async fn setup(dir: &tempfile::TempDir) -> (App, std::sync::Arc<kinga_app::FixedClock>) {
    let (app, clock) = support::open_app(dir).await;
    support::add_walikale(&app).await;
    support::add_coordinator(&app).await;
    app.add_user(
        &Caller::system(),
        "cla1",
        "Esther",
        Role::TriageOfficer,
        "fr",
        "esther-password-1",
    )
    .await
    .expect("cla");
    (app, clock)
}

async fn user(app: &App, name: &str) -> User {
    app.users(&Caller::system())
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.name == name)
        .expect("user")
}

fn me(u: &User) -> Caller {
    Caller::user(u)
}

#[tokio::test]
async fn a_user_sets_how_they_are_reached_and_bad_values_change_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _) = setup(&dir).await;
    let coord = user(&app, "coord").await;
    let u = app
        .update_profile(
            &me(&coord),
            "coord",
            ProfileUpdate {
                phone: Some("0990 000 900".into()),
                email: Some(" grace@example.org ".into()),
                notify: Some(vec![
                    NotifyChannel::Sms,
                    NotifyChannel::Email,
                    NotifyChannel::Sms,
                ]),
                time_zone: Some("Africa/Kinshasa".into()),
                areas: Some(vec!["CD61".into(), "CD6104".into(), "CD61".into()]),
                ..Default::default()
            },
        )
        .await
        .expect("saved");
    assert_eq!(
        u.phone.as_deref(),
        Some("+243990000900"),
        "national form completed"
    );
    assert_eq!(u.email.as_deref(), Some("grace@example.org"));
    assert_eq!(u.notify, vec![NotifyChannel::Sms, NotifyChannel::Email]);
    assert_eq!(u.time_zone.as_deref(), Some("Africa/Kinshasa"));
    assert_eq!(u.areas, vec!["CD61", "CD6104"]);
    assert!(u.password_hash.is_empty(), "the hash never leaves the app");

    let bad = [
        ProfileUpdate {
            time_zone: Some("Goma/Centre".into()),
            ..Default::default()
        },
        ProfileUpdate {
            email: Some("grace at example".into()),
            ..Default::default()
        },
        ProfileUpdate {
            phone: Some("call me".into()),
            ..Default::default()
        },
        ProfileUpdate {
            areas: Some(vec!["CD99".into()]),
            ..Default::default()
        },
        ProfileUpdate {
            language: Some("sw".into()),
            ..Default::default()
        },
        // Copies by SMS without a number to send them to.
        ProfileUpdate {
            phone: Some(String::new()),
            ..Default::default()
        },
    ];
    for update in bad {
        let e = app
            .update_profile(&me(&coord), "coord", update.clone())
            .await
            .expect_err(&format!("{update:?} is refused"));
        assert!(matches!(e, AppError::Invalid(_)), "{e}");
    }
    let after = app.profile(&me(&coord), "coord").await.expect("profile");
    assert_eq!(after.phone, u.phone, "a refused change changes nothing");
    assert_eq!(after.time_zone, u.time_zone);

    // Clearing: empty values go back to the deployment's zone and everywhere.
    let cleared = app
        .update_profile(
            &me(&coord),
            "coord",
            ProfileUpdate {
                time_zone: Some(String::new()),
                areas: Some(vec![]),
                notify: Some(vec![]),
                ..Default::default()
            },
        )
        .await
        .expect("cleared");
    assert_eq!(cleared.time_zone, None);
    assert!(cleared.areas.is_empty() && cleared.notify.is_empty());

    // A CLA changes only their own settings; an administrator anyone's.
    let cla1 = user(&app, "cla1").await;
    let e = app
        .profile(&me(&cla1), "coord")
        .await
        .expect_err("not another's");
    assert!(matches!(e, AppError::Forbidden(_)), "{e}");
    app.update_profile(
        &Caller::acting("admin", Role::Administrator),
        "cla1",
        ProfileUpdate {
            areas: Some(vec!["CD6104".into()]),
            ..Default::default()
        },
    )
    .await
    .expect("an administrator sets a CLA's working area");
    assert_eq!(user(&app, "cla1").await.areas, vec!["CD6104"]);
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn an_escalation_reaches_the_inbox_and_the_copies_the_coordinator_asked_for() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = setup(&dir).await;
    let coord = user(&app, "coord").await;
    app.update_profile(
        &me(&coord),
        "coord",
        ProfileUpdate {
            phone: Some("+243990000900".into()),
            email: Some("grace@example.org".into()),
            notify: Some(vec![NotifyChannel::Email]),
            ..Default::default()
        },
    )
    .await
    .expect("settings");
    let coord = user(&app, "coord").await;
    assert_eq!(app.inbox_unread(&coord).await.expect("count"), 0);
    let cmd = IntakeCommand {
        channel: Some(Channel::Call),
        text: "Trois civils tués à Walikale".into(),
        threat_type: Some(ThreatType::Killing),
        place: Some("CD6104".into()),
        ..Default::default()
    };
    let alert = app.intake(&cla(), cmd).await.expect("intake").alert;
    clock.set(app.now() + Duration::minutes(16));
    assert_eq!(app.escalate_due().await.expect("run"), 1);

    let inbox = app.inbox(&coord, 0, 10).await.expect("inbox");
    assert_eq!(inbox.items.len(), 1, "one inbox copy: {:?}", inbox.items);
    let m = &inbox.items[0];
    assert_eq!(m.kind, MessageKind::Escalation);
    assert_eq!(m.alert.as_deref(), Some(alert.id.as_str()));
    assert_eq!(m.channel_of(), Some("inbox"));
    assert!(m.body.contains(&alert.reference), "{}", m.body);
    let all = app
        .outbox(
            &Caller::system(),
            kinga_app::OutboxQuery {
                alert: Some(alert.id.clone()),
                limit: 20,
                ..Default::default()
            },
        )
        .await
        .expect("outbox")
        .items;
    let channels: Vec<_> = all
        .iter()
        .filter(|m| m.kind == MessageKind::Escalation)
        .map(|m| m.channel_of().unwrap_or("?"))
        .collect();
    assert_eq!(channels.len(), 2, "{channels:?}");
    assert!(
        channels.contains(&"inbox") && channels.contains(&"email"),
        "SMS was not asked for: {channels:?}"
    );

    assert_eq!(app.inbox_unread(&coord).await.expect("count"), 1);
    app.mark_inbox_read(&coord).await.expect("read");
    let coord = user(&app, "coord").await;
    assert_eq!(app.inbox_unread(&coord).await.expect("count"), 0);
    let events = app.event_count(&Caller::system()).await.expect("events");
    app.mark_inbox_read(&coord).await.expect("read again");
    assert_eq!(
        app.event_count(&Caller::system()).await.expect("events"),
        events,
        "reading an inbox with nothing new writes nothing"
    );
    // The CLA's inbox is their own: the coordinator's escalation is not in it.
    let cla1 = user(&app, "cla1").await;
    assert!(
        app.inbox(&cla1, 0, 10)
            .await
            .expect("inbox")
            .items
            .is_empty()
    );
    support::assert_verified(&app).await;
}
