//! The job board and business ideas: public submissions reviewed by the region chosen,
//! community entries reviewed by their sub-district, returns and rejections with a reason,
//! contacts as the poster chose, expiry at read time, matches by trade and nearby region,
//! scope, and the search index following publication, expiry and withdrawal.

use chuangye_core::Error;
use chuangye_core::board::model::{Contact, state};
use chuangye_core::board::public::{self, Public};
use chuangye_core::board::repo::Filters;
use chuangye_core::board::{EntryInput, Kind, service};
use chuangye_core::idea::{IdeaInput, public as idea_public, service as ideas};
use chuangye_core::portal::index;
use chuangye_core::portal::public::search;
use chuangye_core::portal::search::Query;
use chuangye_core::testing::TestDb;

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, county_admin, scoped, weidu};

/// A sub-district other than [`STREET`], and one of its communities.
const OTHER_STREET: &str = "411002002000";
const FAR_COMMUNITY: &str = "411002002001";

async fn site() -> TestDb {
    let t = weidu().await;
    chuangye_core::org::service::set_root_region(&t.core, &county_admin(), COUNTY)
        .await
        .unwrap();
    t
}

fn until(days: i64) -> String {
    chuangye_core::ledger::model::fmt_date(
        chuangye_core::ledger::model::today() + time::Duration::days(days),
    )
}

fn job(position: &str, trade: &str, region: &str, visibility: &str) -> EntryInput {
    EntryInput {
        employer: "许昌某服装厂".into(),
        position: position.into(),
        trade: trade.into(),
        head_count: "10".into(),
        pay_min: "3500".into(),
        pay_max: "5000".into(),
        body: "吃苦耐劳".into(),
        region_code: region.into(),
        contact_name: "王丽".into(),
        contact_phone: "13800138000".into(),
        contact_visibility: visibility.into(),
        valid_until: until(30),
    }
}

fn supply(trade: &str, region: &str, body: &str) -> EntryInput {
    EntryInput {
        trade: trade.into(),
        head_count: "3".into(),
        body: body.into(),
        region_code: region.into(),
        contact_name: "赵师傅".into(),
        contact_phone: "13607441111".into(),
        contact_visibility: "masked".into(),
        valid_until: until(30),
        ..Default::default()
    }
}

fn field_of(e: Error) -> String {
    match e {
        Error::Invalid(v) => format!("{}:{}", v[0].field, v[0].key),
        other => format!("{other:?}"),
    }
}

async fn listed(t: &TestDb, kind: Kind, f: Filters) -> Vec<String> {
    public::list(&t.core, kind, &f, 1)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|e| e.id)
        .collect()
}

fn everywhere() -> Filters {
    Filters {
        region: COUNTY.into(),
        ..Filters::default()
    }
}

