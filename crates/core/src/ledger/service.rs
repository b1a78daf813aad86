//! Use cases of the ledger: registering persons and businesses (one record per real thing),
//! status history, links, follow-up visits and the needs they route to member units.

use serde::{Deserialize, Serialize};

use super::model::{self, BusinessInput, PersonInput};
use super::repo;
use crate::audit::{self, Entry};
use crate::db::{new_id, now};
use crate::error::Checks;
use crate::org::{Actor, Permission};
use crate::personal::{self, Kind};
use crate::validate::{UsccCheck, industry, parse_uscc};
use crate::{Core, Error, FieldError, Result};

/// What registering a record led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Registered {
    /// A new record.
    New(String),
    /// The same person or business is already registered within the actor's scope.
    Existing(String),
    /// Registered in another region: only that region's name is told; a transfer may be asked.
    Elsewhere {
        id: String,
        region_code: String,
        region_name: String,
    },
}

fn check_region(c: &mut Checks, actor: &Actor, code: &str) {
    if crate::validate::normalize_region_code(code).is_err()
        || crate::org::level_of(code) != Some(5)
    {
        c.push(FieldError::new(
            "region_code",
            "ledger.region_must_be_community",
        ));
    } else if !actor.scope.contains(code) {
        c.add("region_code", "org.region.unknown");
    }
}

