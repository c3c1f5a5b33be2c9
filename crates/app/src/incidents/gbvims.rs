//! Aggregate GBVIMS statistics shared by service providers: imported from their CSV tables
//! (kept as `gbvims_imported` events) and read beside the CRSV counts of the MRM/MARA table
//! of the same period, small counts hidden.

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::report::Period;
use kinga_domain::incident::report::gbvims::{
    COLUMNS, GbvimsImport, GbvimsReport, GbvimsRow, MAX_ROWS, check_import,
};
use kinga_domain::people::Permission;
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::{App, AppError, AppResult, Caller};

/// Largest CSV accepted (a year of a province's monthly tables is far smaller).
pub const MAX_CSV_BYTES: usize = 4 * 1024 * 1024;

impl App {
    /// Import a provider's GBVIMS table (CSV with the header
    /// `month,place,gbv_type,survivor_sex,survivor_age,count`). Only users who record
    /// incidents and hold the CRSV grant may: the figures concern survivors of sexual
    /// violence. Nothing is kept when any row is wrong; the error names the row.
    pub async fn import_gbvims(
        &self,
        caller: &Caller,
        provider: &str,
        csv_text: &str,
    ) -> AppResult<GbvimsImport> {
        caller.require(Permission::RecordIncidents)?;
        if !self.may_see(caller, Compartment::Crsv).await? {
            return Err(AppError::Forbidden(
                "importing GBVIMS figures needs the crsv grant".into(),
            ));
        }
        if csv_text.len() > MAX_CSV_BYTES {
            return Err(AppError::Invalid(format!(
                "the CSV is larger than {MAX_CSV_BYTES} bytes"
            )));
        }
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(csv_text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| AppError::Invalid(format!("CSV: {e}")))?
            .clone();
        let names: Vec<String> = headers.iter().map(|h| h.to_lowercase()).collect();
        let at: Vec<usize> = COLUMNS
            .iter()
            .map(|c| {
                names.iter().position(|n| n == c).ok_or_else(|| {
                    AppError::Invalid(format!(
                        "the CSV has no '{c}' column; its header must name {}",
                        COLUMNS.join(",")
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        let mut rows = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            if rows.len() >= MAX_ROWS {
                return Err(AppError::Invalid(format!("more than {MAX_ROWS} rows")));
            }
            let record = record.map_err(|e| AppError::Invalid(format!("CSV line {line}: {e}")))?;
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            let fields: Vec<&str> = at.iter().map(|i| record.get(*i).unwrap_or("")).collect();
            let row = GbvimsRow::read(&fields)
                .map_err(|e| AppError::Invalid(format!("CSV line {line}: {e}")))?;
            if self.gazetteer().get(&row.place).is_none() {
                return Err(AppError::Invalid(format!(
                    "CSV line {line}: place '{}' is not a known P-code",
                    row.place
                )));
            }
            rows.push(row);
        }
        let provider = provider.trim().to_string();
        check_import(&provider, &rows, self.local_today())?;
        let import = GbvimsImport {
            id: self.new_id(),
            provider,
            rows,
            imported_by: caller.name.clone(),
            imported_at: self.now(),
        };
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::GbvimsImported {
                    import: import.clone(),
                },
            )],
            writes: vec![Write::GbvimsImport(Box::new(import.clone()))],
        })
        .await?;
        Ok(import)
    }

    /// The GBVIMS figures of `period` beside the CRSV counts the caller may see (the same
    /// period and compartments as [`App::mrm_report`]); small counts hidden.
    pub async fn gbvims_report(
        &self,
        caller: &Caller,
        period: Option<&str>,
    ) -> AppResult<GbvimsReport> {
        let mrm = self.mrm_report(caller, period).await?;
        let period: Period = mrm.period.parse()?;
        let imports = self.store.gbvims_imports().await?;
        let threshold = self.settings.monitoring.suppression_threshold;
        Ok(GbvimsReport::build(&period, &imports, &mrm, threshold))
    }
}
