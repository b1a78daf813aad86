//! Deployments: the demo deployment (许昌市魏都区 with its member units, demo users and a
//! generated ledger of realistic size) built on an empty database, and `init`, which sets up a
//! real, empty deployment for any root region.

use rand::Rng;

use crate::db::Tx;
use crate::ledger::generate::{self, Scale};
use crate::org::Actor;
use crate::org::region_table;
use crate::org::repo;
use crate::org::service::{self, NewUser, UnitInput};
use crate::{Core, Result};

/// The demo deployment's root: 许昌市魏都区.
pub const DEMO_ROOT: &str = "411002000000";

/// Member units of the demo district: (name, kind).
pub const DEMO_UNITS: &[(&str, &str)] = &[
    ("魏都区人力资源和社会保障局", "department"),
    ("魏都区财政局", "department"),
    ("魏都区市场监督管理局", "department"),
    ("国家税务总局许昌市魏都区税务局", "department"),
    ("中共魏都区委宣传部", "department"),
    ("魏都区发展和改革委员会", "department"),
    ("魏都区科学技术和工业信息化局", "department"),
    ("共青团魏都区委员会", "people_org"),
    ("魏都区妇女联合会", "people_org"),
    ("魏都区工商业联合会", "people_org"),
    ("中国邮政储蓄银行许昌市魏都区支行", "bank"),
    ("魏都区创业担保贷款担保中心", "guarantor"),
    ("魏都区职业技能培训学校", "training_school"),
    ("许昌日报社", "media"),
    ("许昌广播电视台", "media"),
];

/// One demo account as printed at first start.
#[derive(Debug, Clone)]
pub struct Credential {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
}

/// A readable random password that meets the default policy, e.g. `Cy-4821-kpmz`.
pub fn random_password() -> String {
    let mut rng = rand::rng();
    let letters: String = (0..4)
        .map(|_| rng.random_range(b'a'..=b'z') as char)
        .collect();
    format!("Cy-{:04}-{letters}", rng.random_range(0..10000))
}

/// Loads the region tree of `root` from the shipped official table (idempotent). The code
/// must lie within the actor's scope (the deployment).
pub async fn init_regions(core: &Core, actor: &Actor, root: &str) -> Result<usize> {
    let code = region_table::normalize_root(root)
        .map_err(|_| crate::Error::field("root", "org.region.code_format"))?;
    if !actor.scope.contains(&code) {
        return Err(crate::Error::field("root", "org.region.outside_deployment"));
    }
    let rows = region_table::load_subtree(&code).map_err(|e| match e {
        region_table::RegionTableError::UnknownCode(_) => {
            crate::Error::field("root", "org.region.unknown")
        }
        other => crate::Error::Other(anyhow::anyhow!("{other}")),
    })?;
    service::init_regions(core, actor, &rows, "2023-06-30").await
}

