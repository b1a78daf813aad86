//! The demo deployment's job board and project library: postings and supply of several
//! trades with each kind of contact visibility, business ideas recommended and solicited, the
//! service points' hotlines, and one employer's posting still waiting for its community's
//! review — entered the way staff and the public enter them.

use super::model::{EntryInput, Kind};
use super::service;
use crate::idea::{IdeaInput, service as ideas};
use crate::org::Actor;
use crate::{Core, Result};

#[allow(clippy::too_many_arguments)]
fn entry(
    employer: &str,
    position: &str,
    trade: &str,
    count: &str,
    pay: (&str, &str),
    body: &str,
    contact: (&str, &str, &str),
    region: &str,
    until: &str,
) -> EntryInput {
    EntryInput {
        employer: employer.into(),
        position: position.into(),
        trade: trade.into(),
        head_count: count.into(),
        pay_min: pay.0.into(),
        pay_max: pay.1.into(),
        body: body.into(),
        region_code: region.into(),
        contact_name: contact.0.into(),
        contact_phone: contact.1.into(),
        contact_visibility: contact.2.into(),
        valid_until: until.into(),
    }
}

fn idea(title: &str, category: &str, invest: (&str, &str), description: &str) -> IdeaInput {
    IdeaInput {
        title: title.into(),
        category: category.into(),
        invest_min: invest.0.into(),
        invest_max: invest.1.into(),
        description: description.into(),
        ..Default::default()
    }
}

/// Seeds the board under `root` (a county), its first sub-district and community. Runs after
/// the deployment's root region is set (public submissions choose a region of the site).
pub async fn seed(core: &Core, root: &str, street: &str, community: &str) -> Result<()> {
    for (code, hotline) in [(root, "0374-12333"), (street, "0374-5101234")] {
        sqlx::query("UPDATE region SET hotline = $1 WHERE code = $2")
            .bind(hotline.to_string())
            .bind(code.to_string())
            .execute(core.db.pool())
            .await?;
    }
    let until =
        crate::ledger::model::fmt_date(crate::ledger::model::today() + time::Duration::days(60));
    let county = Actor::system(root, "demo");
    let street_actor = Actor::system(street, "demo");
    let community_actor = Actor::system(community, "demo");
    let jobs = [
        entry(
            "许昌瑞贝卡发制品有限公司",
            "发制品操作工",
            "operator",
            "30",
            ("3500", "6000"),
            "18至45周岁，男女不限，手脚麻利；提供免费食宿，计件工资，缴纳社会保险。",
            ("李红", "13803741234", "public"),
            community,
            &until,
        ),
        entry(
            "魏都区某建筑劳务公司",
            "电工",
            "electrician",
            "5",
            ("6000", "8000"),
            "持低压电工证，有2年以上施工现场经验。",
            ("张建国", "13937412345", "masked"),
            street,
            &until,
        ),
        entry(
            "社区养老服务中心",
            "养老护理员",
            "care",
            "4",
            ("3000", "4000"),
            "有爱心、耐心，持养老护理员证书者优先，可免费参加岗前培训。",
            ("王芳", "15803745678", "staff"),
            community,
            &until,
        ),
    ];
    for input in &jobs {
        service::create(core, &county, Kind::Job, input).await?;
    }
    let supply = [
        entry(
            "",
            "",
            "electrician",
            "3",
            ("", ""),
            "返乡农民工3人，持电工证，可承接小区、厂房电气安装维修。",
            ("赵师傅", "13607441111", "masked"),
            community,
            &until,
        ),
        entry(
            "",
            "",
            "care",
            "6",
            ("", ""),
            "家政服务队6人，经过养老护理培训，可住家或按小时服务。",
            ("孙大姐", "13507442222", "public"),
            street,
            &until,
        ),
    ];
    for input in &supply {
        service::create(core, &county, Kind::Labour, input).await?;
    }
    // The community's own supply, through its sub-district's review.
    let own = entry(
        "",
        "",
        "cleaning",
        "8",
        ("", ""),
        "社区就业困难人员8人，可从事保洁、绿化养护工作。",
        ("社区平台", "13700743333", "staff"),
        "",
        &until,
    );
    let id = service::create(core, &community_actor, Kind::Labour, &own).await?;
    service::decide(core, &street_actor, Kind::Labour, &id, true, "").await?;
    for input in [
        idea(
            "社区生鲜便利店",
            "retail",
            ("10", "20"),
            "面向老旧小区的生鲜便利店，早晚高峰客流稳定。\n\n可申请创业担保贷款，街道提供开业指导。",
        ),
        idea(
            "发制品来料加工点",
            "processing",
            ("2", "5"),
            "依托本地发制品产业，承接来料加工，适合带动社区妇女居家灵活就业。",
        ),
    ] {
        ideas::create(core, &county, &input).await?;
    }
    // Citizens through the portal: an idea approved by the sub-district, a posting waiting.
    let solicited = IdeaInput {
        region_code: street.into(),
        submitter_name: "刘明".into(),
        contact_phone: "13812345678".into(),
        ..idea(
            "校园周边文创小店",
            "culture",
            ("3", "8"),
            "结合本地三国文化，制作销售文创产品，可线上线下同时经营。",
        )
    };
    let id = ideas::submit_public(core, &solicited, "demo").await?.id;
    service::decide(core, &street_actor, Kind::Idea, &id, true, "").await?;
    let waiting = entry(
        "魏都区某快递网点",
        "快递分拣员",
        "delivery",
        "6",
        ("4000", "5500"),
        "夜班分拣，能吃苦耐劳。",
        ("陈先生", "13912340000", "masked"),
        community,
        &until,
    );
    service::submit_public(core, Kind::Job, &waiting, "demo").await?;
    Ok(())
}
