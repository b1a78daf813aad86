//! Excel in for the ledger's registers (persons, businesses, visits): templates, and a streamed
//! import validated row by row, all-or-nothing or valid-rows-only, idempotent, with an error
//! report. Each register says what a row is and how it is written ([`Register`]); this module
//! runs them all the same way.

mod business;
mod job;
mod person;
mod visit;

use std::collections::HashMap;
use std::future::Future;
use std::ops::ControlFlow;
use std::sync::Arc;

use chuangye_sheets::{RowRef, SheetSpec};
use serde::{Deserialize, Serialize};

use super::model::{self, Code};
use crate::audit::{self, Entry};
use crate::db::{Tx, new_id};
use crate::org::{Actor, Permission};
use crate::{Core, Error, FieldError, Result};

pub use super::export::{export_businesses, export_persons};
pub use business::{Businesses, business_spec};
pub use job::{register, start_import};
pub use person::{Persons, person_spec};
pub use visit::{Visits, visit_spec};

/// Translates a field error into the user's language (the catalogue lives in the web layer).
pub type Translate = Arc<dyn Fn(&str, &FieldError) -> String + Send + Sync>;

/// How to run an import, and in which language to explain its errors.
#[derive(Clone)]
pub struct ImportOptions {
    pub mode: Mode,
    pub lang: String,
    pub translate: Translate,
}

/// How an import treats bad rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Any bad row: nothing is imported.
    AllOrNothing,
    /// Good rows are imported; bad ones are reported.
    ValidOnly,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Outcome {
    pub imported: u64,
    /// Already in the ledger (same ID number, USCC or visit): left as they are, so
    /// re-importing changes nothing.
    pub unchanged: u64,
    pub refused: u64,
    /// Rows registered in another region (counted in `refused`, named in the report).
    pub elsewhere: u64,
    /// The error report, a stored file, when any row was refused.
    pub report_file: Option<String>,
    /// Whether the rows were written (false for an all-or-nothing import with bad rows).
    pub committed: bool,
}

/// Which register a file fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Persons,
    Businesses,
    Visits,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Persons, Kind::Businesses, Kind::Visits];

    /// As in URLs and job kinds: `persons`, `businesses`, `visits`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Persons => Persons::NAME,
            Kind::Businesses => Businesses::NAME,
            Kind::Visits => Visits::NAME,
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn spec(self) -> SheetSpec {
        match self {
            Kind::Persons => Persons::spec(),
            Kind::Businesses => Businesses::spec(),
            Kind::Visits => Visits::spec(),
        }
    }

    /// The blank register (xlsx) with header notes and drop-down lists (the visit register's
    /// lists the deployment's member units).
    pub async fn template(self, core: &Core) -> Result<Vec<u8>> {
        match self {
            Kind::Visits => visit::visit_template(core).await,
            _ => chuangye_sheets::template(&self.spec())
                .map_err(|e| Error::Other(anyhow::anyhow!("{e}"))),
        }
    }
}

/// A row refused by a register's `write` (already in another region, or pointing at a record
/// that is not in scope): its number, the cells to show, and the problems.
pub struct Refusal {
    pub number: usize,
    pub values: Vec<(String, String)>,
    pub errors: Vec<FieldError>,
    /// Registered in another region (counted apart).
    pub elsewhere: bool,
}

/// What a register's `write` did.
#[derive(Default)]
pub struct Written {
    pub imported: u64,
    pub unchanged: u64,
    pub refused: Vec<Refusal>,
}

/// One register that can be imported: its sheet, how a row is checked (pure, CPU-bound: run on
/// a blocking thread) and how the valid rows are written (in the caller's transaction).
pub trait Register: Send + Sync + 'static {
    /// `persons`, `businesses`, `visits`.
    const NAME: &'static str;
    /// The audit entity (`person`, `business`, `visit`).
    const ENTITY: &'static str;
    /// What checking needs to know (communities, units), loaded once per import.
    type Lookup: Send + Sync + 'static;
    /// A checked row, ready to write.
    type Row: Send + Sync + 'static;

    fn spec() -> SheetSpec;

    fn lookup(core: &Core, actor: &Actor) -> impl Future<Output = Result<Self::Lookup>> + Send;

    fn check(
        core: &Core,
        lookup: &Self::Lookup,
        row: &RowRef,
        today: time::Date,
    ) -> std::result::Result<Self::Row, Vec<FieldError>>;

    /// What two rows of one file must not share: the field to blame and the key.
    fn file_key(row: &Self::Row) -> (&'static str, String);

    fn write(
        core: &Core,
        tx: &mut Tx,
        actor: &Actor,
        rows: &[(usize, Self::Row)],
    ) -> impl Future<Output = Result<Written>> + Send;
}

