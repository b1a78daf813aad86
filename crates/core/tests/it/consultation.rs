//! Consultations: a citizen's question goes to the service point of the region chosen, is
//! answered within the deadline (or reminded, then escalated upward), published unless
//! private, read back with the lookup code, counted in the monthly figures and the
//! answered-on-time rate at every level.

use chuangye_core::Error;
use chuangye_core::consultation::model::{self, state};
use chuangye_core::consultation::{AskInput, deadlines, public, service};
use chuangye_core::ledger::model::{fmt_date, today};
use chuangye_core::portal::search::Query;
use chuangye_core::testing::TestDb;

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, county_admin, scoped, user, weidu};

async fn deployment() -> TestDb {
    let t = weidu().await;
    chuangye_core::org::service::set_root_region(&t.core, &county_admin(), COUNTY)
        .await
        .unwrap();
    t
}

fn question(region: &str, text: &str) -> AskInput {
    AskInput {
        category: "loan".into(),
        region: region.into(),
        question: text.into(),
        contact: "13800138000".into(),
        ..Default::default()
    }
}

fn field_of(e: Error) -> String {
    match e {
        Error::Invalid(v) => v
            .iter()
            .map(|f| format!("{}:{}", f.field, f.key))
            .collect::<Vec<_>>()
            .join(","),
        other => format!("{other:?}"),
    }
}

async fn rows(t: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM consultation")
        .fetch_one(t.core.db.pool())
        .await
        .unwrap()
}

