//! The service-point hotline of a region: set by whoever manages regions, within their scope,
//! audited; a malformed number is an error at its field and changes nothing; the job board
//! gives the nearest hotline up the tree when a poster keeps their contact for staff.

use chuangye_core::Error;
use chuangye_core::board::repo::service_point;
use chuangye_core::org::hotline::set_region_hotline;
use chuangye_core::testing::TestDb;

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, county_admin, scoped, user, weidu};

async fn stored(t: &TestDb, code: &str) -> Option<String> {
    sqlx::query_scalar("SELECT hotline FROM region WHERE code = $1")
        .bind(code.to_string())
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
}

async fn point(t: &TestDb, code: &str) -> (String, Option<String>) {
    let mut c = t.core.db.pool().acquire().await.unwrap();
    service_point(&mut c, code).await.unwrap()
}

#[tokio::test]
async fn the_administrator_sets_a_hotline_the_board_then_gives_for_the_regions_below() {
    let t = weidu().await;
    assert_eq!(point(&t, COMMUNITY).await.1, None);
    let set = set_region_hotline(
        &t.core,
        &county_admin(),
        STREET,
        " ０３７４－５１０１２３４ ",
    )
    .await
    .unwrap();
    assert_eq!(set.as_deref(), Some("0374-5101234"));
    assert_eq!(stored(&t, STREET).await.as_deref(), Some("0374-5101234"));
    // A community without its own hotline sends the public to its sub-district's.
    let (name, hotline) = point(&t, COMMUNITY).await;
    assert_eq!(hotline.as_deref(), Some("0374-5101234"));
    assert!(!name.is_empty());
    // The community's own comes first.
    set_region_hotline(&t.core, &scoped(STREET), COMMUNITY, "12345")
        .await
        .unwrap();
    assert_eq!(point(&t, COMMUNITY).await.1.as_deref(), Some("12345"));
    let (action, before, after): (String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT action, before_json, after_json FROM audit_log WHERE entity = 'region' \
         AND entity_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(COMMUNITY.to_string())
    .fetch_one(t.core.db.pool())
    .await
    .unwrap();
    assert_eq!(action, "region.hotline");
    assert!(before.unwrap().contains("null"));
    assert!(after.unwrap().contains("12345"));
    // Blank clears it.
    assert_eq!(
        set_region_hotline(&t.core, &county_admin(), COMMUNITY, "  ")
            .await
            .unwrap(),
        None
    );
    assert_eq!(stored(&t, COMMUNITY).await, None);
}

#[tokio::test]
async fn a_malformed_number_is_refused_at_its_field_and_changes_nothing() {
    let t = weidu().await;
    set_region_hotline(&t.core, &county_admin(), STREET, "0374-5101234")
        .await
        .unwrap();
    for bad in [
        "1234",
        "0374-51012345678901234",
        "+86 374 5101234",
        "<script>",
        "转 8",
    ] {
        match set_region_hotline(&t.core, &county_admin(), STREET, bad).await {
            Err(Error::Invalid(v)) => {
                assert_eq!(
                    (v[0].field.as_str(), v[0].key.as_str()),
                    ("hotline", "org.region.hotline_invalid"),
                    "{bad}"
                );
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    assert_eq!(stored(&t, STREET).await.as_deref(), Some("0374-5101234"));
}

#[tokio::test]
async fn only_region_managers_within_their_scope_set_a_hotline() {
    let t = weidu().await;
    // Outside the actor's scope: not found, as if it did not exist.
    assert!(matches!(
        set_region_hotline(&t.core, &scoped(OTHER_COMMUNITY), COMMUNITY, "12345").await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        set_region_hotline(&t.core, &scoped(STREET), COUNTY, "12345").await,
        Err(Error::NotFound)
    ));
    // Service staff may not manage regions.
    let staff = user(&t, "hotline_staff", STREET).await;
    assert!(matches!(
        set_region_hotline(&t.core, &staff, STREET, "12345").await,
        Err(Error::Forbidden)
    ));
    // A retired region takes no hotline.
    sqlx::query("UPDATE region SET valid_to = '2020-01-01' WHERE code = $1")
        .bind(OTHER_COMMUNITY.to_string())
        .execute(t.core.db.pool())
        .await
        .unwrap();
    match set_region_hotline(&t.core, &county_admin(), OTHER_COMMUNITY, "12345").await {
        Err(Error::Invalid(v)) => assert_eq!(v[0].key, "org.region.already_retired"),
        other => panic!("{other:?}"),
    }
    for code in [COMMUNITY, COUNTY, OTHER_COMMUNITY] {
        assert_eq!(stored(&t, code).await, None, "{code}");
    }
}