/// A refused row: its number, its values by key, and its problems (key, message).
type Refused = (usize, Vec<(String, String)>, Vec<(String, String)>);

fn labels(list: &[Code]) -> Vec<String> {
    list.iter().map(|(_, l)| l.to_string()).collect()
}

/// The stored code for a code or its Chinese label.
fn code_of(list: &[Code], v: &str) -> Option<&'static str> {
    list.iter()
        .find(|(c, l)| *c == v || *l == v)
        .map(|(c, _)| *c)
}

/// The row's formula cells, refused: a register holds values, not formulas.
fn formula_errors(row: &RowRef) -> Vec<FieldError> {
    row.formulas
        .iter()
        .map(|key| FieldError::new(key, "ledger.import.formula"))
        .collect()
}

/// A date as staff type it: 2024-03-05, 2024/3/5, 2024.3.5 or 2024年3月5日 (Excel date cells
/// arrive as the first).
fn parse_date_cell(s: &str) -> Option<time::Date> {
    let t = s.trim().trim_end_matches('日');
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (i32, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// Communities in scope, looked up by 12-digit code or by exact name (also without its
/// 居委会/村委会 suffix); a name two communities share works only as a code.
async fn community_lookup(core: &Core, actor: &Actor) -> Result<HashMap<String, String>> {
    let mut c = core.db.pool().acquire().await?;
    let rows = crate::org::repo::communities_in_scope(&mut c, &actor.scope).await?;
    let mut names: HashMap<String, usize> = HashMap::new();
    for (_, n) in &rows {
        *names.entry(n.clone()).or_default() += 1;
    }
    let mut m = HashMap::new();
    for (code, name) in rows {
        if names[&name] == 1 {
            m.insert(name.clone(), code.clone());
            if let Some(short) = name
                .strip_suffix("居委会")
                .or_else(|| name.strip_suffix("村委会"))
            {
                m.entry(short.to_string()).or_insert(code.clone());
            }
        }
        m.insert(code.clone(), code);
    }
    Ok(m)
}

/// The community column, checked against the lookup.
fn community_of(
    communities: &HashMap<String, String>,
    text: &str,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    let code = communities.get(text).cloned();
    if code.is_none() {
        errs.push(
            FieldError::new("region_code", "ledger.import.community_unknown").arg("value", text),
        );
    }
    code
}

/// Valid rows keep only what is written (the original cells are kept for bad rows alone, to
/// bound memory on large files).
type Validated<R> = (Vec<(usize, <R as Register>::Row)>, Vec<Refused>, u64);

fn sheet_err(e: chuangye_sheets::SheetError) -> Error {
    let mut fe = FieldError::new("file", e.message_key());
    for (k, v) in e.message_args() {
        fe = fe.arg(k, v);
    }
    Error::Invalid(vec![fe])
}

fn row_values(row: &RowRef) -> Vec<(String, String)> {
    row.cells
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Rows checked together, on every core (checking is CPU-bound: parsing, SM4, SM3).
const BATCH: usize = 4096;

/// What validation has gathered so far.
struct Gathered<R: Register> {
    valid: Vec<(usize, R::Row)>,
    bad: Vec<Refused>,
    seen: HashMap<String, usize>,
    done: u64,
}

/// Checks rows on up to `workers` threads, answers in row order.
fn check_batch<R: Register>(
    core: &Core,
    lookup: &R::Lookup,
    rows: &[RowRef],
    today: time::Date,
    workers: usize,
) -> Vec<std::result::Result<R::Row, Vec<FieldError>>> {
    if workers <= 1 || rows.len() < 256 {
        return rows
            .iter()
            .map(|r| R::check(core, lookup, r, today))
            .collect();
    }
    std::thread::scope(|s| {
        let parts: Vec<_> = rows
            .chunks(rows.len().div_ceil(workers))
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|r| R::check(core, lookup, r, today))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("a row check panicked"))
            .collect()
    })
}

/// Sorts checked rows into valid and refused (a key seen earlier in the file is refused), in
/// file order.
fn gather<R: Register>(
    acc: &mut Gathered<R>,
    rows: Vec<RowRef>,
    checked: Vec<std::result::Result<R::Row, Vec<FieldError>>>,
    opts: &ImportOptions,
) {
    let (lang, translate) = (opts.lang.as_str(), &opts.translate);
    for (row, result) in rows.into_iter().zip(checked) {
        match result {
            Ok(v) => {
                let (field, key) = R::file_key(&v);
                if let Some(first) = acc.seen.get(&key) {
                    let fe =
                        FieldError::new(field, "ledger.import.duplicate_in_file").arg("row", first);
                    acc.bad.push((
                        row.number,
                        row_values(&row),
                        vec![(field.into(), translate(lang, &fe))],
                    ));
                } else {
                    acc.seen.insert(key, row.number);
                    acc.valid.push((row.number, v));
                }
            }
            Err(errs) => {
                let msgs = errs
                    .iter()
                    .map(|e| (e.field.clone(), translate(lang, e)))
                    .collect();
                acc.bad.push((row.number, row_values(&row), msgs));
            }
        }
        acc.done += 1;
    }
}

/// Reads and validates every row in batches over every core, reporting `(done, total)`.
fn validate_all<R: Register>(
    core: &Core,
    bytes: &[u8],
    file_name: &str,
    lookup: &R::Lookup,
    opts: &ImportOptions,
    progress: &dyn Fn(u64, u64),
) -> Result<Validated<R>> {
    let spec = R::spec();
    // First pass: count rows (cheap) so progress can be shown as a share.
    let mut total = 0u64;
    chuangye_sheets::read_rows(bytes, file_name, &spec, |_| {
        total += 1;
        ControlFlow::Continue(())
    })
    .map_err(sheet_err)?;
    let today = model::today();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let mut acc = Gathered::<R> {
        valid: Vec::new(),
        bad: Vec::new(),
        seen: HashMap::new(),
        done: 0,
    };
    let mut batch: Vec<RowRef> = Vec::with_capacity(BATCH);
    let flush = |acc: &mut Gathered<R>, batch: &mut Vec<RowRef>| {
        let rows = std::mem::take(batch);
        let checked = check_batch::<R>(core, lookup, &rows, today, workers);
        gather(acc, rows, checked, opts);
        progress(acc.done, total);
    };
    chuangye_sheets::read_rows(bytes, file_name, &spec, |row| {
        batch.push(row);
        if batch.len() == BATCH {
            flush(&mut acc, &mut batch);
        }
        ControlFlow::Continue(())
    })
    .map_err(sheet_err)?;
    flush(&mut acc, &mut batch);
    Ok((acc.valid, acc.bad, total))
}

/// Imports a register from an uploaded file. Validation runs on a blocking thread while
/// `progress(done, total)` is awaited here; the writes run in one transaction, so with bad rows
/// in all-or-nothing mode nothing is written.
pub async fn import<R, F, Fut>(
    core: &Core,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    mut progress: F,
) -> Result<Outcome>
where
    R: Register,
    F: FnMut(u64, u64) -> Fut,
    Fut: Future<Output = ()>,
{
    actor.require(Permission::LedgerImport)?;
    actor.require(Permission::LedgerEdit)?;
    let lookup = R::lookup(core, actor).await?;
    let (tx_p, mut rx_p) = tokio::sync::mpsc::unbounded_channel::<(u64, u64)>();
    let work = {
        let core = core.clone();
        let bytes = bytes.to_vec();
        let name = file_name.to_string();
        let opts = opts.clone();
        tokio::task::spawn_blocking(move || {
            validate_all::<R>(&core, &bytes, &name, &lookup, &opts, &|d, t| {
                let _ = tx_p.send((d, t));
            })
        })
    };
    tokio::pin!(work);
    let (valid, mut bad, total) = loop {
        tokio::select! {
            r = &mut work => break r.map_err(|e| Error::Other(anyhow::anyhow!("import: {e}")))??,
            Some((d, t)) = rx_p.recv() => progress(d, t.max(1) * 2).await,
        }
    };
    let (mode, lang, translate) = (opts.mode, opts.lang.as_str(), &opts.translate);
    let mut out = Outcome::default();
    let mut tx = core.db.begin().await?;
    let written = R::write(core, &mut tx, actor, &valid).await?;
    out.imported = written.imported;
    out.unchanged = written.unchanged;
    for r in written.refused {
        out.elsewhere += u64::from(r.elsewhere);
        let msgs = r
            .errors
            .iter()
            .map(|e| (e.field.clone(), translate(lang, e)))
            .collect();
        bad.push((r.number, r.values, msgs));
    }
    out.refused = bad.len() as u64;
    out.committed = mode == Mode::ValidOnly || bad.is_empty();
    if !out.committed {
        out.imported = 0;
        out.unchanged = 0;
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(&format!("{}.import", R::ENTITY), R::ENTITY, "*").after(serde_json::json!({
            "file": file_name, "mode": mode, "imported": out.imported, "unchanged": out.unchanged,
            "refused": out.refused, "committed": out.committed,
        })),
    )
    .await?;
    if out.committed {
        tx.commit().await?;
    } else {
        drop(tx);
    }
    if !bad.is_empty() {
        out.report_file = Some(report::<R>(core, actor, bad).await?);
    }
    progress(total * 2, total * 2).await;
    Ok(out)
}

/// The error report (xlsx, bad cells marked and explained), stored as a file.
async fn report<R: Register>(core: &Core, actor: &Actor, mut bad: Vec<Refused>) -> Result<String> {
    let spec = R::spec();
    bad.sort_by_key(|b| b.0);
    let rows: Vec<chuangye_sheets::BadRow<'_>> = bad
        .iter()
        .map(|(n, values, msgs)| {
            (
                *n,
                values.clone(),
                msgs.iter()
                    .map(|(k, m)| (spec_key(&spec, k), m.clone()))
                    .collect(),
            )
        })
        .collect();
    let bytes = chuangye_sheets::error_report(&spec, &rows).map_err(sheet_err)?;
    store_report(core, actor, &bytes).await
}

/// Imports persons (see [`import`]).
pub async fn import_persons<F, Fut>(
    core: &Core,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    progress: F,
) -> Result<Outcome>
where
    F: FnMut(u64, u64) -> Fut,
    Fut: Future<Output = ()>,
{
    import::<Persons, F, Fut>(core, actor, bytes, file_name, opts, progress).await
}

/// The spec's own `&'static str` for a key (the report wants static keys).
fn spec_key(spec: &SheetSpec, key: &str) -> &'static str {
    spec.columns
        .iter()
        .find(|c| c.key == key)
        .map(|c| c.key)
        .unwrap_or("")
}

