//! The access matrix: every route of the router's own table × anonymous and every demo role ×
//! a target inside and outside the actor's scope. A route without an expectation here fails.

use std::collections::BTreeMap;

use chuangye_core::db::Tx;
use chuangye_core::files::{self, FileRules, Upload};
use chuangye_core::jobs::{self, JobSpec};
use chuangye_core::org::Actor;
use chuangye_core::org::service::{self, UnitInput};
use chuangye_web::routes::{Access, table};
use reqwest::StatusCode;

use crate::support::{Browser, TestApp, extract_csrf};

/// How a route's path parameter is filled, and whether the target is scoped.
#[derive(Clone, Copy, Debug)]
enum Target {
    None,
    Static,
    Lang,
    Region,
    Unit,
    User,
    Membership,
    Role,
    Job,
    File,
    Person,
    Business,
    Need,
    Transfer,
    Survival,
    Entry,
    /// A catalogue code: deployment-wide, not scoped.
    Indicator,
    /// A portal item of the actor's own region.
    Content,
    /// A job posting of the actor's own region (`{kind}/{id}` filled as `job/<id>`).
    Board,
    /// A citizen's question asked of the actor's region.
    Consultation,
}

#[derive(Clone, Copy, Debug)]
enum Body {
    Empty,
    Membership,
    Multipart,
}

