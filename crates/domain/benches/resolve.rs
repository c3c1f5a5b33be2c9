//! Place resolution speed: a name typed in a form and a place named inside a message, over
//! the reference gazetteer grown to 50,000 extra village names, beside a baseline measured in
//! the same run (folding the same text, the least any resolution must do). Also the worst
//! inputs the application accepts (a 200-character name, a 5,000-character message) and what
//! a megabyte costs now that resolution reads a bounded prefix. Last, reading a whole SMS with
//! the grammar (which resolves its place words), a typical one and 5,000 characters of names
//! joined by dashes and colons, the most place-name work a message can ask for.
//! Run: `cargo bench -p kinga-domain --bench resolve`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use kinga_domain::place::{Gazetteer, PlaceLevel};
use kinga_domain::sms::{ParseContext, parse};

fn grown(extra: usize) -> Gazetteer {
    let mut places = support::gazetteer().places().to_vec();
    let territories: Vec<String> = places
        .iter()
        .filter(|p| p.level == PlaceLevel::Admin2)
        .map(|p| p.pcode.clone())
        .collect();
    let syl = [
        "ka", "ki", "bu", "ru", "nya", "mu", "ba", "ma", "se", "ko", "lu", "ga", "na", "tshu",
        "wa", "li",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..extra {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let name: String = (0..2 + (seed % 3) as usize)
            .map(|k| syl[((seed >> (8 * k)) % syl.len() as u64) as usize])
            .collect();
        let parent = &territories[i % territories.len()];
        let mut p = places[0].clone();
        p.pcode = format!("{parent}-X{i}");
        p.name = name;
        p.alt_names.clear();
        p.level = PlaceLevel::Settlement;
        p.parent = Some(parent.clone());
        places.push(p);
    }
    Gazetteer::new(places)
}

/// Median time of `f` over `rounds` runs.
fn median(rounds: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..rounds)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

fn main() {
    for extra in [0, 50_000] {
        let g = grown(extra);
        println!(
            "\ngazetteer: {} places (the reference data{})",
            g.places().len(),
            if extra > 0 {
                " and 50,000 made-up villages"
            } else {
                ""
            }
        );
        measure(&g);
    }
}

fn measure(g: &Gazetteer) {
    let queries = [
        "Bunangana",
        "Kiwanja Rutshuru",
        "territoire de Masisi",
        "Kasongo",
        "Nord Kivu",
        "kabuga",
    ];
    let message = "Des hommes armés ont attaqué Bunagana ce matin vers 5h, plusieurs morts, les gens fuient vers Kiwanja";
    let long_name: String = "Kitshanga ".repeat(20).chars().take(200).collect();
    let long_text: String = format!("{message} ")
        .repeat(60)
        .chars()
        .take(5_000)
        .collect();
    let megabyte = "x".repeat(1 << 20);
    let sms = "Minova: des hommes armés venant de Kitchanga ont pillé le marché, les gens fuient vers Goma";
    let dashed: String = "Kiwanja-Bunagana: Rutshuru - Masisi et Goma, "
        .repeat(120)
        .chars()
        .take(5_000)
        .collect();
    let ctx = ParseContext {
        gazetteer: g,
        default_place: None,
        default_language: None,
    };
    let rows: Vec<(&str, Duration, Duration)> = vec![
        (
            "resolve a typed name",
            median(31, || {
                for q in queries {
                    black_box(g.resolve(q, 10));
                }
            }) / queries.len() as u32,
            median(31, || {
                for q in queries {
                    black_box(kinga_domain::text::fold(q));
                }
            }) / queries.len() as u32,
        ),
        (
            "find places in a message",
            median(31, || {
                black_box(g.find_in_text(message, 5));
            }),
            median(31, || {
                black_box(kinga_domain::text::words(message));
            }),
        ),
        (
            "resolve a 200-character name",
            median(11, || {
                black_box(g.resolve(&long_name, 10));
            }),
            median(11, || {
                black_box(kinga_domain::text::fold(&long_name));
            }),
        ),
        (
            "find places in 5,000 characters",
            median(5, || {
                black_box(g.find_in_text(&long_text, 5));
            }),
            median(5, || {
                black_box(kinga_domain::text::words(&long_text));
            }),
        ),
        (
            "resolve a 1 MiB name (cut to 200)",
            median(5, || {
                black_box(g.resolve(&megabyte, 10));
            }),
            median(5, || {
                black_box(kinga_domain::text::fold(&megabyte[..200]));
            }),
        ),
        (
            "read an SMS (grammar and places)",
            median(31, || {
                black_box(parse(sms, &ctx));
            }),
            median(31, || {
                black_box(kinga_domain::text::words(sms));
            }),
        ),
        (
            "read 5,000 characters of dashed names",
            median(5, || {
                black_box(parse(&dashed, &ctx));
            }),
            median(5, || {
                black_box(kinga_domain::text::words(&dashed));
            }),
        ),
    ];
    println!("| work | median | baseline (fold/split the same text) | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for (what, t, base) in rows {
        println!(
            "| {what} | {:.3} ms | {:.4} ms | {:.0}× |",
            t.as_secs_f64() * 1e3,
            base.as_secs_f64() * 1e3,
            t.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
    }
}