async fn mark(core: &Core, key: &str, value: &str) -> Result<()> {
    let mut tx: Tx = core.db.begin().await?;
    repo::setting_put(&mut tx, key, value).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates the built-in roles (safe to repeat).
pub async fn ensure_roles(core: &Core) -> Result<()> {
    let mut tx = core.db.begin().await?;
    service::ensure_builtin_roles(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the database already holds a deployment (demo or real).
pub async fn is_deployed(core: &Core) -> Result<bool> {
    Ok(service::root_region(core).await?.is_some())
}

/// Whether a set-up was started but not finished (regions or users, but no root recorded).
pub async fn is_half_set_up(core: &Core) -> Result<bool> {
    if is_deployed(core).await? {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM region) + (SELECT COUNT(*) FROM app_user)",
    )
    .fetch_one(core.db.pool())
    .await?;
    Ok(n > 0)
}

/// Seed of the demo ledger: every demo deployment shows the same persons and businesses.
pub const DEMO_SEED: u64 = 0x0003_4110_0200;

/// Builds the demo deployment with its full ledger ([`Scale::DEMO`]). `password` fixes every
/// demo password (tests); otherwise each account gets its own random password. Returns the
/// accounts to print once.
pub async fn build_demo(core: &Core, password: Option<&str>) -> Result<Vec<Credential>> {
    build_demo_with(core, password, Scale::DEMO).await
}

/// [`build_demo`] with a ledger of another size (tests use [`Scale::TINY`]).
pub async fn build_demo_with(
    core: &Core,
    password: Option<&str>,
    scale: Scale,
) -> Result<Vec<Credential>> {
    let system = Actor::system(DEMO_ROOT, "demo-setup");
    ensure_roles(core).await?;
    init_regions(core, &system, DEMO_ROOT).await?;
    let mut unit_ids = Vec::new();
    for (name, kind) in DEMO_UNITS {
        let input = UnitInput {
            name: name.to_string(),
            kind: kind.to_string(),
            region_code: DEMO_ROOT.to_string(),
        };
        unit_ids.push(service::create_unit(core, &system, &input).await?);
    }
    let mut c = core.db.pool().acquire().await?;
    let first_subdistrict = repo::region_children(&mut c, &system.scope, DEMO_ROOT, false)
        .await?
        .into_iter()
        .find(|r| r.kind == "sub_district")
        .map(|r| r.code)
        .unwrap_or_else(|| "411002001000".to_string());
    let first_community = repo::region_children(&mut c, &system.scope, &first_subdistrict, false)
        .await?
        .into_iter()
        .next()
        .map(|r| r.code)
        .unwrap_or_else(|| "411002001001".to_string());
    drop(c);
    let hrss = unit_ids.first().cloned();
    let finance = unit_ids.get(1).cloned();
    let accounts: Vec<(&str, &str, &str, &str, Option<String>)> = vec![
        (
            "office",
            "创建办 王主任",
            "campaign_office",
            DEMO_ROOT,
            hrss.clone(),
        ),
        (
            "street",
            "西大街道 李干事",
            "service_staff",
            &first_subdistrict,
            None,
        ),
        (
            "community",
            "社区平台 张专干",
            "service_staff",
            &first_community,
            None,
        ),
        (
            "liaison",
            "财政局联络员 赵科长",
            "unit_liaison",
            DEMO_ROOT,
            finance,
        ),
        ("leader", "分管领导 刘区长", "leader", DEMO_ROOT, None),
        ("sysadmin", "系统管理员", "system_admin", DEMO_ROOT, None),
        ("secadmin", "安全管理员", "security_admin", DEMO_ROOT, None),
        ("auditor", "安全审计员", "audit_admin", DEMO_ROOT, None),
    ];
    let mut out = Vec::new();
    for (username, display, role, region, unit) in accounts {
        let pw = password.map(str::to_string).unwrap_or_else(random_password);
        let input = NewUser {
            username: username.to_string(),
            display_name: display.to_string(),
            password: pw.clone(),
            region_code: region.to_string(),
            unit_id: unit,
            roles: vec![role.to_string()],
            phone: Some(format!("1390374{:04}", out.len() + 1)),
            is_demo: true,
            must_change_password: false,
        };
        let id = service::create_user(core, &system, &input).await?;
        // The campaign office also acts for the sub-district it looks after: two memberships.
        if username == "office" {
            let m = service::MembershipInput {
                region_code: first_subdistrict.clone(),
                unit_id: None,
                roles: vec!["leader".to_string()],
            };
            service::add_membership(core, &system, &id, &m).await?;
        }
        out.push(Credential {
            username: username.into(),
            display_name: display.into(),
            role: role.into(),
            password: pw,
        });
    }
    // The ledger, once its communities, units and staff exist.
    generate::generate(core, DEMO_ROOT, scale, DEMO_SEED, |_, _, _| {}).await?;
    // The year's entered figures and targets, with a ledger to stand beside.
    if scale.persons > 0 {
        crate::indicators::demo::seed(core, &system, DEMO_ROOT, crate::ledger::model::today())
            .await?;
    }
    // The portal's first items, published as staff publish them.
    crate::portal::demo::seed(core, DEMO_ROOT, &first_subdistrict, &first_community).await?;
    mark(core, "demo", "1").await?;
    service::set_root_region(core, &system, DEMO_ROOT).await?;
    // The job board and business ideas (public submissions choose a region of the site).
    crate::board::demo::seed(core, DEMO_ROOT, &first_subdistrict, &first_community).await?;
    // Citizens' questions, once the portal knows its regions.
    crate::consultation::demo::seed(core, &first_subdistrict, &first_community).await?;
    Ok(out)
}

/// Sets up a real, empty deployment: the region tree of `root` and the three separated
/// administrators (`NAME`, `NAME-sec`, `NAME-audit`), each with a one-time password.
pub async fn init_deployment(core: &Core, root: &str, admin: &str) -> Result<Vec<Credential>> {
    let code = region_table::normalize_root(root)
        .map_err(|_| crate::Error::field("root", "org.region.code_format"))?;
    if !service::username_ok(admin) || !service::username_ok(&format!("{admin}-audit")) {
        return Err(crate::Error::field("admin", "org.user.username_invalid"));
    }
    let system = Actor::system(&code, "init");
    ensure_roles(core).await?;
    init_regions(core, &system, &code).await?;
    let mut out = Vec::new();
    for (suffix, role, display) in [
        ("", "system_admin", "系统管理员"),
        ("-sec", "security_admin", "安全管理员"),
        ("-audit", "audit_admin", "安全审计员"),
    ] {
        let username = format!("{admin}{suffix}");
        let pw = random_password();
        let input = NewUser {
            username: username.clone(),
            display_name: display.to_string(),
            password: pw.clone(),
            region_code: code.clone(),
            unit_id: None,
            roles: vec![role.to_string()],
            phone: None,
            is_demo: false,
            must_change_password: true,
        };
        service::create_user(core, &system, &input).await?;
        out.push(Credential {
            username,
            display_name: display.into(),
            role: role.into(),
            password: pw,
        });
    }
    service::set_root_region(core, &system, &code).await?;
    Ok(out)
}
