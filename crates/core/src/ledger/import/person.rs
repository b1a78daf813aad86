//! The person register (创业人员台账): one row per person, found again by ID number.

use std::collections::HashMap;

use chuangye_sheets::{Column, RowRef, SheetSpec};

use super::{Refusal, Register, Written, code_of, community_lookup, community_of, labels};
use crate::db::{Tx, new_id, now};
use crate::ledger::model;
use crate::org::Actor;
use crate::personal::{self, Sealed};
use crate::{Core, FieldError, Result};

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

pub struct PersonRow {
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

/// The person register.
pub struct Persons;

impl Register for Persons {
    const NAME: &'static str = "persons";
    const ENTITY: &'static str = "person";
    type Lookup = HashMap<String, String>;
    type Row = PersonRow;

    fn spec() -> SheetSpec {
        person_spec()
    }

    async fn lookup(core: &Core, actor: &Actor) -> Result<Self::Lookup> {
        community_lookup(core, actor).await
    }

    fn check(
        core: &Core,
        communities: &Self::Lookup,
        row: &RowRef,
        today: time::Date,
    ) -> std::result::Result<PersonRow, Vec<FieldError>> {
        let mut errs = super::formula_errors(row);
        let get = |k: &str| row.get(k).unwrap_or("").trim().to_string();
        let name = get("name");
        if name.is_empty() || name.chars().count() > 30 {
            errs.push(FieldError::new("name", "ledger.name_invalid"));
        }
        let id = personal::seal_id_number(&core.crypto, "id_number", &get("id_number"), today)
            .map_err(|e| errs.push(e))
            .ok();
        let phone = match get("phone").as_str() {
            "" => None,
            p => personal::seal_phone(&core.crypto, "phone", p)
                .map_err(|e| errs.push(e))
                .ok(),
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
                    FieldError::new("categories", "ledger.import.category_unknown")
                        .arg("value", part),
                ),
            }
        }
        let region_code = community_of(communities, &get("region_code"), &mut errs);
        let address = get("address");
        if address.chars().count() > 120 {
            errs.push(FieldError::new("address", "ledger.address_too_long"));
        }
        let (Some((id, idn)), Some(education), Some(household), Some(region_code), true) =
            (id, education, household, region_code, errs.is_empty())
        else {
            return Err(errs);
        };
        Ok(PersonRow {
            name,
            id,
            birth: model::fmt_date(idn.birth_date),
            sex: match idn.sex {
                crate::validate::Sex::Male => "male",
                crate::validate::Sex::Female => "female",
            },
            phone,
            education,
            household,
            categories,
            region_code,
            address,
        })
    }

    fn file_key(row: &PersonRow) -> (&'static str, String) {
        ("id_number", row.id.index.clone())
    }

    async fn write(
        _core: &Core,
        tx: &mut Tx,
        actor: &Actor,
        rows: &[(usize, PersonRow)],
    ) -> Result<Written> {
        let mut out = Written::default();
        // The same ID number in scope is unchanged; elsewhere, refused naming no one.
        let existing = super::existing_by(
            tx,
            "SELECT id_index, region_code FROM person WHERE id_index",
            rows.iter().map(|(_, v)| v.id.index.clone()),
        )
        .await?;
        let mut to_insert: Vec<&PersonRow> = Vec::new();
        for (number, v) in rows {
            match existing.get(&v.id.index) {
                Some(region) if actor.scope.contains(region) => out.unchanged += 1,
                Some(_) => out.refused.push(Refusal {
                    number: *number,
                    values: vec![
                        ("name".into(), v.name.clone()),
                        ("id_number".into(), v.id.masked.clone()),
                    ],
                    errors: vec![FieldError::new(
                        "id_number",
                        "ledger.import.registered_elsewhere",
                    )],
                    elsewhere: true,
                }),
                None => to_insert.push(v),
            }
        }
        let t = now();
        for chunk in to_insert.chunks(50) {
            insert_chunk(tx, chunk, t).await?;
            out.imported += chunk.len() as u64;
        }
        Ok(out)
    }
}

async fn insert_chunk(tx: &mut Tx, chunk: &[&PersonRow], t: i64) -> Result<()> {
    let mut sql = crate::db::Sql::new(
        "INSERT INTO person (id, name, id_cipher, id_index, id_masked, birth_date, sex, phone_cipher, phone_index, phone_masked, \
         education, household, party_member, region_code, address, created_at, updated_at) VALUES ",
    );
    let mut cats: Vec<(String, &'static str, &'static str)> = Vec::new();
    for (i, v) in chunk.iter().enumerate() {
        let id = new_id();
        for c in &v.categories {
            cats.push((id.clone(), c, v.education));
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
    sql.query().execute(&mut **tx).await?;
    for cchunk in cats.chunks(200) {
        let mut sql = crate::db::Sql::new(
            "INSERT INTO person_category (person_id, category, education) VALUES ",
        );
        for (i, (pid, c, e)) in cchunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(pid.clone())
                .push(",")
                .bind(c.to_string())
                .push(",")
                .bind(e.to_string())
                .push(")");
        }
        sql.query().execute(&mut **tx).await?;
    }
    Ok(())
}
