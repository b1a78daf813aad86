//! Excel in and out for the person register: the template, a streamed import (validated row by
//! row, all-or-nothing or valid-rows-only, idempotent, with an error report), and the export of
//! a filtered list (masked unless the actor may unmask; audited).

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

use chuangye_sheets::{Column, SheetSpec, XlsxWriter};
use serde::{Deserialize, Serialize};

use super::model::{self, Code};
use super::repo::{self, PersonFilter};
use crate::audit::{self, Entry};
use crate::db::{new_id, now};
use crate::jobs::{JobCtx, JobHandler};
use crate::org::{Actor, Permission};
use crate::personal::{self, Sealed};
use crate::{Core, Error, FieldError, Result};

/// Translates a field error into the user's language (the catalogue lives in the web layer).
pub type Translate = Arc<dyn Fn(&str, &FieldError) -> String + Send + Sync>;

/// How to run an import, and in which language to explain its errors.
#[derive(Clone)]
pub struct ImportOptions {
    pub mode: Mode,
    pub lang: String,
    pub translate: Translate,
}

/// A refused row: its number, its values by key, and its problems (key, message).
type Refused = (usize, Vec<(String, String)>, Vec<(String, String)>);

fn labels(list: &[Code]) -> Vec<String> {
    list.iter().map(|(_, l)| l.to_string()).collect()
}

/// The person register's columns (Chinese headers, notes, drop-downs).
pub fn person_spec() -> SheetSpec {
    SheetSpec::new(
        "创业人员台账",
        vec![
            Column::new("name", "姓名").required().note("与身份证一致").width(10.0),
            Column::new("id_number", "身份证号码").required().note("18 位；末位 X 可大写或小写；15 位老号码自动升位").width(22.0),
            Column::new("phone", "手机号码").note("11 位手机号，可带 +86").width(15.0),
            Column::new("education", "文化程度").required().choices(labels(model::EDUCATION)).width(12.0),
            Column::new("household", "户籍类型").required().choices(labels(model::HOUSEHOLD)).width(10.0),
            Column::new("categories", "人员类别").note("可填多个，用顿号或逗号分隔：高校毕业生、返乡农民工、就业困难人员、下岗失业人员、退役军人、残疾人、脱贫人口").width(24.0),
            Column::new("region_code", "所属社区").required().note("社区（村）名称或 12 位区划代码").width(22.0),
            Column::new("address", "地址").width(30.0),
        ],
    )
}

fn code_of(list: &[Code], v: &str) -> Option<&'static str> {
    list.iter()
        .find(|(c, l)| *c == v || *l == v)
        .map(|(c, _)| *c)
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
    /// Already registered (same ID number): left as they are, so re-importing changes nothing.
    pub unchanged: u64,
    pub refused: u64,
    /// Rows registered in another region (counted in `refused`, named in the report).
    pub elsewhere: u64,
    /// The error report, a stored file, when any row was refused.
    pub report_file: Option<String>,
    /// Whether the rows were written (false for an all-or-nothing import with bad rows).
    pub committed: bool,
}

struct ValidRow {
    name: String,
    id: Sealed,
    birth: String,
    sex: &'static str,
    phone: Option<Sealed>,
    education: &'static str,
    household: &'static str,
    categories: Vec<&'static str>,
    region_code: String,
    address: String,
}

