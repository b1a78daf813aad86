//! The business register (创业实体台账): one row per business, found again by USCC (or, for
//! those without one, by name, community and registration date); its owner linked by ID number.

use std::collections::HashMap;

use chuangye_sheets::{Column, RowRef, SheetSpec};

use super::{
    Refusal, Register, Written, code_of, community_lookup, community_of, labels, parse_date_cell,
};
use crate::db::{Tx, new_id, now};
use crate::ledger::model;
use crate::org::{Actor, Permission};
use crate::personal;
use crate::validate::{UsccCheck, parse_uscc};
use crate::{Core, FieldError, Result};

/// The business register's columns.
pub fn business_spec() -> SheetSpec {
    let industries = crate::validate::divisions()
        .iter()
        .map(|d| format!("{} {}", d.code, d.name))
        .collect::<Vec<_>>();
    SheetSpec::new(
        "创业实体台账",
        vec![
            Column::new("name", "名称")
                .required()
                .note("与营业执照一致")
                .width(24.0),
            Column::new("kind", "市场主体类型")
                .required()
                .choices(labels(model::BUSINESS_KIND))
                .width(14.0),
            Column::new("uscc", "统一社会信用代码")
                .note("18 位；私营企业和农民专业合作社必填")
                .width(22.0),
            Column::new("uscc_override_reason", "代码校验说明")
                .note("校验位不符但执照如此时填写原因（需有核验权限）")
                .width(16.0),
            Column::new("industry", "行业")
                .required()
                .choices(industries)
                .note("国民经济行业分类（GB/T 4754）大类，可只填两位代码")
                .width(24.0),
            Column::new("registered_on", "成立日期")
                .required()
                .note("如 2024-03-05")
                .width(12.0),
            Column::new("region_code", "所属社区")
                .required()
                .note("社区（村）名称或 12 位区划代码")
                .width(22.0),
            Column::new("address", "经营地址").width(30.0),
            Column::new("capital", "注册资本（元）")
                .note("可写“3万”")
                .width(14.0),
            Column::new("jobs", "带动就业人数").width(12.0),
            Column::new("owner_id_number", "负责人身份证号码")
                .note("已在创业人员台账中的人员；可空")
                .width(22.0),
        ],
    )
}

pub struct BusinessRow {
    name: String,
    kind: &'static str,
    uscc: Option<String>,
    override_reason: Option<String>,
    industry: String,
    registered_on: String,
    region_code: String,
    address: String,
    capital_fen: i64,
    jobs: i64,
    /// The owner's blind index and masked ID number.
    owner: Option<(String, String)>,
}

impl BusinessRow {
    /// How a business without a USCC is found again.
    fn plain_key(&self) -> String {
        format!("{}|{}|{}", self.name, self.region_code, self.registered_on)
    }
}

pub struct Lookup {
    communities: HashMap<String, String>,
    may_override: bool,
}

/// The business register.
pub struct Businesses;

impl Register for Businesses {
    const NAME: &'static str = "businesses";
    const ENTITY: &'static str = "business";
    type Lookup = Lookup;
    type Row = BusinessRow;

    fn spec() -> SheetSpec {
        business_spec()
    }

    async fn lookup(core: &Core, actor: &Actor) -> Result<Lookup> {
        Ok(Lookup {
            communities: community_lookup(core, actor).await?,
            may_override: actor.can(Permission::LedgerOverride),
        })
    }

