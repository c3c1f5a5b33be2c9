//! SMS through an HTTP gateway: the request built by the gateway's module, sent with one
//! shared client, and the answer read by the same module.

use std::time::Duration;

use async_trait::async_trait;

use kinga_app::Settings;
use kinga_app::delivery::{Address, MessageSender, SendError, SendReceipt};
use kinga_domain::outbox::OutboxMessage;

use super::{SetupError, required};
use crate::outbound::{Method, OutboundRequest, SendAnswer};
use crate::{africastalking, kannel, rapidpro, twilio};

/// Largest gateway answer read; a send answer is a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// One gateway's account, as the settings give it.
#[derive(Debug, Clone)]
enum Gateway {
    Twilio {
        api_base: String,
        account_sid: String,
        auth_token: String,
        from: String,
        status_callback: Option<String>,
    },
    AfricasTalking {
        api_base: String,
        username: String,
        api_key: String,
        from: String,
    },
    RapidPro {
        send_url: String,
        token: String,
    },
    Kannel {
        sendsms_url: String,
        username: String,
        password: String,
        from: String,
        /// Public base URL and secret for delivery reports, when a secret is set.
        dlr: Option<(String, String)>,
    },
}

/// SMS through Twilio, Africa's Talking, RapidPro or Kannel, as `outbound.driver` says.
#[derive(Debug, Clone)]
pub struct HttpSender {
    gateway: Gateway,
    client: reqwest::Client,
}

impl HttpSender {
    /// The sender for `settings.outbound.driver`, or which setting is missing.
    pub fn new(settings: &Settings) -> Result<HttpSender, SetupError> {
        let gateway = gateway(settings)?;
        let timeout = Duration::from_secs(settings.outbound.timeout_seconds.clamp(1, 600));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("kinga/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SetupError::Client(e.to_string()))?;
        Ok(HttpSender { gateway, client })
    }

    /// Gateway name, as delivery reports name it.
    pub fn provider(&self) -> &'static str {
        match self.gateway {
            Gateway::Twilio { .. } => twilio::PROVIDER,
            Gateway::AfricasTalking { .. } => africastalking::PROVIDER,
            Gateway::RapidPro { .. } => rapidpro::PROVIDER,
            Gateway::Kannel { .. } => kannel::PROVIDER,
        }
    }

    /// The request that sends `message` to `phone`.
    pub fn request(&self, phone: &str, message: &OutboxMessage) -> OutboundRequest {
        let text = message.body.as_str();
        match &self.gateway {
            Gateway::Twilio {
                api_base,
                account_sid,
                auth_token,
                from,
                status_callback,
            } => twilio::send_request(
                api_base,
                account_sid,
                auth_token,
                from,
                phone,
                text,
                status_callback.as_deref(),
            ),
            Gateway::AfricasTalking {
                api_base,
                username,
                api_key,
                from,
            } => africastalking::send_request(
                api_base,
                username,
                api_key,
                Some(from.as_str()),
                phone,
                text,
            ),
            Gateway::RapidPro { send_url, token } => {
                rapidpro::send_request(send_url, Some(token.as_str()), phone, text)
            }
            Gateway::Kannel {
                sendsms_url,
                username,
                password,
                from,
                dlr,
            } => {
                let dlr = dlr
                    .as_ref()
                    .map(|(base, secret)| kannel::dlr_url(base, secret, &message.id));
                kannel::send_request(
                    sendsms_url,
                    username,
                    password,
                    from,
                    phone,
                    text,
                    dlr.as_deref(),
                )
            }
        }
    }

    /// What the gateway's answer means.
    pub fn read_answer(&self, status: u16, body: &[u8]) -> SendAnswer {
        match self.gateway {
            Gateway::Twilio { .. } => twilio::parse_send_answer(status, body),
            Gateway::AfricasTalking { .. } => africastalking::parse_send_answer(status, body),
            Gateway::RapidPro { .. } => rapidpro::parse_send_answer(status, body),
            Gateway::Kannel { .. } => kannel::parse_send_answer(status, body),
        }
    }

    async fn execute(&self, req: &OutboundRequest) -> Result<(u16, Vec<u8>), SendError> {
        execute(&self.client, req).await
    }
}

/// Send `req` with `client`: the status and at most [`MAX_ANSWER_BYTES`] of the answer.
pub(super) async fn execute(
    client: &reqwest::Client,
    req: &OutboundRequest,
) -> Result<(u16, Vec<u8>), SendError> {
    let method = match req.method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
    };
    let mut builder = client.request(method, &req.url);
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &req.body {
        builder = builder.body(body.clone());
    }
    let mut response = builder.send().await.map_err(network_error)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network_error)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body))
}

