//! Published content: a community drafts, its sub-district reviews, the item shows on the
//! community's page and every page above (never beside it); returns, versions, scheduling,
//! expiry, withdrawal; the search index follows, in either script.

use chuangye_core::Error;
use chuangye_core::portal::model::state;
use chuangye_core::portal::public::{self, Public};
use chuangye_core::portal::search::Query;
use chuangye_core::portal::{ItemInput, index, service};

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, scoped, weidu};

fn news(title: &str, body: &str) -> ItemInput {
    ItemInput {
        kind: "news".into(),
        title: title.into(),
        body: body.into(),
        ..Default::default()
    }
}

fn field_of(e: Error) -> String {
    match e {
        Error::Invalid(v) => format!("{}:{}", v[0].field, v[0].key),
        other => format!("{other:?}"),
    }
}

async fn listed(t: &chuangye_core::testing::TestDb, region: &str) -> Vec<String> {
    public::list(&t.core, region, Some("news"), 1)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|i| i.title)
        .collect()
}

async fn found(t: &chuangye_core::testing::TestDb, text: &str) -> Vec<String> {
    let q = Query {
        text: text.into(),
        ..Query::default()
    };
    public::search(&t.core, &q)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[tokio::test]
async fn a_community_draft_reviewed_by_its_sub_district_shows_on_every_page_above_it() {
    let t = weidu().await;
    let (community, street) = (scoped(COMMUNITY), scoped(STREET));
    let id = service::create(
        &t.core,
        &community,
        &news(
            "社区举办创业担保贷款政策宣讲会",
            "<p>讲解创业担保贷款申请条件。</p><script>alert(1)</script>",
        ),
    )
    .await
    .unwrap();
    let item = service::get(&t.core, &community, &id).await.unwrap();
    assert!(!item.body.contains("script"), "{}", item.body);
    // A community cannot publish for itself: it submits for review.
    assert_eq!(
        service::submit(&t.core, &community, &id).await.unwrap(),
        state::REVIEW
    );
    assert!(
        listed(&t, COMMUNITY).await.is_empty(),
        "not public while in review"
    );
    let e = service::decide(&t.core, &community, &id, true, "")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "state:portal.review_own");
    let e = service::decide(&t.core, &scoped("411002002000"), &id, true, "")
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::NotFound),
        "another sub-district does not see it"
    );
    // Returned with a reason; resubmitted; approved.
    let e = service::decide(&t.core, &street, &id, false, " ")
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "reason:portal.reason_missing");
    service::decide(&t.core, &street, &id, false, "请补充宣讲时间")
        .await
        .unwrap();
    let returned = service::get(&t.core, &community, &id).await.unwrap();
    assert_eq!(returned.state, state::RETURNED);
    assert_eq!(returned.return_reason.as_deref(), Some("请补充宣讲时间"));
    service::update(
        &t.core,
        &community,
        &id,
        &news(
            "社区举办创业担保贷款政策宣讲会",
            "3月5日上午讲解创业担保贷款申请条件。",
        ),
        Some(returned.version),
    )
    .await
    .unwrap();
    // An edit made from a stale page is refused, nothing written.
    let stale = service::update(
        &t.core,
        &community,
        &id,
        &news("旧标题", "旧正文"),
        Some(returned.version),
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(stale), "state:portal.changed_meanwhile");
    service::submit(&t.core, &community, &id).await.unwrap();
    let e = service::decide(&t.core, &scoped(COUNTY), &id, true, "")
        .await
        .unwrap_err();
    assert_eq!(
        field_of(e),
        "state:portal.review_own",
        "only the sub-district reviews"
    );
    service::decide(&t.core, &street, &id, true, "")
        .await
        .unwrap();
    let e = service::decide(&t.core, &street, &id, true, "")
        .await
        .unwrap_err();
    assert_eq!(
        field_of(e),
        "state:portal.not_in_review",
        "not approved twice"
    );
    for region in [COMMUNITY, STREET, COUNTY] {
        assert_eq!(
            listed(&t, region).await,
            ["社区举办创业担保贷款政策宣讲会"],
            "{region}"
        );
    }
    assert!(
        listed(&t, OTHER_COMMUNITY).await.is_empty(),
        "not beside it"
    );
    let versions = service::versions(&t.core, &community, &id).await.unwrap();
    assert_eq!(
        versions.len(),
        6,
        "created, submitted, returned, saved, submitted, approved"
    );
    // Findable at once, by a Traditional query too; withdrawn, it answers with a notice and
    // leaves the index.
    assert_eq!(found(&t, "創業擔保貸款").await, std::slice::from_ref(&id));
    service::withdraw(&t.core, &street, &id, "信息已过时")
        .await
        .unwrap();
    assert!(found(&t, "创业担保贷款").await.is_empty());
    match public::item(&t.core, &id).await.unwrap() {
        Public::Gone {
            reason, expired, ..
        } => {
            assert_eq!(reason.as_deref(), Some("信息已过时"));
            assert!(!expired);
        }
        Public::Shown(_) => panic!("a withdrawn item is not shown"),
    }
}

