//! The visit register (走访台账): one row per visit to a person already in the ledger, with at
//! most one need found, routed to a member unit by name. A visit already recorded (same person,
//! date, method and notes) is left as it is.

use std::collections::{HashMap, HashSet};

use chuangye_sheets::{Column, RowRef, SheetSpec};

use super::{Refusal, Register, Written, code_of, labels, parse_date_cell};
use crate::audit::{self, Entry};
use crate::db::{Tx, new_id, now};
use crate::ledger::model;
use crate::org::{Actor, RegionScope};
use crate::personal;
use crate::{Core, FieldError, Result};

/// The visit register's columns.
pub fn visit_spec(units: &[String]) -> SheetSpec {
    SheetSpec::new(
        "走访台账",
        vec![
            Column::new("id_number", "身份证号码")
                .required()
                .note("被走访的创业人员，须已在创业人员台账中")
                .width(22.0),
            Column::new("name", "姓名").note("核对用，可空").width(10.0),
            Column::new("visit_date", "走访日期")
                .required()
                .note("如 2024-03-05，不晚于今天")
                .width(12.0),
            Column::new("method", "走访方式")
                .required()
                .choices(labels(model::VISIT_METHOD))
                .width(10.0),
            Column::new("notes", "走访情况").required().width(40.0),
            Column::new("next_visit_date", "下次走访日期")
                .note("晚于走访日期；可空")
                .width(14.0),
            Column::new("need_kind", "需求类型")
                .choices(labels(model::NEED_KIND))
                .note("五帮之一；无需求则空")
                .width(16.0),
            Column::new("need_description", "需求内容").width(30.0),
            Column::new("need_unit", "承办单位")
                .choices(units.to_vec())
                .note("成员单位名称")
                .width(20.0),
        ],
    )
}

pub struct VisitRow {
    id_index: String,
    id_masked: String,
    visit_date: String,
    method: &'static str,
    notes: String,
    next_visit_date: Option<String>,
    /// (kind, description, unit id)
    need: Option<(&'static str, String, String)>,
}

impl VisitRow {
    fn key(&self, person_id: &str) -> String {
        format!(
            "{person_id}|{}|{}|{}",
            self.visit_date, self.method, self.notes
        )
    }
}

/// Member units by name (names two units share are left out: ambiguous).
pub struct Lookup {
    units: HashMap<String, String>,
}

/// The deployment's member units (needs may go to units above the actor's own region).
async fn units(core: &Core) -> Result<Vec<(String, String)>> {
    // Before the deployment has its root (while it is being set up), every unit.
    let (lo, hi) = match crate::org::service::root_region(core).await? {
        Some(root) => {
            let s = RegionScope::of(&root);
            (s.lo, s.hi)
        }
        None => (String::new(), "~".to_string()),
    };
    Ok(sqlx::query_as(
        "SELECT id, name FROM unit WHERE region_code BETWEEN $1 AND $2 ORDER BY name",
    )
    .bind(lo)
    .bind(hi)
    .fetch_all(core.db.pool())
    .await?)
}

/// The template with the deployment's member units in the drop-down.
pub async fn visit_template(core: &Core) -> Result<Vec<u8>> {
    let names: Vec<String> = units(core).await?.into_iter().map(|(_, n)| n).collect();
    chuangye_sheets::template(&visit_spec(&names))
        .map_err(|e| crate::Error::Other(anyhow::anyhow!("{e}")))
}

/// The visit register.
pub struct Visits;

impl Register for Visits {
    const NAME: &'static str = "visits";
    const ENTITY: &'static str = "visit";
    type Lookup = Lookup;
    type Row = VisitRow;

    fn spec() -> SheetSpec {
        visit_spec(&[])
    }