#[async_trait]
impl MessageSender for HttpSender {
    async fn send(&self, to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError> {
        let Address::Phone(phone) = to else {
            return Err(SendError::Permanent(format!(
                "{} sends text messages only",
                self.provider()
            )));
        };
        let (status, body) = self.execute(&self.request(phone, message)).await?;
        match self.read_answer(status, &body) {
            SendAnswer::Accepted { message_id } => Ok(SendReceipt {
                provider: self.provider().to_string(),
                // Kannel has no id of its own: its reports quote the one in our dlr-url.
                provider_message_id: match self.gateway {
                    Gateway::Kannel { .. } => Some(message.id.clone()),
                    _ => message_id,
                },
            }),
            SendAnswer::Rejected {
                retryable: true,
                reason,
            } => Err(SendError::Retryable(reason)),
            SendAnswer::Rejected {
                retryable: false,
                reason,
            } => Err(SendError::Permanent(reason)),
        }
    }
}

/// A transport failure, said without the URL: Kannel's carries the password, the number
/// and the text.
fn network_error(e: reqwest::Error) -> SendError {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    SendError::Retryable(text)
}

/// The gateway account `outbound.driver` names.
fn gateway(s: &Settings) -> Result<Gateway, SetupError> {
    let public = s.public_url.trim().trim_end_matches('/').to_string();
    let sender = s.outbound.sender.trim().to_string();
    Ok(match s.outbound.driver.trim() {
        "twilio" => {
            let t = &s.twilio;
            let from = if t.from.trim().is_empty() {
                &sender
            } else {
                t.from.trim()
            };
            Gateway::Twilio {
                api_base: required(&t.api_base, "twilio", "KINGA_TWILIO_API_BASE")?.into(),
                account_sid: required(&t.account_sid, "twilio", "KINGA_TWILIO_ACCOUNT_SID")?.into(),
                auth_token: required(&t.auth_token, "twilio", "KINGA_TWILIO_AUTH_TOKEN")?.into(),
                from: required(from, "twilio", "KINGA_TWILIO_FROM")?.into(),
                status_callback: (!public.is_empty())
                    .then(|| format!("{public}/channels/twilio/status")),
            }
        }
        "africastalking" => {
            let a = &s.africastalking;
            Gateway::AfricasTalking {
                api_base: a.api_base.trim().into(),
                username: required(
                    &a.username,
                    "africastalking",
                    "KINGA_AFRICASTALKING_USERNAME",
                )?
                .into(),
                api_key: required(&a.api_key, "africastalking", "KINGA_AFRICASTALKING_API_KEY")?
                    .into(),
                from: sender,
            }
        }
        "rapidpro" => Gateway::RapidPro {
            send_url: required(&s.rapidpro.send_url, "rapidpro", "KINGA_RAPIDPRO_SEND_URL")?.into(),
            token: s.rapidpro.token.trim().into(),
        },
        "kannel" => {
            let k = &s.kannel;
            let secret = k.secret.trim();
            Gateway::Kannel {
                sendsms_url: required(&k.sendsms_url, "kannel", "KINGA_KANNEL_SENDSMS_URL")?.into(),
                username: required(&k.username, "kannel", "KINGA_KANNEL_USERNAME")?.into(),
                password: required(&k.password, "kannel", "KINGA_KANNEL_PASSWORD")?.into(),
                from: sender,
                dlr: (!secret.is_empty() && !public.is_empty())
                    .then(|| (public.clone(), secret.to_string())),
            }
        }
        other => return Err(SetupError::UnknownDriver(other.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use kinga_domain::outbox::{MessageKind, Recipient};

    fn message() -> OutboxMessage {
        OutboxMessage::queued(
            "01MSG".into(),
            MessageKind::Feedback,
            Recipient::Reporter {
                phone_sealed: None,
                pseudonym: None,
            },
            None,
            "fr".into(),
            "Kinga : alerte K-7 fermée.".into(),
            Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
        )
    }

    fn settings(driver: &str) -> Settings {
        let mut s = Settings::default();
        s.outbound.driver = driver.into();
        s.public_url = "https://kinga.example.org/".into();
        s.twilio.account_sid = "AC1".into();
        s.twilio.auth_token = "tok".into();
        s.twilio.from = "+15005550006".into();
        s.africastalking.username = "kinga".into();
        s.africastalking.api_key = "key".into();
        s.rapidpro.send_url = "https://rp.example.org/api/v2/broadcasts.json".into();
        s.kannel.sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms".into();
        s.kannel.username = "kinga".into();
        s.kannel.password = "pw".into();
        s.kannel.secret = "S".into();
        s
    }

    #[test]
    fn each_driver_builds_its_gateway_request() {
        let m = message();
        let twilio = HttpSender::new(&settings("twilio")).unwrap();
        let r = twilio.request("+243990001001", &m);
        assert_eq!(
            r.url,
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
        );
        let body = r.body.unwrap_or_default();
        assert!(
            body.contains(
                "StatusCallback=https%3A%2F%2Fkinga.example.org%2Fchannels%2Ftwilio%2Fstatus"
            ),
            "{body}"
        );
        let at = HttpSender::new(&settings("africastalking")).unwrap();
        assert_eq!(at.provider(), "africastalking");
        assert!(
            at.request("+243990001001", &m)
                .body
                .unwrap_or_default()
                .contains("from=KINGA")
        );
        let rp = HttpSender::new(&settings("rapidpro")).unwrap();
        assert!(
            rp.request("+243990001001", &m)
                .url
                .starts_with("https://rp.example.org/")
        );
        let kannel = HttpSender::new(&settings("kannel")).unwrap();
        let url = kannel.request("+243990001001", &m).url;
        assert!(url.starts_with("http://127.0.0.1:13013/cgi-bin/sendsms?username=kinga&password=pw&from=KINGA&to=%2B243990001001"), "{url}");
        assert!(
            url.contains("dlr-url=https%3A%2F%2Fkinga.example.org%2Fchannels%2Fkannel%2Fdlr%3Fsecret%3DS%26id%3D01MSG"),
            "{url}"
        );
    }

    #[test]
    fn missing_settings_are_named() {
        let mut s = settings("twilio");
        s.twilio.auth_token.clear();
        let e = HttpSender::new(&s).unwrap_err().to_string();
        assert!(e.contains("KINGA_TWILIO_AUTH_TOKEN"), "{e}");
        let mut s = settings("kannel");
        s.kannel.sendsms_url = " ".into();
        let e = HttpSender::new(&s).unwrap_err().to_string();
        assert!(e.contains("KINGA_KANNEL_SENDSMS_URL"), "{e}");
        assert!(matches!(
            HttpSender::new(&settings("carrier-pigeon")),
            Err(SetupError::UnknownDriver(_))
        ));
    }

    /// A gateway stand-in answering every request with `status` and `body`; returns its base
    /// URL and what it received (method, path and query, authorization, body).
    async fn gateway_stub(
        status: u16,
        body: &'static str,
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use axum::http::{HeaderMap, StatusCode, Uri};
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let app = axum::Router::new().fallback(
            move |method: axum::http::Method, uri: Uri, headers: HeaderMap, req: String| {
                let log = log.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-")
                        .to_string();
                    if let Ok(mut l) = log.lock() {
                        l.push(format!("{method} {uri} {auth} {req}"));
                    }
                    (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body)
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, seen)
    }

    fn phone() -> Address {
        Address::Phone("+243990001001".into())
    }

    #[tokio::test]
    async fn answers_become_receipts_or_errors() {
        let (base, seen) = gateway_stub(201, r#"{"sid": "SM42", "status": "queued"}"#).await;
        let mut s = settings("twilio");
        s.twilio.api_base = base;
        let r = HttpSender::new(&s)
            .unwrap()
            .send(&phone(), &message())
            .await
            .unwrap();
        assert_eq!(r.provider, "twilio");
        assert_eq!(r.provider_message_id.as_deref(), Some("SM42"));
        let got = seen.lock().unwrap().join("\n");
        assert!(
            got.starts_with("POST /2010-04-01/Accounts/AC1/Messages.json Basic "),
            "{got}"
        );
        assert!(got.contains("To=%2B243990001001"), "{got}");

        let (base, _) = gateway_stub(500, "oops").await;
        let mut s = settings("twilio");
        s.twilio.api_base = base;
        let e = HttpSender::new(&s)
            .unwrap()
            .send(&phone(), &message())
            .await
            .unwrap_err();
        assert_eq!(e, SendError::Retryable("HTTP 500: oops".into()));

        let (base, seen) = gateway_stub(202, "0: Accepted for delivery").await;
        let mut s = settings("kannel");
        s.kannel.sendsms_url = format!("{base}/cgi-bin/sendsms");
        let r = HttpSender::new(&s)
            .unwrap()
            .send(&phone(), &message())
            .await
            .unwrap();
        assert_eq!(
            r.provider_message_id.as_deref(),
            Some("01MSG"),
            "our id, quoted by DLRs"
        );
        assert!(seen.lock().unwrap()[0].starts_with("GET /cgi-bin/sendsms?username=kinga"));

        let e = HttpSender::new(&settings("kannel"))
            .unwrap()
            .send(&Address::Email("a@example.org".into()), &message())
            .await
            .unwrap_err();
        assert!(matches!(e, SendError::Permanent(_)));
    }

    #[tokio::test]
    async fn unreachable_gateways_are_retried_without_leaking_the_url() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let mut s = settings("kannel");
        s.kannel.sendsms_url = format!("http://127.0.0.1:{port}/cgi-bin/sendsms");
        let e = HttpSender::new(&s)
            .unwrap()
            .send(&phone(), &message())
            .await
            .unwrap_err();
        let SendError::Retryable(text) = e else {
            panic!("{e:?}")
        };
        assert!(
            !text.contains("password") && !text.contains("243990"),
            "{text}"
        );
    }
}
