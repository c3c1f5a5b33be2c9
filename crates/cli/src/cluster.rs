//! `kinga cluster`: DBSCAN over a CSV of events, the same clustering the hotspot map uses,
//! giving scikit-learn's labels (see `kinga_domain::analysis::cluster` for the semantics).
//!
//! Input: a header row naming `id`, `lat`, `lon` and optionally `time` (in any order; other
//! columns are ignored), then one event per row. Output on standard output: `id,cluster`, one
//! row per event in input order, `-1` for noise. Everything is read and checked before
//! anything is written, so a bad file prints nothing on standard output.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;

use kinga_domain::analysis::{DbscanParams, GeoPoint, dbscan};

/// What `kinga cluster` was asked.
pub struct Request {
    /// CSV of `id,lat,lon[,time]` rows.
    pub input: PathBuf,
    /// Neighbourhood radius, km.
    pub eps_km: f64,
    /// Neighbours (the event itself included) that make a core event.
    pub min_samples: usize,
    /// Events further apart in time are never neighbours.
    pub window_hours: Option<f64>,
}

/// The events of a file: ids (kept as bytes, written back as read) and points.
pub struct Events {
    ids: Vec<u8>,
    id_ends: Vec<usize>,
    /// The events' positions and times, in file order.
    pub points: Vec<GeoPoint>,
}

impl Events {
    fn id(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] };
        &self.ids[start..self.id_ends[i]]
    }
}

/// Run the command: read, cluster, write to standard output, summarise on standard error.
pub fn run(req: &Request) -> anyhow::Result<()> {
    let window_seconds = req.window_hours.map(window_seconds).transpose()?;
    let params = DbscanParams::new(req.eps_km, req.min_samples, window_seconds)?;
    let name = req.input.display();
    let file = File::open(&req.input).with_context(|| format!("cannot open {name}"))?;
    let events = read(
        BufReader::with_capacity(1 << 20, file),
        window_seconds.is_some(),
    )
    .map_err(|e| anyhow!("{name}: {e:#}"))?;
    let clustering = dbscan(&events.points, &params)?;
    let out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    write(&events, &clustering.labels, out).context("cannot write the clusters")?;
    let clusters = clustering.labels.iter().max().map_or(0, |m| m + 1);
    let noise = clustering.labels.iter().filter(|l| **l < 0).count();
    eprintln!(
        "clustered {} events: {clusters} clusters, {noise} noise",
        events.points.len()
    );
    Ok(())
}

/// `--window-hours` in whole seconds. Times are whole seconds, so `|Δt| ≤ 3600·H` holds
/// exactly when `|Δt| ≤ ⌊3600·H⌋`; a product a hair under an integer (0.7 h) is that integer.
fn window_seconds(hours: f64) -> anyhow::Result<i64> {
    if !(hours.is_finite() && hours >= 0.0) {
        bail!("--window-hours must be a number of hours, 0 or more, not {hours}");
    }
    let s = hours * 3600.0;
    let r = s.round();
    Ok(if (s - r).abs() < 1e-6 { r } else { s.floor() } as i64)
}

/// Which column holds what.
struct Columns {
    id: usize,
    lat: usize,
    lon: usize,
    time: Option<usize>,
}

fn columns(header: &csv::ByteRecord) -> anyhow::Result<Columns> {
    let find = |name: &str| {
        header.iter().position(|h| {
            let h = h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h);
            h.trim_ascii().eq_ignore_ascii_case(name.as_bytes())
        })
    };
    let need = |name: &str| {
        find(name).with_context(|| {
            format!("line 1: the header has no `{name}` column (expected id,lat,lon[,time])")
        })
    };
    Ok(Columns {
        id: need("id")?,
        lat: need("lat")?,
        lon: need("lon")?,
        time: find("time"),
    })
}

