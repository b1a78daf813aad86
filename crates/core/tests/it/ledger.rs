//! The ledger: one record per real thing, derived fields, effective-dated status, visits and
//! needs routed with working-day deadlines, scope.

use chuangye_core::Error;
use chuangye_core::ledger::model::{BusinessInput, PersonInput};
use chuangye_core::ledger::repo::{self, PersonFilter, Total};
use chuangye_core::ledger::service::{
    self, NeedInput, NeedUpdate, Registered, StatusChange, VisitInput,
};
use chuangye_core::org::service::{UnitInput, create_unit};
use chuangye_core::org::{Permission, RegionScope};

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, county_admin, scoped, weidu};

/// A valid ID number (GB 11643) for a running sequence.
fn id_number(seq: u32) -> String {
    let body = format!(
        "41100219850{}{:02}{:03}",
        1 + seq % 9,
        1 + seq % 28,
        seq % 1000
    );
    chuangye_core::testing::with_check_digit(&body)
}

fn person(seq: u32, community: &str) -> PersonInput {
    PersonInput {
        name: format!("张{seq}"),
        id_number: id_number(seq),
        phone: "13903741234".into(),
        education: "bachelor".into(),
        household: "urban".into(),
        categories: vec!["graduate".into()],
        party_member: true,
        region_code: community.into(),
        address: "文峰路 1 号".into(),
    }
}