    fn check(
        core: &Core,
        l: &Lookup,
        row: &RowRef,
        today: time::Date,
    ) -> std::result::Result<BusinessRow, Vec<FieldError>> {
        let mut errs = super::formula_errors(row);
        let get = |k: &str| row.get(k).unwrap_or("").trim().to_string();
        let name = get("name");
        if name.is_empty() || name.chars().count() > 60 {
            errs.push(FieldError::new("name", "ledger.name_invalid"));
        }
        let kind = code_of(model::BUSINESS_KIND, &get("kind"));
        if kind.is_none() {
            errs.push(FieldError::new("kind", "ledger.code_invalid"));
        }
        let reason = Some(get("uscc_override_reason")).filter(|s| !s.is_empty());
        let uscc = match get("uscc").as_str() {
            "" => {
                if matches!(kind, Some("private" | "coop")) {
                    errs.push(FieldError::new("uscc", "ledger.uscc_required"));
                }
                None
            }
            raw => match parse_uscc(raw) {
                Ok(u) => {
                    if let UsccCheck::Mismatch { expected } = u.check
                        && (reason.is_none() || !l.may_override)
                    {
                        errs.push(
                            FieldError::new("uscc", crate::validate::USCC_CHECK_WARNING_KEY)
                                .arg("expected", expected),
                        );
                    }
                    Some(u.normalized)
                }
                Err(e) => {
                    errs.push(FieldError::new("uscc", e.message_key()));
                    None
                }
            },
        };
        // "52 零售业" from the drop-down, or the code alone ("52", "F52").
        let industry_text = get("industry");
        let industry = industry_text
            .split_whitespace()
            .next()
            .and_then(crate::validate::industry)
            .filter(|i| !i.is_section())
            .map(|i| i.code.clone());
        if industry.is_none() {
            errs.push(FieldError::new("industry", "ledger.industry_invalid"));
        }
        let registered =
            parse_date_cell(&get("registered_on")).filter(|d| *d <= today && d.year() >= 1949);
        if registered.is_none() {
            errs.push(FieldError::new("registered_on", "common.date_invalid"));
        }
        let region_code = community_of(&l.communities, &get("region_code"), &mut errs);
        let address = get("address");
        if address.chars().count() > 120 {
            errs.push(FieldError::new("address", "ledger.address_too_long"));
        }
        let capital = model::parse_yuan_to_fen(&get("capital"));
        if capital.is_none() {
            errs.push(FieldError::new("capital", "ledger.money_invalid"));
        }
        let jobs = match get("jobs").as_str() {
            "" => Some(0),
            j => j.parse().ok().filter(|n: &i64| (0..=1_000_000).contains(n)),
        };
        if jobs.is_none() {
            errs.push(FieldError::new("jobs", "ledger.count_invalid"));
        }
        let owner = match get("owner_id_number").as_str() {
            "" => None,
            raw => match personal::seal_id_number(&core.crypto, "owner_id_number", raw, today) {
                Ok((sealed, _)) => Some((sealed.index, sealed.masked)),
                Err(e) => {
                    errs.push(e);
                    None
                }
            },
        };
        let (Some(kind), Some(industry), Some(registered), Some(region_code), true) =
            (kind, industry, registered, region_code, errs.is_empty())
        else {
            return Err(errs);
        };
        Ok(BusinessRow {
            name,
            kind,
            uscc,
            override_reason: reason,
            industry,
            registered_on: model::fmt_date(registered),
            region_code,
            address,
            capital_fen: capital.unwrap_or(0),
            jobs: jobs.unwrap_or(0),
            owner,
        })
    }

    fn file_key(row: &BusinessRow) -> (&'static str, String) {
        match &row.uscc {
            Some(u) => ("uscc", u.clone()),
            None => ("name", row.plain_key()),
        }
    }

    async fn write(
        _core: &Core,
        tx: &mut Tx,
        actor: &Actor,
        rows: &[(usize, BusinessRow)],
    ) -> Result<Written> {
        let mut out = Written::default();
        let by_uscc = super::existing_by(
            tx,
            "SELECT uscc, region_code FROM business WHERE uscc",
            rows.iter().filter_map(|(_, v)| v.uscc.clone()),
        )
        .await?;
        let plain = super::existing_by(
            tx,
            "SELECT name || '|' || region_code || '|' || registered_on, region_code FROM business WHERE uscc IS NULL AND name",
            rows.iter()
                .filter(|(_, v)| v.uscc.is_none())
                .map(|(_, v)| v.name.clone()),
        )
        .await?;
        let owners = super::existing_by(
            tx,
            "SELECT id_index, id || '|' || region_code FROM person WHERE id_index",
            rows.iter()
                .filter_map(|(_, v)| v.owner.clone().map(|o| o.0)),
        )
        .await?;
        let mut to_insert: Vec<(&BusinessRow, Option<String>)> = Vec::new();
        for (number, v) in rows {
            let found = match &v.uscc {
                Some(u) => by_uscc.get(u),
                None => plain.get(&v.plain_key()),
            };
            if let Some(region) = found {
                if actor.scope.contains(region) {
                    out.unchanged += 1;
                } else {
                    out.refused.push(Refusal {
                        number: *number,
                        values: vec![
                            ("name".into(), v.name.clone()),
                            ("uscc".into(), v.uscc.clone().unwrap_or_default()),
                        ],
                        errors: vec![FieldError::new(
                            if v.uscc.is_some() { "uscc" } else { "name" },
                            "ledger.import.registered_elsewhere",
                        )],
                        elsewhere: true,
                    });
                }
                continue;
            }
            let owner = match &v.owner {
                None => None,
                Some((index, masked)) => {
                    let person = owners.get(index).and_then(|s| s.split_once('|'));
                    match person {
                        Some((id, region)) if actor.scope.contains(region) => Some(id.to_string()),
                        _ => {
                            out.refused.push(Refusal {
                                number: *number,
                                values: vec![
                                    ("name".into(), v.name.clone()),
                                    ("owner_id_number".into(), masked.clone()),
                                ],
                                errors: vec![FieldError::new(
                                    "owner_id_number",
                                    "ledger.import.person_unknown",
                                )],
                                elsewhere: false,
                            });
                            continue;
                        }
                    }
                }
            };
            to_insert.push((v, owner));
        }
        let t = now();
        for chunk in to_insert.chunks(50) {
            insert_chunk(tx, actor, chunk, t).await?;
            out.imported += chunk.len() as u64;
        }
        Ok(out)
    }
}