async fn store_report(core: &Core, actor: &Actor, bytes: &[u8]) -> Result<String> {
    let mut tx = core.db.begin().await?;
    let region = if actor.region_code.is_empty() {
        "000000000000".to_string()
    } else {
        actor.region_code.clone()
    };
    let meta = crate::files::store(
        core,
        &mut tx,
        actor,
        crate::files::Upload {
            bytes,
            original_name: "导入错误报告.xlsx",
            owner_entity: "import",
            owner_id: &new_id(),
            region_code: &region,
            rules: &crate::files::FileRules::DOCUMENTS,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(meta.id)
}

/// Looks up existing rows by one column in chunks (SQLite binds parameters by name at a cost
/// that grows with their number: statements stay at a few hundred), returning (key, value).
async fn existing_by(
    tx: &mut Tx,
    select: &str,
    keys: impl Iterator<Item = String>,
) -> Result<HashMap<String, String>> {
    let keys: Vec<String> = keys.collect();
    let mut found = HashMap::new();
    for chunk in keys.chunks(200) {
        let mut sql = crate::db::Sql::new(select);
        sql.push(" IN (");
        for (i, k) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(k.clone());
        }
        sql.push(")");
        let rows: Vec<(String, String)> = sql.query_as().fetch_all(&mut **tx).await?;
        found.extend(rows);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_staff_write_them() {
        let d = time::macros::date!(2024 - 03 - 05);
        for s in [
            "2024-03-05",
            "2024/3/5",
            "2024.3.5",
            "2024年3月5日",
            " 2024-3-5 ",
        ] {
            assert_eq!(parse_date_cell(s), Some(d), "{s}");
        }
        for s in ["", "2024-02-30", "2024-3", "昨天", "2024-13-01"] {
            assert_eq!(parse_date_cell(s), None, "{s}");
        }
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("people"), None);
    }
}
