//! People's days in a real headless Chromium, at a desk (1366 px) and on a phone (360 px):
//! the shared driver and helpers; each story is its own module.

mod care;
mod cla_day;
mod conflicts;
mod coordinator;
mod dashboard;
mod map;
mod map_context;
mod monitor;
mod network;
mod transition;
mod transition_pages;
mod transition_records;
mod transition_routing;
mod voice;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// Chromium's WebDriver, killed when the test ends however it ends.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(env: &str, name: &str) -> Option<String> {
    std::env::var(env)
        .ok()
        .filter(|p| !p.is_empty())
        .or_else(|| {
            ["/usr/bin", "/usr/local/bin"]
                .iter()
                .map(|d| format!("{d}/{name}"))
                .find(|p| std::path::Path::new(p).exists())
        })
}

pub async fn browser(profile: &std::path::Path) -> Option<(Driver, Client)> {
    let (Some(driver), Some(chromium)) = (
        tool("KINGA_CHROMEDRIVER", "chromedriver"),
        tool("KINGA_CHROMIUM", "chromium"),
    ) else {
        kinga_testing::skip(
            "browser",
            "chromium and chromedriver are not installed (scripts/test installs them)",
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver");
    let guard = Driver(child);
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,1800", format!("--user-data-dir={}", profile.display())]
        }
    });
    let caps = caps.as_object().cloned().expect("object");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(c) = ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return Some((guard, c));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start a Chromium session");
}

pub async fn state_is(c: &Client, state: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("#alert-title[data-state='{state}']")))
        .await
        .unwrap_or_else(|e| panic!("the alert did not reach '{state}': {e}"));
}

/// Click `css` once it is there. An element found on a page that a navigation is replacing
/// (a form just sent, a language switched to the one already shown) is gone by the time it is
/// clicked: it is looked up again on the new page rather than failing the story.
pub async fn click(c: &Client, css: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let clicked = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await;
        match clicked {
            Ok(_) => return,
            Err(e) if detached(&e) && std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("click {css}: {e}"),
        }
    }
}

/// Whether a WebDriver error says the element left the document (a navigation replaced it).
fn detached(e: &fantoccini::error::CmdError) -> bool {
    let text = e.to_string();
    text.contains("stale element") || text.contains("does not belong to the document")
}

/// Type `text` into the field `css` once it is there.
pub async fn type_into(c: &Client, css: &str, text: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Sign in from the login page at `base`, landing on the dashboard.
pub async fn sign_in_home(c: &Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("open login");
    type_into(c, "#name", name).await;
    type_into(c, "#password", password).await;
    click(c, "#login-submit").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#dashboard"))
        .await
        .unwrap_or_else(|e| panic!("{name} did not reach the dashboard: {e}"));
}

/// Sign out from the page's header, landing on the login page.
pub async fn sign_out(c: &Client) {
    click(c, "#logout").await;
    c.wait()
        .for_element(Locator::Css("#login-submit"))
        .await
        .expect("signed out");
}

/// Sign in from the login page at `base`, then open the queue.
pub async fn sign_in(c: &Client, base: &str, name: &str, password: &str) {
    sign_in_home(c, base, name, password).await;
    c.goto(&format!("{base}/alerts")).await.expect("open queue");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("tbody#queue-rows"))
        .await
        .unwrap_or_else(|e| panic!("{name} did not reach the queue: {e}"));
}

/// Resize the window so the page is `width` CSS pixels wide, and check that it is.
pub async fn at_width(c: &Client, width: u32) {
    c.set_window_size(width, 900).await.expect("resize");
    let inner = c
        .execute("return window.innerWidth;", vec![])
        .await
        .expect("innerWidth");
    assert_eq!(
        inner.as_u64(),
        Some(u64::from(width)),
        "the page is not {width} px wide"
    );
}

/// The current page needs no sideways scrolling: nothing is wider than the window.
pub async fn fits(c: &Client, what: &str) {
    let widths = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("widths");
    let (scroll, inner) = (widths[0].as_u64(), widths[1].as_u64());
    if scroll <= inner {
        return;
    }
    // Name what sticks out, so a failure says which element to fix.
    let culprits = c
        .execute(
            "const w = window.innerWidth; return Array.from(document.querySelectorAll('body *'))\
             .filter(e => e.getBoundingClientRect().right > w + 0.5)\
             .concat(Array.from(document.querySelectorAll('body *')).filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0))\
             .slice(-5).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' +\
             Math.round(e.getBoundingClientRect().right) + 'px: ' + (e.textContent || '').trim().slice(0, 60));",
            vec![],
        )
        .await
        .unwrap_or_default();
    panic!(
        "{what} scrolls sideways: {scroll:?} px of content in a {inner:?} px window; sticking out: {culprits}"
    );
}

/// Keep a screenshot under target/browser for people to look at.
pub async fn screenshot(c: &Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

/// The text of the element `css`, once it is there. An element found on a page the browser
/// is just leaving (a form was submitted) goes stale; it is then looked for again.
pub async fn text_of(c: &Client, css: &str) -> String {
    let mut tries = 0;
    loop {
        let found = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match found.text().await {
            Ok(t) => return t,
            // Chromium says "stale" or, for a node of the page just left, that it "does not
            // belong to the document".
            Err(e)
                if tries < 20
                    && (e.to_string().contains("stale")
                        || e.to_string().contains("does not belong to the document")) =>
            {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("text of {css}: {e}"),
        }
    }
}
