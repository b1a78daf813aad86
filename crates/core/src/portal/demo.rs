//! The demo deployment's portal: policies, measures, news, a story, a notice and a community
//! profile, published the way staff publish them (the community's news through its
//! sub-district's review), so the portal and its search have something to show.

use super::model::ItemInput;
use super::service;
use crate::org::Actor;
use crate::{Core, Result};

fn item(kind: &str, title: &str, summary: &str, body: &str) -> ItemInput {
    ItemInput {
        kind: kind.into(),
        title: title.into(),
        summary: summary.into(),
        body: body.into(),
        ..Default::default()
    }
}

/// Publishes the demo items under `root` (a county), its first sub-district and community.
pub async fn seed(core: &Core, root: &str, street: &str, community: &str) -> Result<()> {
    let county = Actor::system(root, "demo");
    let street_actor = Actor::system(street, "demo");
    let community_actor = Actor::system(community, "demo");
    let loan_policy = ItemInput {
        doc_number: "魏政办〔2026〕5号".into(),
        issuer: "魏都区人民政府办公室".into(),
        effective_on: "2026-01-01".into(),
        policy_status: "in_force".into(),
        ..item(
            "policy",
            "魏都区创业担保贷款实施办法",
            "符合条件的创业人员可申请最高30万元创业担保贷款，财政按规定贴息。",
            "第一条 为鼓励全民创业、以创业带动就业，制定本办法。\n\n第二条 高校毕业生、返乡农民工、就业困难人员、复员转业退役军人等创业人员，可申请创业担保贷款，个人最高30万元，小微企业最高400万元。\n\n第三条 贷款期限不超过3年，财政部门按规定给予贴息。",
        )
    };
    let new_policy = service::create(core, &county, &loan_policy).await?;
    service::submit(core, &county, &new_policy).await?;
    let old_policy = ItemInput {
        doc_number: "魏政办〔2021〕12号".into(),
        issuer: "魏都区人民政府办公室".into(),
        effective_on: "2021-03-01".into(),
        policy_status: "repealed".into(),
        replaced_by: new_policy.clone(),
        ..item(
            "policy",
            "魏都区小额担保贷款管理暂行办法",
            "",
            "本办法自2026年1月1日起废止，由《魏都区创业担保贷款实施办法》替代。",
        )
    };
    let ids = [
        (&county, old_policy),
        (
            &county,
            item(
                "policy",
                "关于积极帮助和扶持党员创业就业工作的意见",
                "发挥党员创业带头作用。",
                "各级党组织要把帮助和扶持党员创业就业作为重要工作，建立党员创业联系点，落实创业培训、担保贷款、场地扶持等政策。",
            ),
        ),
        (
            &county,
            item(
                "measure",
                "创业服务“三包五帮”跟踪服务",
                "街道、社区劳动保障工作平台对创业人员实行包政策落实、包技能培训、包跟踪服务。",
                "帮助选择创业项目、帮助落实经营场地、帮助办理证照、帮助筹集资金、帮助解决经营困难。需求登记后按期办结，逾期逐级督办。",
            ),
        ),
        (
            &county,
            item(
                "measure",
                "创业孵化基地入驻指南",
                "",
                "创业孵化基地为初创实体提供经营场地、政策咨询、开业指导等服务，入驻实体可享受场租减免。申请材料：营业执照、创业计划书、身份证明。",
            ),
        ),
        (
            &county,
            item(
                "notice",
                "2026年第二期SYB创业培训班招生通知",
                "",
                "区就业训练中心将举办第二期SYB创业培训班，面向有创业意愿的城乡劳动者，免费培训10天，结业颁发合格证书。报名请到所在街道劳动保障所。",
            ),
        ),
        (
            &street_actor,
            item(
                "news",
                "街道召开创建国家级创业型城市推进会",
                "",
                "街道召开创建工作推进会，通报各社区创业人员台账建立和“三包五帮”服务开展情况，部署下一阶段重点工作。",
            ),
        ),
        (
            &street_actor,
            item(
                "story",
                "返乡农民工开办农产品电商带动20人就业",
                "",
                "返乡农民工王先生在社区帮助下申请创业担保贷款10万元，开办农产品电商，带动周边20名村民就业。",
            ),
        ),
    ];
    for (actor, input) in ids {
        let id = service::create(core, actor, &input).await?;
        service::submit(core, actor, &id).await?;
    }
    // The community's own: news and its profile, through the sub-district's review.
    for input in [
        item(
            "news",
            "社区举办创业政策进万家宣讲活动",
            "",
            "社区在文化广场举办创业政策宣讲，发放《创业就业信息指南》300余份，现场登记创业意向12人。",
        ),
        item(
            "profile",
            "社区简介",
            "社区位于城区中心，设有劳动保障工作平台。",
            "社区下辖5个居民小组，常住人口约8000人。社区劳动保障工作平台配备专职工作人员2名，建立创业人员台账，提供政策咨询、创业培训报名和跟踪服务。",
        ),
    ] {
        let id = service::create(core, &community_actor, &input).await?;
        service::submit(core, &community_actor, &id).await?;
        service::decide(core, &street_actor, &id, true, "").await?;
    }
    Ok(())
}
