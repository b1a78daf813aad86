//! The organisation: region tree from the official table, history of names and merges,
//! scope as code ranges, units and users within scope.

use chuangye_core::org::repo::{self, UnitFilter};
use chuangye_core::org::service::{self, MergeRegion, NewRegion, RenameRegion, UnitInput};
use chuangye_core::org::{Actor, RegionScope};
use chuangye_core::{Error, demo};

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, county_admin, scoped, weidu};

fn field_keys(e: Error) -> Vec<(String, String)> {
    match e {
        Error::Invalid(v) => v.into_iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn the_demo_district_has_its_official_sub_districts_and_communities() {
    let t = weidu().await;
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let scope = RegionScope::of(COUNTY);
    assert_eq!(
        repo::region_count(&mut c, &scope).await.unwrap(),
        1 + 15 + 104
    );
    let kids = repo::region_children(&mut c, &scope, COUNTY, false)
        .await
        .unwrap();
    assert_eq!(kids.len(), 15);
    let east = kids.iter().find(|k| k.code == "411002570000").unwrap();
    assert_eq!(east.kind, "functional_zone");
    assert_eq!(east.children, 14);
}

#[tokio::test]
async fn loading_the_same_tree_twice_adds_nothing() {
    let t = weidu().await;
    let added = demo::init_regions(&t.core, &county_admin(), "411002")
        .await
        .unwrap();
    assert_eq!(added, 0);
}

#[tokio::test]
async fn an_unknown_root_code_is_refused_at_the_field() {
    let t = weidu().await;
    let e = demo::init_regions(&t.core, &county_admin(), "411002999000")
        .await
        .unwrap_err();
    assert_eq!(
        field_keys(e),
        vec![("root".to_string(), "org.region.unknown".to_string())]
    );
}

#[tokio::test]
async fn a_region_outside_the_deployment_cannot_be_loaded_into_it() {
    let t = weidu().await;
    let e = demo::init_regions(&t.core, &county_admin(), "360981")
        .await
        .unwrap_err();
    assert_eq!(
        field_keys(e),
        vec![(
            "root".to_string(),
            "org.region.outside_deployment".to_string()
        )]
    );
}

#[tokio::test]
async fn a_community_worker_sees_only_its_community() {
    let t = weidu().await;
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let me = scoped(COMMUNITY);
    assert!(
        repo::region_get(&mut c, &me.scope, COMMUNITY)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        repo::region_get(&mut c, &me.scope, OTHER_COMMUNITY)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        repo::region_get(&mut c, &me.scope, STREET)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(repo::region_count(&mut c, &me.scope).await.unwrap(), 1);
}

#[tokio::test]
async fn a_renamed_region_keeps_its_old_name_in_history() {
    let t = weidu().await;
    let old = service::get_region(&t.core, &county_admin(), COMMUNITY)
        .await
        .unwrap()
        .name;
    service::rename_region(
        &t.core,
        &county_admin(),
        COMMUNITY,
        &RenameRegion {
            name: "新名社区".into(),
            date: "2025-01-01".into(),
        },
    )
    .await
    .unwrap();
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let r = repo::region_get(&mut c, &RegionScope::of(COUNTY), COMMUNITY)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.name, "新名社区");
    let h = repo::region_history(&mut c, COMMUNITY).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(
        (
            h[0].name.as_str(),
            h[0].valid_from.as_str(),
            h[0].valid_to.as_str()
        ),
        (old.as_str(), "2023-06-30", "2025-01-01")
    );
    // A second rename dated before the first is refused.
    let e = service::rename_region(
        &t.core,
        &county_admin(),
        COMMUNITY,
        &RenameRegion {
            name: "再改".into(),
            date: "2024-06-01".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_keys(e)[0].1, "org.region.date_before_last_change");
}

#[tokio::test]
async fn a_new_community_gets_a_code_below_its_sub_district() {
    let t = weidu().await;
    let ok = NewRegion {
        code: "411002001099".into(),
        name: "新建社区".into(),
        date: "2025-03-01".into(),
    };
    service::add_region(&t.core, &county_admin(), STREET, &ok)
        .await
        .unwrap();
    let outside = NewRegion {
        code: "411002002099".into(),
        name: "错位社区".into(),
        date: "2025-03-01".into(),
    };
    let e = service::add_region(&t.core, &county_admin(), STREET, &outside)
        .await
        .unwrap_err();
    assert_eq!(
        field_keys(e)[0],
        ("code".to_string(), "org.region.code_not_below".to_string())
    );
    let dup = NewRegion {
        code: COMMUNITY.into(),
        name: "重复".into(),
        date: "2025-03-01".into(),
    };
    let e = service::add_region(&t.core, &county_admin(), STREET, &dup)
        .await
        .unwrap_err();
    assert_eq!(field_keys(e)[0].1, "org.region.code_taken");
}

#[tokio::test]
async fn a_merged_community_is_retired_but_stays_readable() {
    let t = weidu().await;
    let m = MergeRegion {
        successor: OTHER_COMMUNITY.into(),
        date: "2025-06-30".into(),
    };
    service::merge_region(&t.core, &county_admin(), COMMUNITY, &m)
        .await
        .unwrap();
    let r = service::get_region(&t.core, &county_admin(), COMMUNITY)
        .await
        .unwrap();
    assert_eq!(r.valid_to.as_deref(), Some("2025-06-30"));
    assert_eq!(r.successor_code.as_deref(), Some(OTHER_COMMUNITY));
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let active = repo::region_children(&mut c, &RegionScope::of(COUNTY), STREET, false)
        .await
        .unwrap();
    assert!(active.iter().all(|r| r.code != COMMUNITY));
    // A sub-district with communities cannot be merged away.
    let e = service::merge_region(
        &t.core,
        &county_admin(),
        STREET,
        &MergeRegion {
            successor: "411002002000".into(),
            date: "2025-06-30".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(
        field_keys(e)
            .iter()
            .any(|(_, k)| k == "org.region.has_children")
    );
}

#[tokio::test]
async fn managing_regions_needs_the_permission() {
    let t = weidu().await;
    let mut a: Actor = scoped(STREET);
    a.permissions
        .remove(&chuangye_core::org::Permission::RegionManage);
    let e = service::rename_region(
        &t.core,
        &a,
        COMMUNITY,
        &RenameRegion {
            name: "x".into(),
            date: "2025-01-01".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::Forbidden));
}

#[tokio::test]
async fn units_outside_the_scope_are_invisible_and_cannot_be_edited() {
    let t = weidu().await;
    let admin = county_admin();
    let here = service::create_unit(
        &t.core,
        &admin,
        &UnitInput {
            name: "社区服务站".into(),
            kind: "other".into(),
            region_code: COMMUNITY.into(),
        },
    )
    .await
    .unwrap();
    let there = service::create_unit(
        &t.core,
        &admin,
        &UnitInput {
            name: "别处服务站".into(),
            kind: "other".into(),
            region_code: OTHER_COMMUNITY.into(),
        },
    )
    .await
    .unwrap();
    let me = scoped(COMMUNITY);
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let (rows, total) = repo::unit_list(&mut c, &me.scope, &UnitFilter::default(), 50)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].id, here);
    drop(c);
    let e = service::update_unit(
        &t.core,
        &me,
        &there,
        &UnitInput {
            name: "改".into(),
            kind: "other".into(),
            region_code: COMMUNITY.into(),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::NotFound));
    // Nor can a unit be moved out of the scope.
    let e = service::update_unit(
        &t.core,
        &me,
        &here,
        &UnitInput {
            name: "改".into(),
            kind: "other".into(),
            region_code: OTHER_COMMUNITY.into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_keys(e)[0].0, "region_code");
}

#[tokio::test]
async fn a_duplicate_unit_name_in_one_region_is_refused_at_the_field() {
    let t = weidu().await;
    let u = UnitInput {
        name: "区财政局".into(),
        kind: "department".into(),
        region_code: COUNTY.into(),
    };
    service::create_unit(&t.core, &county_admin(), &u)
        .await
        .unwrap();
    let e = service::create_unit(&t.core, &county_admin(), &u)
        .await
        .unwrap_err();
    assert_eq!(
        field_keys(e)[0],
        ("name".to_string(), "org.unit.name_taken".to_string())
    );
}
