//! The demo deployment's consultations: questions asked the way citizens ask them, two answered
//! and published, one answered privately, one waiting — so the Q&A page, the monthly figures
//! and a service point's queue have something to show.

use super::model::AskInput;
use super::service;
use crate::org::Actor;
use crate::{Core, Result};

fn question(category: &str, region: &str, text: &str) -> AskInput {
    AskInput {
        category: category.into(),
        region: region.into(),
        question: text.into(),
        ..Default::default()
    }
}

/// Asks and answers the demo questions of `street` (a sub-district) and `community`.
pub async fn seed(core: &Core, street: &str, community: &str) -> Result<()> {
    let answerer = Actor::system(street, "demo");
    let loan = service::ask(
        core,
        &question(
            "loan",
            community,
            "我是返乡农民工，想开一家农家乐，能申请创业担保贷款吗？需要准备哪些材料？",
        ),
    )
    .await?;
    service::answer(
        core,
        &answerer,
        &loan.id,
        "可以申请。返乡农民工创业可申请个人最高30万元的创业担保贷款，财政按规定贴息。请携带身份证、户口簿、营业执照（或经营场所证明）和创业计划书，到社区劳动保障工作平台提出申请，由平台初审后报区人社局复核。",
        true,
        None,
    )
    .await?;
    let training = service::ask(
        core,
        &question(
            "training",
            street,
            "街道今年还有SYB创业培训班吗？怎么报名？",
        ),
    )
    .await?;
    service::answer(
        core,
        &answerer,
        &training.id,
        "本街道每季度开办一期SYB创业培训班，下一期计划于下月开班，培训免费。请到街道劳动保障事务所或拨打服务热线报名。",
        true,
        None,
    )
    .await?;
    let private = AskInput {
        private: "1".into(),
        ..question(
            "licence",
            community,
            "个体工商户营业执照的经营范围可以增加网络销售吗？",
        )
    };
    let private = service::ask(core, &private).await?;
    service::answer(
        core,
        &answerer,
        &private.id,
        "可以，持营业执照到区政务服务中心市场监管窗口申请变更经营范围即可，也可在网上办理。",
        true,
        None,
    )
    .await?;
    service::ask(
        core,
        &question(
            "premises",
            community,
            "社区附近有没有创业孵化基地？入驻有什么条件？",
        ),
    )
    .await?;
    Ok(())
}