/// The expectation for every route: its target kind and request body.
fn expectations() -> BTreeMap<&'static str, (Target, Body)> {
    use Body::{Empty, Multipart};
    use Target::*;
    BTreeMap::from([
        ("GET /", (None, Empty)),
        ("GET /healthz", (None, Empty)),
        ("GET /metrics", (None, Empty)),
        ("GET /static/{file}", (Static, Empty)),
        ("GET /lang/{code}", (Lang, Empty)),
        ("GET /login", (None, Empty)),
        ("POST /login", (None, Empty)),
        ("POST /logout", (None, Empty)),
        ("GET /account/password", (None, Empty)),
        ("POST /account/password", (None, Empty)),
        ("POST /account/membership", (None, Body::Membership)),
        ("GET /admin", (None, Empty)),
        ("GET /admin/regions", (None, Empty)),
        ("GET /admin/regions/{code}", (Region, Empty)),
        ("POST /admin/regions/{code}/rename", (Region, Empty)),
        ("POST /admin/regions/{code}/children", (Region, Empty)),
        ("POST /admin/regions/{code}/merge", (Region, Empty)),
        ("POST /admin/regions/{code}/hotline", (Region, Empty)),
        ("GET /admin/units", (None, Empty)),
        ("POST /admin/units", (None, Empty)),
        ("GET /admin/units/{id}", (Unit, Empty)),
        ("POST /admin/units/{id}", (Unit, Empty)),
        ("POST /admin/units/{id}/files", (Unit, Multipart)),
        ("GET /admin/users", (None, Empty)),
        ("POST /admin/users", (None, Empty)),
        ("GET /admin/users/{id}", (User, Empty)),
        ("POST /admin/users/{id}/memberships", (User, Empty)),
        ("POST /admin/users/{id}/password", (User, Empty)),
        ("POST /admin/users/{id}/unlock", (User, Empty)),
        ("POST /admin/users/{id}/phone", (User, Empty)),
        (
            "POST /admin/memberships/{id}/roles",
            (Target::Membership, Empty),
        ),
        ("GET /admin/roles", (None, Empty)),
        ("POST /admin/roles", (None, Empty)),
        ("GET /admin/roles/{id}", (Role, Empty)),
        ("POST /admin/roles/{id}", (Role, Empty)),
        ("GET /admin/security", (None, Empty)),
        ("POST /admin/security/policy", (None, Empty)),
        ("GET /admin/audit", (None, Empty)),
        ("GET /admin/audit/export", (None, Empty)),
        ("POST /admin/audit/verify", (None, Empty)),
        ("GET /admin/jobs/{id}", (Job, Empty)),
        ("GET /files/{id}", (File, Empty)),
        ("GET /dashboard", (None, Empty)),
        ("GET /dashboard/export.xlsx", (None, Empty)),
        ("GET /api/v1/indicators", (None, Empty)),
        ("GET /api/v1/indicators/values", (None, Empty)),
        ("GET /indicators/entry", (None, Empty)),
        ("POST /indicators/entry", (None, Empty)),
        ("GET /indicators/approvals", (None, Empty)),
        ("GET /indicators/targets", (None, Empty)),
        ("POST /indicators/targets", (None, Empty)),
        ("POST /indicators/entries/{id}/approve", (Entry, Empty)),
        ("POST /indicators/entries/{id}/return", (Entry, Empty)),
        ("POST /indicators/entries/{id}/reopen", (Entry, Empty)),
        ("POST /indicators/entries/{id}/files", (Entry, Multipart)),
        ("GET /reports", (None, Empty)),
        ("GET /indicators/catalogue", (None, Empty)),
        ("POST /indicators/catalogue", (None, Empty)),
        ("POST /indicators/catalogue/{code}", (Indicator, Empty)),
        (
            "POST /indicators/catalogue/{code}/retire",
            (Indicator, Empty),
        ),
        ("GET /indicators/entries", (None, Empty)),
        ("GET /ledger/visits", (None, Empty)),
        ("GET /ledger/needs/closed", (None, Empty)),
        ("POST /reports/summary", (None, Empty)),
        ("POST /reports/evidence", (None, Empty)),
        ("GET /reports/template", (None, Empty)),
        ("POST /reports/template", (None, Empty)),
        ("GET /ledger/persons", (None, Empty)),
        ("GET /ledger/persons/new", (None, Empty)),
        ("GET /ledger/persons/template.xlsx", (None, Empty)),
        ("GET /ledger/persons/export.xlsx", (None, Empty)),
        ("GET /ledger/persons/import", (None, Empty)),
        ("POST /ledger/persons/import", (None, Multipart)),
        ("POST /ledger/persons", (None, Empty)),
        ("GET /ledger/persons/{id}", (Person, Empty)),
        ("POST /ledger/persons/{id}/reveal", (Person, Empty)),
        ("POST /ledger/persons/{id}/visits", (Person, Empty)),
        ("POST /ledger/persons/{id}/links", (Person, Empty)),
        ("GET /ledger/businesses", (None, Empty)),
        ("GET /ledger/businesses/template.xlsx", (None, Empty)),
        ("GET /ledger/businesses/export.xlsx", (None, Empty)),
        ("GET /ledger/businesses/import", (None, Empty)),
        ("POST /ledger/businesses/import", (None, Multipart)),
        ("GET /ledger/visits/template.xlsx", (None, Empty)),
        ("GET /ledger/visits/import", (None, Empty)),
        ("POST /ledger/visits/import", (None, Multipart)),
        ("GET /ledger/businesses/new", (None, Empty)),
        ("POST /ledger/businesses", (None, Empty)),
        ("GET /ledger/businesses/{id}", (Business, Empty)),
        ("POST /ledger/businesses/{id}/status", (Business, Empty)),
        ("GET /ledger/needs", (None, Empty)),
        ("POST /ledger/needs/{id}", (Need, Empty)),
        ("GET /ledger/party", (None, Empty)),
        ("GET /ledger/transfers", (None, Empty)),
        ("POST /ledger/transfers", (None, Empty)),
        ("POST /ledger/transfers/{id}", (Transfer, Empty)),
        ("GET /ledger/survival", (None, Empty)),
        ("POST /ledger/survival/{id}", (Survival, Empty)),
        ("GET /ledger/overdue", (None, Empty)),
        ("POST /ledger/persons/{id}/responsible", (Person, Empty)),
        ("GET /api/v1/openapi.json", (None, Empty)),
        ("GET /api/v1/me", (None, Empty)),
        ("GET /api/v1/regions", (None, Empty)),
        ("GET /api/v1/regions/{code}", (Region, Empty)),
        ("GET /api/v1/units", (None, Empty)),
        ("GET /api/v1/persons", (None, Empty)),
        ("GET /api/v1/persons/{id}", (Person, Empty)),
        ("GET /api/v1/businesses", (None, Empty)),
        ("GET /api/v1/businesses/{id}", (Business, Empty)),
        ("GET /api/v1/jobs/{id}", (Job, Empty)),
        ("GET /portal", (None, Empty)),
        ("GET /api/v1/portal/items", (None, Empty)),
        ("GET /api/v1/portal/items/{id}", (None, Empty)),
        ("GET /api/v1/portal/search", (None, Empty)),
        ("GET /portal/search", (None, Empty)),
        ("GET /portal/prefs", (None, Empty)),
        ("GET /portal/feed/{kind}", (None, Empty)),
        ("GET /sitemap.xml", (None, Empty)),
        ("GET /portal/region/{code}", (None, Empty)),
        ("GET /portal/{kind}", (None, Empty)),
        ("GET /portal/{kind}/{id}", (None, Empty)),
        ("GET /content", (None, Empty)),
        ("POST /content", (None, Empty)),
        ("GET /content/new", (None, Empty)),
        ("GET /content/review", (None, Empty)),
        ("GET /content/{id}", (Content, Empty)),
        ("POST /content/{id}", (Content, Empty)),
        ("POST /content/{id}/submit", (Content, Empty)),
        ("POST /content/{id}/files", (Content, Multipart)),
        ("GET /portal/files/{id}", (None, Empty)),
        ("POST /content/{id}/approve", (Content, Empty)),
        ("POST /content/{id}/return", (Content, Empty)),
        ("POST /content/{id}/withdraw", (Content, Empty)),
        ("GET /portal/jobs", (None, Empty)),
        ("GET /portal/jobs/new", (None, Empty)),
        ("POST /portal/jobs/new", (None, Empty)),
        ("GET /portal/labour/new", (None, Empty)),
        ("POST /portal/labour/new", (None, Empty)),
        ("GET /portal/ideas/new", (None, Empty)),
        ("POST /portal/ideas/new", (None, Empty)),
        ("GET /portal/submissions/lookup", (None, Empty)),
        ("POST /portal/submissions/lookup", (None, Empty)),
        ("GET /portal/jobs/{id}", (None, Empty)),
        ("GET /portal/labour", (None, Empty)),
        ("GET /portal/labour/{id}", (None, Empty)),
        ("GET /portal/ideas", (None, Empty)),
        ("GET /portal/ideas/{id}", (None, Empty)),
        ("GET /api/v1/portal/jobs", (None, Empty)),
        ("GET /api/v1/portal/jobs/{id}", (None, Empty)),
        ("GET /api/v1/portal/labour", (None, Empty)),
        ("GET /api/v1/portal/labour/{id}", (None, Empty)),
        ("GET /api/v1/portal/ideas", (None, Empty)),
        ("GET /api/v1/portal/ideas/{id}", (None, Empty)),
        ("GET /board", (None, Empty)),
        ("POST /board", (None, Empty)),
        ("GET /board/new", (None, Empty)),
        ("GET /board/review", (None, Empty)),
        ("GET /board/{kind}/{id}", (Board, Empty)),
        ("POST /board/{kind}/{id}", (Board, Empty)),
        ("POST /board/{kind}/{id}/approve", (Board, Empty)),
        ("POST /board/{kind}/{id}/return", (Board, Empty)),
        ("POST /board/{kind}/{id}/withdraw", (Board, Empty)),
        ("POST /board/{kind}/{id}/contact", (Board, Empty)),
        ("GET /portal/ask", (None, Empty)),
        ("GET /api/v1/portal/qa", (None, Empty)),
        ("GET /api/v1/portal/qa/stats", (None, Empty)),
        ("GET /api/v1/portal/qa/{id}", (None, Empty)),
        ("POST /portal/ask", (None, Empty)),
        ("GET /portal/ask/lookup", (None, Empty)),
        ("POST /portal/ask/lookup", (None, Empty)),
        ("GET /portal/qa", (None, Empty)),
        ("GET /portal/qa/stats", (None, Empty)),
        ("GET /portal/qa/{id}", (None, Empty)),
        ("GET /consultations", (None, Empty)),
        ("POST /consultations/settings", (None, Empty)),
        ("GET /consultations/{id}", (Consultation, Empty)),
        ("POST /consultations/{id}/answer", (Consultation, Empty)),
        ("POST /consultations/{id}/dismiss", (Consultation, Empty)),
        ("POST /consultations/{id}/publish", (Consultation, Empty)),
        ("POST /consultations/{id}/contact", (Consultation, Empty)),
    ])
}