/// Read every event, checking each row; `need_time` refuses rows without a time.
pub fn read<R: Read>(input: R, need_time: bool) -> anyhow::Result<Events> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let cols = columns(
        reader
            .byte_headers()
            .context("line 1: cannot read the header")?,
    )?;
    if need_time && cols.time.is_none() {
        bail!("line 1: --window-hours needs a `time` column");
    }
    let mut events = Events {
        ids: Vec::new(),
        id_ends: Vec::new(),
        points: Vec::new(),
    };
    let mut row = csv::ByteRecord::new();
    loop {
        let more = reader.read_byte_record(&mut row);
        let line = reader.position().line();
        if !more.with_context(|| format!("line {line}: cannot read the row"))? {
            break;
        }
        let line = row.position().map_or(line, |p| p.line());
        let field = |i: usize, name: &str| -> anyhow::Result<&[u8]> {
            match row.get(i).map(<[u8]>::trim_ascii) {
                Some(f) if !f.is_empty() => Ok(f),
                Some(_) => bail!("line {line}: `{name}` is empty"),
                None => bail!("line {line}: missing column `{name}`"),
            }
        };
        let number = |i: usize, name: &str| -> anyhow::Result<f64> {
            let f = field(i, name)?;
            std::str::from_utf8(f)
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .with_context(|| {
                    format!(
                        "line {line}: `{name}` is not a number: {:?}",
                        String::from_utf8_lossy(f)
                    )
                })
        };
        let id = field(cols.id, "id")?;
        let (lat, lon) = (number(cols.lat, "lat")?, number(cols.lon, "lon")?);
        let time = match cols.time.map(|i| row.get(i).map(<[u8]>::trim_ascii)) {
            Some(Some(t)) if !t.is_empty() => Some(parse_time(t).with_context(|| {
                format!(
                    "line {line}: `time` {:?} is neither RFC 3339 nor YYYY-MM-DD HH:MM[:SS]",
                    String::from_utf8_lossy(t)
                )
            })?),
            _ if need_time => bail!("line {line}: no time, but --window-hours needs one"),
            _ => None,
        };
        let point = GeoPoint::new(lat, lon, time).map_err(|e| anyhow!("line {line}: {e}"))?;
        events.ids.extend_from_slice(id);
        events.id_ends.push(events.ids.len());
        events.points.push(point);
    }
    Ok(events)
}

