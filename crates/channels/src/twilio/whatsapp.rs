//! Sending on WhatsApp through Twilio's Messages API: `From` and `To` as `whatsapp:+…`, the
//! text as `Body` inside the 24-hour window, or an approved template outside it
//! (`ContentSid` with `ContentVariables`, the Content API's JSON of the template's
//! variables). Which one is `kinga_domain::whatsapp`'s decision; this builds the request.

use kinga_domain::whatsapp::Mode;

use super::{WHATSAPP_PREFIX, messages_request};
use crate::outbound::OutboundRequest;

/// Longest text put in a template's variable: WhatsApp refuses a template message whose
/// body passes 1024 characters, and the template's own words need some of them.
pub const MAX_VARIABLE_CHARS: usize = 900;

/// `whatsapp:+243…` for a number, whether or not it already carries the prefix.
pub fn address(phone: &str) -> String {
    let phone = phone.trim();
    if phone.starts_with(WHATSAPP_PREFIX) {
        phone.to_string()
    } else {
        format!("{WHATSAPP_PREFIX}{phone}")
    }
}

/// The text as a template variable may hold it: WhatsApp refuses variables with line
/// breaks, tabs or more than four spaces in a row, so whitespace runs become one space; and
/// the text is cut to [`MAX_VARIABLE_CHARS`].
pub fn template_variable(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= MAX_VARIABLE_CHARS {
        return joined;
    }
    let mut cut: String = joined.chars().take(MAX_VARIABLE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The `ContentVariables` of a template whose one variable `{{1}}` takes the text.
pub fn content_variables(text: &str) -> String {
    serde_json::json!({ "1": template_variable(text) }).to_string()
}

/// The REST request that sends `text` to `to_phone` on WhatsApp from the sender `from`
/// (`whatsapp:+…` or a bare number), as `mode` says.
#[allow(clippy::too_many_arguments)]
pub fn send_request(
    api_base: &str,
    account_sid: &str,
    auth_token: &str,
    from: &str,
    to_phone: &str,
    mode: &Mode,
    text: &str,
    status_callback: Option<&str>,
) -> OutboundRequest {
    let to = address(to_phone);
    let from = address(from);
    let variables;
    let mut pairs = vec![("To", to.as_str()), ("From", from.as_str())];
    match mode {
        Mode::FreeText => pairs.push(("Body", text)),
        Mode::Template { content_sid } => {
            variables = content_variables(text);
            pairs.push(("ContentSid", content_sid.as_str()));
            pairs.push(("ContentVariables", variables.as_str()));
        }
    }
    if let Some(cb) = status_callback {
        pairs.push(("StatusCallback", cb));
    }
    messages_request(api_base, account_sid, auth_token, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form;

    fn fields(r: &OutboundRequest) -> Vec<(String, String)> {
        form::parse(r.body.as_deref().unwrap_or("").as_bytes()).expect("form")
    }

    fn get<'a>(f: &'a [(String, String)], k: &str) -> Option<&'a str> {
        f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn free_text_goes_as_body() {
        let r = send_request(
            "https://api.twilio.com",
            "AC1",
            "tok",
            "+14155238886",
            "+243990001001",
            &Mode::FreeText,
            "Kinga: taarifa K-1001 imefungwa.",
            Some("https://k.example.org/channels/twilio/status"),
        );
        assert_eq!(
            r.url,
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
        );
        let f = fields(&r);
        assert_eq!(get(&f, "To"), Some("whatsapp:+243990001001"));
        assert_eq!(get(&f, "From"), Some("whatsapp:+14155238886"));
        assert_eq!(get(&f, "Body"), Some("Kinga: taarifa K-1001 imefungwa."));
        assert_eq!(get(&f, "ContentSid"), None);
        assert_eq!(
            get(&f, "StatusCallback"),
            Some("https://k.example.org/channels/twilio/status")
        );
    }

    #[test]
    fn templates_go_as_content_sid_and_variables() {
        let r = send_request(
            "https://api.twilio.com",
            "AC1",
            "tok",
            "whatsapp:+14155238886",
            "+243990001001",
            &Mode::Template {
                content_sid: "HXabc".into(),
            },
            "Alerte K-1001 :\n\tpatrouille     envoyée",
            None,
        );
        let f = fields(&r);
        assert_eq!(get(&f, "From"), Some("whatsapp:+14155238886"));
        assert_eq!(get(&f, "Body"), None);
        assert_eq!(get(&f, "ContentSid"), Some("HXabc"));
        let vars: serde_json::Value =
            serde_json::from_str(get(&f, "ContentVariables").expect("variables")).expect("json");
        assert_eq!(vars["1"], "Alerte K-1001 : patrouille envoyée");
    }

    #[test]
    fn long_variables_are_cut() {
        let v = template_variable(&"a".repeat(2000));
        assert_eq!(v.chars().count(), MAX_VARIABLE_CHARS);
        assert!(v.ends_with('…'));
    }
}
