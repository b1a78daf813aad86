//! Attachments: content stored once by its SM3 hash, the type sniffed and checked against the
//! name and the rules, reads scoped by region, every store audited.

use std::path::{Path, PathBuf};

use chuangye_core::audit::{self, AuditFilter, VerifyOutcome};
use chuangye_core::crypto::sm3_hex;
use chuangye_core::files::{
    self, FileMeta, FileRules, MIME_DOCX, MIME_PDF, MIME_PNG, MIME_XLSX, Upload,
};
use chuangye_core::org::{Actor, Permission};
use chuangye_core::testing::TestDb;
use chuangye_core::{Error, FieldError};

use crate::{
    COMMUNITY, OTHER_COMMUNITY, STREET, county_admin, docx, pdf, png, scoped, user, weidu, xlsx,
};

fn upload<'a>(bytes: &'a [u8], name: &'a str, region: &'a str, rules: &'a FileRules) -> Upload<'a> {
    Upload {
        bytes,
        original_name: name,
        owner_entity: "person",
        owner_id: "p-1",
        region_code: region,
        rules,
    }
}

async fn store(t: &TestDb, actor: &Actor, up: Upload<'_>) -> chuangye_core::Result<FileMeta> {
    let mut tx = t.core.db.begin().await?;
    let meta = files::store(&t.core, &mut tx, actor, up).await?;
    tx.commit().await?;
    Ok(meta)
}

/// Every regular file under the data directory's `files/` folder.
fn stored_files(t: &TestDb) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&t.data_dir().join("files"), &mut out);
    out
}

async fn file_rows(t: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM file")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
}

async fn audit_rows(t: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
}

