//! Follow-up work around the ledger (`ledger::followup`): transfers between communities, need
//! deadline reminders and escalation, survival checks, 三包 assignment and the party-member
//! statistics.
//!
//! Dates: the rules that take "today" as an argument (`process_need_deadlines`,
//! `generate_survival_checks`) are run on fixed dates. Some columns cannot be given a chosen
//! value through the services, because the services fill them from the real clock: a need's
//! `deadline` (five working days after the real today, set by `record_visit`) and a person's
//! `created_at` (the moment of registration, which places the person in a month of the party
//! statistics). The tests set those two columns directly with SQL, right after creating the
//! rows through the services, and say so where they do it.

use chuangye_core::Error;
use chuangye_core::ledger::followup::{self, PartyMonth, SurvivalResult};
use chuangye_core::ledger::model::{self, BusinessInput, PersonInput};
use chuangye_core::ledger::service::{
    self, LinkInput, NeedInput, NeedUpdate, Registered, VisitInput,
};
use chuangye_core::org::service::{UnitInput, create_unit};
use chuangye_core::org::{Actor, Permission};
use chuangye_core::testing::{TestDb, id_number, uscc};
use chuangye_core::workdays::add_working_days;
use time::macros::{date, datetime};

use crate::{COMMUNITY, COUNTY, OTHER_COMMUNITY, STREET, county_admin, scoped, user, weidu};

/// A third community of the same sub-district (榆柳社区), and a community of another
/// sub-district (春秋社区, 东大街道).
const THIRD_COMMUNITY: &str = "411002001003";
const OTHER_STREET_COMMUNITY: &str = "411002002001";

fn person_input(seq: u32, community: &str, party: bool) -> PersonInput {
    PersonInput {
        name: format!("创业者{seq}"),
        id_number: id_number(seq),
        phone: String::new(),
        education: "college".into(),
        household: "rural".into(),
        categories: vec!["returnee".into()],
        party_member: party,
        region_code: community.into(),
        address: "魏都区".into(),
    }
}

async fn new_person(t: &TestDb, actor: &Actor, seq: u32, community: &str, party: bool) -> String {
    match service::register_person(&t.core, actor, &person_input(seq, community, party))
        .await
        .expect("register person")
    {
        Registered::New(id) => id,
        other => panic!("expected a new person, got {other:?}"),
    }
}

/// Registers a business of `kind` on `registered_on` in `community` (as the county admin).
async fn new_business(
    t: &TestDb,
    seq: u32,
    kind: &str,
    registered_on: &str,
    community: &str,
    jobs: i64,
) -> String {
    let input = BusinessInput {
        name: format!("企业{seq}"),
        kind: kind.into(),
        uscc: uscc(seq),
        industry: "65".into(),
        registered_on: registered_on.into(),
        region_code: community.into(),
        address: "魏都区".into(),
        capital: "10万".into(),
        jobs: jobs.to_string(),
        ..Default::default()
    };
    match service::register_business(&t.core, &county_admin(), &input)
        .await
        .expect("register business")
    {
        Registered::New(id) => id,
        other => panic!("expected a new business, got {other:?}"),
    }
}

