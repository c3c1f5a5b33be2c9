//! Alert exports as HTTP answers, for the API and the pages alike: CSV with an HXL hashtag
//! row and GeoJSON are streamed page by page (an export of 100,000 alerts never holds more
//! than one page of alerts); XLSX is written through `rust_xlsxwriter` in its constant-memory
//! mode (rows go to a temporary file as they are written) and sent once complete, as a
//! spreadsheet file cannot be read before its end anyway.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use kinga_app::analysis::AlertExport;
use kinga_domain::export::{ExportRow, ExportValue, HEADERS, HXL_TAGS};

use crate::WebError;

/// A file format of the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV: a header row, then HXL hashtags, then one row per alert.
    Csv,
    /// A GeoJSON FeatureCollection.
    GeoJson,
    /// An Excel workbook: the same two header rows and the alerts.
    Xlsx,
}

impl ExportFormat {
    fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::GeoJson => "application/geo+json",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::GeoJson => "geojson",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// CSV lines for `rows` (the `csv` crate quotes what must be quoted).
pub(crate) fn csv_lines(rows: impl IntoIterator<Item = Vec<String>>) -> Result<Vec<u8>, WebError> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        w.write_record(&r).map_err(internal)?;
    }
    w.into_inner().map_err(|e| internal(e.to_string()))
}

fn internal(e: impl std::fmt::Display) -> WebError {
    tracing::warn!(error = %e, "an export failed");
    WebError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the export could not be written",
    )
}

fn features(rows: &[ExportRow], first: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if !(first && i == 0) {
            out.push(b',');
        }
        out.extend_from_slice(r.feature().to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// The export as an answer. The first page is read before answering, so a refusal (a filter
/// out of bounds) is a proper error status rather than a cut stream.
pub async fn respond(mut export: AlertExport, format: ExportFormat) -> Result<Response, WebError> {
    let first = export.next_page().await?;
    let body = match format {
        ExportFormat::Csv => {
            let head = csv_lines([
                HEADERS.iter().map(|s| s.to_string()).collect(),
                HXL_TAGS.iter().map(|s| s.to_string()).collect(),
            ])?;
            let first = csv_lines(first.iter().flatten().map(ExportRow::cells))?;
            let rest = pages(export, |rows| csv_lines(rows.iter().map(ExportRow::cells)));
            // Fused: the compression layer may poll a body once more after its end.
            Body::from_stream(
                futures::stream::iter([Ok(Bytes::from(head)), Ok(Bytes::from(first))])
                    .chain(rest)
                    .fuse(),
            )
        }
        ExportFormat::GeoJson => {
            let head = b"{\"type\":\"FeatureCollection\",\"features\":[\n".to_vec();
            let mut started = first.as_ref().is_some_and(|r| !r.is_empty());
            let first = features(first.as_deref().unwrap_or_default(), true);
            let rest = pages(export, move |rows| {
                let out = features(rows, !started);
                started |= !rows.is_empty();
                Ok(out)
            });
            let tail = futures::stream::iter([Ok(Bytes::from_static(b"]}\n"))]);
            Body::from_stream(
                futures::stream::iter([Ok(Bytes::from(head)), Ok(Bytes::from(first))])
                    .chain(rest)
                    .chain(tail)
                    .fuse(),
            )
        }
        ExportFormat::Xlsx => Body::from(xlsx(export, first).await?),
    };
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let name = format!(
        "attachment; filename=\"kinga-alerts.{}\"",
        format.extension()
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// The pages after the first, each encoded by `encode`. An error in the middle of a stream
/// can only cut it: the client sees an incomplete file, and the log says why.
fn pages(
    export: AlertExport,
    mut encode: impl FnMut(&[ExportRow]) -> Result<Vec<u8>, WebError> + Send + 'static,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures::stream::unfold(Some(export), move |state| async move {
        let mut export = state?;
        {
            match export.next_page().await {
                Ok(Some(rows)) => Some((rows, Some(export))),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "an export was cut short");
                    None
                }
            }
        }
    })
    .map(move |rows| {
        encode(&rows)
            .map(Bytes::from)
            .map_err(|e| std::io::Error::other(e.message))
    })
}

fn xlsx_err(e: XlsxError) -> WebError {
    internal(e)
}

/// The workbook: one sheet, a bold header row, the HXL row, then one row per alert.
async fn xlsx(mut export: AlertExport, first: Option<Vec<ExportRow>>) -> Result<Vec<u8>, WebError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    {
        let ws = wb.add_worksheet_with_constant_memory();
        ws.set_name("alerts").map_err(xlsx_err)?;
        // Constant-memory mode takes rows in order: the header row whole, then the HXL row.
        for (c, h) in HEADERS.iter().enumerate() {
            let c = u16::try_from(c).map_err(internal)?;
            ws.write_string_with_format(0, c, *h, &bold)
                .map_err(xlsx_err)?;
        }
        for (c, tag) in HXL_TAGS.iter().enumerate() {
            let c = u16::try_from(c).map_err(internal)?;
            ws.write_string(1, c, *tag).map_err(xlsx_err)?;
        }
    }
    let mut row: u32 = 2;
    let mut page = first;
    while let Some(rows) = page {
        let ws = wb.worksheet_from_index(0).map_err(xlsx_err)?;
        for r in &rows {
            for (c, v) in r.values().into_iter().enumerate() {
                let c = u16::try_from(c).map_err(internal)?;
                match v {
                    ExportValue::Text(s) => ws.write_string(row, c, s).map(|_| ()),
                    ExportValue::Number(n) => ws.write_number(row, c, n).map(|_| ()),
                    ExportValue::Bool(b) => ws.write_boolean(row, c, b).map(|_| ()),
                    ExportValue::Empty => Ok(()),
                }
                .map_err(xlsx_err)?;
            }
            // Excel's limit is 1,048,576 rows; the write above fails cleanly past it.
            row = row.saturating_add(1);
        }
        page = export.next_page().await?;
    }
    // Compressing the workbook is CPU work: off the async threads.
    tokio::task::spawn_blocking(move || wb.save_to_buffer())
        .await
        .map_err(internal)?
        .map_err(xlsx_err)
}