/// Unix seconds of `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH:MM]` (RFC 3339 and the
/// spreadsheet form; UTC when there is no offset). Fractions of a second are dropped.
pub fn parse_time(s: &[u8]) -> Option<i64> {
    fn digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
        let d = s.get(at..at + n)?;
        d.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    }
    let sep = |at: usize, c: u8| s.get(at) == Some(&c);
    let (year, month, day) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if !(sep(4, b'-') && sep(7, b'-') && matches!(s.get(10), Some(b'T' | b't' | b' '))) {
        return None;
    }
    let (hour, minute) = (digits(s, 11, 2)?, digits(s, 14, 2)?);
    if !sep(13, b':') {
        return None;
    }
    let mut at = 16;
    let mut second = 0;
    if sep(at, b':') {
        second = digits(s, at + 1, 2)?;
        at += 3;
        if sep(at, b'.') {
            at += 1;
            let start = at;
            while s.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return None;
            }
        }
    }
    let offset = match s.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == s.len() => 0,
        Some(&sign @ (b'+' | b'-')) if at + 6 == s.len() && sep(at + 3, b':') => {
            let (h, m) = (digits(s, at + 1, 2)?, digits(s, at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let o = i64::from(h * 3600 + m * 60);
            if sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    // RFC 3339 allows a leap second; Unix time has none, so :60 is the next second.
    let leap = i64::from(second == 60);
    let t = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
        .and_hms_opt(hour, minute, second - leap as u32)?
        .and_utc()
        .timestamp();
    Some(t + leap - offset)
}

/// Write `id,cluster` rows, ids quoted where CSV needs it.
pub fn write<W: Write>(events: &Events, labels: &[i32], out: W) -> anyhow::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(["id", "cluster"])?;
    let mut num = String::with_capacity(12);
    for (i, label) in labels.iter().enumerate() {
        num.clear();
        std::fmt::Write::write_fmt(&mut num, format_args!("{label}"))?;
        w.write_record([events.id(i), num.as_bytes()])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<i64> {
        parse_time(s.as_bytes())
    }

    #[test]
    fn times_in_every_accepted_form() {
        let t = 1_714_564_800; // 2024-05-01T12:00:00Z
        assert_eq!(at("2024-05-01T12:00:00Z"), Some(t));
        assert_eq!(at("2024-05-01t12:00:00z"), Some(t));
        assert_eq!(at("2024-05-01T14:00:00+02:00"), Some(t));
        assert_eq!(at("2024-05-01T09:30:00-02:30"), Some(t));
        assert_eq!(at("2024-05-01T12:00:00.999Z"), Some(t));
        assert_eq!(at("2024-05-01 12:00:00"), Some(t));
        assert_eq!(at("2024-05-01 12:00"), Some(t));
        assert_eq!(at("2024-05-01T12:00"), Some(t));
        assert_eq!(at("2016-12-31T23:59:60Z"), Some(1_483_228_800));
        assert_eq!(at("1969-12-31 23:59:59"), Some(-1));
        for bad in [
            "",
            "2024-05-01",
            "2024-02-30 12:00",
            "2024-05-01 24:00",
            "2024-05-01 12:00:00+2",
            "2024-05-01 12:00:00 Z",
            "2024-05-01T12:00:00.Z",
            "01/05/2024 12:00",
            "2024-05-01 12:0",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn window_hours_to_seconds() {
        assert_eq!(window_seconds(0.7).unwrap(), 2520);
        assert_eq!(window_seconds(1.0 / 3600.0 * 1.5).unwrap(), 1);
        assert_eq!(window_seconds(0.0).unwrap(), 0);
        assert!(window_seconds(-1.0).is_err());
        assert!(window_seconds(f64::NAN).is_err());
    }

    fn err(csv: &str, need_time: bool) -> String {
        format!("{:#}", read(csv.as_bytes(), need_time).err().unwrap())
    }

    #[test]
    fn rows_are_checked_with_their_line() {
        assert!(err("id,lat\n1,2\n", false).contains("line 1: the header has no `lon` column"));
        assert!(err("id,lat,lon\n1,2,3\n2,x,3\n", false).contains("line 3: `lat` is not a number"));
        assert!(err("id,lat,lon\n1,2\n", false).contains("line 2: missing column `lon`"));
        assert!(err("id,lat,lon\n1,2,\n", false).contains("line 2: `lon` is empty"));
        assert!(err("id,lat,lon\n1,91,3\n", false).contains("line 2: latitude 91"));
        assert!(err("id,lat,lon\n1,0,180.5\n", false).contains("line 2: longitude 180.5"));
        assert!(err("id,lat,lon\n1,NaN,0\n", false).contains("line 2: `lat` is not a number"));
        assert!(err("id,lat,lon,time\n1,0,0,yesterday\n", false).contains("line 2: `time`"));
        assert!(err("id,lat,lon,time\n1,0,0,\n", true).contains("line 2: no time"));
        assert!(err("id,lat,lon\n1,0,0\n", true).contains("needs a `time` column"));
    }

    #[test]
    fn columns_by_name_and_ids_written_back() {
        let csv = "\u{feff}Time, LON ,lat,id,extra\n2024-05-01 12:00,29.2,-1.6,\"a,1\",x\n,29.2,-1.6,b,y\n";
        let events = read(csv.as_bytes(), false).unwrap();
        assert_eq!(events.points[0].lat(), -1.6);
        assert_eq!(events.points[0].lon(), 29.2);
        assert_eq!(events.points[0].time(), Some(1_714_564_800));
        assert_eq!(events.points[1].time(), None);
        let mut out = Vec::new();
        write(&events, &[0, -1], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id,cluster\n\"a,1\",0\nb,-1\n"
        );
    }
}