/// Multi-row inserts of businesses, their first status, their jobs figure and their owner.
async fn insert_chunk(
    tx: &mut Tx,
    actor: &Actor,
    chunk: &[(&BusinessRow, Option<String>)],
    t: i64,
) -> Result<()> {
    let mut b = crate::db::Sql::new(
        "INSERT INTO business (id, name, kind, uscc, uscc_override_reason, industry, registered_on, region_code, address, \
         capital_fen, status, status_since, jobs, created_at, updated_at) VALUES ",
    );
    let mut s = crate::db::Sql::new(
        "INSERT INTO business_status (id, business_id, status, valid_from, note, recorded_at, recorded_by) VALUES ",
    );
    let mut jobs: Vec<(String, i64, String)> = Vec::new();
    let mut links: Vec<(String, String, String)> = Vec::new();
    for (i, (v, owner)) in chunk.iter().enumerate() {
        let id = new_id();
        if i > 0 {
            b.push(", ");
            s.push(", ");
        }
        b.push("(")
            .bind(id.clone())
            .push(",")
            .bind(v.name.clone())
            .push(",")
            .bind(v.kind.to_string())
            .push(",")
            .bind(v.uscc.clone())
            .push(",")
            .bind(v.override_reason.clone())
            .push(",")
            .bind(v.industry.clone())
            .push(",")
            .bind(v.registered_on.clone())
            .push(",")
            .bind(v.region_code.clone())
            .push(",")
            .bind(v.address.clone())
            .push(",")
            .bind(v.capital_fen)
            .push(", 'operating', ")
            .bind(v.registered_on.clone())
            .push(",")
            .bind(v.jobs)
            .push(",")
            .bind(t)
            .push(",")
            .bind(t)
            .push(")");
        s.push("(")
            .bind(new_id())
            .push(",")
            .bind(id.clone())
            .push(", 'operating', ")
            .bind(v.registered_on.clone())
            .push(", '', ")
            .bind(t)
            .push(",")
            .bind(actor.user_id.clone())
            .push(")");
        if v.jobs > 0 {
            jobs.push((id.clone(), v.jobs, v.registered_on.clone()));
        }
        if let Some(p) = owner {
            links.push((p.clone(), id, v.registered_on.clone()));
        }
    }
    b.query().execute(&mut **tx).await?;
    s.query().execute(&mut **tx).await?;
    for (id, n, as_of) in jobs {
        sqlx::query("INSERT INTO business_jobs (id, business_id, jobs, as_of, recorded_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(new_id())
            .bind(id)
            .bind(n)
            .bind(as_of)
            .bind(t)
            .execute(&mut **tx)
            .await?;
    }
    for (person, business, since) in links {
        sqlx::query(
            "INSERT INTO person_business (person_id, business_id, role, since) VALUES ($1,$2,'owner',$3) ON CONFLICT DO NOTHING",
        )
        .bind(person)
        .bind(business)
        .bind(since)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