/// Per actor: ids inside and outside its scope.
struct Targets {
    region: (String, String),
    unit: (String, String),
    user: (String, String),
    membership: (String, String),
    job: (String, String),
    file: (String, String),
    person: (String, String),
    business: (String, String),
    need: (String, String),
    transfer: (String, String),
    survival: (String, String),
    entry: (String, String),
    content: (String, String),
    board: (String, String),
    consultation: (String, String),
}

const MISSING: &str = "01900000-0000-7000-8000-000000000000";
const OTHER_COMMUNITY: &str = "411002002001";
const OWN_COMMUNITY: &str = "411002001001";

async fn setup_targets(app: &TestApp, username: &str, region: &str) -> Targets {
    let core = app.core();
    let uid = app.user_id(username).await;
    let mut c = core.db.pool().acquire().await.unwrap();
    let ms = chuangye_core::org::repo::memberships_of(&mut c, &uid)
        .await
        .unwrap();
    drop(c);
    let root_actor = region == "411002000000";
    let system = Actor::system("411002000000", "matrix");
    let unit_in = service::create_unit(
        core,
        &system,
        &UnitInput {
            name: format!("单位-{username}-内"),
            kind: "other".into(),
            region_code: region.into(),
        },
    )
    .await
    .unwrap();
    let unit_out = if root_actor {
        MISSING.to_string()
    } else {
        service::create_unit(
            core,
            &system,
            &UnitInput {
                name: format!("单位-{username}-外"),
                kind: "other".into(),
                region_code: OTHER_COMMUNITY.into(),
            },
        )
        .await
        .unwrap()
    };
    let someone_else = app
        .user_id(if username == "leader" {
            "office"
        } else {
            "leader"
        })
        .await;
    let mut tx: Tx = core.db.begin().await.unwrap();
    let spec = |by: &str| JobSpec {
        created_by: Some(by.to_string()),
        ..JobSpec::new("noop", serde_json::json!({})).run_at(i64::MAX / 2)
    };
    let job_in = jobs::enqueue(&mut tx, spec(&uid)).await.unwrap();
    let job_out = jobs::enqueue(&mut tx, spec(&someone_else)).await.unwrap();
    let png = include_bytes!("tiny.png");
    let file_region = if root_actor { OWN_COMMUNITY } else { region };
    let file_in = files::store(
        core,
        &mut tx,
        &system,
        Upload {
            bytes: png,
            original_name: "a.png",
            owner_entity: "unit",
            owner_id: &unit_in,
            region_code: file_region,
            rules: &FileRules::IMAGES,
        },
    )
    .await
    .unwrap()
    .id;
    let file_out = if root_actor {
        MISSING.to_string()
    } else {
        files::store(
            core,
            &mut tx,
            &system,
            Upload {
                bytes: png,
                original_name: "b.png",
                owner_entity: "unit",
                owner_id: &unit_out,
                region_code: OTHER_COMMUNITY,
                rules: &FileRules::IMAGES,
            },
        )
        .await
        .unwrap()
        .id
    };
    tx.commit().await.unwrap();
    let (region_out, user_out, membership_out) = if root_actor {
        (
            "110101000000".to_string(),
            MISSING.to_string(),
            MISSING.to_string(),
        )
    } else {
        // The sub-district worker is outside a community worker's scope, and the campaign
        // office (at the root) is outside both.
        let other = if username == "community" {
            "street"
        } else {
            "office"
        };
        let other_id = app.user_id(other).await;
        let mut c = core.db.pool().acquire().await.unwrap();
        let om = chuangye_core::org::repo::memberships_of(&mut c, &other_id)
            .await
            .unwrap();
        (OTHER_COMMUNITY.to_string(), other_id, om[0].id.clone())
    };
    let ledger_region = if root_actor { OWN_COMMUNITY } else { region };
    let ledger_region = if ledger_region.ends_with("000") {
        OWN_COMMUNITY
    } else {
        ledger_region
    };
    let (person_in, business_in) = ledger_records(app, ledger_region).await;
    let (person_out, business_out) = if root_actor {
        (MISSING.to_string(), MISSING.to_string())
    } else {
        ledger_records(app, OTHER_COMMUNITY).await
    };
    // Needs: one routed to the actor's own unit (in), one to another unit (out).
    let actor_unit = ms[0].unit_id.clone();
    let need_in = match &actor_unit {
        Some(u) => need_for(app, &person_in, u).await,
        None => MISSING.to_string(),
    };
    let need_out = need_for(app, &person_in, &unit_in).await;
    // A transfer asked of the actor's region (in), and one asked of another region (out).
    let transfer_in = transfer_of(
        app,
        &person_in,
        if ledger_region == OWN_COMMUNITY {
            OTHER_COMMUNITY
        } else {
            OWN_COMMUNITY
        },
    )
    .await;
    let transfer_out = if root_actor {
        MISSING.to_string()
    } else {
        transfer_of(app, &person_out, ledger_region).await
    };
    let survival_in = survival_of(app, &business_in).await;
    let survival_out = if root_actor {
        MISSING.to_string()
    } else {
        survival_of(app, &business_out).await
    };
    // Indicator entries: one of a region directly below the actor's (or of its own, at the
    // bottom of the tree), one outside its scope.
    let entry_region = match region {
        "411002000000" => "411002001000",
        "411002001000" => OWN_COMMUNITY,
        r => r,
    };
    let entry_in = entry_of(app, entry_region).await;
    let entry_out = if root_actor {
        MISSING.to_string()
    } else {
        entry_of(app, OTHER_COMMUNITY).await
    };
    let content_in = content_of(app, region).await;
    let content_out = if root_actor {
        MISSING.to_string()
    } else {
        content_of(app, OTHER_COMMUNITY).await
    };
    let board_in = posting_of(app, region).await;
    let board_out = if root_actor {
        MISSING.to_string()
    } else {
        posting_of(app, OTHER_COMMUNITY).await
    };
    let consultation_in = consultation_of(app, region).await;
    let consultation_out = if root_actor {
        MISSING.to_string()
    } else {
        consultation_of(app, OTHER_COMMUNITY).await
    };
    Targets {
        board: (format!("job/{board_in}"), format!("job/{board_out}")),
        consultation: (consultation_in, consultation_out),
        content: (content_in, content_out),
        entry: (entry_in, entry_out),
        transfer: (transfer_in, transfer_out),
        survival: (survival_in, survival_out),
        person: (person_in, person_out),
        business: (business_in, business_out),
        need: (need_in, need_out),
        region: (region.to_string(), region_out),
        unit: (unit_in, unit_out),
        user: (uid, user_out),
        membership: (ms[0].id.clone(), membership_out),
        job: (job_in, job_out),
        file: (file_in, file_out),
    }
}