#[tokio::test]
async fn higher_levels_publish_directly_scheduled_items_wait_and_expired_ones_go() {
    let t = weidu().await;
    let street = scoped(STREET);
    let now = chuangye_core::db::now();
    let fmt = chuangye_core::portal::model::fmt_local;
    let mut later = news("下月开班通知", "创业培训班下月开班。");
    later.kind = "notice".into();
    later.publish_at = fmt(now + 3 * 86_400);
    let id = service::create(&t.core, &street, &later).await.unwrap();
    assert_eq!(
        service::submit(&t.core, &street, &id).await.unwrap(),
        state::PUBLISHED
    );
    assert!(
        matches!(public::item(&t.core, &id).await, Err(Error::NotFound)),
        "not yet due"
    );
    assert!(found(&t, "开班").await.is_empty());
    // The follower picks it up in the second it falls due, not before.
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let due = now + 3 * 86_400 - 60;
    let item = chuangye_core::portal::Source::Item;
    assert!(
        item.changed(&mut c, now + 86_400, due)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        item.changed(&mut c, due, due + 3600).await.unwrap(),
        std::slice::from_ref(&id)
    );
    drop(c);
    // Due now (as the follower would find it), then expired.
    sqlx::query("UPDATE portal_item SET published_at = $1 WHERE id = $2")
        .bind(now - 60)
        .bind(id.clone())
        .execute(t.core.db.pool())
        .await
        .unwrap();
    index::refresh(&t.core, chuangye_core::portal::Source::Item, &id)
        .await
        .unwrap();
    assert_eq!(found(&t, "開班").await, std::slice::from_ref(&id));
    sqlx::query("UPDATE portal_item SET expire_at = $1 WHERE id = $2")
        .bind(now - 1)
        .bind(id.clone())
        .execute(t.core.db.pool())
        .await
        .unwrap();
    assert!(
        found(&t, "开班").await.is_empty(),
        "checked against the database"
    );
    assert!(matches!(
        public::item(&t.core, &id).await.unwrap(),
        Public::Gone { expired: true, .. }
    ));
    assert_eq!(index::reindex(&t.core, |_| {}).await.unwrap(), 0);
}

#[tokio::test]
async fn a_community_has_one_profile_and_only_communities_write_one() {
    let t = weidu().await;
    let profile = |title: &str| ItemInput {
        kind: "profile".into(),
        ..news(title, "社区位于城区中心，设有劳动保障工作平台。")
    };
    let e = service::create(&t.core, &scoped(STREET), &profile("街道简介"))
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "kind:portal.profile_not_community");
    let community = scoped(COMMUNITY);
    service::create(&t.core, &community, &profile("社区简介"))
        .await
        .unwrap();
    let e = service::create(&t.core, &community, &profile("又一个简介"))
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "kind:portal.profile_exists");
    // Once its profile is withdrawn, a community writes a new one.
    let first = service::list(&t.core, &community, Some("draft"), 1)
        .await
        .unwrap()
        .0[0]
        .id
        .clone();
    service::submit(&t.core, &community, &first).await.unwrap();
    service::decide(&t.core, &scoped(STREET), &first, true, "")
        .await
        .unwrap();
    service::withdraw(&t.core, &scoped(STREET), &first, "内容过时")
        .await
        .unwrap();
    service::create(&t.core, &community, &profile("新的社区简介"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_repealed_policy_names_the_policy_that_replaced_it() {
    let t = weidu().await;
    let county = scoped(COUNTY);
    let policy = |title: &str, status: &str, replaced: &str| ItemInput {
        kind: "policy".into(),
        doc_number: "魏政〔2026〕3号".into(),
        issuer: "魏都区人民政府".into(),
        effective_on: "2026-01-01".into(),
        policy_status: status.into(),
        replaced_by: replaced.into(),
        ..news(title, "第一条 为鼓励创业……")
    };
    let e = service::create(
        &t.core,
        &county,
        &policy("旧办法", "repealed", "no-such-id"),
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(e), "replaced_by:portal.replaced_by_unknown");
    let new = service::create(&t.core, &county, &policy("新办法", "in_force", ""))
        .await
        .unwrap();
    let old = service::create(&t.core, &county, &policy("旧办法", "repealed", &new))
        .await
        .unwrap();
    service::submit(&t.core, &county, &old).await.unwrap();
    let Public::Shown(item) = public::item(&t.core, &old).await.unwrap() else {
        panic!("a repealed policy stays readable")
    };
    assert_eq!(item.policy_status.as_deref(), Some("repealed"));
    assert_eq!(item.replaced_by.as_deref(), Some(new.as_str()));
    assert_eq!(item.doc_number.as_deref(), Some("魏政〔2026〕3号"));
}

#[tokio::test]
async fn the_back_office_list_pages_through_every_item_newest_change_first() {
    let t = weidu().await;
    let street = scoped(STREET);
    let n = service::PAGE + 3;
    for k in 0..n {
        service::create(&t.core, &street, &news(&format!("动态{k}"), "正文"))
            .await
            .unwrap();
    }
    let (first, more) = service::list(&t.core, &street, None, 1).await.unwrap();
    assert_eq!((first.len() as i64, more), (service::PAGE, true));
    let (second, more) = service::list(&t.core, &street, None, 2).await.unwrap();
    assert_eq!((second.len(), more), (3, false));
    let mut ids: Vec<String> = first.iter().chain(&second).map(|i| i.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as i64, n, "every item once");
    let (none, _) = service::list(&t.core, &scoped(OTHER_COMMUNITY), None, 1)
        .await
        .unwrap();
    assert!(none.is_empty(), "not beside");
}
