//! The audit log: written with every change in the same transaction, chained, verifiable,
//! append-only.

use chuangye_core::audit::{self, AuditFilter, Entry, VerifyOutcome};
use chuangye_core::org::service::{self, UnitInput};

use crate::{county_admin, weidu};

fn unit(name: &str) -> UnitInput {
    UnitInput {
        name: name.into(),
        kind: "department".into(),
        region_code: crate::COUNTY.into(),
    }
}

#[tokio::test]
async fn every_write_leaves_an_audit_row_with_who_and_what() {
    let t = weidu().await;
    let id = service::create_unit(&t.core, &county_admin(), &unit("区人社局"))
        .await
        .unwrap();
    let f = AuditFilter {
        entity: Some("unit".into()),
        entity_id: Some(id.clone()),
        ..Default::default()
    };
    let (rows, total) = audit::list(&t.core.db, &f, 10).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].action, "unit.create");
    assert_eq!(rows[0].username, "test");
    assert!(rows[0].after_json.as_deref().unwrap().contains("区人社局"));
}

#[tokio::test]
async fn a_refused_write_leaves_neither_data_nor_audit_row() {
    let t = weidu().await;
    let before = audit::list(&t.core.db, &AuditFilter::default(), 1)
        .await
        .unwrap()
        .1;
    let bad = UnitInput {
        name: "".into(),
        kind: "nonsense".into(),
        region_code: "999999999999".into(),
    };
    assert!(
        service::create_unit(&t.core, &county_admin(), &bad)
            .await
            .is_err()
    );
    let after = audit::list(&t.core.db, &AuditFilter::default(), 1)
        .await
        .unwrap()
        .1;
    assert_eq!(before, after);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM unit")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn an_audit_row_rolled_back_with_its_change_leaves_the_chain_intact() {
    let t = weidu().await;
    service::create_unit(&t.core, &county_admin(), &unit("甲"))
        .await
        .unwrap();
    let mut tx = t.core.db.begin().await.unwrap();
    audit::record(
        &mut tx,
        t.core.crypto.chain(),
        &county_admin(),
        Entry::new("x.y", "thing", "1"),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    service::create_unit(&t.core, &county_admin(), &unit("乙"))
        .await
        .unwrap();
    assert!(matches!(
        audit::verify(&t.core.db, t.core.crypto.chain())
            .await
            .unwrap(),
        VerifyOutcome::Intact { .. }
    ));
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_recent_audit_rows() {
    let t = weidu().await;
    service::create_unit(&t.core, &county_admin(), &unit("丙"))
        .await
        .unwrap();
    let upd = sqlx::query("UPDATE audit_log SET username = 'mallory'")
        .execute(t.core.db.pool())
        .await;
    assert!(upd.is_err(), "update refused");
    let del = sqlx::query("DELETE FROM audit_log")
        .execute(t.core.db.pool())
        .await;
    assert!(del.is_err(), "delete of rows younger than 180 days refused");
}

#[tokio::test]
async fn verification_names_the_first_tampered_row() {
    let t = weidu().await;
    for name in ["一", "二", "三", "四"] {
        service::create_unit(&t.core, &county_admin(), &unit(name))
            .await
            .unwrap();
    }
    let (rows, _) = audit::list(&t.core.db, &AuditFilter::default(), 100)
        .await
        .unwrap();
    let victim = rows
        .iter()
        .find(|r| r.after_json.as_deref().unwrap_or("").contains("\"二\""))
        .unwrap()
        .seq;
    // Someone with database access bypasses the product: drops the guard and edits a row.
    let drop_guard = match t.engine() {
        chuangye_core::db::Engine::Sqlite => "DROP TRIGGER audit_log_append_only",
        chuangye_core::db::Engine::Postgres => "DROP TRIGGER audit_log_guard ON audit_log",
    };
    sqlx::query(drop_guard)
        .execute(t.core.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET after_json = '{\"name\":\"改\"}' WHERE seq = $1")
        .bind(victim)
        .execute(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(
        audit::verify(&t.core.db, t.core.crypto.chain())
            .await
            .unwrap(),
        VerifyOutcome::Broken {
            seq: victim,
            reason: "hash"
        }
    );
}

#[tokio::test]
async fn a_key_other_than_the_chains_cannot_verify_it() {
    let t = weidu().await;
    service::create_unit(&t.core, &county_admin(), &unit("丁"))
        .await
        .unwrap();
    let other = chuangye_core::crypto::Crypto::new(&chuangye_core::crypto::DataKey::generate());
    assert!(matches!(
        audit::verify(&t.core.db, other.chain()).await.unwrap(),
        VerifyOutcome::Broken { .. }
    ));
}