fn check_row(
    core: &Core,
    row: &chuangye_sheets::RowRef,
    communities: &HashMap<String, String>,
    today: time::Date,
) -> std::result::Result<ValidRow, Vec<FieldError>> {
    let mut errs = Vec::new();
    for key in &row.formulas {
        errs.push(FieldError::new(key, "ledger.import.formula"));
    }
    let get = |k: &str| row.get(k).unwrap_or("").trim().to_string();
    let name = get("name");
    if name.is_empty() || name.chars().count() > 30 {
        errs.push(FieldError::new("name", "ledger.name_invalid"));
    }
    let id = match personal::seal_id_number(&core.crypto, "id_number", &get("id_number"), today) {
        Ok(v) => Some(v),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let phone = match get("phone").as_str() {
        "" => None,
        p => match personal::seal_phone(&core.crypto, "phone", p) {
            Ok(s) => Some(s),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let education = code_of(model::EDUCATION, &get("education"));
    if education.is_none() {
        errs.push(FieldError::new("education", "ledger.code_invalid"));
    }
    let household = code_of(model::HOUSEHOLD, &get("household"));
    if household.is_none() {
        errs.push(FieldError::new("household", "ledger.code_invalid"));
    }
    let mut categories = Vec::new();
    for part in get("categories")
        .split(['、', ',', '，', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match code_of(model::CATEGORY, part) {
            Some(c) => categories.push(c),
            None => errs.push(
                FieldError::new("categories", "ledger.import.category_unknown").arg("value", part),
            ),
        }
    }
    let region_text = get("region_code");
    let region_code = communities.get(&region_text).cloned();
    if region_code.is_none() {
        errs.push(
            FieldError::new("region_code", "ledger.import.community_unknown")
                .arg("value", &region_text),
        );
    }
    let address = get("address");
    if address.chars().count() > 120 {
        errs.push(FieldError::new("address", "ledger.address_too_long"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let (id, idn) = id.expect("checked");
    Ok(ValidRow {
        name,
        id,
        birth: model::fmt_date(idn.birth_date),
        sex: match idn.sex {
            crate::validate::Sex::Male => "male",
            crate::validate::Sex::Female => "female",
        },
        phone,
        education: education.expect("checked"),
        household: household.expect("checked"),
        categories,
        region_code: region_code.expect("checked"),
        address,
    })
}

/// Communities in scope, looked up by 12-digit code or by exact name.
async fn community_lookup(core: &Core, actor: &Actor) -> Result<HashMap<String, String>> {
    let mut c = core.db.pool().acquire().await?;
    let rows = crate::org::repo::communities_in_scope(&mut c, &actor.scope).await?;
    let mut names: HashMap<String, usize> = HashMap::new();
    for (_, n) in &rows {
        *names.entry(n.clone()).or_default() += 1;
    }
    let mut m = HashMap::new();
    for (code, name) in rows {
        // A name shared by two communities is ambiguous: only the code works then.
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

/// Valid rows keep only what is written (the original cells are kept for bad rows alone, to
/// bound memory on large files).
type Validated = (Vec<(usize, ValidRow)>, Vec<Refused>, u64);

fn sheet_err(e: chuangye_sheets::SheetError) -> Error {
    let mut fe = FieldError::new("file", e.message_key());
    for (k, v) in e.message_args() {
        fe = fe.arg(k, v);
    }
    Error::Invalid(vec![fe])
}

/// Reads and validates every row (CPU-bound: parsing, SM4, SM3), reporting `(done, total)`.
fn validate_all(
    core: &Core,
    bytes: &[u8],
    file_name: &str,
    communities: &HashMap<String, String>,
    opts: &ImportOptions,
    progress: &dyn Fn(u64, u64),
) -> Result<Validated> {
    let spec = person_spec();
    // First pass: count rows (cheap) so progress can be shown as a share.
    let mut total = 0u64;
    chuangye_sheets::read_rows(bytes, file_name, &spec, |_| {
        total += 1;
        ControlFlow::Continue(())
    })
    .map_err(sheet_err)?;
    let today = model::today();
    let (lang, translate) = (opts.lang.as_str(), &opts.translate);
    let mut valid = Vec::new();
    let mut bad: Vec<Refused> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut done = 0u64;
    chuangye_sheets::read_rows(bytes, file_name, &spec, |row| {
        let values: Vec<(String, String)> = row
            .cells
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        match check_row(core, &row, communities, today) {
            Ok(v) => {
                if let Some(first) = seen.get(&v.id.index) {
                    let fe = FieldError::new("id_number", "ledger.import.duplicate_in_file")
                        .arg("row", first);
                    bad.push((
                        row.number,
                        values,
                        vec![("id_number".into(), translate(lang, &fe))],
                    ));
                } else {
                    seen.insert(v.id.index.clone(), row.number);
                    valid.push((row.number, v));
                }
            }
            Err(errs) => {
                let msgs = errs
                    .iter()
                    .map(|e| (e.field.clone(), translate(lang, e)))
                    .collect();
                bad.push((row.number, values, msgs));
            }
        }
        done += 1;
        if done.is_multiple_of(2000) {
            progress(done, total);
        }
        ControlFlow::Continue(())
    })
    .map_err(sheet_err)?;
    Ok((valid, bad, total))
}

/// Imports persons from an uploaded register. Validation runs on a blocking thread while
/// `progress(done, total)` is awaited here; the writes run in one transaction, so with bad rows
/// in all-or-nothing mode nothing is written.
pub async fn import_persons<F, Fut>(
    core: &Core,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
    mut progress: F,
) -> Result<Outcome>
where
    F: FnMut(u64, u64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    actor.require(Permission::LedgerImport)?;
    actor.require(Permission::LedgerEdit)?;
    let spec = person_spec();
    let communities = community_lookup(core, actor).await?;
    let (tx_p, mut rx_p) = tokio::sync::mpsc::unbounded_channel::<(u64, u64)>();
    let work = {
        let core = core.clone();
        let bytes = bytes.to_vec();
        let name = file_name.to_string();
        let opts = opts.clone();
        tokio::task::spawn_blocking(move || {
            validate_all(&core, &bytes, &name, &communities, &opts, &|d, t| {
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
    // Existing records: the same ID number in scope is unchanged; elsewhere is refused.
    let mut existing: HashMap<String, String> = HashMap::new();
    // SQLite looks bound parameters up by name, at a cost that grows with their number: keep
    // statements to a few hundred parameters (measured: 6,800 per statement tripled the time).
    for chunk in valid.chunks(200) {
        let mut sql =
            crate::db::Sql::new("SELECT id_index, region_code FROM person WHERE id_index IN (");
        for (i, (_, v)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(v.id.index.clone());
        }
        sql.push(")");
        let rows: Vec<(String, String)> = sql.query_as().fetch_all(&mut *tx).await?;
        existing.extend(rows);
    }
    let t = now();
    let mut to_insert: Vec<&ValidRow> = Vec::new();
    for (number, v) in &valid {
        match existing.get(&v.id.index) {
            Some(region) if actor.scope.contains(region) => out.unchanged += 1,
            Some(_) => {
                out.elsewhere += 1;
                let fe = FieldError::new("id_number", "ledger.import.registered_elsewhere");
                let values = vec![
                    ("name".to_string(), v.name.clone()),
                    ("id_number".to_string(), v.id.masked.clone()),
                ];
                bad.push((
                    *number,
                    values,
                    vec![("id_number".into(), translate(lang, &fe))],
                ));
            }
            None => to_insert.push(v),
        }
    }
    for chunk in to_insert.chunks(50) {
        let mut sql = crate::db::Sql::new(
            "INSERT INTO person (id, name, id_cipher, id_index, id_masked, birth_date, sex, phone_cipher, phone_index, phone_masked, \
             education, household, party_member, region_code, address, created_at, updated_at) VALUES ",
        );
        let mut cats: Vec<(String, &'static str)> = Vec::new();
        for (i, v) in chunk.iter().enumerate() {
            let id = new_id();
            for c in &v.categories {
                cats.push((id.clone(), c));
            }
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(id)
                .push(",")
                .bind(v.name.clone())
                .push(",")
                .bind(v.id.cipher.clone())
                .push(",")
                .bind(v.id.index.clone())
                .push(",")
                .bind(v.id.masked.clone())
                .push(",")
                .bind(v.birth.clone())
                .push(",")
                .bind(v.sex.to_string())
                .push(",")
                .bind(v.phone.as_ref().map(|p| p.cipher.clone()))
                .push(",")
                .bind(v.phone.as_ref().map(|p| p.index.clone()))
                .push(",")
                .bind(v.phone.as_ref().map(|p| p.masked.clone()))
                .push(",")
                .bind(v.education.to_string())
                .push(",")
                .bind(v.household.to_string())
                .push(", 0, ")
                .bind(v.region_code.clone())
                .push(",")
                .bind(v.address.clone())
                .push(",")
                .bind(t)
                .push(",")
                .bind(t)
                .push(")");
        }
        sql.query().execute(&mut *tx).await?;
        for cchunk in cats.chunks(200) {
            let mut sql =
                crate::db::Sql::new("INSERT INTO person_category (person_id, category) VALUES ");
            for (i, (pid, c)) in cchunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(pid.clone())
                    .push(",")
                    .bind(c.to_string())
                    .push(")");
            }
            sql.query().execute(&mut *tx).await?;
        }
        out.imported += chunk.len() as u64;
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
        Entry::new("person.import", "person", "*").after(serde_json::json!({
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
        let report = chuangye_sheets::error_report(&spec, &rows).map_err(sheet_err)?;
        out.report_file = Some(store_report(core, actor, &report).await?);
    }
    progress(total * 2, total * 2).await;
    Ok(out)
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

/// The filtered person list as xlsx, masked unless the actor may unmask (then the export is
/// an unmasking and audited as such). At most 200,000 rows.
pub async fn export_persons(core: &Core, actor: &Actor, filter: &PersonFilter) -> Result<Vec<u8>> {
    actor.require(Permission::LedgerExport)?;
    let unmask = actor.can(Permission::PersonalUnmask);
    let spec = person_spec();
    let mut w = XlsxWriter::new(&spec).map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
    let mut f = filter.clone();
    f.after = None;
    // Community, then name: the order of the (region_code, name, id) index, so no page sorts.
    f.sort = Some("region".into());
    let mut c = core.db.pool().acquire().await?;
    let mut rows_written = 0u64;
    let mut region_names: HashMap<String, String> = HashMap::new();
    loop {
        let (rows, next) = repo::person_page(
            &mut c,
            &actor.scope,
            &f,
            actor.can(Permission::PartyView),
            500,
        )
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let details = person_details(&mut c, &ids).await?;
        for r in &rows {
            let d = details.get(&r.id);
            let id_text = match (unmask, d) {
                (true, Some(d)) => core
                    .crypto
                    .cipher()
                    .decrypt("id_number", &d.0)
                    .unwrap_or_else(|_| r.id_masked.clone()),
                _ => r.id_masked.clone(),
            };
            let phone_text = match (unmask, d.and_then(|d| d.1.clone())) {
                (true, Some(cipher)) => core
                    .crypto
                    .cipher()
                    .decrypt("phone", &cipher)
                    .unwrap_or_default(),
                _ => r.phone_masked.clone().unwrap_or_default(),
            };
            region_names
                .entry(r.region_code.clone())
                .or_insert_with(|| r.region_name.clone());
            let (education, household, address, cats) = d
                .map(|d| (d.2.clone(), d.3.clone(), d.4.clone(), d.5.clone()))
                .unwrap_or_default();
            w.push_row(&[
                r.name.clone(),
                id_text,
                phone_text,
                model::label(model::EDUCATION, &education).to_string(),
                model::label(model::HOUSEHOLD, &household).to_string(),
                cats.iter()
                    .map(|c| model::label(model::CATEGORY, c))
                    .collect::<Vec<_>>()
                    .join("、"),
                r.region_name.clone(),
                address,
            ])
            .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
            rows_written += 1;
        }
        match next {
            Some(n) if rows_written < 200_000 => f.after = Some(n),
            _ => break,
        }
    }
    drop(c);
    let bytes = w
        .finish()
        .map_err(|e| Error::Other(anyhow::anyhow!("{e}")))?;
    let mut tx = core.db.begin().await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(
            if unmask {
                "person.export_unmasked"
            } else {
                "person.export"
            },
            "person",
            "*",
        )
        .after(serde_json::json!({ "rows": rows_written, "unmasked": unmask })),
    )
    .await?;
    tx.commit().await?;
    Ok(bytes)
}

type Details = (String, Option<String>, String, String, String, Vec<String>);

async fn person_details(
    c: &mut sqlx::AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, Details>> {
    let mut out: HashMap<String, Details> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = crate::db::Sql::new(
        "SELECT id, id_cipher, phone_cipher, education, household, address FROM person WHERE id IN (",
    );
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(id.clone());
    }
    sql.push(")");
    let rows: Vec<(String, String, Option<String>, String, String, String)> =
        sql.query_as().fetch_all(&mut *c).await?;
    for (id, ic, pc, e, h, a) in rows {
        out.insert(id, (ic, pc, e, h, a, Vec::new()));
    }
    let mut sql =
        crate::db::Sql::new("SELECT person_id, category FROM person_category WHERE person_id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(id.clone());
    }
    sql.push(")");
    let cats: Vec<(String, String)> = sql.query_as().fetch_all(&mut *c).await?;
    for (id, cat) in cats {
        if let Some(d) = out.get_mut(&id) {
            d.5.push(cat);
        }
    }
    Ok(out)
}

/// The job that runs an import: payload `{file_id, mode, lang}`, as the user who started it.
pub struct ImportJob {
    pub translate: Translate,
}

#[derive(Deserialize)]
struct ImportPayload {
    file_id: String,
    mode: Mode,
    lang: String,
    membership_id: Option<String>,
}

impl JobHandler for ImportJob {
    fn kind(&self) -> &'static str {
        "ledger.import_persons"
    }

    fn run<'a>(
        &'a self,
        core: &'a Core,
        job: &'a JobCtx,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Option<String>>> {
        Box::pin(async move {
            let p: ImportPayload = job.parse()?;
            let user = job
                .created_by
                .clone()
                .ok_or_else(|| anyhow::anyhow!("import job without a user"))?;
            let mut c = core.db.pool().acquire().await?;
            let actor = crate::auth::build_actor(&mut c, &user, p.membership_id.as_deref(), "job")
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!("the user who started the import no longer exists")
                })?;
            drop(c);
            let (_, path) = crate::files::get(core, &actor, &p.file_id).await?;
            let bytes = tokio::fs::read(&path).await?;
            let opts = ImportOptions {
                mode: p.mode,
                lang: p.lang.clone(),
                translate: self.translate.clone(),
            };
            let outcome =
                import_persons(core, &actor, &bytes, "upload", &opts, |d, t| async move {
                    let _ = job.progress(d as i64, t as i64, None).await;
                })
                .await;
            match outcome {
                Ok(o) => Ok(Some(serde_json::to_string(&o)?)),
                // A file that is not a register is the user's mistake: report it, don't retry.
                Err(Error::Invalid(v)) => Ok(Some(serde_json::json!({ "error": v.iter().map(|f| (self.translate)(&p.lang, f)).collect::<Vec<_>>() }).to_string())),
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        })
    }
}

/// The import job kinds, with the translator for their reports.
pub fn register(registry: crate::jobs::Registry, translate: Translate) -> crate::jobs::Registry {
    registry.with(ImportJob { translate })
}

/// Stores an upload for an import and enqueues the job in the same transaction.
pub async fn start_import(
    core: &Core,
    actor: &Actor,
    bytes: &[u8],
    file_name: &str,
    mode: Mode,
    lang: &str,
) -> Result<String> {
    actor.require(Permission::LedgerImport)?;
    let mut tx = core.db.begin().await?;
    let region = actor.region_code.clone();
    let meta = crate::files::store(
        core,
        &mut tx,
        actor,
        crate::files::Upload {
            bytes,
            original_name: file_name,
            owner_entity: "import",
            owner_id: &new_id(),
            region_code: &region,
            rules: &crate::files::FileRules::SPREADSHEETS,
        },
    )
    .await?;
    let spec = crate::jobs::JobSpec::new(
        "ledger.import_persons",
        serde_json::json!({ "file_id": meta.id, "mode": mode, "lang": lang, "membership_id": actor.membership_id }),
    )
    .for_actor(actor)
    .max_attempts(1);
    let id = crate::jobs::enqueue(&mut tx, spec).await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("person.import_start", "job", &id)
            .after(serde_json::json!({"file": meta.id, "name": file_name})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The blank person register (xlsx).
pub fn template_bytes() -> Result<Vec<u8>> {
    chuangye_sheets::template(&person_spec()).map_err(|e| Error::Other(anyhow::anyhow!("{e}")))
}