/// Registers a person, or finds the one already registered with this ID number.
pub async fn register_person(
    core: &Core,
    actor: &Actor,
    input: &PersonInput,
) -> Result<Registered> {
    actor.require(Permission::LedgerEdit)?;
    let mut checks = Checks::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 30 {
        checks.add("name", "ledger.name_invalid");
    }
    let sealed_id =
        match personal::seal_id_number(&core.crypto, "id_number", &input.id_number, model::today())
        {
            Ok(s) => Some(s),
            Err(e) => {
                checks.push(e);
                None
            }
        };
    let phone = match input.phone.trim() {
        "" => None,
        p => match personal::seal_phone(&core.crypto, "phone", p) {
            Ok(s) => Some(s),
            Err(e) => {
                checks.push(e);
                None
            }
        },
    };
    if !model::is_code(model::EDUCATION, &input.education) {
        checks.add("education", "ledger.code_invalid");
    }
    if !model::is_code(model::HOUSEHOLD, &input.household) {
        checks.add("household", "ledger.code_invalid");
    }
    for c in &input.categories {
        if !model::is_code(model::CATEGORY, c) {
            checks.push(FieldError::new("categories", "ledger.code_invalid"));
        }
    }
    check_region(&mut checks, actor, &input.region_code);
    if input.address.trim().chars().count() > 120 {
        checks.add("address", "ledger.address_too_long");
    }
    checks.finish()?;
    let (sealed, id_number) = sealed_id.expect("checked above");
    let mut tx = core.db.begin().await?;
    if let Some((id, region_code, region_name)) =
        repo::person_by_index(&mut tx, &sealed.index).await?
    {
        return Ok(if actor.scope.contains(&region_code) {
            Registered::Existing(id)
        } else {
            Registered::Elsewhere {
                id,
                region_code,
                region_name,
            }
        });
    }
    let id = new_id();
    let t = now();
    let party = input.party_member && actor.can(Permission::PartyView);
    sqlx::query(
        "INSERT INTO person (id, name, id_cipher, id_index, id_masked, birth_date, sex, phone_cipher, phone_index, \
         phone_masked, education, household, party_member, region_code, address, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16)",
    )
    .bind(id.clone())
    .bind(name.to_string())
    .bind(sealed.cipher.clone())
    .bind(sealed.index.clone())
    .bind(sealed.masked.clone())
    .bind(model::fmt_date(id_number.birth_date))
    .bind(match id_number.sex {
        crate::validate::Sex::Male => "male",
        crate::validate::Sex::Female => "female",
    })
    .bind(phone.as_ref().map(|p| p.cipher.clone()))
    .bind(phone.as_ref().map(|p| p.index.clone()))
    .bind(phone.as_ref().map(|p| p.masked.clone()))
    .bind(input.education.clone())
    .bind(input.household.clone())
    .bind(i64::from(party))
    .bind(input.region_code.clone())
    .bind(input.address.trim().to_string())
    .bind(t)
    .execute(&mut *tx)
    .await?;
    for c in dedup(&input.categories) {
        sqlx::query(
            "INSERT INTO person_category (person_id, category, education) VALUES ($1,$2,$3)",
        )
        .bind(id.clone())
        .bind(c)
        .bind(input.education.clone())
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("person.create", "person", &id).after(serde_json::json!({
            "name": name, "id_number": sealed.masked, "phone": phone.as_ref().map(|p| p.masked.clone()),
            "region_code": input.region_code, "categories": input.categories, "party_member": party,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Registered::New(id))
}

fn dedup(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = v
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A person's record page: the person, categories, links, visits, needs.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRecord {
    pub person: repo::Person,
    pub categories: Vec<String>,
    /// Only for actors with `party.view`.
    pub party_member: Option<bool>,
    pub links: Vec<repo::Link>,
    pub visits: Vec<repo::Visit>,
    pub needs: Vec<repo::Need>,
}

pub async fn person_record(core: &Core, actor: &Actor, id: &str) -> Result<PersonRecord> {
    actor.require(Permission::LedgerView)?;
    let mut c = core.db.pool().acquire().await?;
    let person = repo::person_get(&mut c, &actor.scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(PersonRecord {
        party_member: actor
            .can(Permission::PartyView)
            .then_some(person.party_member != 0),
        categories: repo::person_categories(&mut c, id).await?,
        links: repo::links_of_person(&mut c, id).await?,
        visits: repo::visits_of_person(&mut c, id).await?,
        needs: repo::needs_of_person(&mut c, id).await?,
        person,
    })
}

/// The person's full ID number or phone, for an actor holding `personal.unmask` (audited).
pub async fn reveal_person_field(
    core: &Core,
    actor: &Actor,
    id: &str,
    kind: Kind,
) -> Result<Option<String>> {
    actor.require(Permission::LedgerView)?;
    let mut tx = core.db.begin().await?;
    let p = repo::person_get(&mut tx, &actor.scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    let cipher = match kind {
        Kind::IdNumber => Some(p.id_cipher),
        Kind::Phone => p.phone_cipher,
    };
    let Some(cipher) = cipher else {
        return Ok(None);
    };
    let plain = personal::reveal(core, &mut tx, actor, kind, "person", id, &cipher).await?;
    tx.commit().await?;
    Ok(Some(plain))
}

/// Registers a business, or finds the one already registered with this USCC. A USCC whose
/// check character fails is accepted only with a reason from an actor holding `ledger.override`.
pub async fn register_business(
    core: &Core,
    actor: &Actor,
    input: &BusinessInput,
) -> Result<Registered> {
    actor.require(Permission::LedgerEdit)?;
    let mut checks = Checks::default();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        checks.add("name", "ledger.name_invalid");
    }
    if !model::is_code(model::BUSINESS_KIND, &input.kind) {
        checks.add("kind", "ledger.code_invalid");
    }
    let uscc = match input.uscc.trim() {
        "" => {
            if input.kind != "individual" && input.kind != "other" {
                checks.add("uscc", "ledger.uscc_required");
            }
            None
        }
        raw => match parse_uscc(raw) {
            Ok(u) => {
                if let UsccCheck::Mismatch { expected } = u.check {
                    let reason = input.uscc_override_reason.trim();
                    if reason.is_empty() || !actor.can(Permission::LedgerOverride) {
                        checks.push(
                            FieldError::new("uscc", crate::validate::USCC_CHECK_WARNING_KEY)
                                .arg("expected", expected),
                        );
                    }
                }
                Some(u.normalized)
            }
            Err(e) => {
                checks.add("uscc", e.message_key());
                None
            }
        },
    };
    let industry_code = input.industry.trim().to_uppercase();
    match industry(&industry_code) {
        Some(i) if !i.is_section() => {}
        _ => checks.add("industry", "ledger.industry_invalid"),
    }
    let registered = model::parse_date(&input.registered_on);
    match registered {
        Some(d) if d <= model::today() && d.year() >= 1949 => {}
        _ => checks.add("registered_on", "common.date_invalid"),
    }
    check_region(&mut checks, actor, &input.region_code);
    let capital = model::parse_yuan_to_fen(&input.capital);
    if capital.is_none() {
        checks.add("capital", "ledger.money_invalid");
    }
    let jobs: Option<i64> = match input.jobs.trim() {
        "" => Some(0),
        j => j.parse().ok().filter(|n: &i64| (0..=1_000_000).contains(n)),
    };
    if jobs.is_none() {
        checks.add("jobs", "ledger.count_invalid");
    }
    checks.finish()?;
    let mut tx = core.db.begin().await?;
    if let Some(u) = &uscc
        && let Some((id, region_code, region_name)) = repo::business_by_uscc(&mut tx, u).await?
    {
        return Ok(if actor.scope.contains(&region_code) {
            Registered::Existing(id)
        } else {
            Registered::Elsewhere {
                id,
                region_code,
                region_name,
            }
        });
    }
    let id = new_id();
    let t = now();
    let since = model::fmt_date(registered.expect("checked"));
    let jobs = jobs.unwrap_or(0);
    sqlx::query(
        "INSERT INTO business (id, name, kind, uscc, uscc_override_reason, industry, registered_on, region_code, address, \
         capital_fen, status, status_since, jobs, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'operating',$7,$11,$12,$12)",
    )
    .bind(id.clone())
    .bind(name.to_string())
    .bind(input.kind.clone())
    .bind(uscc.clone())
    .bind(Some(input.uscc_override_reason.trim().to_string()).filter(|s| !s.is_empty()))
    .bind(industry_code.clone())
    .bind(since.clone())
    .bind(input.region_code.clone())
    .bind(input.address.trim().to_string())
    .bind(capital.unwrap_or(0))
    .bind(jobs)
    .bind(t)
    .execute(&mut *tx)
    .await?;
    repo::status_insert(&mut tx, &id, "operating", &since, "", actor.user_id.clone()).await?;
    if jobs > 0 {
        sqlx::query("INSERT INTO business_jobs (id, business_id, jobs, as_of, recorded_at) VALUES ($1,$2,$3,$4,$5)")
            .bind(new_id())
            .bind(id.clone())
            .bind(jobs)
            .bind(since.clone())
            .bind(t)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("business.create", "business", &id).after(input),
    )
    .await?;
    tx.commit().await?;
    Ok(Registered::New(id))
}

#[derive(Debug, Clone, Serialize)]
pub struct BusinessRecord {
    pub business: repo::Business,
    pub history: Vec<repo::StatusEntry>,
    pub links: Vec<repo::Link>,
}

pub async fn business_record(core: &Core, actor: &Actor, id: &str) -> Result<BusinessRecord> {
    actor.require(Permission::LedgerView)?;
    let mut c = core.db.pool().acquire().await?;
    let business = repo::business_get(&mut c, &actor.scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(BusinessRecord {
        history: repo::status_history(&mut c, id).await?,
        links: repo::links_of_business(&mut c, id).await?,
        business,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusChange {
    pub status: String,
    pub valid_from: String,
    pub note: String,
}

/// Records a status from a date. History is never overwritten; the current status shown in
/// lists is the one in force today.
pub async fn change_status(
    core: &Core,
    actor: &Actor,
    id: &str,
    input: &StatusChange,
) -> Result<()> {
    actor.require(Permission::LedgerEdit)?;
    let mut checks = Checks::default();
    if !model::is_code(model::STATUS, &input.status) {
        checks.add("status", "ledger.code_invalid");
    }
    let date = model::parse_date(&input.valid_from);
    if date.is_none() {
        checks.add("valid_from", "common.date_invalid");
    }
    let mut tx = core.db.begin().await?;
    let b = repo::business_get(&mut tx, &actor.scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Some(d) = date
        && model::fmt_date(d) < b.registered_on
    {
        checks.push(
            FieldError::new("valid_from", "ledger.status_before_registration")
                .arg("date", &b.registered_on),
        );
    }
    checks.finish()?;
    let from = model::fmt_date(date.expect("checked"));
    repo::status_insert(
        &mut tx,
        id,
        &input.status,
        &from,
        input.note.trim(),
        actor.user_id.clone(),
    )
    .await?;
    let today = model::fmt_date(model::today());
    let current = repo::status_on(&mut tx, id, &today)
        .await?
        .unwrap_or_else(|| "operating".into());
    let since: String = sqlx::query_scalar(
        "SELECT MAX(valid_from) FROM business_status WHERE business_id = $1 AND valid_from <= $2 AND status = $3",
    )
    .bind(id.to_string())
    .bind(today)
    .bind(current.clone())
    .fetch_one(&mut *tx)
    .await
    .unwrap_or(from.clone());
    sqlx::query(
        "UPDATE business SET status = $1, status_since = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(current)
    .bind(since)
    .bind(now())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("business.status", "business", id).before(serde_json::json!({"status": b.status})).after(serde_json::json!({"status": input.status, "valid_from": from, "note": input.note.trim()})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LinkInput {
    pub business_id: String,
    pub role: String,
    pub since: String,
}

/// Links a person to a business with a role from a date (both must be in scope).
pub async fn link(core: &Core, actor: &Actor, person_id: &str, input: &LinkInput) -> Result<()> {
    actor.require(Permission::LedgerEdit)?;
    let mut checks = Checks::default();
    if !model::is_code(model::LINK_ROLE, &input.role) {
        checks.add("role", "ledger.code_invalid");
    }
    if model::parse_date(&input.since).is_none() {
        checks.add("since", "common.date_invalid");
    }
    let mut tx = core.db.begin().await?;
    repo::person_get(&mut tx, &actor.scope, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    if repo::business_get(&mut tx, &actor.scope, input.business_id.trim())
        .await?
        .is_none()
    {
        checks.add("business_id", "ledger.business_unknown");
    }
    checks.finish()?;
    sqlx::query(
        "INSERT INTO person_business (person_id, business_id, role, since) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
    )
    .bind(person_id.to_string())
    .bind(input.business_id.trim().to_string())
    .bind(input.role.clone())
    .bind(input.since.trim().to_string())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("person.link", "person", person_id).after(serde_json::json!({"business_id": input.business_id, "role": input.role, "since": input.since})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NeedInput {
    pub kind: String,
    pub description: String,
    pub unit_id: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct VisitInput {
    pub visit_date: String,
    pub method: String,
    pub notes: String,
    pub next_visit_date: String,
    pub business_id: String,
    pub needs: Vec<NeedInput>,
}

/// Records a follow-up visit and routes each need found to its member unit, with a deadline
/// in working days (official holidays and make-up working days counted).
pub async fn record_visit(
    core: &Core,
    actor: &Actor,
    person_id: &str,
    input: &VisitInput,
) -> Result<String> {
    actor.require(Permission::LedgerEdit)?;
    let mut checks = Checks::default();
    let date = model::parse_date(&input.visit_date);
    match date {
        Some(d) if d <= model::today() => {}
        _ => checks.add("visit_date", "ledger.visit_date_invalid"),
    }
    if !model::is_code(model::VISIT_METHOD, &input.method) {
        checks.add("method", "ledger.code_invalid");
    }
    if input.notes.trim().is_empty() || input.notes.chars().count() > 2000 {
        checks.add("notes", "ledger.notes_invalid");
    }
    let next = match input.next_visit_date.trim() {
        "" => None,
        s => match model::parse_date(s) {
            Some(n) if date.is_none_or(|d| n > d) => Some(model::fmt_date(n)),
            _ => {
                checks.add("next_visit_date", "ledger.next_visit_invalid");
                None
            }
        },
    };
    let mut tx = core.db.begin().await?;
    let person = repo::person_get(&mut tx, &actor.scope, person_id)
        .await?
        .ok_or(Error::NotFound)?;
    let business = Some(input.business_id.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(b) = &business
        && repo::business_get(&mut tx, &actor.scope, b)
            .await?
            .is_none()
    {
        checks.add("business_id", "ledger.business_unknown");
    }
    for (i, n) in input.needs.iter().enumerate() {
        if !model::is_code(model::NEED_KIND, &n.kind) {
            checks.add(&format!("needs[{i}].kind"), "ledger.code_invalid");
        }
        if n.description.trim().is_empty() {
            checks.add(
                &format!("needs[{i}].description"),
                "ledger.need_description_missing",
            );
        }
        let unit_ok: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM unit WHERE id = $1")
            .bind(n.unit_id.clone())
            .fetch_one(&mut *tx)
            .await?;
        if unit_ok == 0 {
            checks.add(&format!("needs[{i}].unit_id"), "org.unit.unknown");
        }
    }
    checks.finish()?;
    let visit_date = date.expect("checked");
    let id = new_id();
    let t = now();
    sqlx::query(
        "INSERT INTO visit (id, person_id, business_id, region_code, visit_date, method, staff_user_id, notes, next_visit_date, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
    )
    .bind(id.clone())
    .bind(person_id.to_string())
    .bind(business.clone())
    .bind(person.region_code.clone())
    .bind(model::fmt_date(visit_date))
    .bind(input.method.clone())
    .bind(actor.user_id.clone())
    .bind(input.notes.trim().to_string())
    .bind(next.clone())
    .bind(t)
    .execute(&mut *tx)
    .await?;
    if next.is_some() {
        sqlx::query("UPDATE person SET next_visit_date = $1, updated_at = $2 WHERE id = $3")
            .bind(next.clone())
            .bind(t)
            .bind(person_id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    let deadline = model::fmt_date(crate::workdays::add_working_days(
        model::today(),
        model::NEED_DEFAULT_DAYS,
    ));
    for n in &input.needs {
        let nid = new_id();
        sqlx::query(
            "INSERT INTO need (id, visit_id, person_id, region_code, kind, description, unit_id, deadline, state, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'open',$9)",
        )
        .bind(nid.clone())
        .bind(id.clone())
        .bind(person_id.to_string())
        .bind(person.region_code.clone())
        .bind(n.kind.clone())
        .bind(n.description.trim().to_string())
        .bind(n.unit_id.clone())
        .bind(deadline.clone())
        .bind(t)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            core.crypto.chain(),
            actor,
            Entry::new("need.create", "need", &nid).after(
                serde_json::json!({"kind": n.kind, "unit_id": n.unit_id, "deadline": deadline}),
            ),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("visit.create", "visit", &id).after(serde_json::json!({
            "person_id": person_id, "visit_date": input.visit_date, "method": input.method, "needs": input.needs.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NeedUpdate {
    pub state: String,
    pub reason: String,
}

/// A member unit moves one of its needs on: accepted, resolved, or cannot be resolved (with a reason).
pub async fn update_need(core: &Core, actor: &Actor, id: &str, input: &NeedUpdate) -> Result<()> {
    actor.require(Permission::NeedHandle)?;
    let mut tx = core.db.begin().await?;
    let n = repo::need_get(&mut tx, &actor.scope, id)
        .await?
        .ok_or(Error::NotFound)?;
    if actor.unit_id.as_deref() != Some(n.unit_id.as_str()) {
        return Err(Error::NotFound);
    }
    let mut checks = Checks::default();
    if !model::need_transition_ok(&n.state, &input.state) {
        checks.add("state", "ledger.need_transition_invalid");
    }
    if input.state == "unresolvable" && input.reason.trim().is_empty() {
        checks.add("reason", "ledger.need_reason_missing");
    }
    checks.finish()?;
    let closed = matches!(input.state.as_str(), "resolved" | "unresolvable").then(now);
    sqlx::query("UPDATE need SET state = $1, reason = $2, closed_at = $3 WHERE id = $4")
        .bind(input.state.clone())
        .bind(Some(input.reason.trim().to_string()).filter(|s| !s.is_empty()))
        .bind(closed)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        actor,
        Entry::new("need.update", "need", id)
            .before(serde_json::json!({"state": n.state}))
            .after(serde_json::json!({"state": input.state, "reason": input.reason.trim()})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The needs routed to the actor's unit.
pub async fn my_queue(core: &Core, actor: &Actor, include_closed: bool) -> Result<Vec<repo::Need>> {
    actor.require(Permission::NeedHandle)?;
    let unit = actor.unit_id.clone().ok_or(Error::Forbidden)?;
    let mut c = core.db.pool().acquire().await?;
    repo::unit_queue(&mut c, &actor.scope, &unit, include_closed).await
}