fn keys(e: Error) -> Vec<(String, String)> {
    match e {
        Error::Invalid(v) => v.into_iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_check_digit_is_refused_at_the_id_number_field_and_nothing_is_saved() {
    let t = weidu().await;
    let mut p = person(1, COMMUNITY);
    p.id_number.pop();
    p.id_number
        .push(if p.id_number.ends_with('1') { '2' } else { '1' });
    let e = service::register_person(&t.core, &county_admin(), &p)
        .await
        .unwrap_err();
    assert_eq!(
        keys(e)[0],
        (
            "id_number".to_string(),
            "validate.id_number.check_digit".to_string()
        )
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn birth_date_and_sex_come_from_the_id_number_which_is_stored_encrypted() {
    let t = weidu().await;
    let Registered::New(id) =
        service::register_person(&t.core, &county_admin(), &person(2, COMMUNITY))
            .await
            .unwrap()
    else {
        panic!()
    };
    let r = service::person_record(&t.core, &county_admin(), &id)
        .await
        .unwrap();
    let idn = id_number(2);
    assert_eq!(
        r.person.birth_date,
        format!("{}-{}-{}", &idn[6..10], &idn[10..12], &idn[12..14])
    );
    let digit = idn.as_bytes()[16] - b'0';
    assert_eq!(r.person.sex, if digit % 2 == 1 { "male" } else { "female" });
    assert_eq!(
        r.person.id_masked,
        format!("{}********{}", &idn[..6], &idn[14..])
    );
    let stored: String = sqlx::query_scalar("SELECT id_cipher FROM person WHERE id = $1")
        .bind(id)
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&idn[6..14]));
}

#[tokio::test]
async fn one_person_per_id_number_found_in_scope_or_named_elsewhere() {
    let t = weidu().await;
    let Registered::New(id) =
        service::register_person(&t.core, &county_admin(), &person(3, COMMUNITY))
            .await
            .unwrap()
    else {
        panic!()
    };
    // Again, inside the scope: the existing record.
    let again = service::register_person(&t.core, &scoped(COMMUNITY), &person(3, COMMUNITY))
        .await
        .unwrap();
    assert_eq!(again, Registered::Existing(id.clone()));
    // From another community: only the region where it is registered is told.
    let there = service::register_person(
        &t.core,
        &scoped(OTHER_COMMUNITY),
        &person(3, OTHER_COMMUNITY),
    )
    .await
    .unwrap();
    match there {
        Registered::Elsewhere {
            region_code,
            region_name,
            ..
        } => {
            assert_eq!(region_code, COMMUNITY);
            assert!(!region_name.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // And the other community cannot open it.
    assert!(matches!(
        service::person_record(&t.core, &scoped(OTHER_COMMUNITY), &id).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn party_membership_needs_its_own_permission() {
    let t = weidu().await;
    let Registered::New(id) =
        service::register_person(&t.core, &county_admin(), &person(4, COMMUNITY))
            .await
            .unwrap()
    else {
        panic!()
    };
    let mut no_party = scoped(COMMUNITY);
    no_party.permissions.remove(&Permission::PartyView);
    let r = service::person_record(&t.core, &no_party, &id)
        .await
        .unwrap();
    assert_eq!(r.party_member, None);
    let r = service::person_record(&t.core, &county_admin(), &id)
        .await
        .unwrap();
    assert_eq!(r.party_member, Some(true));
    // The party filter is ignored without the permission.
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let f = PersonFilter {
        party: Some("1".into()),
        ..Default::default()
    };
    let (_, total_with, _) =
        repo::person_list(&mut c, &RegionScope::of(COUNTY), &f, true, None, 50)
            .await
            .unwrap();
    assert_eq!(total_with, Total::Exact(1));
}

#[tokio::test]
async fn lists_filter_count_and_page_by_key_within_scope() {
    let t = weidu().await;
    for i in 10..25 {
        let community = if i % 3 == 0 {
            OTHER_COMMUNITY
        } else {
            COMMUNITY
        };
        let mut p = person(i, community);
        if i % 2 == 0 {
            p.categories = vec!["veteran".into()];
        }
        service::register_person(&t.core, &county_admin(), &p)
            .await
            .unwrap();
    }
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let mine = RegionScope::of(COMMUNITY);
    let (_, total, _) = repo::person_list(&mut c, &mine, &PersonFilter::default(), false, None, 50)
        .await
        .unwrap();
    assert_eq!(total, Total::Exact(10));
    let vets = PersonFilter {
        category: Some("veteran".into()),
        ..Default::default()
    };
    let (_, vt, _) = repo::person_list(&mut c, &RegionScope::of(COUNTY), &vets, false, None, 50)
        .await
        .unwrap();
    assert_eq!(vt, Total::Exact(8));
    // Pages of 4 over the county: every person exactly once, in name order.
    let mut seen = Vec::new();
    let mut f = PersonFilter::default();
    loop {
        let (rows, total, next) =
            repo::person_list(&mut c, &RegionScope::of(COUNTY), &f, false, None, 4)
                .await
                .unwrap();
        assert_eq!(total, Total::Exact(15));
        seen.extend(rows.into_iter().map(|r| r.name));
        match next {
            Some(n) => f.after = Some(n),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 15);
}

fn business(name: &str, uscc: &str) -> BusinessInput {
    BusinessInput {
        name: name.into(),
        kind: "private".into(),
        uscc: uscc.into(),
        industry: "65".into(),
        registered_on: "2024-03-15".into(),
        region_code: COMMUNITY.into(),
        address: "魏都区".into(),
        capital: "50万".into(),
        jobs: "8".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_credit_code_failing_its_check_needs_a_reason_from_a_permitted_user() {
    let t = weidu().await;
    // 91350100M000100Y43 is the standard's example; change its check character.
    let bad = "91350100M000100Y44";
    let e = service::register_business(&t.core, &county_admin(), &business("甲公司", bad))
        .await
        .unwrap_err();
    assert_eq!(
        keys(e)[0],
        (
            "uscc".to_string(),
            "validate.uscc.check_mismatch".to_string()
        )
    );
    let mut without = scoped(COUNTY);
    without.permissions.remove(&Permission::LedgerOverride);
    let mut b = business("甲公司", bad);
    b.uscc_override_reason = "营业执照原件核对无误".into();
    assert!(
        service::register_business(&t.core, &without, &b)
            .await
            .is_err()
    );
    let Registered::New(id) = service::register_business(&t.core, &county_admin(), &b)
        .await
        .unwrap()
    else {
        panic!()
    };
    let r = service::business_record(&t.core, &county_admin(), &id)
        .await
        .unwrap();
    assert_eq!(
        r.business.uscc_override_reason.as_deref(),
        Some("营业执照原件核对无误")
    );
    assert_eq!(r.business.capital_fen, 50_000_000);
    // One business per credit code.
    let again = service::register_business(&t.core, &county_admin(), &b)
        .await
        .unwrap();
    assert_eq!(again, Registered::Existing(id));
}

#[tokio::test]
async fn status_history_is_never_overwritten_and_any_past_date_can_be_read() {
    let t = weidu().await;
    let Registered::New(id) = service::register_business(
        &t.core,
        &county_admin(),
        &business("乙公司", "91350100M000100Y43"),
    )
    .await
    .unwrap() else {
        panic!()
    };
    service::change_status(
        &t.core,
        &county_admin(),
        &id,
        &StatusChange {
            status: "suspended".into(),
            valid_from: "2024-09-01".into(),
            note: "装修".into(),
        },
    )
    .await
    .unwrap();
    service::change_status(
        &t.core,
        &county_admin(),
        &id,
        &StatusChange {
            status: "operating".into(),
            valid_from: "2024-12-01".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let mut c = t.core.db.pool().acquire().await.unwrap();
    assert_eq!(
        repo::status_on(&mut c, &id, "2024-06-01")
            .await
            .unwrap()
            .as_deref(),
        Some("operating")
    );
    assert_eq!(
        repo::status_on(&mut c, &id, "2024-10-15")
            .await
            .unwrap()
            .as_deref(),
        Some("suspended")
    );
    assert_eq!(
        repo::status_on(&mut c, &id, "2025-01-01")
            .await
            .unwrap()
            .as_deref(),
        Some("operating")
    );
    assert_eq!(repo::status_history(&mut c, &id).await.unwrap().len(), 3);
    drop(c);
    let e = service::change_status(
        &t.core,
        &county_admin(),
        &id,
        &StatusChange {
            status: "deregistered".into(),
            valid_from: "2020-01-01".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(keys(e)[0].1, "ledger.status_before_registration");
}

#[tokio::test]
async fn a_need_found_on_a_visit_reaches_the_unit_queue_with_a_working_day_deadline() {
    let t = weidu().await;
    let admin = county_admin();
    let bank = create_unit(
        &t.core,
        &admin,
        &UnitInput {
            name: "经办银行".into(),
            kind: "bank".into(),
            region_code: COUNTY.into(),
        },
    )
    .await
    .unwrap();
    let other = create_unit(
        &t.core,
        &admin,
        &UnitInput {
            name: "税务局".into(),
            kind: "department".into(),
            region_code: COUNTY.into(),
        },
    )
    .await
    .unwrap();
    let Registered::New(pid) = service::register_person(&t.core, &admin, &person(40, COMMUNITY))
        .await
        .unwrap()
    else {
        panic!()
    };
    let visit = VisitInput {
        visit_date: "2025-01-02".into(),
        method: "home".into(),
        notes: "店面扩大，缺少周转资金".into(),
        next_visit_date: "2025-04-01".into(),
        needs: vec![NeedInput {
            kind: "funding".into(),
            description: "申请创业担保贷款 10 万元".into(),
            unit_id: bank.clone(),
        }],
        ..Default::default()
    };
    service::record_visit(&t.core, &scoped(COMMUNITY), &pid, &visit)
        .await
        .unwrap();
    let mut liaison = scoped(COUNTY);
    liaison.unit_id = Some(bank.clone());
    let queue = service::my_queue(&t.core, &liaison, false).await.unwrap();
    assert_eq!(queue.len(), 1);
    let n = &queue[0];
    let expected = chuangye_core::ledger::model::fmt_date(
        chuangye_core::workdays::add_working_days(chuangye_core::ledger::model::today(), 5),
    );
    assert_eq!(n.deadline, expected);
    // Another unit neither sees nor handles it.
    let mut tax = scoped(COUNTY);
    tax.unit_id = Some(other);
    assert!(
        service::my_queue(&t.core, &tax, false)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        service::update_need(
            &t.core,
            &tax,
            &n.id,
            &NeedUpdate {
                state: "accepted".into(),
                reason: String::new()
            }
        )
        .await,
        Err(Error::NotFound)
    ));
    // Cannot-resolve needs a reason; then resolved is final.
    let e = service::update_need(
        &t.core,
        &liaison,
        &n.id,
        &NeedUpdate {
            state: "unresolvable".into(),
            reason: " ".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(keys(e)[0].0, "reason");
    service::update_need(
        &t.core,
        &liaison,
        &n.id,
        &NeedUpdate {
            state: "accepted".into(),
            reason: String::new(),
        },
    )
    .await
    .unwrap();
    service::update_need(
        &t.core,
        &liaison,
        &n.id,
        &NeedUpdate {
            state: "resolved".into(),
            reason: "已放款".into(),
        },
    )
    .await
    .unwrap();
    let e = service::update_need(
        &t.core,
        &liaison,
        &n.id,
        &NeedUpdate {
            state: "accepted".into(),
            reason: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(keys(e)[0].1, "ledger.need_transition_invalid");
    let r = service::person_record(&t.core, &admin, &pid).await.unwrap();
    assert_eq!(r.person.next_visit_date.as_deref(), Some("2025-04-01"));
    assert_eq!(r.visits.len(), 1);
    assert_eq!(r.needs[0].state, "resolved");
}

#[tokio::test]
async fn a_person_cannot_be_registered_outside_the_actors_scope() {
    let t = weidu().await;
    let e = service::register_person(&t.core, &scoped(COMMUNITY), &person(50, OTHER_COMMUNITY))
        .await
        .unwrap_err();
    assert_eq!(keys(e)[0].0, "region_code");
}