    async fn lookup(core: &Core, _actor: &Actor) -> Result<Lookup> {
        let list = units(core).await?;
        let mut count: HashMap<String, usize> = HashMap::new();
        for (_, n) in &list {
            *count.entry(n.clone()).or_default() += 1;
        }
        Ok(Lookup {
            units: list
                .into_iter()
                .filter(|(_, n)| count[n] == 1)
                .map(|(id, n)| (n, id))
                .collect(),
        })
    }

    fn check(
        core: &Core,
        l: &Lookup,
        row: &RowRef,
        today: time::Date,
    ) -> std::result::Result<VisitRow, Vec<FieldError>> {
        let mut errs = super::formula_errors(row);
        let get = |k: &str| row.get(k).unwrap_or("").trim().to_string();
        let id = personal::seal_id_number(&core.crypto, "id_number", &get("id_number"), today)
            .map_err(|e| errs.push(e))
            .ok();
        let date = parse_date_cell(&get("visit_date")).filter(|d| *d <= today);
        if date.is_none() {
            errs.push(FieldError::new("visit_date", "ledger.visit_date_invalid"));
        }
        let method = code_of(model::VISIT_METHOD, &get("method"));
        if method.is_none() {
            errs.push(FieldError::new("method", "ledger.code_invalid"));
        }
        let notes = get("notes");
        if notes.is_empty() || notes.chars().count() > 2000 {
            errs.push(FieldError::new("notes", "ledger.notes_invalid"));
        }
        let next = match get("next_visit_date").as_str() {
            "" => None,
            s => match parse_date_cell(s) {
                Some(n) if date.is_none_or(|d| n > d) => Some(model::fmt_date(n)),
                _ => {
                    errs.push(FieldError::new(
                        "next_visit_date",
                        "ledger.next_visit_invalid",
                    ));
                    None
                }
            },
        };
        let need = need_of(
            l,
            &get("need_kind"),
            &get("need_description"),
            &get("need_unit"),
            &mut errs,
        );
        let (Some((sealed, _)), Some(date), Some(method), true) =
            (id, date, method, errs.is_empty())
        else {
            return Err(errs);
        };
        Ok(VisitRow {
            id_index: sealed.index,
            id_masked: sealed.masked,
            visit_date: model::fmt_date(date),
            method,
            notes,
            next_visit_date: next,
            need,
        })
    }

    fn file_key(row: &VisitRow) -> (&'static str, String) {
        ("notes", row.key(&row.id_index))
    }