/// The fields an `Invalid` error names, or a failure for any other outcome.
fn fields(r: Result<impl std::fmt::Debug, Error>) -> Vec<String> {
    match r {
        Err(Error::Invalid(v)) => v.into_iter().map(|f| f.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn field_keys(r: Result<impl std::fmt::Debug, Error>) -> Vec<(String, String)> {
    match r {
        Err(Error::Invalid(v)) => v.into_iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::NotFound))
}

fn visit(date: &str, notes: &str, needs: Vec<NeedInput>) -> VisitInput {
    VisitInput {
        visit_date: date.into(),
        method: "home".into(),
        notes: notes.into(),
        needs,
        ..Default::default()
    }
}

async fn unit(t: &TestDb, name: &str) -> String {
    create_unit(
        &t.core,
        &county_admin(),
        &UnitInput {
            name: name.into(),
            kind: "department".into(),
            region_code: COUNTY.into(),
        },
    )
    .await
    .expect("create unit")
}

// ------------------------------------------------------------------ transfers

#[tokio::test]
async fn a_person_registered_elsewhere_moves_with_its_history_once_the_owning_community_accepts() {
    let t = weidu().await;
    let owner = scoped(COMMUNITY);
    let asker = scoped(OTHER_COMMUNITY);
    let pid = new_person(&t, &owner, 1, COMMUNITY, false).await;
    service::record_visit(
        &t.core,
        &owner,
        &pid,
        &visit("2025-03-03", "了解经营情况", Vec::new()),
    )
    .await
    .unwrap();

    // The other community types the same ID number: told where it is registered, nothing more.
    let there = service::register_person(&t.core, &asker, &person_input(1, OTHER_COMMUNITY, false))
        .await
        .unwrap();
    let Registered::Elsewhere {
        id, region_code, ..
    } = there
    else {
        panic!("expected Elsewhere, got {there:?}")
    };
    assert_eq!(
        (id.as_str(), region_code.as_str()),
        (pid.as_str(), COMMUNITY)
    );

    // A request needs a reason, and a community of the asker's own as destination.
    assert_eq!(
        fields(
            followup::request_transfer(&t.core, &asker, "person", &id, OTHER_COMMUNITY, "  ").await
        ),
        ["reason"]
    );
    assert_eq!(
        fields(
            followup::request_transfer(&t.core, &asker, "person", &id, THIRD_COMMUNITY, "迁居")
                .await
        ),
        ["to_region"]
    );
    assert_eq!(
        fields(followup::request_transfer(&t.core, &asker, "person", &id, STREET, "迁居").await),
        ["to_region"],
        "a sub-district is not a community"
    );

    let tid = followup::request_transfer(
        &t.core,
        &asker,
        "person",
        &id,
        OTHER_COMMUNITY,
        "本人已迁居豫园社区",
    )
    .await
    .unwrap();
    // While it is pending, a second request is refused.
    assert_eq!(
        field_keys(
            followup::request_transfer(&t.core, &asker, "person", &id, OTHER_COMMUNITY, "再次申请")
                .await
        ),
        [(
            "to_region".to_string(),
            "ledger.transfer_pending".to_string()
        )]
    );

    // The owning community sees it to decide; the asker sees it as its own request.
    let (incoming, _) = followup::transfers(&t.core, &owner).await.unwrap();
    assert_eq!(incoming.len(), 1);
    let r = &incoming[0];
    assert_eq!(r.id, tid);
    assert_eq!(
        (
            r.entity.as_str(),
            r.entity_id.as_str(),
            r.from_region.as_str(),
            r.to_region.as_str(),
            r.state.as_str()
        ),
        (
            "person",
            pid.as_str(),
            COMMUNITY,
            OTHER_COMMUNITY,
            "pending"
        )
    );
    assert_eq!(r.reason.as_deref(), Some("本人已迁居豫园社区"));
    assert_eq!(r.entity_name, "创业者1");
    let (asker_in, asker_out) = followup::transfers(&t.core, &asker).await.unwrap();
    assert!(asker_in.is_empty(), "{asker_in:?}");
    assert_eq!(
        asker_out
            .iter()
            .map(|r| (r.id.as_str(), r.state.as_str()))
            .collect::<Vec<_>>(),
        [(tid.as_str(), "pending")]
    );

    // A third community neither sees nor decides it.
    let third = scoped(THIRD_COMMUNITY);
    let (i, o) = followup::transfers(&t.core, &third).await.unwrap();
    assert!(i.is_empty() && o.is_empty(), "{i:?} {o:?}");
    assert!(is_not_found(
        followup::decide_transfer(&t.core, &third, &tid, true, "").await
    ));
    // Nor does the asker decide its own request.
    assert!(is_not_found(
        followup::decide_transfer(&t.core, &asker, &tid, true, "").await
    ));

    // Refusing needs a reason.
    assert_eq!(
        fields(followup::decide_transfer(&t.core, &owner, &tid, false, " ").await),
        ["reason"]
    );

    followup::decide_transfer(&t.core, &owner, &tid, true, "")
        .await
        .unwrap();

    // The person moved, with its visits; the old community no longer opens it.
    let r = service::person_record(&t.core, &asker, &pid).await.unwrap();
    assert_eq!(r.person.region_code, OTHER_COMMUNITY);
    assert_eq!(r.visits.len(), 1);
    assert_eq!(r.visits[0].notes, "了解经营情况");
    assert!(is_not_found(
        service::person_record(&t.core, &owner, &pid).await
    ));
    // Registering the ID number again in the new community finds the moved record.
    assert_eq!(
        service::register_person(&t.core, &asker, &person_input(1, OTHER_COMMUNITY, false))
            .await
            .unwrap(),
        Registered::Existing(pid.clone())
    );

    // Decided once: a second decision, either way, is refused.
    assert!(matches!(
        followup::decide_transfer(&t.core, &owner, &tid, false, "重复处理").await,
        Err(Error::Refused(k)) if k == "ledger.transfer_decided"
    ));
    assert!(matches!(
        followup::decide_transfer(&t.core, &owner, &tid, true, "").await,
        Err(Error::Refused(_))
    ));
    let (incoming, _) = followup::transfers(&t.core, &owner).await.unwrap();
    assert!(incoming.is_empty(), "{incoming:?}");
    let (_, asker_out) = followup::transfers(&t.core, &asker).await.unwrap();
    assert_eq!(asker_out[0].state, "accepted");
}

#[tokio::test]
async fn a_refused_transfer_leaves_the_person_where_it_is_and_may_be_asked_again() {
    let t = weidu().await;
    let owner = scoped(COMMUNITY);
    let asker = scoped(OTHER_COMMUNITY);
    let pid = new_person(&t, &owner, 2, COMMUNITY, false).await;
    let tid = followup::request_transfer(&t.core, &asker, "person", &pid, OTHER_COMMUNITY, "迁居")
        .await
        .unwrap();
    followup::decide_transfer(&t.core, &owner, &tid, false, "本人仍在本社区经营")
        .await
        .unwrap();
    let r = service::person_record(&t.core, &owner, &pid).await.unwrap();
    assert_eq!(r.person.region_code, COMMUNITY);
    assert!(is_not_found(
        service::person_record(&t.core, &asker, &pid).await
    ));
    let (_, out) = followup::transfers(&t.core, &asker).await.unwrap();
    assert_eq!(out[0].state, "refused");
    assert_eq!(out[0].reason.as_deref(), Some("本人仍在本社区经营"));
    // Nothing is pending any more, so the asker may ask again.
    followup::request_transfer(
        &t.core,
        &asker,
        "person",
        &pid,
        OTHER_COMMUNITY,
        "补充材料后再申请",
    )
    .await
    .unwrap();
    // A record already in the asker's scope is not transferred to it.
    assert_eq!(
        field_keys(
            followup::request_transfer(&t.core, &owner, "person", &pid, COMMUNITY, "迁居").await
        ),
        [(
            "to_region".to_string(),
            "ledger.transfer_already_here".to_string()
        )]
    );
}

// ------------------------------------------------------------------ need deadlines

#[tokio::test]
async fn needs_due_the_next_working_day_are_reminded_once_and_overdue_ones_escalated_once() {
    let t = weidu().await;
    let finance = unit(&t, "财政局").await;
    let admin = county_admin();
    let here = new_person(&t, &admin, 3, COMMUNITY, false).await;
    let there = new_person(&t, &admin, 4, OTHER_COMMUNITY, false).await;
    let need = |description: &str| NeedInput {
        kind: "funding".into(),
        description: description.into(),
        unit_id: finance.clone(),
    };
    service::record_visit(
        &t.core,
        &admin,
        &here,
        &visit(
            "2024-09-20",
            "资金周转困难",
            vec![
                need("明天到期"),
                need("后天到期"),
                need("已超期"),
                need("已超期但已解决"),
            ],
        ),
    )
    .await
    .unwrap();
    service::record_visit(
        &t.core,
        &admin,
        &there,
        &visit("2024-09-20", "资金周转困难", vec![need("别处超期")]),
    )
    .await
    .unwrap();

    // The fixed "today" is Monday 2024-09-30, the last working day before the National Day
    // break (10-01..10-07): the next working day is 2024-10-08.
    let today = date!(2024 - 09 - 30);
    assert_eq!(add_working_days(today, 1), date!(2024 - 10 - 08));
    // Deadlines are set directly (the service computes them from the real today).
    for (description, deadline) in [
        ("明天到期", "2024-10-08"),
        ("后天到期", "2024-10-09"),
        ("已超期", "2024-09-27"),
        ("已超期但已解决", "2024-09-20"),
        ("别处超期", "2024-09-29"),
    ] {
        let n = sqlx::query("UPDATE need SET deadline = $1 WHERE description = $2")
            .bind(deadline)
            .bind(description)
            .execute(t.core.db.pool())
            .await
            .unwrap()
            .rows_affected();
        assert_eq!(n, 1, "{description}");
    }
    let mut liaison = scoped(COUNTY);
    liaison.unit_id = Some(finance.clone());
    let id_of = |description: &'static str| {
        let pool = t.core.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT id FROM need WHERE description = $1")
                .bind(description)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    service::update_need(
        &t.core,
        &liaison,
        &id_of("已超期但已解决").await,
        &NeedUpdate {
            state: "resolved".into(),
            reason: "已落实".into(),
        },
    )
    .await
    .unwrap();
    // An accepted need is still watched.
    service::update_need(
        &t.core,
        &liaison,
        &id_of("已超期").await,
        &NeedUpdate {
            state: "accepted".into(),
            reason: String::new(),
        },
    )
    .await
    .unwrap();

    assert_eq!(
        followup::process_need_deadlines(&t.core, today)
            .await
            .unwrap(),
        (1, 2)
    );
    assert_eq!(
        followup::process_need_deadlines(&t.core, today)
            .await
            .unwrap(),
        (0, 0),
        "a second run the same day changes nothing"
    );
    let marks: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT description, reminded_at, escalated_at FROM need ORDER BY deadline, description",
    )
    .fetch_all(t.core.db.pool())
    .await
    .unwrap();
    let marks: Vec<(&str, bool, bool)> = marks
        .iter()
        .map(|(d, r, e)| (d.as_str(), r.is_some(), e.is_some()))
        .collect();
    assert_eq!(
        marks,
        [
            ("已超期但已解决", false, false),
            ("已超期", false, true),
            ("别处超期", false, true),
            ("明天到期", true, false),
            ("后天到期", false, false),
        ]
    );
    // One audit row for the run that changed something.
    let runs: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'need.deadlines'")
            .fetch_one(t.core.db.pool())
            .await
            .unwrap();
    assert_eq!(runs, 1);

    // The escalation list, within scope only.
    let overdue = |actor: Actor| {
        let core = t.core.clone();
        async move {
            followup::overdue_needs(&core, &actor)
                .await
                .unwrap()
                .into_iter()
                .map(|n| n.description)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(overdue(scoped(COMMUNITY)).await, ["已超期"]);
    assert_eq!(overdue(scoped(OTHER_COMMUNITY)).await, ["别处超期"]);
    assert_eq!(overdue(scoped(STREET)).await, ["已超期", "别处超期"]);
    assert!(overdue(scoped(OTHER_STREET_COMMUNITY)).await.is_empty());

    // The next day: the reminded need is now overdue, and the next one is due tomorrow.
    assert_eq!(
        add_working_days(date!(2024 - 10 - 09), 1),
        date!(2024 - 10 - 10)
    );
    assert_eq!(
        followup::process_need_deadlines(&t.core, date!(2024 - 10 - 09))
            .await
            .unwrap(),
        (1, 1)
    );
    // A resolved need leaves the escalation list.
    service::update_need(
        &t.core,
        &liaison,
        &id_of("已超期").await,
        &NeedUpdate {
            state: "resolved".into(),
            reason: "已放款".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(overdue(scoped(COMMUNITY)).await, ["明天到期"]);
}

// ------------------------------------------------------------------ survival checks

#[tokio::test]
async fn survival_checks_fall_due_six_and_twelve_months_after_registration_and_are_made_once() {
    let t = weidu().await;
    // The fixed "today" of the daily job; the registration dates are before the real today.
    let today = date!(2025 - 06 - 15);
    let reg = |months: i64| model::fmt_date(model::add_months(today, -months));
    let six = new_business(&t, 1, "private", &reg(6), COMMUNITY, 3).await;
    let twelve = new_business(&t, 2, "private", &reg(12), COMMUNITY, 3).await;
    let thirteen = new_business(&t, 3, "private", &reg(13), OTHER_COMMUNITY, 3).await;
    // Five months: its six-month date is 30 days ahead, still within the horizon.
    let five = new_business(&t, 4, "individual", &reg(5), COMMUNITY, 1).await;
    // Four months: nothing is due yet.
    new_business(&t, 5, "individual", &reg(4), COMMUNITY, 1).await;

    assert_eq!(
        followup::generate_survival_checks(&t.core, today)
            .await
            .unwrap(),
        6
    );
    assert_eq!(
        followup::generate_survival_checks(&t.core, today)
            .await
            .unwrap(),
        0,
        "a second run makes no new checks"
    );

    let due = |months_before: i64, months: i64| {
        model::fmt_date(model::add_months(
            model::add_months(today, -months_before),
            months,
        ))
    };
    let mut got: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT business_id, months, due_date FROM survival_check ORDER BY business_id, months",
    )
    .fetch_all(t.core.db.pool())
    .await
    .unwrap();
    got.sort();
    let mut expected = vec![
        (six.clone(), 6, due(6, 6)),
        (twelve.clone(), 6, due(12, 6)),
        (twelve.clone(), 12, due(12, 12)),
        (thirteen.clone(), 6, due(13, 6)),
        (thirteen.clone(), 12, due(13, 12)),
        (five.clone(), 6, due(5, 6)),
    ];
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(due(6, 6), "2025-06-15");
    assert_eq!(due(5, 6), "2025-07-15");
    assert_eq!(due(13, 12), "2025-05-15");

    // Within scope only.
    let community = scoped(COMMUNITY);
    let mine = followup::survival_checks(&t.core, &community, false)
        .await
        .unwrap();
    assert_eq!(mine.len(), 4);
    assert!(mine.iter().all(|c| c.business_id != thirteen));
    let theirs = followup::survival_checks(&t.core, &scoped(OTHER_COMMUNITY), false)
        .await
        .unwrap();
    assert_eq!(theirs.len(), 2);
    assert!(is_not_found(
        followup::complete_survival_check(
            &t.core,
            &community,
            &theirs[0].id,
            &SurvivalResult {
                result: "operating".into()
            },
        )
        .await
    ));

    // The six-month check of `six` finds it closed.
    let check = mine
        .iter()
        .find(|c| c.business_id == six)
        .expect("the check of the six-month business");
    assert_eq!((check.months, check.state.as_str()), (6, "due"));
    assert_eq!(
        fields(
            followup::complete_survival_check(
                &t.core,
                &community,
                &check.id,
                &SurvivalResult {
                    result: "closed".into()
                },
            )
            .await
        ),
        ["result"]
    );
    followup::complete_survival_check(
        &t.core,
        &community,
        &check.id,
        &SurvivalResult {
            result: "deregistered".into(),
        },
    )
    .await
    .unwrap();
    let done = followup::survival_checks(&t.core, &community, true)
        .await
        .unwrap();
    let this = done.iter().find(|c| c.id == check.id).unwrap();
    assert_eq!(
        (this.state.as_str(), this.result.as_deref()),
        ("done", Some("deregistered"))
    );
    assert!(
        followup::survival_checks(&t.core, &community, false)
            .await
            .unwrap()
            .iter()
            .all(|c| c.id != check.id),
        "a done check leaves the to-do list"
    );
    let b = service::business_record(&t.core, &community, &six)
        .await
        .unwrap();
    let today_real = model::fmt_date(model::today());
    assert_eq!(b.business.status, "deregistered");
    assert_eq!(b.business.status_since, today_real);
    let history: Vec<(&str, &str)> = b
        .history
        .iter()
        .map(|h| (h.status.as_str(), h.valid_from.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            ("operating", reg(6).as_str()),
            ("deregistered", today_real.as_str())
        ]
    );

    // Once done, a check cannot be done again.
    assert!(matches!(
        followup::complete_survival_check(
            &t.core,
            &community,
            &check.id,
            &SurvivalResult {
                result: "operating".into()
            },
        )
        .await,
        Err(Error::Refused(_))
    ));

    // A business still operating keeps its status and its one-entry history.
    let twelve_check = mine
        .iter()
        .find(|c| c.business_id == twelve && c.months == 12)
        .unwrap();
    followup::complete_survival_check(
        &t.core,
        &community,
        &twelve_check.id,
        &SurvivalResult {
            result: "operating".into(),
        },
    )
    .await
    .unwrap();
    let b = service::business_record(&t.core, &community, &twelve)
        .await
        .unwrap();
    assert_eq!(b.business.status, "operating");
    assert_eq!(b.history.len(), 1);
}

// ------------------------------------------------------------------ 三包

#[tokio::test]
async fn a_responsible_staff_member_must_act_in_the_persons_community_or_above_it() {
    let t = weidu().await;
    let street = scoped(STREET);
    let pid = new_person(&t, &street, 5, COMMUNITY, false).await;
    let in_community = user(&t, "wangfang", COMMUNITY).await;
    let in_street = user(&t, "lijun", STREET).await;
    let next_door = user(&t, "zhaolei", OTHER_COMMUNITY).await;
    let other_street = user(&t, "sunli", OTHER_STREET_COMMUNITY).await;
    let id = |a: &Actor| a.user_id.clone().expect("a real user");

    followup::assign_responsible(&t.core, &street, &pid, &id(&in_community))
        .await
        .unwrap();
    let r = service::person_record(&t.core, &street, &pid)
        .await
        .unwrap();
    assert_eq!(r.person.responsible_name.as_deref(), Some("wangfang"));
    assert_eq!(r.person.responsible_user_id, in_community.user_id);

    followup::assign_responsible(&t.core, &street, &pid, &id(&in_street))
        .await
        .unwrap();
    let r = service::person_record(&t.core, &street, &pid)
        .await
        .unwrap();
    assert_eq!(r.person.responsible_name.as_deref(), Some("lijun"));

    // Someone acting in the next community, or in another sub-district, is refused.
    for other in [&next_door, &other_street] {
        assert_eq!(
            fields(followup::assign_responsible(&t.core, &street, &pid, &id(other)).await),
            ["responsible"],
            "{}",
            other.username
        );
    }
    let r = service::person_record(&t.core, &street, &pid)
        .await
        .unwrap();
    assert_eq!(r.person.responsible_name.as_deref(), Some("lijun"));

    // The choice offered is the same: staff acting in the community or above it.
    let names: Vec<String> = followup::responsible_candidates(&t.core, &street, COMMUNITY)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert!(names.contains(&"wangfang".to_string()), "{names:?}");
    assert!(names.contains(&"lijun".to_string()), "{names:?}");
    assert!(!names.contains(&"zhaolei".to_string()), "{names:?}");
    assert!(!names.contains(&"sunli".to_string()), "{names:?}");

    // A person outside the actor's scope is not found.
    assert!(is_not_found(
        followup::assign_responsible(&t.core, &scoped(OTHER_COMMUNITY), &pid, &id(&next_door))
            .await
    ));
}

// ------------------------------------------------------------------ party statistics

/// A month's row as a tuple: (month, new entrepreneurs, individual, private, jobs, visits).
fn row(m: &PartyMonth) -> (u8, i64, i64, i64, i64, i64) {
    (
        m.month,
        m.new_entrepreneurs,
        m.new_individual,
        m.new_private,
        m.jobs,
        m.visits,
    )
}

/// Twelve months (zeros except those given) and a total row (month 0).
fn expected_table(nonzero: &[(u8, i64, i64, i64, i64, i64)]) -> Vec<(u8, i64, i64, i64, i64, i64)> {
    let mut rows: Vec<_> = (1..=12u8)
        .map(|m| {
            nonzero
                .iter()
                .copied()
                .find(|r| r.0 == m)
                .unwrap_or((m, 0, 0, 0, 0, 0))
        })
        .collect();
    let total = rows.iter().fold((0, 0, 0, 0, 0, 0), |a, r| {
        (0, a.1 + r.1, a.2 + r.2, a.3 + r.3, a.4 + r.4, a.5 + r.5)
    });
    rows.push(total);
    rows
}

#[tokio::test]
async fn party_statistics_count_by_month_within_scope_with_a_total_row() {
    let t = weidu().await;
    let admin = county_admin();
    let p1 = new_person(&t, &admin, 11, COMMUNITY, true).await;
    let p2 = new_person(&t, &admin, 12, COMMUNITY, true).await;
    let not_party = new_person(&t, &admin, 13, COMMUNITY, false).await;
    let last_year = new_person(&t, &admin, 14, COMMUNITY, true).await;
    let next_door = new_person(&t, &admin, 15, OTHER_COMMUNITY, true).await;
    // The month a person counts in is the month of `created_at` in China time; it is set
    // directly here (registration stamps the real now). 2025-04-01 00:30 in China is still
    // 31 March in UTC: it counts in April.
    for (id, at) in [
        (&p1, datetime!(2025-03-10 12:00 +8)),
        (&p2, datetime!(2025-04-01 00:30 +8)),
        (&not_party, datetime!(2025-03-10 12:00 +8)),
        (&last_year, datetime!(2024-12-31 23:00 +8)),
        (&next_door, datetime!(2025-08-01 09:00 +8)),
    ] {
        sqlx::query("UPDATE person SET created_at = $1 WHERE id = $2")
            .bind(at.unix_timestamp())
            .bind(id.clone())
            .execute(t.core.db.pool())
            .await
            .unwrap();
    }
    let b1 = new_business(&t, 21, "individual", "2025-03-05", COMMUNITY, 3).await;
    let b2 = new_business(&t, 22, "private", "2025-03-20", COMMUNITY, 10).await;
    let b3 = new_business(&t, 23, "private", "2025-07-01", COMMUNITY, 5).await;
    let b4 = new_business(&t, 24, "coop", "2025-07-15", COMMUNITY, 2).await;
    let b5 = new_business(&t, 25, "individual", "2025-05-05", COMMUNITY, 4).await;
    let b6 = new_business(&t, 26, "individual", "2024-11-11", COMMUNITY, 7).await;
    let b7 = new_business(&t, 27, "private", "2025-08-08", OTHER_COMMUNITY, 6).await;
    let unlinked = new_business(&t, 28, "private", "2025-09-09", COMMUNITY, 9).await;
    assert!(!unlinked.is_empty());
    for (person, business, role) in [
        (&p1, &b1, "owner"),
        (&p1, &b2, "owner"),
        // Two party members in one business: it counts once.
        (&p2, &b2, "partner"),
        (&p2, &b3, "owner"),
        (&p2, &b4, "shareholder"),
        (&not_party, &b5, "owner"),
        (&p1, &b6, "owner"),
        (&next_door, &b7, "owner"),
    ] {
        service::link(
            &t.core,
            &admin,
            person,
            &LinkInput {
                business_id: business.clone(),
                role: role.into(),
                since: "2025-01-01".into(),
            },
        )
        .await
        .unwrap();
    }
    for (person, date) in [
        (&p1, "2025-03-15"),
        (&p2, "2025-07-20"),
        (&not_party, "2025-07-21"),
        (&p1, "2024-12-30"),
        (&next_door, "2025-08-20"),
    ] {
        service::record_visit(&t.core, &admin, person, &visit(date, "走访", Vec::new()))
            .await
            .unwrap();
    }

    let table = |actor: Actor| {
        let core = t.core.clone();
        async move {
            let rows = followup::party_stats(&core, &actor, 2025).await.unwrap();
            assert_eq!(rows.len(), 13, "twelve months and a total");
            rows.iter().map(row).collect::<Vec<_>>()
        }
    };
    // (month, new entrepreneurs, individual, private, jobs, visits)
    assert_eq!(
        table(county_admin()).await,
        expected_table(&[
            (3, 1, 1, 1, 13, 1),
            (4, 1, 0, 0, 0, 0),
            (7, 0, 0, 1, 7, 1),
            (8, 1, 0, 1, 6, 1),
        ])
    );
    assert_eq!(
        *table(county_admin()).await.last().unwrap(),
        (0, 3, 1, 3, 26, 3)
    );
    assert_eq!(
        table(scoped(COMMUNITY)).await,
        expected_table(&[(3, 1, 1, 1, 13, 1), (4, 1, 0, 0, 0, 0), (7, 0, 0, 1, 7, 1),])
    );
    // The year before holds last year's entrepreneur, business and visit.
    let before = followup::party_stats(&t.core, &county_admin(), 2024)
        .await
        .unwrap();
    assert_eq!(row(&before[12]), (0, 1, 1, 0, 7, 1));

    // Without party.view: forbidden.
    let mut no_party = scoped(COMMUNITY);
    no_party.permissions.remove(&Permission::PartyView);
    assert!(matches!(
        followup::party_stats(&t.core, &no_party, 2025).await,
        Err(Error::Forbidden)
    ));
}