async fn found(t: &TestDb, text: &str) -> Vec<String> {
    let q = Query {
        text: text.into(),
        ..Query::default()
    };
    chuangye_core::portal::public::search(&t.core, &q)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[tokio::test]
async fn a_question_goes_to_its_service_point_and_the_asker_reads_the_answer_with_the_code() {
    let t = deployment().await;
    let asked = service::ask(
        &t.core,
        &question(COMMUNITY, "返乡创业担保贷款需要什么材料？"),
    )
    .await
    .unwrap();
    // The code opens it however it is typed back; only its keyed hash is stored.
    let typed = asked.code.to_lowercase().replace('-', " ");
    let q = service::lookup(&t.core, &typed).await.unwrap();
    assert_eq!(
        (q.id.as_str(), q.state.as_str()),
        (asked.id.as_str(), state::OPEN)
    );
    assert_eq!(q.handler_code, COMMUNITY);
    assert_eq!(q.contact_masked.as_deref(), Some("138****8000"));
    let stored: String =
        sqlx::query_scalar("SELECT lookup_hash || contact_cipher FROM consultation")
            .fetch_one(t.core.db.pool())
            .await
            .unwrap();
    assert!(!stored.contains(&asked.code.replace('-', "")) && !stored.contains("13800138000"));
    assert_eq!(
        field_of(
            service::lookup(&t.core, "ZZZZ-ZZZZ-ZZZZ")
                .await
                .unwrap_err()
        ),
        "code:consultation.code_unknown"
    );
    // Its service point sees it; the community beside does not.
    let own = user(&t, "own-community", COMMUNITY).await;
    let beside = user(&t, "beside", OTHER_COMMUNITY).await;
    let filter = chuangye_core::consultation::repo::Filter::default();
    assert_eq!(
        service::list(&t.core, &own, &filter).await.unwrap().0.len(),
        1
    );
    assert!(
        service::list(&t.core, &beside, &filter)
            .await
            .unwrap()
            .0
            .is_empty()
    );
    assert!(matches!(
        service::get(&t.core, &beside, &asked.id).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        service::answer(&t.core, &beside, &asked.id, "答复", true, None).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        public::get(&t.core, &asked.id).await,
        Err(Error::NotFound)
    ));
    // Answered and published: on the Q&A page of the community and every level above.
    service::answer(
        &t.core,
        &own,
        &asked.id,
        "请携带身份证和营业执照到社区平台申请。",
        true,
        Some(q.updated_at),
    )
    .await
    .unwrap();
    for region in [COMMUNITY, STREET, COUNTY] {
        assert_eq!(
            public::list(&t.core, region, 1).await.unwrap().1,
            1,
            "{region}"
        );
    }
    assert_eq!(
        public::list(&t.core, OTHER_COMMUNITY, 1).await.unwrap().1,
        0
    );
    assert!(
        public::get(&t.core, &asked.id)
            .await
            .unwrap()
            .answer
            .is_some()
    );
    assert_eq!(
        found(&t, "返鄉創業").await,
        std::slice::from_ref(&asked.id),
        "Traditional query"
    );
    let read = service::lookup(&t.core, &asked.code).await.unwrap();
    assert_eq!(read.state, state::ANSWERED);
    assert!(read.answer.unwrap().contains("营业执照"));
    // A second answer on what the replier saw is refused.
    assert_eq!(
        field_of(
            service::answer(
                &t.core,
                &own,
                &asked.id,
                "又一个答复",
                true,
                Some(q.updated_at)
            )
            .await
            .unwrap_err()
        ),
        "state:consultation.changed_meanwhile"
    );
    // Taken off the public page, it leaves the search too.
    service::set_published(&t.core, &own, &asked.id, false)
        .await
        .unwrap();
    assert!(found(&t, "返乡创业").await.is_empty());
    assert_eq!(public::list(&t.core, COUNTY, 1).await.unwrap().1, 0);
}

#[tokio::test]
async fn a_private_question_is_answered_but_never_published() {
    let t = deployment().await;
    let mut input = question(STREET, "我的个体户执照能否增加网络销售？");
    input.private = "1".into();
    let asked = service::ask(&t.core, &input).await.unwrap();
    let street = scoped(STREET);
    service::answer(
        &t.core,
        &street,
        &asked.id,
        "可以，到政务中心办理变更。",
        true,
        None,
    )
    .await
    .unwrap();
    assert!(matches!(
        public::get(&t.core, &asked.id).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        field_of(
            service::set_published(&t.core, &street, &asked.id, true)
                .await
                .unwrap_err()
        ),
        "published:consultation.private"
    );
    assert!(found(&t, "网络销售").await.is_empty());
    let read = service::lookup(&t.core, &asked.code).await.unwrap();
    assert_eq!(read.answer.as_deref(), Some("可以，到政务中心办理变更。"));
}

#[tokio::test]
async fn bad_questions_are_refused_at_their_field_and_nothing_is_written() {
    let t = deployment().await;
    let outside = question("110101001001", "北京的问题发到这里来了吗？");
    assert_eq!(
        field_of(service::ask(&t.core, &outside).await.unwrap_err()),
        "region:consultation.region_invalid"
    );
    let bad = AskInput {
        category: "x".into(),
        region: "<script>".into(),
        question: "短".into(),
        contact: "123".into(),
        ..Default::default()
    };
    let fields = field_of(service::ask(&t.core, &bad).await.unwrap_err());
    for f in [
        "category:",
        "region:",
        "question:",
        "contact:validate.mobile",
    ] {
        assert!(fields.contains(f), "{fields}");
    }
    assert_eq!(rows(&t).await, 0);
    // Dismissing needs a reason; a dismissed question is never public and answers no more.
    let asked = service::ask(&t.core, &question(COMMUNITY, "代办各类证件，联系微信xxxx"))
        .await
        .unwrap();
    let community = scoped(COMMUNITY);
    assert_eq!(
        field_of(
            service::dismiss(&t.core, &community, &asked.id, "  ")
                .await
                .unwrap_err()
        ),
        "reason:consultation.reason_empty"
    );
    service::dismiss(&t.core, &community, &asked.id, "广告信息")
        .await
        .unwrap();
    let read = service::lookup(&t.core, &asked.code).await.unwrap();
    assert_eq!(
        (read.state.as_str(), read.dismiss_reason.as_deref()),
        (state::DISMISSED, Some("广告信息"))
    );
    assert!(
        service::answer(&t.core, &community, &asked.id, "答复内容", true, None)
            .await
            .is_err()
    );
}

async fn set_due(t: &TestDb, id: &str, due: time::Date) {
    sqlx::query("UPDATE consultation SET due_on = $1 WHERE id = $2")
        .bind(fmt_date(due))
        .bind(id.to_string())
        .execute(t.core.db.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_late_question_is_reminded_then_escalated_upward_step_by_step() {
    use chuangye_core::workdays::add_working_days;
    let t = deployment().await;
    let asked = service::ask(&t.core, &question(COMMUNITY, "孵化基地入驻需要什么条件？"))
        .await
        .unwrap();
    let monday = time::macros::date!(2026 - 11 - 23);
    // Due the next working day: reminded once, still with its community.
    set_due(&t, &asked.id, add_working_days(monday, 1)).await;
    assert_eq!(deadlines::process(&t.core, monday).await.unwrap(), (1, 0));
    assert_eq!(deadlines::process(&t.core, monday).await.unwrap(), (0, 0));
    let q = service::get(&t.core, &scoped(COMMUNITY), &asked.id)
        .await
        .unwrap();
    assert!(q.reminded_at.is_some());
    assert!(q.is_late(&fmt_date(add_working_days(monday, 2))));
    // Past its deadline: up to the sub-district.
    set_due(&t, &asked.id, time::macros::date!(2026 - 11 - 20)).await;
    assert_eq!(deadlines::process(&t.core, monday).await.unwrap(), (0, 1));
    let handler = |t: &TestDb| {
        let pool = t.core.db.pool().clone();
        let id = asked.id.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT handler_code FROM consultation WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(handler(&t).await, STREET);
    // It now waits in the sub-district's own queue, counted as escalated to it; the community
    // still finds it among everything below it.
    use chuangye_core::consultation::repo::Filter;
    let street = scoped(STREET);
    let mine = |who| {
        let t = &t;
        async move {
            service::list(&t.core, who, &Filter::default())
                .await
                .unwrap()
                .0
                .into_iter()
                .map(|q| q.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(mine(&street).await, std::slice::from_ref(&asked.id));
    assert!(mine(&scoped(COMMUNITY)).await.is_empty());
    let all = Filter {
        queue: "all".into(),
        ..Default::default()
    };
    assert_eq!(
        service::list(&t.core, &scoped(COMMUNITY), &all)
            .await
            .unwrap()
            .0
            .len(),
        1
    );
    let w = service::waiting(&t.core, &street).await.unwrap();
    assert_eq!((w.late, w.escalated), (1, 1));
    // A second sweep that read the question before this one moved it changes nothing.
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let moved =
        chuangye_core::consultation::repo::escalate(&mut c, &asked.id, (COMMUNITY, STREET), 0)
            .await
            .unwrap();
    assert!(!moved);
    drop(c);
    // Not again the same day; two working days after the escalation, up to the county.
    assert_eq!(deadlines::process(&t.core, monday).await.unwrap(), (0, 0));
    sqlx::query("UPDATE consultation SET escalated_at = escalated_at - 4 * 86400")
        .execute(t.core.db.pool())
        .await
        .unwrap();
    let later = today();
    assert_eq!(deadlines::process(&t.core, later).await.unwrap(), (0, 1));
    assert_eq!(handler(&t).await, COUNTY);
    // The campaign office is the top: it stays there.
    sqlx::query("UPDATE consultation SET escalated_at = escalated_at - 10 * 86400")
        .execute(t.core.db.pool())
        .await
        .unwrap();
    assert_eq!(deadlines::process(&t.core, later).await.unwrap(), (0, 0));
    assert_eq!(handler(&t).await, COUNTY);
    // The community's staff still see it and may still answer it.
    let q = service::get(&t.core, &scoped(COMMUNITY), &asked.id)
        .await
        .unwrap();
    assert_eq!(q.escalations, 2);
    service::answer(
        &t.core,
        &scoped(COMMUNITY),
        &asked.id,
        "条件见孵化基地公告。",
        true,
        None,
    )
    .await
    .unwrap();
    assert_eq!(deadlines::process(&t.core, later).await.unwrap(), (0, 0));
}

#[tokio::test]
async fn answered_on_time_feeds_the_monthly_figures_and_the_rate_at_every_level() {
    use chuangye_core::indicators::{Period, repo};
    let t = deployment().await;
    let on_time = service::ask(&t.core, &question(COMMUNITY, "第一个问题：贷款利率多少？"))
        .await
        .unwrap();
    let late = service::ask(
        &t.core,
        &question(OTHER_COMMUNITY, "第二个问题：培训在哪里报名？"),
    )
    .await
    .unwrap();
    let open = service::ask(
        &t.core,
        &question(COMMUNITY, "第三个问题：还没有答复的问题"),
    )
    .await
    .unwrap();
    let dismissed = service::ask(&t.core, &question(COMMUNITY, "第四个问题：广告不予受理"))
        .await
        .unwrap();
    set_due(&t, &late.id, time::macros::date!(2024 - 01 - 02)).await;
    let office = scoped(STREET);
    for id in [&on_time.id, &late.id] {
        service::answer(&t.core, &office, id, "答复如下。", true, None)
            .await
            .unwrap();
    }
    service::dismiss(&t.core, &office, &dismissed.id, "广告")
        .await
        .unwrap();
    let year = today().year();
    let mut c = t.core.db.pool().acquire().await.unwrap();
    let cat = repo::catalogue(&mut c).await.unwrap();
    let rate = cat
        .iter()
        .find(|i| i.code == "consultations_on_time_rate")
        .unwrap()
        .clone();
    assert!(rate.is_rate() && rate.is_derived());
    let expect = [
        (COMMUNITY, 1, 1, 1000),
        (OTHER_COMMUNITY, 1, 0, 0),
        (STREET, 2, 1, 500),
        (COUNTY, 2, 1, 500),
    ];
    for (region, answered, in_time, permille) in expect {
        let totals = repo::totals(&mut c, &cat, region, &Period::year(year))
            .await
            .unwrap();
        let v = |code: &str| totals.get(code).map_or(0, |v| v.0);
        assert_eq!(
            (
                v("consultations_answered"),
                v("consultations_answered_on_time"),
                v("consultations_on_time_rate")
            ),
            (answered, in_time, permille),
            "{region}"
        );
    }
    drop(c);
    let stats = public::monthly_stats(&t.core, COUNTY, 12).await.unwrap();
    assert_eq!(stats.len(), 12);
    let this = &stats[0];
    assert_eq!(this.month, &fmt_date(today())[..7]);
    assert_eq!((this.received, this.answered, this.on_time), (4, 2, 1));
    assert_eq!(this.on_time_permille(), Some(500));
    assert_eq!(stats[1].on_time_permille(), None, "nothing answered");
    let community = public::monthly_stats(&t.core, COMMUNITY, 1).await.unwrap();
    assert_eq!((community[0].received, community[0].answered), (3, 1));
    // A question asked forty days ago counts in its own month.
    let back = chuangye_core::db::now() - 40 * 86_400;
    sqlx::query("UPDATE consultation SET asked_at = $1 WHERE id = $2")
        .bind(back)
        .bind(open.id.clone())
        .execute(t.core.db.pool())
        .await
        .unwrap();
    let month = &fmt_date(model::china_date(back))[..7];
    let stats = public::monthly_stats(&t.core, COUNTY, 12).await.unwrap();
    assert_eq!(stats[0].received, 3);
    let then = stats.iter().find(|m| m.month == month).unwrap();
    assert_eq!((then.received, then.answered), (1, 0));
}

#[tokio::test]
async fn the_reply_deadline_is_set_by_the_campaign_office_only() {
    let t = deployment().await;
    assert_eq!(
        service::reply_days(&t.core).await.unwrap(),
        model::DEFAULT_REPLY_DAYS
    );
    let staff = user(&t, "street-staff", STREET).await;
    assert!(matches!(
        service::set_reply_days(&t.core, &staff, "10").await,
        Err(Error::Forbidden)
    ));
    let office = county_admin();
    for bad in ["0", "31", "五", ""] {
        assert_eq!(
            field_of(
                service::set_reply_days(&t.core, &office, bad)
                    .await
                    .unwrap_err()
            ),
            "reply_days:consultation.reply_days_invalid",
            "{bad:?}"
        );
    }
    service::set_reply_days(&t.core, &office, "10")
        .await
        .unwrap();
    let asked = service::ask(&t.core, &question(STREET, "十个工作日的期限对吗？"))
        .await
        .unwrap();
    let expected = model::due_on(model::china_date(chuangye_core::db::now()), 10);
    assert_eq!(asked.due_on, fmt_date(expected));
}

#[tokio::test]
async fn the_back_office_list_pages_with_open_questions_first_by_deadline() {
    let t = deployment().await;
    let n = service::PAGE + 2;
    let mut ids = Vec::new();
    for k in 0..n {
        let q = service::ask(&t.core, &question(COMMUNITY, &format!("第{k}个问题的内容")))
            .await
            .unwrap();
        ids.push(q.id);
    }
    // The first one asked is due earliest; an answered one goes after every open one.
    set_due(&t, &ids[5], time::macros::date!(2024 - 01 - 02)).await;
    let office = scoped(COMMUNITY);
    service::answer(&t.core, &office, &ids[0], "已答复。", true, None)
        .await
        .unwrap();
    let mut filter = chuangye_core::consultation::repo::Filter::default();
    let (first, more) = service::list(&t.core, &office, &filter).await.unwrap();
    assert_eq!((first.len() as i64, more), (service::PAGE, true));
    assert_eq!(first[0].id, ids[5], "the most overdue first");
    filter.page = Some(2);
    let (second, more) = service::list(&t.core, &office, &filter).await.unwrap();
    assert_eq!((second.len(), more), (2, false));
    assert_eq!(second.last().unwrap().id, ids[0], "the answered one last");
    filter = chuangye_core::consultation::repo::Filter {
        state: "answered".into(),
        ..Default::default()
    };
    assert_eq!(
        service::list(&t.core, &office, &filter)
            .await
            .unwrap()
            .0
            .len(),
        1
    );
}