    async fn write(
        core: &Core,
        tx: &mut Tx,
        actor: &Actor,
        rows: &[(usize, VisitRow)],
    ) -> Result<Written> {
        let mut out = Written::default();
        let persons = super::existing_by(
            tx,
            "SELECT id_index, id || '|' || region_code FROM person WHERE id_index",
            rows.iter().map(|(_, v)| v.id_index.clone()),
        )
        .await?;
        let person_of = |v: &VisitRow| {
            persons
                .get(&v.id_index)
                .and_then(|s| s.split_once('|'))
                .filter(|(_, region)| actor.scope.contains(region))
                .map(|(id, region)| (id.to_string(), region.to_string()))
        };
        let known = recorded(
            tx,
            rows.iter().filter_map(|(_, v)| person_of(v).map(|p| p.0)),
        )
        .await?;
        let deadline = model::fmt_date(crate::workdays::add_working_days(
            model::today(),
            model::NEED_DEFAULT_DAYS,
        ));
        let t = now();
        for (number, v) in rows {
            let Some((person_id, region)) = person_of(v) else {
                out.refused.push(Refusal {
                    number: *number,
                    values: vec![("id_number".into(), v.id_masked.clone())],
                    errors: vec![FieldError::new("id_number", "ledger.import.person_unknown")],
                    elsewhere: false,
                });
                continue;
            };
            if known.contains(&v.key(&person_id)) {
                out.unchanged += 1;
                continue;
            }
            insert(core, tx, actor, &person_id, &region, v, &deadline, t).await?;
            out.imported += 1;
        }
        Ok(out)
    }
}

/// The need columns: all empty, or a kind, a description and a known unit.
fn need_of(
    l: &Lookup,
    kind: &str,
    description: &str,
    unit: &str,
    errs: &mut Vec<FieldError>,
) -> Option<(&'static str, String, String)> {
    if kind.is_empty() && description.is_empty() && unit.is_empty() {
        return None;
    }
    let k = code_of(model::NEED_KIND, kind);
    if k.is_none() {
        errs.push(FieldError::new("need_kind", "ledger.code_invalid"));
    }
    if description.is_empty() {
        errs.push(FieldError::new(
            "need_description",
            "ledger.need_description_missing",
        ));
    }
    let u = l.units.get(unit).cloned();
    if u.is_none() {
        errs.push(FieldError::new("need_unit", "org.unit.unknown"));
    }
    Some((k?, description.to_string(), u?)).filter(|_| !description.is_empty())
}

/// The visits already recorded for these persons, as [`VisitRow::key`]s.
async fn recorded(tx: &mut Tx, persons: impl Iterator<Item = String>) -> Result<HashSet<String>> {
    let ids: Vec<String> = persons.collect::<HashSet<_>>().into_iter().collect();
    let mut known = HashSet::new();
    for chunk in ids.chunks(200) {
        let mut sql = crate::db::Sql::new(
            "SELECT person_id, visit_date, method, notes FROM visit WHERE person_id IN (",
        );
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(id.clone());
        }
        sql.push(")");
        let rows: Vec<(String, String, String, String)> =
            sql.query_as().fetch_all(&mut **tx).await?;
        known.extend(
            rows.into_iter()
                .map(|(p, d, m, n)| format!("{p}|{d}|{m}|{n}")),
        );
    }
    Ok(known)
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    core: &Core,
    tx: &mut Tx,
    actor: &Actor,
    person_id: &str,
    region: &str,
    v: &VisitRow,
    deadline: &str,
    t: i64,
) -> Result<()> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO visit (id, person_id, business_id, region_code, visit_date, method, staff_user_id, notes, next_visit_date, created_at) \
         VALUES ($1,$2,NULL,$3,$4,$5,$6,$7,$8,$9)",
    )
    .bind(id.clone())
    .bind(person_id.to_string())
    .bind(region.to_string())
    .bind(v.visit_date.clone())
    .bind(v.method.to_string())
    .bind(actor.user_id.clone())
    .bind(v.notes.clone())
    .bind(v.next_visit_date.clone())
    .bind(t)
    .execute(&mut **tx)
    .await?;
    if let Some(next) = &v.next_visit_date {
        // A later next-visit date than the one on record wins (rows come in any order).
        sqlx::query(
            "UPDATE person SET next_visit_date = $1, updated_at = $2 WHERE id = $3 AND (next_visit_date IS NULL OR next_visit_date < $1)",
        )
        .bind(next.clone())
        .bind(t)
        .bind(person_id.to_string())
        .execute(&mut **tx)
        .await?;
    }
    if let Some((kind, description, unit)) = &v.need {
        let nid = new_id();
        sqlx::query(
            "INSERT INTO need (id, visit_id, person_id, region_code, kind, description, unit_id, deadline, state, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'open',$9)",
        )
        .bind(nid.clone())
        .bind(id.clone())
        .bind(person_id.to_string())
        .bind(region.to_string())
        .bind(kind.to_string())
        .bind(description.clone())
        .bind(unit.clone())
        .bind(deadline.to_string())
        .bind(t)
        .execute(&mut **tx)
        .await?;
        // Each need is routed work for a unit: audited on its own, as when entered by hand.
        audit::record(
            tx,
            core.crypto.chain(),
            actor,
            Entry::new("need.create", "need", &nid)
                .after(serde_json::json!({"kind": kind, "unit_id": unit, "deadline": deadline})),
        )
        .await?;
    }
    Ok(())
}