/// The one field error of a refused upload.
fn refusal(r: chuangye_core::Result<FileMeta>) -> FieldError {
    match r {
        Err(Error::Invalid(mut es)) if es.len() == 1 => es.remove(0),
        other => panic!("expected one field error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_same_content_is_stored_once() {
    let t = weidu().await;
    let admin = county_admin();
    let red = png([255, 0, 0, 255]);
    let rules = FileRules::IMAGES;
    let a = store(&t, &admin, upload(&red, "门头照.png", COMMUNITY, &rules))
        .await
        .unwrap();
    let mut again = upload(&red, "另一张.PNG", OTHER_COMMUNITY, &rules);
    again.owner_id = "p-2";
    let b = store(&t, &admin, again).await.unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(a.sha, sm3_hex(&red));
    assert_eq!(a.sha, b.sha);
    assert_eq!(
        (a.size, a.content_type.as_str()),
        (red.len() as i64, MIME_PNG)
    );
    assert_eq!(file_rows(&t).await, 2);

    let on_disk = stored_files(&t);
    let expected = t
        .data_dir()
        .join("files")
        .join(&a.sha[0..2])
        .join(&a.sha[2..4])
        .join(&a.sha);
    assert_eq!(on_disk, vec![expected.clone()]);
    let (meta, path) = files::get(&t.core, &admin, &b.id).await.unwrap();
    assert_eq!((meta, &path), (b, &expected));
    assert_eq!(std::fs::read(&path).unwrap(), red);

    store(
        &t,
        &admin,
        upload(&png([0, 0, 255, 255]), "蓝.png", COMMUNITY, &rules),
    )
    .await
    .unwrap();
    assert_eq!(
        stored_files(&t).len(),
        2,
        "different content gets its own address"
    );
}

#[tokio::test]
async fn a_png_named_pdf_is_refused() {
    let t = weidu().await;
    let e = refusal(
        store(
            &t,
            &county_admin(),
            upload(
                &png([0, 0, 0, 255]),
                "report.pdf",
                COMMUNITY,
                &FileRules::DOCUMENTS,
            ),
        )
        .await,
    );
    assert_eq!(
        (e.field.as_str(), e.key.as_str()),
        ("file", "files.extension_mismatch")
    );
    assert_eq!(e.args, vec![("type".to_string(), MIME_PNG.to_string())]);
    assert_eq!(file_rows(&t).await, 0);
    assert!(stored_files(&t).is_empty());
}

#[tokio::test]
async fn an_html_or_script_file_named_jpg_is_refused() {
    let t = weidu().await;
    let html =
        b"<!DOCTYPE html><html><body><script>fetch('/api/v1/persons')</script></body></html>";
    let script = b"#!/bin/sh\nrm -rf /\n";
    for (bytes, name) in [(&html[..], "photo.jpg"), (&script[..], "photo.jpeg")] {
        let e = refusal(
            store(
                &t,
                &county_admin(),
                upload(bytes, name, COMMUNITY, &FileRules::IMAGES),
            )
            .await,
        );
        assert_eq!(e.key, "files.extension_mismatch", "{name}");
    }
    assert_eq!(file_rows(&t).await, 0);
}

#[tokio::test]
async fn a_type_outside_the_rules_is_refused() {
    let t = weidu().await;
    let e = refusal(
        store(
            &t,
            &county_admin(),
            upload(&pdf(), "申请表.pdf", COMMUNITY, &FileRules::IMAGES),
        )
        .await,
    );
    assert_eq!(e.key, "files.type_not_allowed");
    assert_eq!(e.args, vec![("type".to_string(), MIME_PDF.to_string())]);
    let e = refusal(
        store(
            &t,
            &county_admin(),
            upload(
                b"plain words, no magic",
                "notes.txt",
                COMMUNITY,
                &FileRules::DOCUMENTS,
            ),
        )
        .await,
    );
    assert_eq!(e.key, "files.type_not_allowed");
    let pdf_ok = store(
        &t,
        &county_admin(),
        upload(&pdf(), "申请表.pdf", COMMUNITY, &FileRules::DOCUMENTS),
    )
    .await
    .unwrap();
    assert_eq!(pdf_ok.content_type, MIME_PDF);
}

#[tokio::test]
async fn office_documents_are_recognised_by_their_content() {
    let t = weidu().await;
    let admin = county_admin();
    let d = store(
        &t,
        &admin,
        upload(&docx(), "工作总结.docx", COMMUNITY, &FileRules::DOCUMENTS),
    )
    .await
    .unwrap();
    assert_eq!(d.content_type, MIME_DOCX);
    let x = store(
        &t,
        &admin,
        upload(&xlsx(), "台账.xlsx", COMMUNITY, &FileRules::DOCUMENTS),
    )
    .await
    .unwrap();
    assert_eq!(x.content_type, MIME_XLSX);
    let e = refusal(
        store(
            &t,
            &admin,
            upload(&docx(), "台账.xlsx", COMMUNITY, &FileRules::DOCUMENTS),
        )
        .await,
    );
    assert_eq!(e.key, "files.extension_mismatch");
    let e = refusal(
        store(
            &t,
            &admin,
            upload(&docx(), "工作总结.docx", COMMUNITY, &FileRules::IMAGES),
        )
        .await,
    );
    assert_eq!(e.key, "files.type_not_allowed");
}

#[tokio::test]
async fn an_oversized_file_is_refused_and_nothing_is_written() {
    let t = weidu().await;
    let audit_before = audit_rows(&t).await;
    let mut big = png([1, 2, 3, 255]);
    big.resize(FileRules::IMAGES.max_bytes + 1, 0);
    let e = refusal(
        store(
            &t,
            &county_admin(),
            upload(&big, "大图.png", COMMUNITY, &FileRules::IMAGES),
        )
        .await,
    );
    assert_eq!(
        (e.field.as_str(), e.key.as_str()),
        ("file", "files.too_large")
    );
    assert_eq!(e.args, vec![("max_mb".to_string(), "10".to_string())]);
    assert!(
        !t.data_dir().join("files").exists(),
        "no content was written"
    );
    assert_eq!(file_rows(&t).await, 0);
    assert_eq!(audit_rows(&t).await, audit_before);
}

#[tokio::test]
async fn an_empty_file_is_refused() {
    let t = weidu().await;
    let e = refusal(
        store(
            &t,
            &county_admin(),
            upload(b"", "空.png", COMMUNITY, &FileRules::IMAGES),
        )
        .await,
    );
    assert_eq!(e.key, "files.empty");
    assert!(stored_files(&t).is_empty());
}

#[tokio::test]
async fn a_file_outside_the_scope_is_not_found() {
    let t = weidu().await;
    let f = store(
        &t,
        &county_admin(),
        upload(&png([9, 9, 9, 255]), "a.png", COMMUNITY, &FileRules::IMAGES),
    )
    .await
    .unwrap();
    for inside in [scoped(COMMUNITY), scoped(STREET), county_admin()] {
        assert_eq!(files::get(&t.core, &inside, &f.id).await.unwrap().0, f);
        assert_eq!(
            files::list_for(&t.core, &inside, "person", "p-1")
                .await
                .unwrap(),
            vec![f.clone()]
        );
    }
    let outside = scoped(OTHER_COMMUNITY);
    assert!(matches!(
        files::get(&t.core, &outside, &f.id).await,
        Err(Error::NotFound)
    ));
    assert!(
        files::list_for(&t.core, &outside, "person", "p-1")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        files::get(&t.core, &county_admin(), "no-such-file").await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn storing_into_a_region_outside_the_scope_is_not_found() {
    let t = weidu().await;
    let staff = scoped(COMMUNITY);
    let bytes = png([7, 7, 7, 255]);
    for region in [OTHER_COMMUNITY, STREET, "411002999999", "110101000000"] {
        let r = store(
            &t,
            &staff,
            upload(&bytes, "a.png", region, &FileRules::IMAGES),
        )
        .await;
        assert!(matches!(r, Err(Error::NotFound)), "{region}: {r:?}");
    }
    let r = store(
        &t,
        &county_admin(),
        upload(&bytes, "a.png", "411002999999", &FileRules::IMAGES),
    )
    .await;
    assert!(
        matches!(r, Err(Error::NotFound)),
        "a region that does not exist"
    );
    assert_eq!(file_rows(&t).await, 0);
    assert!(stored_files(&t).is_empty());
}

#[tokio::test]
async fn an_actor_without_the_upload_permission_is_forbidden() {
    let t = weidu().await;
    let mut leader = scoped(COMMUNITY);
    leader.permissions.remove(&Permission::FileUpload);
    let r = store(
        &t,
        &leader,
        upload(&png([0, 0, 0, 255]), "a.png", COMMUNITY, &FileRules::IMAGES),
    )
    .await;
    assert!(matches!(r, Err(Error::Forbidden)));
}

#[tokio::test]
async fn a_store_is_audited_with_a_sanitised_name() {
    let t = weidu().await;
    let staff = user(&t, "qian.shi", COMMUNITY).await;
    let f = store(
        &t,
        &staff,
        upload(
            &png([5, 5, 5, 255]),
            "..\\..\\证件/身份证\r\n复印件.png",
            COMMUNITY,
            &FileRules::IMAGES,
        ),
    )
    .await
    .unwrap();
    assert_eq!(f.original_name, "身份证复印件.png");
    assert_eq!(f.created_by, staff.user_id);
    let filter = AuditFilter {
        action: Some("file.store".into()),
        entity_id: Some(f.id.clone()),
        ..Default::default()
    };
    let (rows, n) = audit::list(&t.core.db, &filter, 10).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(rows[0].user_id, staff.user_id);
    let after: serde_json::Value =
        serde_json::from_str(rows[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["sha"], f.sha.as_str());
    assert_eq!(after["original_name"], "身份证复印件.png");
    assert!(matches!(
        audit::verify(&t.core.db, t.core.crypto.chain())
            .await
            .unwrap(),
        VerifyOutcome::Intact { .. }
    ));
}

#[tokio::test]
async fn a_store_in_a_rolled_back_transaction_leaves_no_row() {
    let t = weidu().await;
    let mut tx = t.core.db.begin().await.unwrap();
    let f = files::store(
        &t.core,
        &mut tx,
        &county_admin(),
        upload(&pdf(), "x.pdf", COMMUNITY, &FileRules::DOCUMENTS),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(file_rows(&t).await, 0);
    assert!(matches!(
        files::get(&t.core, &county_admin(), &f.id).await,
        Err(Error::NotFound)
    ));
}