async fn found(t: &TestDb, text: &str) -> Vec<String> {
    let q = Query {
        text: text.into(),
        ..Query::default()
    };
    search(&t.core, &q)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[tokio::test]
async fn a_public_posting_waits_for_its_regions_staff_and_is_published_on_approval() {
    let t = site().await;
    let input = job(
        "<script>alert(1)</script>缝纫工",
        "operator",
        COMMUNITY,
        "public",
    );
    let id = service::submit_public(&t.core, Kind::Job, &input, "10.0.0.1")
        .await
        .unwrap()
        .id;
    assert!(listed(&t, Kind::Job, everywhere()).await.is_empty());
    assert!(matches!(
        public::entry(&t.core, Kind::Job, &id).await,
        Err(Error::NotFound)
    ));
    // The community's own staff review it; its sub-district does not.
    let street = scoped(STREET);
    assert!(
        service::review_queue(&t.core, &street, Kind::Job)
            .await
            .unwrap()
            .is_empty()
    );
    let e = service::decide(&t.core, &street, Kind::Job, &id, true, "")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "state:portal.review_own");
    let community = scoped(COMMUNITY);
    let queue = service::review_queue(&t.core, &community, Kind::Job)
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].contact_masked, "138****8000");
    assert!(!queue[0].contact_cipher.contains("13800138000"));
    service::decide(&t.core, &community, Kind::Job, &id, true, "")
        .await
        .unwrap();
    assert_eq!(
        listed(&t, Kind::Job, everywhere()).await,
        std::slice::from_ref(&id)
    );
    let e = service::decide(&t.core, &community, Kind::Job, &id, true, "")
        .await
        .unwrap_err();
    assert_eq!(
        field_of(e),
        "state:portal.not_in_review",
        "no double approval"
    );
    // Bad input: every field answered, nothing written.
    let bad = EntryInput {
        region_code: "110101000000".into(),
        ..job("保安", "security", "", "public")
    };
    let e = service::submit_public(&t.core, Kind::Job, &bad, "10.0.0.1")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "region_code:board.region_unknown");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_posting")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_community_entry_is_returned_with_a_reason_and_a_public_one_rejected() {
    let t = site().await;
    let (community, street) = (scoped(COMMUNITY), scoped(STREET));
    let id = service::create(
        &t.core,
        &community,
        Kind::Labour,
        &supply("welder", "", "焊工3人"),
    )
    .await
    .unwrap();
    let e = service::get(&t.core, &community, Kind::Labour, &id)
        .await
        .unwrap();
    assert_eq!(
        (e.state.as_str(), e.region_code.as_str()),
        (state::REVIEW, COMMUNITY)
    );
    let e = service::decide(&t.core, &street, Kind::Labour, &id, false, "  ")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "reason:portal.reason_missing");
    service::decide(
        &t.core,
        &street,
        Kind::Labour,
        &id,
        false,
        "请写明可到岗时间",
    )
    .await
    .unwrap();
    let e = service::get(&t.core, &community, Kind::Labour, &id)
        .await
        .unwrap();
    assert_eq!(e.state, state::RETURNED);
    assert_eq!(e.return_reason.as_deref(), Some("请写明可到岗时间"));
    // Changed (the number kept when left blank) and back in review; approved.
    let mut changed = supply("welder", "", "焊工3人，随时到岗");
    changed.contact_phone = String::new();
    service::update(
        &t.core,
        &community,
        Kind::Labour,
        &id,
        &changed,
        Some(e.version),
    )
    .await
    .unwrap();
    let e = service::get(&t.core, &community, Kind::Labour, &id)
        .await
        .unwrap();
    assert_eq!(
        (e.state.as_str(), e.contact_masked.as_str()),
        (state::REVIEW, "136****1111")
    );
    service::decide(&t.core, &street, Kind::Labour, &id, true, "")
        .await
        .unwrap();
    assert_eq!(listed(&t, Kind::Labour, everywhere()).await, [id]);

    let id = service::submit_public(&t.core, Kind::Labour, &supply("cook", STREET, "厨师"), "x")
        .await
        .unwrap()
        .id;
    service::decide(
        &t.core,
        &street,
        Kind::Labour,
        &id,
        false,
        "联系电话无法接通",
    )
    .await
    .unwrap();
    let e = service::get(&t.core, &street, Kind::Labour, &id)
        .await
        .unwrap();
    assert_eq!(e.state, state::REJECTED);
    assert_eq!(e.return_reason.as_deref(), Some("联系电话无法接通"));
    assert!(matches!(
        public::entry(&t.core, Kind::Labour, &id).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn contacts_are_shown_only_as_the_poster_chose() {
    let t = site().await;
    sqlx::query("UPDATE region SET hotline = '0374-5101234' WHERE code = $1")
        .bind(STREET)
        .execute(t.core.db.pool())
        .await
        .unwrap();
    let county = scoped(COUNTY);
    let mut shown = Vec::new();
    for v in ["public", "masked", "staff"] {
        let id = service::create(
            &t.core,
            &county,
            Kind::Job,
            &job("缝纫工", "operator", COMMUNITY, v),
        )
        .await
        .unwrap();
        let Public::Shown(e) = public::entry(&t.core, Kind::Job, &id).await.unwrap() else {
            panic!("published")
        };
        shown.push(public::contact(&t.core, &e).await.unwrap());
    }
    assert_eq!(
        shown[0],
        Contact::Public {
            name: "王丽".into(),
            phone: "13800138000".into()
        }
    );
    assert_eq!(
        shown[1],
        Contact::Masked {
            name: "王*".into(),
            phone: "138****8000".into()
        },
        "masked_contact_hides_the_phone"
    );
    // Staff only: the nearest service point up the tree with a hotline (the sub-district).
    let Contact::Staff {
        service_point,
        hotline,
    } = &shown[2]
    else {
        panic!("{:?}", shown[2])
    };
    assert_eq!(hotline.as_deref(), Some("0374-5101234"));
    assert!(!service_point.is_empty());
    // The search document never carries the number.
    let docs = index_docs(&t).await;
    assert!(
        docs.iter()
            .all(|d| !d.contains("13800138000") && !d.contains("8000"))
    );
}

async fn index_docs(t: &TestDb) -> Vec<String> {
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let (docs, _) = public::public_page(&mut c, Kind::Job, "", chuangye_core::db::now(), 100)
        .await
        .unwrap();
    docs.into_iter()
        .map(|d| format!("{} {}", d.title, d.body))
        .collect()
}

#[tokio::test]
async fn a_posting_past_its_day_drops_out_and_answers_gone_and_search_follows() {
    let t = site().await;
    let county = scoped(COUNTY);
    let id = service::create(
        &t.core,
        &county,
        Kind::Job,
        &job("叉车司机", "driver", STREET, "masked"),
    )
    .await
    .unwrap();
    assert_eq!(found(&t, "叉车司机").await, std::slice::from_ref(&id));
    // Traditional characters find it too.
    assert_eq!(found(&t, "叉車司機").await, std::slice::from_ref(&id));
    sqlx::query("UPDATE job_posting SET expire_at = $1 WHERE id = $2")
        .bind(chuangye_core::db::now() - 1)
        .bind(id.clone())
        .execute(t.core.db.pool())
        .await
        .unwrap();
    assert!(listed(&t, Kind::Job, everywhere()).await.is_empty());
    let Public::Gone { expired, .. } = public::entry(&t.core, Kind::Job, &id).await.unwrap() else {
        panic!("gone")
    };
    assert!(expired);
    // Search checks hits against the database at once; the index drops it on refresh.
    assert!(found(&t, "叉车司机").await.is_empty());
    index::refresh(&t.core, chuangye_core::portal::Source::Job, &id)
        .await
        .unwrap();
    assert!(found(&t, "叉车司机").await.is_empty());

    // Withdrawn: a notice with the reason, out of search.
    let id = service::create(
        &t.core,
        &county,
        Kind::Labour,
        &supply("care", STREET, "养老护理员六人"),
    )
    .await
    .unwrap();
    assert_eq!(found(&t, "养老护理员").await, std::slice::from_ref(&id));
    let e = service::withdraw(&t.core, &county, Kind::Labour, &id, "")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "reason:portal.reason_missing");
    service::withdraw(&t.core, &county, Kind::Labour, &id, "已招满")
        .await
        .unwrap();
    let Public::Gone {
        reason, expired, ..
    } = public::entry(&t.core, Kind::Labour, &id).await.unwrap()
    else {
        panic!("gone")
    };
    assert_eq!((reason.as_deref(), expired), (Some("已招满"), false));
    assert!(found(&t, "养老护理员").await.is_empty());
}

#[tokio::test]
async fn matches_are_the_same_trade_nearest_first() {
    let t = site().await;
    let county = scoped(COUNTY);
    let posting = service::create(
        &t.core,
        &county,
        Kind::Job,
        &job("电工", "electrician", COMMUNITY, "public"),
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (trade, region) in [
        ("electrician", FAR_COMMUNITY),
        ("electrician", OTHER_COMMUNITY),
        ("electrician", COMMUNITY),
        ("welder", COMMUNITY),
    ] {
        ids.push(
            service::create(
                &t.core,
                &county,
                Kind::Labour,
                &supply(trade, region, "持证"),
            )
            .await
            .unwrap(),
        );
    }
    let Public::Shown(p) = public::entry(&t.core, Kind::Job, &posting).await.unwrap() else {
        panic!()
    };
    let m: Vec<String> = public::matches_of(&t.core, &p, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    // Its own community, then a neighbour in the same sub-district, then the district.
    assert_eq!(m, [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    // And the reverse: the posting is suggested on the supply's page.
    let Public::Shown(s) = public::entry(&t.core, Kind::Labour, &ids[1]).await.unwrap() else {
        panic!()
    };
    let back: Vec<String> = public::matches_of(&t.core, &s, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(back, std::slice::from_ref(&posting));
    // Staff see the same from the back office, within their scope.
    let staff = service::matches(&t.core, &scoped(COMMUNITY), Kind::Job, &posting)
        .await
        .unwrap();
    assert_eq!(staff.len(), 3);
}

#[tokio::test]
async fn a_community_worker_cannot_see_or_change_another_communitys_entries() {
    let t = site().await;
    let other = scoped(OTHER_COMMUNITY);
    let id = service::create(
        &t.core,
        &other,
        Kind::Labour,
        &supply("cook", "", "厨师两名"),
    )
    .await
    .unwrap();
    let mine = scoped(COMMUNITY);
    assert!(matches!(
        service::get(&t.core, &mine, Kind::Labour, &id).await,
        Err(Error::NotFound)
    ));
    assert!(
        service::list(&t.core, &mine, Kind::Labour, None, 1)
            .await
            .unwrap()
            .0
            .is_empty()
    );
    let e = service::decide(&t.core, &mine, Kind::Labour, &id, true, "")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound));
    let e = service::update(
        &t.core,
        &mine,
        Kind::Labour,
        &id,
        &supply("cook", "", "改"),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::NotFound));
    // Nor enter one for another community.
    let e = service::create(
        &t.core,
        &mine,
        Kind::Labour,
        &supply("cook", OTHER_COMMUNITY, "厨师"),
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(e), "region_code:board.region_unknown");
    let e = service::withdraw(&t.core, &scoped(OTHER_STREET), Kind::Labour, &id, "x")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound));
}

#[tokio::test]
async fn the_public_list_filters_by_trade_region_pay_and_words() {
    let t = site().await;
    let county = scoped(COUNTY);
    let a = service::create(
        &t.core,
        &county,
        Kind::Job,
        &job("缝纫工", "operator", COMMUNITY, "public"),
    )
    .await
    .unwrap();
    let mut high = job("高级电工", "electrician", FAR_COMMUNITY, "public");
    high.pay_min = "7000".into();
    high.pay_max = "9000".into();
    let b = service::create(&t.core, &county, Kind::Job, &high)
        .await
        .unwrap();
    let f = |trade: Option<&str>, region: &str, pay: Option<i64>, word: Option<&str>| Filters {
        region: region.into(),
        trade: trade.map(str::to_string),
        pay_min: pay,
        keyword: word.map(str::to_string),
    };
    assert_eq!(
        listed(&t, Kind::Job, f(Some("operator"), COUNTY, None, None)).await,
        std::slice::from_ref(&a)
    );
    assert_eq!(
        listed(&t, Kind::Job, f(None, STREET, None, None)).await,
        std::slice::from_ref(&a)
    );
    assert_eq!(
        listed(&t, Kind::Job, f(None, COUNTY, Some(6000), None)).await,
        std::slice::from_ref(&b)
    );
    assert_eq!(
        listed(&t, Kind::Job, f(None, COUNTY, None, Some("电工"))).await,
        std::slice::from_ref(&b)
    );
    assert_eq!(listed(&t, Kind::Job, everywhere()).await, [b, a]);
}

#[tokio::test]
async fn a_solicited_idea_is_reviewed_then_published_and_found() {
    let t = site().await;
    let input = IdeaInput {
        title: "社区果蔬直供站".into(),
        category: "retail".into(),
        invest_min: "5".into(),
        invest_max: "10".into(),
        description: "<p onclick=\"x()\">与周边农户合作</p><script>alert(1)</script>".into(),
        region_code: STREET.into(),
        submitter_name: "刘明".into(),
        contact_phone: "13812345678".into(),
    };
    let id = ideas::submit_public(&t.core, &input, "10.0.0.2")
        .await
        .unwrap()
        .id;
    let street = scoped(STREET);
    let queue = ideas::review_queue(&t.core, &street).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].contact_masked.as_deref(), Some("138****5678"));
    assert!(!queue[0].description.contains("script") && !queue[0].description.contains("onclick"));
    assert!(found(&t, "果蔬直供").await.is_empty());
    service::decide(&t.core, &street, Kind::Idea, &id, true, "")
        .await
        .unwrap();
    let Public::Shown(i) = idea_public::idea(&t.core, &id).await.unwrap() else {
        panic!()
    };
    assert_eq!(i.submitter_public().as_deref(), Some("刘*"));
    assert_eq!(found(&t, "果蔬直供").await, std::slice::from_ref(&id));
    // A recommended idea from the county is published at once; a rejected one never shows.
    let rec = ideas::create(
        &t.core,
        &scoped(COUNTY),
        &IdeaInput {
            title: "乡村民宿".into(),
            category: "tourism".into(),
            description: "利用闲置农房".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let f = chuangye_core::idea::repo::Filters {
        region: COUNTY.into(),
        ..Default::default()
    };
    let (rows, total) = idea_public::list(&t.core, &f, 1).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(rows[0].id, rec);
    let other = ideas::submit_public(&t.core, &input, "x").await.unwrap().id;
    service::decide(
        &t.core,
        &street,
        Kind::Idea,
        &other,
        false,
        "与已有项目重复",
    )
    .await
    .unwrap();
    assert!(matches!(
        idea_public::idea(&t.core, &other).await,
        Err(Error::NotFound)
    ));
    service::withdraw(&t.core, &street, Kind::Idea, &id, "项目已停止征集")
        .await
        .unwrap();
    assert!(found(&t, "果蔬直供").await.is_empty());
}

#[tokio::test]
async fn the_back_office_list_pages_through_every_entry() {
    let t = site().await;
    let county = scoped(COUNTY);
    for n in 0..51 {
        service::create(
            &t.core,
            &county,
            Kind::Labour,
            &supply("cook", STREET, &format!("厨师{n}")),
        )
        .await
        .unwrap();
    }
    let (first, more) = service::list(&t.core, &county, Kind::Labour, Some("published"), 1)
        .await
        .unwrap();
    assert_eq!((first.len(), more), (50, true));
    let (second, more) = service::list(&t.core, &county, Kind::Labour, None, 2)
        .await
        .unwrap();
    assert_eq!((second.len(), more), (1, false));
    assert!(!first.iter().any(|e| e.id == second[0].id));
}

#[tokio::test]
async fn what_a_review_found_stays_fixed() {
    let t = site().await;
    let community = scoped(COMMUNITY);
    // A name the poster kept from the public is not findable through the labour list.
    let mut hidden = supply("cook", COMMUNITY, "会做川菜和面点");
    hidden.contact_name = "欧阳修远".into();
    hidden.contact_visibility = "staff".into();
    let sid = service::submit_public(&t.core, Kind::Labour, &hidden, "10.0.0.2")
        .await
        .unwrap()
        .id;
    service::decide(&t.core, &community, Kind::Labour, &sid, true, "")
        .await
        .unwrap();
    let by = |q: &str| Filters {
        keyword: chuangye_core::board::model::keyword(q),
        ..everywhere()
    };
    assert_eq!(
        listed(&t, Kind::Labour, by("川菜")).await,
        std::slice::from_ref(&sid)
    );
    assert!(
        listed(&t, Kind::Labour, by("修远")).await.is_empty(),
        "never by the name"
    );
    // A Traditional keyword (copied from a converted page) finds the Simplified record.
    assert_eq!(
        listed(&t, Kind::Labour, by("麵點")).await,
        std::slice::from_ref(&sid)
    );
    // A public submission once changed by its community's staff is theirs: the community may
    // not approve its own change, its sub-district reviews it, and a refusal is a return.
    let pid = service::submit_public(
        &t.core,
        Kind::Job,
        &job("裁剪工", "operator", COMMUNITY, "public"),
        "10.0.0.3",
    )
    .await
    .unwrap()
    .id;
    service::decide(&t.core, &community, Kind::Job, &pid, true, "")
        .await
        .unwrap();
    let mut worker = community.clone();
    worker
        .permissions
        .remove(&chuangye_core::org::Permission::PortalPublish);
    service::update(
        &t.core,
        &worker,
        Kind::Job,
        &pid,
        &job("裁剪工（急招）", "operator", "", "public"),
        None,
    )
    .await
    .unwrap();
    let e = service::decide(&t.core, &community, Kind::Job, &pid, true, "")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "state:portal.review_own");
    service::decide(
        &t.core,
        &scoped(STREET),
        Kind::Job,
        &pid,
        false,
        "工资写得不清楚",
    )
    .await
    .unwrap();
    let e = public::entry(&t.core, Kind::Job, &pid).await;
    assert!(matches!(e, Err(Error::NotFound)), "returned, not public");
    let state: String = sqlx::query_scalar("SELECT state FROM job_posting WHERE id = $1")
        .bind(pid.clone())
        .fetch_one(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(state, state::RETURNED);
    // A region no longer in force is not offered to the public.
    sqlx::query("UPDATE region SET valid_to = '2024-01-01' WHERE code = $1")
        .bind(FAR_COMMUNITY)
        .execute(t.core.db.pool())
        .await
        .unwrap();
    let e = service::submit_public(
        &t.core,
        Kind::Job,
        &job("保安", "security", FAR_COMMUNITY, "public"),
        "10.0.0.4",
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(e), "region_code:board.region_unknown");
}
