//! The web UI as a signed-in person sees it, for tests that read a page without a browser.

use crate::harness::Server;

/// A page of the web UI as `name`, signed in through the login form.
pub async fn page_as(s: &Server, name: &str, password: &str, path: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = client
        .post(format!("{}/login", s.base))
        .form(&[("name", name), ("password", password), ("next", "/")])
        .send()
        .await
        .expect("login");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(!cookie.is_empty(), "signed in as {name}: {}", r.status());
    let r = client
        .get(format!("{}{path}", s.base))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("page");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}