/// A valid ID number (GB 11643 check digit) with a running sequence.
fn id_number(seq: u32) -> String {
    let body = format!("411002199001{:02}{:03}", 1 + seq % 28, seq % 1000);
    let body = &body[..17];
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(w)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A person and a business registered in `community`.
async fn ledger_records(app: &TestApp, community: &str) -> (String, String) {
    use chuangye_core::ledger::model::{BusinessInput, PersonInput};
    use chuangye_core::ledger::service::{self as ledger, Registered};
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let system = Actor::system("411002000000", "matrix");
    let p = ledger::register_person(
        app.core(),
        &system,
        &PersonInput {
            name: format!("人员{n}"),
            id_number: id_number(n),
            education: "college".into(),
            household: "urban".into(),
            region_code: community.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let b = ledger::register_business(
        app.core(),
        &system,
        &BusinessInput {
            name: format!("个体户{n}"),
            kind: "individual".into(),
            industry: "51".into(),
            registered_on: "2024-03-01".into(),
            region_code: community.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    match (p, b) {
        (Registered::New(p), Registered::New(b)) => (p, b),
        other => panic!("{other:?}"),
    }
}

/// A pending transfer of `person` asked by a worker of `to_community`.
async fn transfer_of(app: &TestApp, person: &str, to_community: &str) -> String {
    let mut requester = Actor::system(to_community, "matrix");
    requester.region_code = to_community.to_string();
    chuangye_core::ledger::followup::request_transfer(
        app.core(),
        &requester,
        "person",
        person,
        to_community,
        "迁入",
    )
    .await
    .unwrap()
}

/// A draft news item of `region`'s own.
async fn content_of(app: &TestApp, region: &str) -> String {
    let writer = Actor::system(region, "matrix");
    let input = chuangye_core::portal::ItemInput {
        kind: "news".into(),
        title: format!("{region} 工作动态"),
        body: "正文".into(),
        ..Default::default()
    };
    chuangye_core::portal::service::create(app.core(), &writer, &input)
        .await
        .unwrap()
}

/// A job posting of `region`, entered by its staff.
async fn posting_of(app: &TestApp, region: &str) -> String {
    let staff = Actor::system(region, "matrix");
    let until = chuangye_core::ledger::model::fmt_date(
        chuangye_core::ledger::model::today() + time::Duration::days(30),
    );
    let input = chuangye_core::board::EntryInput {
        employer: format!("{region} 用工单位"),
        position: "普工".into(),
        trade: "general_worker".into(),
        head_count: "2".into(),
        contact_name: "王丽".into(),
        contact_phone: "13800138000".into(),
        contact_visibility: "masked".into(),
        valid_until: until,
        ..Default::default()
    };
    chuangye_core::board::service::create(
        app.core(),
        &staff,
        chuangye_core::board::Kind::Job,
        &input,
    )
    .await
    .unwrap()
}

/// A question (with a contact number) asked of `region`'s service point.
async fn consultation_of(app: &TestApp, region: &str) -> String {
    let input = chuangye_core::consultation::AskInput {
        category: "loan".into(),
        region: region.into(),
        question: "创业担保贷款怎么申请？".into(),
        contact: "13800138000".into(),
        ..Default::default()
    };
    chuangye_core::consultation::service::ask(app.core(), &input)
        .await
        .unwrap()
        .id
}

/// A due survival check of `business`.
async fn entry_of(app: &TestApp, region: &str) -> String {
    let id = chuangye_core::db::new_id();
    sqlx::query(
        "INSERT INTO indicator_entry (id, indicator_code, region_code, month, value, state, due_on, on_time, entered_at) \
         VALUES ($1, 'new_urban_jobs', $2, $3, 1, 'submitted', '2099-01-10', 1, 0)",
    )
    .bind(id.clone())
    .bind(region.to_string())
    // A month of its own per entry: one region may have several targets over the roles.
    .bind({
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}-{:02}", 2001 + n / 12, 1 + n % 12)
    })
    .execute(app.core().db.pool())
    .await
    .unwrap();
    id
}

async fn survival_of(app: &TestApp, business: &str) -> String {
    let id = chuangye_core::db::new_id();
    sqlx::query(
        "INSERT INTO survival_check (id, business_id, region_code, months, due_date, state)          SELECT $1, id, region_code, 6, '2024-09-01', 'due' FROM business WHERE id = $2",
    )
    .bind(id.clone())
    .bind(business.to_string())
    .execute(app.core().db.pool())
    .await
    .unwrap();
    id
}

async fn need_for(app: &TestApp, person: &str, unit: &str) -> String {
    use chuangye_core::ledger::service::{self as ledger, NeedInput, VisitInput};
    let system = Actor::system("411002000000", "matrix");
    ledger::record_visit(
        app.core(),
        &system,
        person,
        &VisitInput {
            visit_date: "2025-01-02".into(),
            method: "home".into(),
            notes: "走访".into(),
            needs: vec![NeedInput {
                kind: "funding".into(),
                description: "贷款".into(),
                unit_id: unit.into(),
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    sqlx::query_scalar("SELECT id FROM need WHERE person_id = $1 AND unit_id = $2")
        .bind(person.to_string())
        .bind(unit.to_string())
        .fetch_one(app.core().db.pool())
        .await
        .unwrap()
}

fn fill(path: &str, target: Target, t: Option<&Targets>, inside: bool) -> Option<String> {
    let pick = |p: &(String, String)| if inside { p.0.clone() } else { p.1.clone() };
    let value = match (target, t) {
        (Target::None, _) => return Some(path.to_string()),
        (Target::Static, _) => "app.css".to_string(),
        (Target::Lang, _) => "en".to_string(),
        (Target::Role, _) => "leader".to_string(),
        (Target::Indicator, _) => "publicity_events".to_string(),
        (_, None) => MISSING.to_string(),
        (Target::Region, Some(t)) => pick(&t.region),
        (Target::Unit, Some(t)) => pick(&t.unit),
        (Target::User, Some(t)) => pick(&t.user),
        (Target::Membership, Some(t)) => pick(&t.membership),
        (Target::Job, Some(t)) => pick(&t.job),
        (Target::File, Some(t)) => pick(&t.file),
        (Target::Person, Some(t)) => pick(&t.person),
        (Target::Business, Some(t)) => pick(&t.business),
        (Target::Need, Some(t)) => pick(&t.need),
        (Target::Transfer, Some(t)) => pick(&t.transfer),
        (Target::Survival, Some(t)) => pick(&t.survival),
        (Target::Entry, Some(t)) => pick(&t.entry),
        (Target::Content, Some(t)) => pick(&t.content),
        (Target::Board, Some(t)) => pick(&t.board),
        (Target::Consultation, Some(t)) => pick(&t.consultation),
    };
    if matches!(target, Target::Board) {
        // `{kind}/{id}`: both parameters at once.
        let value = if t.is_none() {
            format!("job/{MISSING}")
        } else {
            value
        };
        let start = path.find('{')?;
        let end = path.rfind('}')?;
        return Some(format!("{}{}{}", &path[..start], value, &path[end + 1..]));
    }
    let start = path.find('{')?;
    let end = path.find('}')?;
    Some(format!("{}{}{}", &path[..start], value, &path[end + 1..]))
}

fn scoped(target: Target) -> bool {
    !matches!(
        target,
        Target::None | Target::Static | Target::Lang | Target::Role | Target::Indicator
    )
}

async fn send(
    b: &Browser,
    method: &str,
    path: &str,
    body: Body,
    t: Option<&Targets>,
) -> StatusCode {
    let (_, html) = b.text(if t.is_some() { "/admin" } else { "/login" }).await;
    let token = extract_csrf(&html).unwrap_or_default();
    let url = b.url(path);
    let r = match (method, body) {
        ("GET", _) => b.http.get(&url).send().await,
        (_, Body::Multipart) => {
            let part = reqwest::multipart::Part::bytes(include_bytes!("tiny.png").to_vec())
                .file_name("x.png");
            b.http
                .post(format!("{url}?_csrf={token}"))
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
        }
        (_, Body::Membership) => {
            let m = t.map(|t| t.membership.0.clone()).unwrap_or_default();
            b.http
                .post(&url)
                .form(&[("_csrf", token.as_str()), ("membership", m.as_str())])
                .send()
                .await
        }
        (_, Body::Empty) => {
            b.http
                .post(&url)
                .form(&[("_csrf", token.as_str())])
                .send()
                .await
        }
    };
    r.expect("request").status()
}

const ROLES: &[(&str, &str)] = &[
    ("office", "411002000000"),
    ("street", "411002001000"),
    ("community", OWN_COMMUNITY),
    ("liaison", "411002000000"),
    ("leader", "411002000000"),
    ("sysadmin", "411002000000"),
    ("secadmin", "411002000000"),
    ("auditor", "411002000000"),
];

#[tokio::test]
async fn every_route_has_an_expectation_in_the_matrix() {
    let exp = expectations();
    let routes: Vec<String> = table()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    for r in &routes {
        assert!(
            exp.contains_key(r.as_str()),
            "route {r} has no expectation in the access matrix"
        );
    }
    for k in exp.keys() {
        assert!(
            routes.iter().any(|r| r == k),
            "expectation {k} names no route"
        );
    }
}

#[tokio::test]
async fn access_matrix_holds_for_every_route_role_and_scope() {
    let app = TestApp::demo().await;
    let exp = expectations();
    let mut failures = Vec::new();

    // Anonymous: public routes answer, everything else asks to log in.
    let anon = app.client();
    for spec in table() {
        let key = format!("{} {}", spec.method, spec.path);
        let (target, body) = exp[key.as_str()];
        let path = fill(spec.path, target, None, true).unwrap();
        let status = send(&anon, spec.method.as_str(), &path, body, None).await;
        let ok = match spec.access {
            Access::Public => {
                !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                    || key == "POST /login"
            }
            _ if spec.path.starts_with("/api/") => status == StatusCode::UNAUTHORIZED,
            _ => {
                status == StatusCode::SEE_OTHER
                    || status == StatusCode::FORBIDDEN
                    || status.is_redirection()
            }
        };
        if !ok {
            failures.push(format!("anonymous {key}: {status}"));
        }
    }

    for (username, region) in ROLES {
        let targets = setup_targets(&app, username, region).await;
        let b = app.login(username).await;
        let actor = {
            let uid = app.user_id(username).await;
            let mut c = app.core().db.pool().acquire().await.unwrap();
            chuangye_core::auth::build_actor(&mut c, &uid, None, "test")
                .await
                .unwrap()
                .unwrap()
        };
        for spec in table() {
            let key = format!("{} {}", spec.method, spec.path);
            if spec.access == Access::Public || key == "POST /logout" {
                continue;
            }
            let (target, body) = exp[key.as_str()];
            let allowed = spec.access.allows(Some(&actor)).is_ok();
            let inside = fill(spec.path, target, Some(&targets), true).unwrap();
            let status = send(&b, spec.method.as_str(), &inside, body, Some(&targets)).await;
            let ok = if allowed {
                !matches!(
                    status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ) && !status.is_server_error()
            } else {
                status == StatusCode::FORBIDDEN
            };
            if !ok {
                failures.push(format!(
                    "{username} {key} in scope ({inside}): {status} (allowed: {allowed})"
                ));
            }
            if allowed && scoped(target) {
                let outside = fill(spec.path, target, Some(&targets), false).unwrap();
                let status = send(&b, spec.method.as_str(), &outside, body, Some(&targets)).await;
                if status != StatusCode::NOT_FOUND {
                    failures.push(format!(
                        "{username} {key} out of scope ({outside}): {status}, expected 404"
                    ));
                }
            }
        }
        // Logging out ends the session: the next request asks to log in again.
        let status = send(&b, "POST", "/logout", Body::Empty, Some(&targets)).await;
        let after = b.get("/admin").await.status();
        if status != StatusCode::SEE_OTHER || after != StatusCode::SEE_OTHER {
            failures.push(format!(
                "{username} POST /logout: {status}, then /admin {after}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "access matrix failures:\n{}",
        failures.join("\n")
    );
}
