//! Excel out for the ledger's lists: any filtered list within the actor's scope, masked unless
//! the actor may unmask (then the export is an unmasking and audited as such), always audited.

use std::collections::HashMap;

use chuangye_sheets::{Column, SheetSpec, XlsxWriter};

use super::import::{business_spec, person_spec};
use super::model;
use super::repo::{self, BusinessFilter, PersonFilter};
use crate::audit::{self, Entry};
use crate::org::{Actor, Permission};
use crate::{Core, Error, Result};

/// At most this many rows per export (a register bigger than this is filtered first).
const MAX_ROWS: u64 = 200_000;

fn sheet_err(e: chuangye_sheets::SheetError) -> Error {
    Error::Other(anyhow::anyhow!("{e}"))
}

/// Audits an export: what, how many rows, whether unmasked.
async fn audit_export(
    core: &Core,
    actor: &Actor,
    entity: &str,
    rows: u64,
    unmask: bool,
) -> Result<()> {
    let action = format!("{entity}.export{}", if unmask { "_unmasked" } else { "" });
    let mut tx = core.db.begin().await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new(&action, entity, "*")
            .after(serde_json::json!({ "rows": rows, "unmasked": unmask })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The filtered person list as xlsx, masked unless the actor may unmask (then the export is
/// an unmasking and audited as such). At most 200,000 rows.
pub async fn export_persons(core: &Core, actor: &Actor, filter: &PersonFilter) -> Result<Vec<u8>> {
    actor.require(Permission::LedgerExport)?;
    let unmask = actor.can(Permission::PersonalUnmask);
    let spec = person_spec();
    let mut w = XlsxWriter::new(&spec).map_err(sheet_err)?;
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
            .map_err(sheet_err)?;
            rows_written += 1;
        }
        match next {
            Some(n) if rows_written < MAX_ROWS => f.after = Some(n),
            _ => break,
        }
    }
    drop(c);
    let bytes = w.finish().map_err(sheet_err)?;
    audit_export(core, actor, "person", rows_written, unmask).await?;
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

/// The business register's columns, and the status the list shows (an exported file can be
/// imported again: the extra columns are ignored).
fn business_export_spec() -> SheetSpec {
    let mut spec = business_spec();
    spec.columns
        .push(Column::new("status", "经营状态").width(10.0));
    spec.columns
        .push(Column::new("status_since", "状态起始日期").width(14.0));
    spec
}

/// The filtered business list as xlsx, with each business's owner (ID number masked unless the
/// actor may unmask). At most 200,000 rows; audited.
pub async fn export_businesses(
    core: &Core,
    actor: &Actor,
    filter: &BusinessFilter,
) -> Result<Vec<u8>> {
    actor.require(Permission::LedgerExport)?;
    let unmask = actor.can(Permission::PersonalUnmask);
    let mut w = XlsxWriter::new(&business_export_spec()).map_err(sheet_err)?;
    let mut f = filter.clone();
    f.after = None;
    let mut c = core.db.pool().acquire().await?;
    let mut rows_written = 0u64;
    loop {
        let (rows, next) = repo::business_page(&mut c, &actor.scope, &f, 500).await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let owners = owners_of(&mut c, &ids).await?;
        for b in &rows {
            let owner = match owners.get(&b.id) {
                Some((cipher, _)) if unmask => core
                    .crypto
                    .cipher()
                    .decrypt("id_number", cipher)
                    .unwrap_or_default(),
                Some((_, masked)) => masked.clone(),
                None => String::new(),
            };
            let industry = crate::validate::industry(&b.industry)
                .map(|i| format!("{} {}", i.code, i.name))
                .unwrap_or_else(|| b.industry.clone());
            w.push_row(&[
                b.name.clone(),
                model::label(model::BUSINESS_KIND, &b.kind).to_string(),
                b.uscc.clone().unwrap_or_default(),
                b.uscc_override_reason.clone().unwrap_or_default(),
                industry,
                b.registered_on.clone(),
                b.region_name.clone(),
                b.address.clone(),
                model::fen_to_yuan(b.capital_fen),
                b.jobs.to_string(),
                owner,
                model::label(model::STATUS, &b.status).to_string(),
                b.status_since.clone(),
            ])
            .map_err(sheet_err)?;
            rows_written += 1;
        }
        match next {
            Some(n) if rows_written < MAX_ROWS => f.after = Some(n),
            _ => break,
        }
    }
    drop(c);
    let bytes = w.finish().map_err(sheet_err)?;
    audit_export(core, actor, "business", rows_written, unmask).await?;
    Ok(bytes)
}

/// Each business's owner (负责人): (ID cipher, masked ID).
async fn owners_of(
    c: &mut sqlx::AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, (String, String)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = crate::db::Sql::new(
        "SELECT pb.business_id, p.id_cipher, p.id_masked FROM person_business pb JOIN person p ON p.id = pb.person_id \
         WHERE pb.role = 'owner' AND pb.business_id IN (",
    );
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(id.clone());
    }
    sql.push(")");
    let rows: Vec<(String, String, String)> = sql.query_as().fetch_all(&mut *c).await?;
    Ok(rows.into_iter().map(|(b, ci, m)| (b, (ci, m))).collect())
}
