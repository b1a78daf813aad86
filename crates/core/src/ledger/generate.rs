//! A realistic ledger, generated: persons, businesses with their status history and jobs,
//! person–business links, follow-up visits and the needs they raised, spread over the
//! communities of a root region. Used for the demo deployment (`demo::build_demo`) and for the
//! city-scale benchmarks (`chuangye bench generate`, docs/PERFORMANCE.md).
//!
//! Deterministic for a seed: the same seed over the same regions, units and staff gives the
//! same names, ID numbers, phones, businesses, credit codes, dates and texts. Record ids are
//! fresh UUIDs and ciphertexts carry random nonces, as for every record. Personal fields are
//! sealed with `personal::seal_id_number` / `seal_phone`, exactly as the service seals them.
//!
//! Rows are written with multi-row INSERTs (at most 500 rows and well under SQLite's 32,766
//! parameters per statement) in transactions of about 50,000 rows on one connection, without
//! the per-row audit of the services: one `ledger.generate` audit row records the run. The
//! per-community counts of migration 0004 are kept by its triggers, as for any other write.
//!
//! Uses: db, org (regions, units, staff memberships), personal, validate, workdays, audit.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde::Serialize;
use sqlx::Arguments;
use sqlx::any::AnyArguments;
use sqlx::pool::PoolConnection;
use time::Date;

use super::model;
use crate::audit::{self, Entry};
use crate::crypto::Crypto;
use crate::db::{Engine, new_id, now};
use crate::org::{Actor, RegionScope, region_table};
use crate::personal::{self, Sealed};
use crate::{Core, Error, Result};

/// A batch of persons being sealed on a blocking thread.
type SealTask = tokio::task::JoinHandle<(Vec<PlainPerson>, Result<Vec<SealedPerson>>)>;

/// How much to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Scale {
    pub persons: u64,
    pub businesses: u64,
    pub visits: u64,
    /// At most one need per visit: more than `visits` is capped.
    pub needs: u64,
}

impl Scale {
    /// The demo district, consistent with 许昌市魏都区's own year (~288 new private enterprises,
    /// 3,506 new individual businesses, 23,490 new urban jobs): businesses are founded evenly
    /// over three years, 8 % private and 90 % individual, so a year holds ~300 and ~3,400.
    pub const DEMO: Scale = Scale {
        persons: 6_000,
        businesses: 11_400,
        visits: 8_000,
        needs: 1_500,
    };
    /// A populated but small ledger, for tests.
    pub const TINY: Scale = Scale {
        persons: 20,
        businesses: 16,
        visits: 30,
        needs: 8,
    };
    /// Nothing.
    pub const NONE: Scale = Scale {
        persons: 0,
        businesses: 0,
        visits: 0,
        needs: 0,
    };
}

/// What a run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub persons: u64,
    pub categories: u64,
    pub businesses: u64,
    pub status_rows: u64,
    pub jobs_rows: u64,
    pub links: u64,
    pub visits: u64,
    pub needs: u64,
    /// Member units created because the root had none to route needs to.
    pub units_created: u64,
}

// ------------------------------------------------------------------ random numbers

/// SplitMix64: tiny, fast, and good enough for test data (it passes BigCrush).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for `(seed, stream, index)`.
    pub fn derive(seed: u64, stream: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.0 ^= r.next_u64() ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// One of `xs`, with probability proportional to its weight.
    pub fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u64 = xs.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (v, w) in xs {
            let w = u64::from(*w);
            if x < w {
                return v;
            }
            x -= w;
        }
        &xs[xs.len() - 1].0
    }
}

/// Splits `total` in proportion to `weights` (largest remainder), exactly.
fn allocate(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let mut left = total.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

// ------------------------------------------------------------------ reference lists

/// The most common surnames, with their weight (per 10,000 people, 2020 census, rounded).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 715),
    ("李", 700),
    ("张", 650),
    ("刘", 530),
    ("陈", 450),
    ("杨", 310),
    ("黄", 240),
    ("赵", 210),
    ("吴", 200),
    ("周", 190),
    ("徐", 150),
    ("孙", 150),
    ("马", 135),
    ("朱", 130),
    ("胡", 125),
    ("郭", 120),
    ("何", 115),
    ("林", 105),
    ("高", 105),
    ("罗", 100),
    ("郑", 90),
    ("梁", 85),
    ("谢", 80),
    ("宋", 75),
    ("唐", 75),
    ("许", 70),
    ("韩", 65),
    ("冯", 65),
    ("邓", 65),
    ("曹", 60),
    ("彭", 60),
    ("曾", 60),
    ("肖", 55),
    ("田", 50),
    ("董", 50),
    ("袁", 50),
    ("潘", 45),
    ("于", 45),
    ("蒋", 45),
    ("蔡", 45),
    ("余", 45),
    ("杜", 40),
    ("叶", 40),
    ("程", 40),
    ("苏", 38),
    ("魏", 38),
    ("吕", 37),
    ("丁", 36),
    ("任", 35),
    ("沈", 34),
    ("姚", 33),
    ("卢", 33),
    ("姜", 32),
    ("崔", 31),
    ("钟", 30),
    ("谭", 30),
    ("陆", 29),
    ("汪", 28),
    ("范", 28),
    ("金", 27),
    ("石", 26),
    ("廖", 26),
    ("贾", 25),
    ("夏", 25),
    ("韦", 24),
    ("付", 24),
    ("方", 23),
    ("白", 22),
    ("邹", 22),
    ("孟", 21),
    ("熊", 21),
    ("秦", 20),
    ("邱", 20),
    ("江", 19),
    ("尹", 19),
    ("薛", 18),
    ("闫", 18),
    ("段", 17),
    ("雷", 17),
    ("侯", 17),
    ("龙", 16),
    ("史", 16),
    ("陶", 15),
    ("黎", 15),
    ("贺", 15),
    ("顾", 14),
    ("毛", 14),
    ("郝", 14),
    ("龚", 13),
    ("邵", 13),
    ("万", 12),
    ("钱", 12),
    ("严", 12),
    ("武", 11),
    ("戴", 11),
    ("孔", 10),
    ("常", 10),
];

const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "洋", "东", "峰",
    "建", "国", "志", "文", "海", "亮", "成", "晨", "阳", "博", "振", "家", "鸿", "子", "豪", "睿",
    "泽", "毅", "彬", "锋", "荣", "新", "立", "永", "春", "庆", "保", "红",
];

const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "秀", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "颖", "琳",
    "洁", "倩", "晶", "欣", "梅", "莉", "兰", "红", "萍", "丹", "琴", "云", "璐", "瑶", "怡", "佳",
    "雨", "婧", "悦", "思", "梦", "晓", "蕾", "薇", "春", "凤", "英", "华",
];

const ROADS: &[&str] = &[
    "建设路",
    "人民路",
    "解放路",
    "文化路",
    "中山路",
    "新华路",
    "胜利路",
    "学院路",
    "光明路",
    "和平路",
    "东风路",
    "前进路",
    "劳动路",
    "健康路",
    "幸福路",
    "青年路",
    "迎宾大道",
    "府前路",
    "工农路",
    "北京路",
    "长安路",
    "永兴路",
    "宏图大道",
    "兴业路",
    "八一路",
    "站前路",
];

/// 字号 of businesses.
const TRADE_WORDS: &[&str] = &[
    "瑞丰",
    "鑫源",
    "恒通",
    "金诚",
    "华盛",
    "宏达",
    "利民",
    "兴旺",
    "嘉禾",
    "众诚",
    "佳和",
    "德润",
    "博远",
    "万通",
    "天成",
    "和顺",
    "永盛",
    "福瑞",
    "鼎盛",
    "汇丰",
    "诚信",
    "聚源",
    "顺达",
    "康泰",
    "宏运",
    "美佳",
    "新世纪",
    "阳光",
    "启航",
    "锦程",
    "益民",
    "惠众",
    "百川",
    "金穗",
    "乐家",
    "家和",
    "安康",
    "鸿福",
    "同心",
    "晨光",
    "盛世",
    "富源",
    "合力",
    "优品",
    "正泰",
    "长青",
];

/// An industry (GB/T 4754-2017 division) with its weight among individual businesses and
/// among private enterprises, the trades an individual business of it calls itself, and the
/// tail of an enterprise's name.
struct Trade {
    division: &'static str,
    individual: u32,
    private: u32,
    shops: &'static [&'static str],
    company: &'static str,
}

const TRADES: &[Trade] = &[
    Trade {
        division: "52",
        individual: 38,
        private: 14,
        shops: &[
            "便利店",
            "超市",
            "百货店",
            "五金店",
            "服装店",
            "水果店",
            "烟酒店",
            "母婴用品店",
            "手机店",
            "日用品店",
            "副食店",
            "建材店",
            "家电商行",
            "文具店",
            "茶叶店",
        ],
        company: "商贸有限公司",
    },
    Trade {
        division: "62",
        individual: 22,
        private: 6,
        shops: &[
            "面馆",
            "小吃店",
            "饭店",
            "烧烤店",
            "饺子馆",
            "烩面馆",
            "胡辣汤店",
            "奶茶店",
            "快餐店",
            "火锅店",
            "蛋糕店",
            "早餐店",
        ],
        company: "餐饮管理有限公司",
    },
    Trade {
        division: "80",
        individual: 12,
        private: 4,
        shops: &[
            "理发店",
            "美容美发店",
            "洗衣店",
            "家政服务部",
            "摄影店",
            "足浴店",
            "婚庆服务部",
            "保洁服务部",
        ],
        company: "家政服务有限公司",
    },
    Trade {
        division: "81",
        individual: 6,
        private: 2,
        shops: &[
            "汽车修理部",
            "家电维修部",
            "手机维修店",
            "电动车维修部",
            "修鞋店",
        ],
        company: "汽车服务有限公司",
    },
    Trade {
        division: "51",
        individual: 6,
        private: 16,
        shops: &["批发部", "商行", "粮油批发部", "蔬菜批发部", "日杂批发部"],
        company: "商贸有限公司",
    },
    Trade {
        division: "61",
        individual: 2,
        private: 3,
        shops: &["宾馆", "旅社", "快捷酒店"],
        company: "酒店管理有限公司",
    },
    Trade {
        division: "54",
        individual: 3,
        private: 6,
        shops: &["货运部", "运输部", "物流部"],
        company: "物流有限公司",
    },
    Trade {
        division: "72",
        individual: 2,
        private: 12,
        shops: &["广告部", "图文快印店", "中介服务部"],
        company: "企业管理咨询有限公司",
    },
    Trade {
        division: "65",
        individual: 1,
        private: 8,
        shops: &["电脑服务部", "网络服务部"],
        company: "信息技术有限公司",
    },
    Trade {
        division: "50",
        individual: 3,
        private: 9,
        shops: &["装饰工作室", "水电安装部"],
        company: "建筑装饰工程有限公司",
    },
    Trade {
        division: "18",
        individual: 1,
        private: 4,
        shops: &["服装加工部", "制衣坊"],
        company: "服饰有限公司",
    },
    Trade {
        division: "13",
        individual: 1,
        private: 3,
        shops: &["粮油加工部", "豆制品加工坊"],
        company: "食品有限公司",
    },
    Trade {
        division: "83",
        individual: 1,
        private: 3,
        shops: &["培训部"],
        company: "教育咨询有限公司",
    },
    Trade {
        division: "70",
        individual: 0,
        private: 3,
        shops: &["房产中介部"],
        company: "房地产经纪有限公司",
    },
    Trade {
        division: "82",
        individual: 2,
        private: 0,
        shops: &["宠物店", "开锁服务部"],
        company: "服务有限公司",
    },
];

/// Farmers' cooperatives: (division, product, activity).
const COOP_TRADES: &[(&str, &str, &str)] = &[
    ("01", "蔬菜", "种植"),
    ("01", "花卉苗木", "种植"),
    ("01", "中药材", "种植"),
    ("01", "食用菌", "种植"),
    ("01", "优质小麦", "种植"),
    ("03", "生猪", "养殖"),
    ("03", "肉牛", "养殖"),
    ("03", "家禽", "养殖"),
    ("04", "水产", "养殖"),
    ("05", "农机", "服务"),
];

const COOP_WORDS: &[&str] = &[
    "丰收", "绿源", "金穗", "兴农", "惠农", "富民", "田园", "沃土", "康农", "绿野", "春华", "润丰",
];

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
];

const VISIT_NOTES: &[&str] = &[
    "经营情况正常，客流稳定，暂无困难。",
    "店铺经营正常，本月营业额较上月有所增长。",
    "反映流动资金紧张，有意申请创业担保贷款，已讲解申请条件和流程。",
    "咨询小微企业税收优惠政策，已现场讲解并发放政策明白卡。",
    "新招用员工2名，已提醒办理社会保险登记。",
    "受季节影响营业额下降，建议开展线上销售。",
    "计划扩大经营规模，需要了解场地租赁扶持政策。",
    "经营场所租金上涨，正在考虑搬迁，已介绍创业孵化基地。",
    "已开通网店，线上订单约占三成，经营状况良好。",
    "反映招工难，希望推荐熟练技术工人，已对接人社部门招聘会。",
    "希望参加电子商务技能培训，已登记报名信息。",
    "食品经营许可证即将到期，提醒及时办理延续手续。",
    "创业者本人外出，电话联系了解经营情况，运转正常。",
    "新店开业不足三个月，客源尚不稳定，建议加强宣传推广。",
    "申请的一次性创业补贴已到账，对帮扶表示感谢。",
    "有个体户转企业意向，已讲解“个转企”办理流程。",
    "装修改造完成，已恢复正常营业。",
    "因家庭原因暂停营业，计划下月复业。",
    "已按期偿还创业担保贷款本息，信用良好。",
    "反映门前道路施工影响经营，已向街道反映。",
];

const NEED_TEXTS: &[(&str, &[&str])] = &[
    (
        "project",
        &[
            "申报市级优秀创业项目",
            "申请入驻创业孵化基地",
            "申报返乡创业示范项目",
            "申请创业项目评审推荐",
        ],
    ),
    (
        "funding",
        &[
            "申请创业担保贷款10万元",
            "申请创业担保贷款20万元",
            "申请一次性创业补贴",
            "申请创业担保贷款贴息",
            "对接银行办理经营性贷款",
        ],
    ),
    (
        "licence",
        &[
            "办理食品经营许可证",
            "办理营业执照经营范围变更",
            "个体工商户转型为企业",
            "办理卫生许可证",
            "办理税务登记变更",
        ],
    ),
    (
        "operation",
        &[
            "招聘熟练技术工人3名",
            "协调经营场所租金减免",
            "解决门前停车难问题",
            "对接产品销售渠道",
            "协调水电增容",
        ],
    ),
    (
        "planning",
        &[
            "参加创业培训（SYB）",
            "参加电子商务技能培训",
            "制定三年发展规划",
            "申请创业导师结对帮扶",
            "品牌注册与推广指导",
        ],
    ),
];

const NEED_KIND_WEIGHTS: &[(&str, u32)] = &[
    ("funding", 30),
    ("operation", 25),
    ("licence", 20),
    ("planning", 15),
    ("project", 10),
];

/// Which member units a kind of need goes to, by words in the unit's name.
const NEED_ROUTES: &[(&str, &[&str])] = &[
    ("project", &["发展和改革", "科学技术", "人力资源"]),
    ("funding", &["财政", "担保", "银行", "储蓄"]),
    ("licence", &["市场监督", "税务"]),
    (
        "operation",
        &["人力资源", "工商业联合会", "妇女联合会", "共青团"],
    ),
    (
        "planning",
        &["人力资源", "发展和改革", "科学技术", "职业技能"],
    ),
];

const UNRESOLVABLE: &[&str] = &[
    "不符合贷款申请条件",
    "申请材料不全，本人放弃办理",
    "超出现行政策扶持范围",
    "经营场所不符合许可要求",
    "本人已停业，不再需要",
];

/// Member units created under a root that has none, so needs can be routed: (name tail, kind).
const DEFAULT_UNITS: &[(&str, &str)] = &[
    ("人力资源和社会保障局", "department"),
    ("财政局", "department"),
    ("市场监督管理局", "department"),
    ("发展和改革委员会", "department"),
    ("工商业联合会", "people_org"),
    ("创业担保贷款担保中心", "guarantor"),
];

// ------------------------------------------------------------------ codes

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// GB 11643 check character of 17 digits.
pub fn id_check(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

const USCC_CHARS: &[u8] = crate::validate::uscc::USCC_CHARSET.as_bytes();
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 32100 check character of 17 characters from the code's charset.
pub fn uscc_check(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .zip(USCC_WEIGHTS)
        .map(|(b, w)| USCC_CHARS.iter().position(|&c| c == b).unwrap_or(0) as u32 * w)
        .sum();
    char::from(USCC_CHARS[((31 - sum % 31) % 31) as usize])
}

/// A USCC: registration authority 9 (market regulation), `kind` (1 enterprise, 2 individual
/// business, 3 farmers' cooperative), the county code, a 9-character subject code whose last
/// character is its GB 11714 check, and the GB 32100 check character.
fn uscc(rng: &mut Rng, kind: char, county6: &str) -> String {
    let body8: String = (0..8)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect();
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = body8
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let c9 = match 11 - s % 11 {
        10 => 'X',
        11 => '0',
        n => char::from(b'0' + n as u8),
    };
    let first17 = format!("9{kind}{county6}{body8}{c9}");
    let check = uscc_check(&first17);
    format!("{first17}{check}")
}

// ------------------------------------------------------------------ dates

const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

fn date_of(jd: i64) -> Date {
    Date::from_julian_day(jd as i32).unwrap_or(Date::MIN)
}

/// Unix seconds of `secs` after midnight, China time, on Julian day `jd`.
fn china_ts(jd: i64, secs: i64) -> i64 {
    (jd - UNIX_EPOCH_JULIAN_DAY) * 86_400 - 8 * 3_600 + secs
}

/// Office hours, 08:30–18:00.
fn office_secs(rng: &mut Rng) -> i64 {
    rng.range(8 * 3600 + 1800, 18 * 3600)
}

// ------------------------------------------------------------------ region tree

struct Place {
    code: String,
    county: usize,
    village: bool,
    /// The community's name without 居委会 / 村委会.
    short: String,
    /// A service-staff user whose region covers this community.
    staff: Option<String>,
}

struct County {
    code6: String,
    /// Full name, e.g. 魏都区.
    name: String,
    /// The city's name without 市, e.g. 许昌.
    city: String,
}

/// Names from the shipped official table, for regions outside the loaded tree (the city of a
/// county deployment). Cached: reading the table takes tens of milliseconds.
fn official_name(code: &str) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(v) = cache.lock().ok()?.get(code) {
        return v.clone();
    }
    let name = region_table::load_subtree(code)
        .ok()
        .and_then(|rows| rows.into_iter().next())
        .filter(|r| r.code == code)
        .map(|r| r.name);
    cache.lock().ok()?.insert(code.to_string(), name.clone());
    name
}

fn short_place_name(name: &str) -> String {
    for tail in [
        "社区居民委员会",
        "居民委员会",
        "村民委员会",
        "社区居委会",
        "居委会",
        "村委会",
    ] {
        if let Some(s) = name.strip_suffix(tail) {
            let s = s.to_string();
            return if tail.starts_with("社区") {
                format!("{s}社区")
            } else if tail.starts_with('村') {
                format!("{s}村")
            } else {
                s
            };
        }
    }
    name.to_string()
}

async fn load_places(
    c: &mut sqlx::AnyConnection,
    scope: &RegionScope,
) -> Result<(Vec<Place>, Vec<County>)> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, name, kind FROM region WHERE code BETWEEN $1 AND $2 AND valid_to IS NULL ORDER BY code",
    )
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_all(&mut *c)
    .await?;
    let names: HashMap<&str, &str> = rows
        .iter()
        .map(|(c, n, _)| (c.as_str(), n.as_str()))
        .collect();
    let staff: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.user_id, m.region_code FROM membership m \
         JOIN membership_role mr ON mr.membership_id = m.id JOIN role r ON r.id = mr.role_id \
         WHERE r.code = 'service_staff' AND m.region_code BETWEEN $1 AND $2 ORDER BY m.region_code, m.user_id",
    )
    .bind(scope.lo.clone())
    .bind(scope.hi.clone())
    .fetch_all(&mut *c)
    .await?;
    // The deepest membership first, so a community's own staff wins over its sub-district's.
    let mut staff: Vec<(RegionScope, String)> = staff
        .into_iter()
        .map(|(u, r)| (RegionScope::of(&r), u))
        .collect();
    staff.sort_by(|a, b| {
        b.0.lo
            .trim_end_matches('0')
            .len()
            .cmp(&a.0.lo.trim_end_matches('0').len())
    });
    let mut counties: Vec<County> = Vec::new();
    let mut county_ix: HashMap<String, usize> = HashMap::new();
    let mut places = Vec::new();
    for (code, name, kind) in &rows {
        if crate::org::level_of(code) != Some(5) {
            continue;
        }
        let code6 = code[..6].to_string();
        let county = match county_ix.get(&code6) {
            Some(&i) => i,
            None => {
                let c12 = format!("{code6}000000");
                let city12 = format!("{}00000000", &code[..4]);
                let lookup = |c: &str| {
                    names
                        .get(c)
                        .map(|s| s.to_string())
                        .or_else(|| official_name(c))
                };
                let cname = lookup(&c12).unwrap_or_default();
                let city = lookup(&city12).unwrap_or_default();
                let city = city.strip_suffix('市').unwrap_or(&city).to_string();
                counties.push(County {
                    code6: code6.clone(),
                    name: if cname == "市辖区" || cname.is_empty() {
                        format!("{city}市")
                    } else {
                        cname
                    },
                    city,
                });
                county_ix.insert(code6, counties.len() - 1);
                counties.len() - 1
            }
        };
        places.push(Place {
            code: code.clone(),
            county,
            village: kind == "village",
            short: short_place_name(name),
            staff: staff
                .iter()
                .find(|(s, _)| s.contains(code))
                .map(|(_, u)| u.clone()),
        });
    }
    Ok((places, counties))
}

struct UnitRef {
    id: String,
    name: String,
}

/// The units each kind of need is routed to.
fn routes(units: &[UnitRef]) -> HashMap<&'static str, Vec<usize>> {
    NEED_ROUTES
        .iter()
        .map(|(kind, words)| {
            let mut ix: Vec<usize> = units
                .iter()
                .enumerate()
                .filter(|(_, u)| words.iter().any(|w| u.name.contains(w)))
                .map(|(i, _)| i)
                .collect();
            if ix.is_empty() {
                ix = (0..units.len()).collect();
            }
            (*kind, ix)
        })
        .collect()
}

// ------------------------------------------------------------------ bulk writing

/// One table's rows, written many per statement.
trait Row: Send + 'static {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    fn bind(self, a: &mut AnyArguments);
}

fn add<'q, T>(a: &mut AnyArguments, v: T)
where
    T: sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    // Encoding into AnyArguments fails only for unsupported types: a programming error.
    a.add(v).expect("encodable argument");
}

/// Rows per statement: at most 500, and far below SQLite's 32,766 parameters.
fn per_statement(columns: usize) -> usize {
    (30_000 / columns).clamp(1, 500)
}

const COMMIT_EVERY: usize = 50_000;

/// One connection, with a transaction committed every [`COMMIT_EVERY`] rows.
struct Writer {
    conn: PoolConnection<sqlx::Any>,
    engine: Engine,
    in_tx: usize,
    open: bool,
    sql: HashMap<(&'static str, usize), String>,
}

impl Writer {
    async fn begin(&mut self) -> Result<()> {
        let stmt = match self.engine {
            Engine::Sqlite => "BEGIN IMMEDIATE",
            Engine::Postgres => "BEGIN",
        };
        sqlx::query(stmt).execute(&mut *self.conn).await?;
        self.open = true;
        self.in_tx = 0;
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        if self.open {
            sqlx::query("COMMIT").execute(&mut *self.conn).await?;
            self.open = false;
        }
        Ok(())
    }

    async fn rollback(&mut self) {
        if self.open {
            if sqlx::query("ROLLBACK")
                .execute(&mut *self.conn)
                .await
                .is_err()
            {
                self.conn.close_on_drop();
            }
            self.open = false;
        }
    }

    async fn insert<R: Row>(&mut self, rows: Vec<R>) -> Result<()> {
        let n = rows.len();
        if n == 0 {
            return Ok(());
        }
        let sql = self
            .sql
            .entry((R::TABLE, n))
            .or_insert_with(|| insert_sql(self.engine, R::TABLE, R::COLUMNS, n))
            .clone();
        let mut args = AnyArguments::default();
        args.reserve(n * R::COLUMNS.len(), 0);
        for r in rows {
            r.bind(&mut args);
        }
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
            .execute(&mut *self.conn)
            .await?;
        self.in_tx += n;
        if self.in_tx >= COMMIT_EVERY {
            self.commit().await?;
            self.begin().await?;
        }
        Ok(())
    }
}

/// `INSERT … VALUES (…), (…)` for `rows` rows. SQLite gets anonymous `?` placeholders: for
/// numbered ones its driver looks every parameter's name up in a list (sqlx binds by name), which
/// is quadratic in the parameters of a statement and took 85 % of the time at 500 rows.
fn insert_sql(engine: Engine, table: &str, columns: &[&str], rows: usize) -> String {
    let mut s = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut p = 0;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                s.push(',');
            }
            p += 1;
            match engine {
                Engine::Sqlite => s.push('?'),
                Engine::Postgres => {
                    s.push('$');
                    s.push_str(&p.to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

/// Rows waiting to be written. A table whose rows refer to another's is flushed only after
/// that other one, so every foreign key finds its row.
struct Pending<R: Row> {
    rows: Vec<R>,
}

impl<R: Row> Pending<R> {
    fn new() -> Self {
        Pending { rows: Vec::new() }
    }

    fn push(&mut self, r: R) {
        self.rows.push(r);
    }

    fn is_full(&self) -> bool {
        self.rows.len() >= per_statement(R::COLUMNS.len())
    }

    /// Writes full statements; with `all`, the rest too.
    async fn flush(&mut self, w: &mut Writer, all: bool) -> Result<()> {
        let per = per_statement(R::COLUMNS.len());
        while self.rows.len() >= per || (all && !self.rows.is_empty()) {
            let n = self.rows.len().min(per);
            let batch: Vec<R> = self.rows.drain(..n).collect();
            w.insert(batch).await?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------ rows

struct PersonRow {
    id: String,
    name: String,
    id_number: Sealed,
    birth_date: String,
    sex: &'static str,
    phone: Option<Sealed>,
    education: &'static str,
    household: &'static str,
    party: bool,
    region_code: String,
    address: String,
    responsible: Option<String>,
    next_visit: Option<String>,
    created_at: i64,
}

impl Row for PersonRow {
    const TABLE: &'static str = "person";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "id_cipher",
        "id_index",
        "id_masked",
        "birth_date",
        "sex",
        "phone_cipher",
        "phone_index",
        "phone_masked",
        "education",
        "household",
        "party_member",
        "region_code",
        "address",
        "responsible_user_id",
        "next_visit_date",
        "created_at",
        "updated_at",
    ];
    fn bind(self, a: &mut AnyArguments) {
        add(a, self.id);
        add(a, self.name);
        add(a, self.id_number.cipher);
        add(a, self.id_number.index);
        add(a, self.id_number.masked);
        add(a, self.birth_date);
        add(a, self.sex);
        let (pc, pi, pm) = match self.phone {
            Some(p) => (Some(p.cipher), Some(p.index), Some(p.masked)),
            None => (None, None, None),
        };
        add(a, pc);
        add(a, pi);
        add(a, pm);
        add(a, self.education);
        add(a, self.household);
        add(a, i64::from(self.party));
        add(a, self.region_code);
        add(a, self.address);
        add(a, self.responsible);
        add(a, self.next_visit);
        add(a, self.created_at);
        add(a, self.created_at);
    }
}

/// A person's category, with the person's education (migration 0007).
struct CategoryRow(String, &'static str, &'static str);

impl Row for CategoryRow {
    const TABLE: &'static str = "person_category";
    const COLUMNS: &'static [&'static str] = &["person_id", "category", "education"];
    fn bind(self, a: &mut AnyArguments) {
        add(a, self.0);
        add(a, self.1);
        add(a, self.2);
    }
}

struct BusinessRow {
    id: String,
    name: String,
    kind: &'static str,
    uscc: Option<String>,
    industry: &'static str,
    registered_on: String,
    region_code: String,
    address: String,
    capital_fen: i64,
    status: &'static str,
    status_since: String,
    jobs: i64,
    created_at: i64,
}

impl Row for BusinessRow {
    const TABLE: &'static str = "business";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "kind",
        "uscc",
        "industry",
        "registered_on",
        "region_code",
        "address",
        "capital_fen",
        "status",
        "status_since",
        "jobs",
        "created_at",
        "updated_at",
    ];
    fn bind(self, a: &mut AnyArguments) {
        add(a, self.id);
        add(a, self.name);
        add(a, self.kind);
        add(a, self.uscc);
        add(a, self.industry);
        add(a, self.registered_on);
        add(a, self.region_code);
        add(a, self.address);
        add(a, self.capital_fen);
        add(a, self.status);
        add(a, self.status_since);
        add(a, self.jobs);
        add(a, self.created_at);
        add(a, self.created_at);
    }
}

struct StatusRow {
    business_id: String,
    status: &'static str,
    valid_from: String,
    note: &'static str,
    recorded_at: i64,
}

impl Row for StatusRow {
    const TABLE: &'static str = "business_status";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "business_id",
        "status",
        "valid_from",
        "note",
        "recorded_at",
    ];
    fn bind(self, a: &mut AnyArguments) {
        add(a, new_id());
        add(a, self.business_id);
        add(a, self.status);
        add(a, self.valid_from);
        add(a, self.note);
        add(a, self.recorded_at);
    }
}

struct JobsRow {
    business_id: String,
    jobs: i64,
    as_of: String,
    recorded_at: i64,
}

impl Row for JobsRow {
    const TABLE: &'static str = "business_jobs";
    const COLUMNS: &'static [&'static str] = &["id", "business_id", "jobs", "as_of", "recorded_at"];
    fn bind(self, a: &mut AnyArguments) {
        add(a, new_id());
        add(a, self.business_id);
        add(a, self.jobs);
        add(a, self.as_of);
        add(a, self.recorded_at);
    }
}

struct LinkRow {
    person_id: String,
    business_id: String,
    role: &'static str,
    since: String,
}

impl Row for LinkRow {
    const TABLE: &'static str = "person_business";
    const COLUMNS: &'static [&'static str] = &["person_id", "business_id", "role", "since"];
    fn bind(self, a: &mut AnyArguments) {
        add(a, self.person_id);
        add(a, self.business_id);
        add(a, self.role);
        add(a, self.since);
    }
}

struct VisitRow {
    id: String,
    person_id: String,
    business_id: Option<String>,
    region_code: String,
    visit_date: String,
    method: &'static str,
    staff: Option<String>,
    notes: &'static str,
    next_visit: Option<String>,
    created_at: i64,
}

impl Row for VisitRow {
    const TABLE: &'static str = "visit";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "person_id",
        "business_id",
        "region_code",
        "visit_date",
        "method",
        "staff_user_id",
        "notes",
        "next_visit_date",
        "created_at",
    ];
    fn bind(self, a: &mut AnyArguments) {
        add(a, self.id);
        add(a, self.person_id);
        add(a, self.business_id);
        add(a, self.region_code);
        add(a, self.visit_date);
        add(a, self.method);
        add(a, self.staff);
        add(a, self.notes);
        add(a, self.next_visit);
        add(a, self.created_at);
    }
}

struct NeedRow {
    visit_id: String,
    person_id: String,
    region_code: String,
    kind: &'static str,
    description: &'static str,
    unit_id: String,
    deadline: String,
    state: &'static str,
    reason: Option<&'static str>,
    closed_at: Option<i64>,
    created_at: i64,
}

impl Row for NeedRow {
    const TABLE: &'static str = "need";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "visit_id",
        "person_id",
        "region_code",
        "kind",
        "description",
        "unit_id",
        "deadline",
        "state",
        "reason",
        "closed_at",
        "created_at",
    ];
    fn bind(self, a: &mut AnyArguments) {
        add(a, new_id());
        add(a, self.visit_id);
        add(a, self.person_id);
        add(a, self.region_code);
        add(a, self.kind);
        add(a, self.description);
        add(a, self.unit_id);
        add(a, self.deadline);
        add(a, self.state);
        add(a, self.reason);
        add(a, self.closed_at);
        add(a, self.created_at);
    }
}

// ------------------------------------------------------------------ persons

/// A person before sealing.
struct PlainPerson {
    id: String,
    name: String,
    id_number: String,
    phone: Option<String>,
    education: &'static str,
    household: &'static str,
    party: bool,
    categories: Vec<&'static str>,
    place: usize,
    address: String,
    next_visit: Option<String>,
    created_at: i64,
}

/// What later phases need to know of a person.
struct PersonMeta {
    id: String,
    surname: &'static str,
    given: String,
    place: u32,
    created_jd: i64,
}

/// Fixed for one run.
struct Ctx<'a> {
    seed: u64,
    today_jd: i64,
    now: i64,
    places: &'a [Place],
    counties: &'a [County],
}

fn address(rng: &mut Rng, place: &Place) -> String {
    if place.village {
        format!(
            "{}{}组{}号",
            place.short,
            rng.range(1, 12),
            rng.range(1, 80)
        )
    } else if rng.chance(0.6) {
        format!(
            "{}{}号院{}号楼{}单元{}0{}",
            rng.pick(ROADS),
            rng.range(1, 300),
            rng.range(1, 20),
            rng.range(1, 4),
            rng.range(1, 18),
            rng.range(1, 4)
        )
    } else {
        format!("{}{}号", rng.pick(ROADS), rng.range(1, 500))
    }
}

/// Birth years 1960–2004, most entrepreneurs born 1975–1999.
fn birth_year(rng: &mut Rng) -> i32 {
    let decade = *rng.weighted(&[(1960, 1), (1970, 3), (1980, 5), (1990, 5), (2000, 2)]);
    let span = if decade == 2000 { 5 } else { 10 };
    decade + rng.below(span) as i32
}

/// Sorted dates (Julian days) of a person's `k` visits, within the past year and not before
/// the person was registered. Drawn from the person's own stream, so the person phase can set
/// `next_visit_date` from the last visit that the visit phase will write.
fn visit_days(ctx: &Ctx<'_>, person: u64, k: u32, created_jd: i64) -> Vec<i64> {
    let mut rng = Rng::derive(ctx.seed, 7, person);
    let lo = (ctx.today_jd - 365).max(created_jd);
    let mut d: Vec<i64> = (0..k).map(|_| rng.range(lo, ctx.today_jd)).collect();
    d.sort_unstable();
    d
}

struct PersonGen<'a> {
    ctx: &'a Ctx<'a>,
    rng: Rng,
    taken: HashSet<u64>,
    existing_index: HashSet<String>,
    crypto: Crypto,
}

impl PersonGen<'_> {
    fn person(&mut self, index: u64, place_ix: usize, visits: u32) -> (PlainPerson, PersonMeta) {
        let ctx = self.ctx;
        let place = &ctx.places[place_ix];
        let county = &ctx.counties[place.county];
        let rng = &mut self.rng;
        let male = rng.chance(0.58);
        let surname = *rng.weighted(SURNAMES);
        let pool = if male { GIVEN_MALE } else { GIVEN_FEMALE };
        let given = if rng.chance(0.78) {
            format!("{}{}", rng.pick(pool), rng.pick(pool))
        } else {
            rng.pick(pool).to_string()
        };
        let year = birth_year(rng);
        // A unique, valid ID number: county code, birth date, sequence with the sex's parity.
        let county_n: u64 = county.code6.parse().unwrap_or(0);
        let id_number = loop {
            let start = Date::from_calendar_date(year, time::Month::January, 1)
                .map(|d| d.to_julian_day())
                .unwrap_or(0);
            let len = if time::util::is_leap_year(year) {
                366
            } else {
                365
            };
            let birth = date_of(i64::from(start) + rng.below(len) as i64);
            let seq = rng.below(500) * 2 + u64::from(male);
            let key = (county_n << 32) ^ ((i64::from(birth.to_julian_day()) as u64) << 10) ^ seq;
            if !self.taken.insert(key) {
                continue;
            }
            let body = format!(
                "{}{:04}{:02}{:02}{:03}",
                county.code6,
                birth.year(),
                u8::from(birth.month()),
                birth.day(),
                seq
            );
            let id = format!("{body}{}", id_check(&body));
            if !self.existing_index.is_empty()
                && self
                    .existing_index
                    .contains(&self.crypto.index().index("id_number", &id))
            {
                continue;
            }
            break id;
        };
        let phone = rng
            .chance(0.96)
            .then(|| format!("{}{:08}", rng.pick(MOBILE_PREFIXES), rng.below(100_000_000)));
        let young = year >= 1990;
        let education = if young {
            *rng.weighted(&[
                ("primary", 1),
                ("junior", 14),
                ("senior", 28),
                ("college", 27),
                ("bachelor", 27),
                ("postgraduate", 3),
            ])
        } else if year < 1975 {
            *rng.weighted(&[
                ("primary", 14),
                ("junior", 40),
                ("senior", 30),
                ("college", 10),
                ("bachelor", 6),
            ])
        } else {
            *rng.weighted(&[
                ("primary", 4),
                ("junior", 26),
                ("senior", 32),
                ("college", 19),
                ("bachelor", 17),
                ("postgraduate", 2),
            ])
        };
        let rural = rng.chance(if place.village { 0.85 } else { 0.3 });
        let age = (date_of(ctx.today_jd).year() - year) as i64;
        let mut categories = Vec::new();
        let higher = matches!(education, "college" | "bachelor" | "postgraduate");
        if higher && age <= 35 && rng.chance(0.7) {
            categories.push("graduate");
        }
        if rural && (25..=55).contains(&age) && rng.chance(0.45) {
            categories.push("returnee");
        }
        if rng.chance(0.06) {
            categories.push("hardship");
        }
        if age >= 35 && rng.chance(0.1) {
            categories.push("laid_off");
        }
        if rng.chance(if male { 0.08 } else { 0.005 }) {
            categories.push("veteran");
        }
        if rng.chance(0.015) {
            categories.push("disabled");
        }
        if rural && rng.chance(0.06) {
            categories.push("poverty");
        }
        let party = rng.chance(if categories.contains(&"veteran") {
            0.3
        } else {
            0.065
        });
        let created_jd = ctx.today_jd - rng.range(0, 3 * 365);
        let created_at = china_ts(created_jd, office_secs(rng)).min(ctx.now);
        let address = address(rng, place);
        let next_visit = if visits > 0 && rng.chance(0.6) {
            let last = *visit_days(ctx, index, visits, created_jd)
                .last()
                .unwrap_or(&ctx.today_jd);
            Some(model::fmt_date(date_of(last + rng.range(30, 90))))
        } else {
            None
        };
        let id = new_id();
        let plain = PlainPerson {
            id: id.clone(),
            name: format!("{surname}{given}"),
            id_number,
            phone,
            education,
            household: if rural { "rural" } else { "urban" },
            party,
            categories,
            place: place_ix,
            address,
            next_visit,
            created_at,
        };
        let meta = PersonMeta {
            id,
            surname,
            given,
            place: place_ix as u32,
            created_jd,
        };
        (plain, meta)
    }
}

type SealedPerson = (Sealed, String, &'static str, Option<Sealed>);

fn seal_one(crypto: &Crypto, today: Date, p: &PlainPerson) -> Result<SealedPerson> {
    let (sealed, id) = personal::seal_id_number(crypto, "id_number", &p.id_number, today)
        .map_err(|e| Error::Other(anyhow::anyhow!("generated ID number refused: {}", e.key)))?;
    let phone = match &p.phone {
        Some(ph) => Some(
            personal::seal_phone(crypto, "phone", ph)
                .map_err(|e| Error::Other(anyhow::anyhow!("generated phone refused: {}", e.key)))?,
        ),
        None => None,
    };
    let sex = match id.sex {
        crate::validate::Sex::Male => "male",
        crate::validate::Sex::Female => "female",
    };
    Ok((sealed, model::fmt_date(id.birth_date), sex, phone))
}

/// Seals a batch on every core: encryption and the blind index are most of a person's cost.
fn seal_batch(crypto: &Crypto, today: Date, people: &[PlainPerson]) -> Result<Vec<SealedPerson>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if threads == 1 || people.len() < 200 {
        return people.iter().map(|p| seal_one(crypto, today, p)).collect();
    }
    let chunk = people.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = people
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|p| seal_one(crypto, today, p))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(people.len());
        for h in handles {
            let part = h
                .join()
                .map_err(|_| Error::Other(anyhow::anyhow!("sealing thread panicked")))??;
            out.extend(part);
        }
        Ok(out)
    })
}

const PERSON_BATCH: usize = 5_000;

// ------------------------------------------------------------------ the run

/// Generates a ledger over the communities below `root` (any level; 4, 6, 9 or 12 digits) and
/// writes it in bulk. `progress(phase, done, total)` is called as rows are written. Returns
/// what was written; one `ledger.generate` audit row records the run.
pub async fn generate(
    core: &Core,
    root: &str,
    scale: Scale,
    seed: u64,
    mut progress: impl FnMut(&str, u64, u64),
) -> Result<Counts> {
    let root = region_table::normalize_root(root)
        .map_err(|_| Error::field("root", "org.region.code_format"))?;
    let actor = Actor::system(&root, "ledger-generate");
    let scope = RegionScope::of(&root);
    let mut counts = Counts::default();

    let (places, counties, mut units) = {
        let mut c = core.db.pool().acquire().await?;
        let (p, k) = load_places(&mut c, &scope).await?;
        let units: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, name FROM unit WHERE region_code BETWEEN $1 AND $2 ORDER BY name, id",
        )
        .bind(scope.lo.clone())
        .bind(scope.hi.clone())
        .fetch_all(&mut *c)
        .await?;
        let units: Vec<UnitRef> = units
            .into_iter()
            .map(|(id, name)| UnitRef { id, name })
            .collect();
        (p, k, units)
    };
    if places.is_empty() && (scale.persons > 0 || scale.businesses > 0) {
        return Err(Error::Other(anyhow::anyhow!(
            "no communities below {root}: load the region tree first"
        )));
    }
    if units.is_empty() && scale.needs > 0 && scale.visits > 0 {
        let root_name: String = sqlx::query_scalar("SELECT name FROM region WHERE code = $1")
            .bind(root.clone())
            .fetch_one(core.db.pool())
            .await?;
        for (tail, kind) in DEFAULT_UNITS {
            let name = format!("{root_name}{tail}");
            let input = crate::org::service::UnitInput {
                name: name.clone(),
                kind: kind.to_string(),
                region_code: root.clone(),
            };
            let id = crate::org::service::create_unit(core, &actor, &input).await?;
            units.push(UnitRef { id, name });
            counts.units_created += 1;
        }
    }

    // What is already there, so a second run never collides with it.
    let (existing_index, existing_uscc) = {
        let mut c = core.db.pool().acquire().await?;
        let any_person: Option<i64> = sqlx::query_scalar("SELECT 1 FROM person LIMIT 1")
            .fetch_optional(&mut *c)
            .await?;
        let ix: HashSet<String> = if any_person.is_some() {
            sqlx::query_scalar("SELECT id_index FROM person")
                .fetch_all(&mut *c)
                .await?
                .into_iter()
                .collect()
        } else {
            HashSet::new()
        };
        let us: HashSet<String> =
            sqlx::query_scalar::<_, String>("SELECT uscc FROM business WHERE uscc IS NOT NULL")
                .fetch_all(&mut *c)
                .await?
                .into_iter()
                .collect();
        (ix, us)
    };

    let today = model::today();
    let ctx = Ctx {
        seed,
        today_jd: i64::from(today.to_julian_day()),
        now: now(),
        places: &places,
        counties: &counties,
    };

    let mut w = Writer {
        conn: core.db.pool().acquire().await?,
        engine: core.db.engine(),
        in_tx: 0,
        open: false,
        sql: HashMap::new(),
    };
    let bulk = scale.persons + scale.visits > 200_000;
    let mut cache_size: Option<i64> = None;
    if bulk && w.engine == Engine::Sqlite {
        cache_size = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_optional(&mut *w.conn)
            .await?;
        sqlx::query("PRAGMA cache_size = -1048576")
            .execute(&mut *w.conn)
            .await?;
    }
    // Filling an empty ledger in bulk: its secondary indexes are built once at the end, from
    // sorted data, instead of taking a million random inserts each.
    let deferred = if bulk && ledger_is_empty(&mut w).await? {
        take_indexes(&mut w).await?
    } else {
        Vec::new()
    };
    let result = async {
        w.begin().await?;
        write_all(
            &mut w,
            core,
            &ctx,
            scale,
            &units,
            existing_index,
            existing_uscc,
            &mut counts,
            &mut progress,
        )
        .await?;
        w.commit().await
    }
    .await;
    if let Err(e) = result {
        w.rollback().await;
        let _ = build_indexes(&mut w, &deferred, &mut |_: &str, _: u64, _: u64| {}).await;
        return Err(e);
    }
    build_indexes(&mut w, &deferred, &mut progress).await?;
    if let Some(size) = cache_size {
        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = {size}")))
            .execute(&mut *w.conn)
            .await?;
    }
    if bulk && w.engine == Engine::Postgres {
        progress("analyze", 0, 1);
        sqlx::query(
            "ANALYZE person, person_category, business, business_status, business_jobs, person_business, visit, need, ledger_count",
        )
        .execute(&mut *w.conn)
        .await?;
        progress("analyze", 1, 1);
    }
    let vacuum = bulk && w.engine == Engine::Postgres;
    drop(w);
    if vacuum {
        // The kept figures were rewritten once per row loaded: clear the dead versions now, as
        // any bulk load should, instead of leaving them to autovacuum (dashboards read them).
        let mut c = core.db.pool().acquire().await?;
        if let Err(e) = sqlx::query("VACUUM (ANALYZE) indicator_value, ledger_count")
            .execute(&mut *c)
            .await
        {
            tracing::warn!(error = %e, "vacuum after the bulk load failed");
        }
    }

    let mut tx = core.db.begin().await?;
    audit::record(
        &mut tx,
        core.crypto.chain(),
        &actor,
        Entry::new("ledger.generate", "ledger", &root)
            .after(serde_json::json!({ "seed": seed, "scale": scale, "counts": counts })),
    )
    .await?;
    tx.commit().await?;
    Ok(counts)
}

/// The tables the generator writes (not `ledger_count`, which its triggers keep).
const LEDGER_TABLES: &[&str] = &[
    "person",
    "person_category",
    "business",
    "business_status",
    "business_jobs",
    "person_business",
    "visit",
    "need",
];

async fn ledger_is_empty(w: &mut Writer) -> Result<bool> {
    for t in LEDGER_TABLES {
        let any: Option<i64> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {t} LIMIT 1")))
                .fetch_optional(&mut *w.conn)
                .await?;
        if any.is_some() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Drops the ledger tables' secondary indexes and returns their definitions, as the database
/// itself states them (so they stay those of the migrations). Indexes behind a primary key or
/// a UNIQUE constraint stay.
async fn take_indexes(w: &mut Writer) -> Result<Vec<(String, String)>> {
    let list = LEDGER_TABLES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match w.engine {
        Engine::Sqlite => format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({list}) ORDER BY name"
        ),
        Engine::Postgres => format!(
            "SELECT CAST(i.indexname AS TEXT), i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() \
             AND i.tablename IN ({list}) \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname"
        ),
    };
    let defs: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *w.conn)
        .await?;
    for (name, _) in &defs {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
            .execute(&mut *w.conn)
            .await?;
    }
    Ok(defs)
}

async fn build_indexes(
    w: &mut Writer,
    defs: &[(String, String)],
    progress: &mut impl FnMut(&str, u64, u64),
) -> Result<()> {
    for (i, (_, def)) in defs.iter().enumerate() {
        progress("indexes", i as u64, defs.len() as u64);
        sqlx::query(sqlx::AssertSqlSafe(def.clone()))
            .execute(&mut *w.conn)
            .await?;
    }
    if !defs.is_empty() {
        progress("indexes", defs.len() as u64, defs.len() as u64);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn write_all(
    w: &mut Writer,
    core: &Core,
    ctx: &Ctx<'_>,
    scale: Scale,
    units: &[UnitRef],
    existing_index: HashSet<String>,
    existing_uscc: HashSet<String>,
    counts: &mut Counts,
    progress: &mut impl FnMut(&str, u64, u64),
) -> Result<()> {
    let places = ctx.places;
    let today = date_of(ctx.today_jd);

    // How many persons each community has: urban communities more than villages, unevenly.
    let mut rng = Rng::derive(ctx.seed, 1, 0);
    let weights: Vec<f64> = places
        .iter()
        .map(|p| {
            let base = if p.village {
                1.0
            } else if p.code[9..] >= *"400" {
                0.4
            } else {
                2.5
            };
            base * (0.3 + 1.7 * rng.unit())
        })
        .collect();
    let per_place = allocate(scale.persons, &weights);
    // How many visits each person had: every visit picks its person.
    let mut visit_counts = vec![0u32; scale.persons as usize];
    if scale.persons > 0 {
        let mut rng = Rng::derive(ctx.seed, 2, 0);
        for _ in 0..scale.visits {
            visit_counts[rng.below(scale.persons) as usize] += 1;
        }
    }

    // ---- persons
    let mut pgen = PersonGen {
        ctx,
        rng: Rng::derive(ctx.seed, 3, 0),
        taken: HashSet::with_capacity(scale.persons as usize),
        existing_index,
        crypto: core.crypto.clone(),
    };
    let mut metas: Vec<PersonMeta> = Vec::with_capacity(scale.persons as usize);
    let mut place_start = Vec::with_capacity(places.len());
    let mut order: Vec<usize> = Vec::with_capacity(scale.persons as usize);
    for (i, n) in per_place.iter().enumerate() {
        place_start.push(order.len());
        order.extend(std::iter::repeat_n(i, *n as usize));
    }
    let mut persons: Pending<PersonRow> = Pending::new();
    let mut categories: Pending<CategoryRow> = Pending::new();
    let mut pending_seal: Option<SealTask> = None;
    let mut next = 0usize;
    loop {
        let batch: Vec<PlainPerson> = order[next..(next + PERSON_BATCH).min(order.len())]
            .iter()
            .enumerate()
            .map(|(k, &place)| {
                let index = (next + k) as u64;
                let (plain, meta) = pgen.person(index, place, visit_counts[index as usize]);
                metas.push(meta);
                plain
            })
            .collect();
        next += batch.len();
        // Seal this batch while the previous one is written.
        let handle = (!batch.is_empty()).then(|| {
            let crypto = core.crypto.clone();
            tokio::task::spawn_blocking(move || {
                let sealed = seal_batch(&crypto, today, &batch);
                (batch, sealed)
            })
        });
        if let Some(prev) = pending_seal.take() {
            let (plain, sealed) = prev
                .await
                .map_err(|e| Error::Other(anyhow::anyhow!("sealing: {e}")))?;
            for (p, (id_number, birth_date, sex, phone)) in plain.into_iter().zip(sealed?) {
                for c in &p.categories {
                    categories.push(CategoryRow(p.id.clone(), c, p.education));
                }
                counts.categories += p.categories.len() as u64;
                let place = &places[p.place];
                persons.push(PersonRow {
                    id: p.id,
                    name: p.name,
                    id_number,
                    birth_date,
                    sex,
                    phone,
                    education: p.education,
                    household: p.household,
                    party: p.party,
                    region_code: place.code.clone(),
                    address: p.address,
                    responsible: place.staff.clone(),
                    next_visit: p.next_visit,
                    created_at: p.created_at,
                });
                counts.persons += 1;
            }
            persons.flush(w, true).await?;
            categories.flush(w, false).await?;
            progress("persons", counts.persons, scale.persons);
        }
        match handle {
            Some(h) => pending_seal = Some(h),
            None => break,
        }
    }
    categories.flush(w, true).await?;
    drop(pgen);

    // ---- businesses, their status history, jobs and owners
    let mut rng = Rng::derive(ctx.seed, 4, 0);
    let mut taken_uscc = existing_uscc;
    let person_weights: Vec<f64> = if scale.persons > 0 {
        per_place.iter().map(|&n| n as f64).collect()
    } else {
        weights.clone()
    };
    let per_place_b = allocate(scale.businesses, &person_weights);
    let mut business_ids: Vec<String> = Vec::with_capacity(scale.businesses as usize);
    let mut owned: Vec<u32> = vec![u32::MAX; metas.len()];
    let mut businesses: Pending<BusinessRow> = Pending::new();
    let mut statuses: Pending<StatusRow> = Pending::new();
    let mut jobs_rows: Pending<JobsRow> = Pending::new();
    let mut links: Pending<LinkRow> = Pending::new();
    let private_trades: Vec<(&Trade, u32)> = TRADES.iter().map(|t| (t, t.private)).collect();
    let individual_trades: Vec<(&Trade, u32)> = TRADES.iter().map(|t| (t, t.individual)).collect();
    for (pi, &nb) in per_place_b.iter().enumerate() {
        let place = &places[pi];
        let county = &ctx.counties[place.county];
        let (start, np) = (place_start[pi], per_place[pi] as usize);
        // Owners: the community's persons in a shuffled order, so most own one business.
        let mut owners: Vec<usize> = (start..start + np).collect();
        for i in (1..owners.len()).rev() {
            owners.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for j in 0..nb as usize {
            let owner = (!owners.is_empty()).then(|| owners[j % owners.len()]);
            let kind = *rng.weighted(&[("individual", 90), ("private", 8), ("coop", 2)]);
            let (industry, name) = match kind {
                "coop" => {
                    let (div, product, act) = *rng.pick(COOP_TRADES);
                    let word = if place.village && rng.chance(0.5) {
                        place
                            .short
                            .strip_suffix('村')
                            .unwrap_or(&place.short)
                            .to_string()
                    } else {
                        rng.pick(COOP_WORDS).to_string()
                    };
                    (
                        div,
                        format!("{}{word}{product}{act}专业合作社", county.name),
                    )
                }
                "private" => {
                    let t = *rng.weighted(&private_trades);
                    let word = *rng.pick(TRADE_WORDS);
                    let prefix = if county.city.is_empty() {
                        county.name.clone()
                    } else {
                        county.city.clone()
                    };
                    (t.division, format!("{prefix}{word}{}", t.company))
                }
                _ => {
                    let t = *rng.weighted(&individual_trades);
                    let shop = *rng.pick(t.shops);
                    let trade_name = match (owner, rng.below(10)) {
                        (Some(o), 0..=3) => metas[o].given.clone(),
                        (Some(o), 4..=6) => format!("老{}", metas[o].surname),
                        _ => rng.pick(TRADE_WORDS).to_string(),
                    };
                    (t.division, format!("{}{trade_name}{shop}", county.name))
                }
            };
            let uscc = match kind {
                "private" => Some('1'),
                "coop" => Some('3'),
                _ => rng.chance(0.6).then_some('2'),
            }
            .map(|k| {
                loop {
                    let u = uscc(&mut rng, k, &county.code6);
                    if taken_uscc.insert(u.clone()) {
                        break u;
                    }
                }
            });
            let reg_jd = ctx.today_jd - rng.range(0, 3 * 365);
            let registered_on = model::fmt_date(date_of(reg_jd));
            let created_jd = (reg_jd + rng.range(0, 60)).min(ctx.today_jd);
            let created_at = china_ts(created_jd, office_secs(&mut rng)).min(ctx.now);
            let capital_fen = match kind {
                "individual" => rng.range(2, 30) * 10_000 * 100,
                "private" => rng.range(10, 500) * 10_000 * 100,
                _ => rng.range(10, 200) * 10_000 * 100,
            };
            let jobs = match kind {
                "individual" => {
                    *rng.weighted(&[(1, 30), (2, 30), (3, 18), (4, 10), (5, 6), (6, 3), (8, 3)])
                }
                "private" => rng.range(3, 20),
                _ => rng.range(5, 20),
            };
            let id = new_id();
            counts.status_rows += 1;
            statuses.push(StatusRow {
                business_id: id.clone(),
                status: "operating",
                valid_from: registered_on.clone(),
                note: "",
                recorded_at: created_at,
            });
            let mut status = "operating";
            let mut since = registered_on.clone();
            let later = *rng.weighted(&[
                ("", 88),
                ("suspended", 4),
                ("deregistered", 7),
                ("moved_out", 1),
            ]);
            if !later.is_empty() && reg_jd + 60 < ctx.today_jd {
                let jd = rng.range(reg_jd + 60, ctx.today_jd);
                let note = match later {
                    "suspended" => {
                        *rng.pick(&["家庭原因暂停营业", "店面装修停业", "经营不善暂停营业"])
                    }
                    "deregistered" => {
                        *rng.pick(&["经营不善办理注销", "转行办理注销登记", "个转企后注销个体户"])
                    }
                    _ => "迁往外地经营",
                };
                status = later;
                since = model::fmt_date(date_of(jd));
                counts.status_rows += 1;
                statuses.push(StatusRow {
                    business_id: id.clone(),
                    status,
                    valid_from: since.clone(),
                    note,
                    recorded_at: china_ts(jd, office_secs(&mut rng)).min(ctx.now),
                });
            }
            counts.jobs_rows += 1;
            jobs_rows.push(JobsRow {
                business_id: id.clone(),
                jobs,
                as_of: registered_on.clone(),
                recorded_at: created_at,
            });
            if let Some(o) = owner {
                counts.links += 1;
                links.push(LinkRow {
                    person_id: metas[o].id.clone(),
                    business_id: id.clone(),
                    role: "owner",
                    since: registered_on.clone(),
                });
                if owned[o] == u32::MAX {
                    owned[o] = business_ids.len() as u32;
                }
                if kind != "individual" && owners.len() > 1 && rng.chance(0.3) {
                    let other = owners
                        [(j + 1 + rng.below(owners.len() as u64 - 1) as usize) % owners.len()];
                    if other != o {
                        counts.links += 1;
                        links.push(LinkRow {
                            person_id: metas[other].id.clone(),
                            business_id: id.clone(),
                            role: if rng.chance(0.5) {
                                "partner"
                            } else {
                                "shareholder"
                            },
                            since: registered_on.clone(),
                        });
                    }
                }
            }
            businesses.push(BusinessRow {
                id: id.clone(),
                name,
                kind,
                uscc,
                industry,
                registered_on,
                region_code: place.code.clone(),
                address: address(&mut rng, place),
                capital_fen,
                status,
                status_since: since,
                jobs,
                created_at,
            });
            business_ids.push(id);
            if businesses.is_full() {
                businesses.flush(w, true).await?;
                statuses.flush(w, false).await?;
                jobs_rows.flush(w, false).await?;
                links.flush(w, false).await?;
                progress("businesses", business_ids.len() as u64, scale.businesses);
            }
        }
    }
    counts.businesses = business_ids.len() as u64;
    businesses.flush(w, true).await?;
    statuses.flush(w, true).await?;
    jobs_rows.flush(w, true).await?;
    links.flush(w, true).await?;
    progress("businesses", counts.businesses, scale.businesses);

    // ---- visits and the needs they raised
    let routes = routes(units);
    let mut rng = Rng::derive(ctx.seed, 5, 0);
    let mut needs_left = if units.is_empty() {
        0
    } else {
        scale.needs.min(scale.visits)
    };
    let mut visits_left = visit_counts.iter().map(|&k| u64::from(k)).sum::<u64>();
    let mut visits: Pending<VisitRow> = Pending::new();
    let mut needs: Pending<NeedRow> = Pending::new();
    for (i, meta) in metas.iter().enumerate() {
        let k = visit_counts[i];
        if k == 0 {
            continue;
        }
        let place = &places[meta.place as usize];
        let business = (owned[i] != u32::MAX).then(|| business_ids[owned[i] as usize].clone());
        for day in visit_days(ctx, i as u64, k, meta.created_jd) {
            let id = new_id();
            let date = date_of(day);
            let created_at = china_ts(day, office_secs(&mut rng)).min(ctx.now);
            let method = *rng.weighted(&[("home", 55), ("phone", 35), ("walk_in", 10)]);
            let next_visit = rng
                .chance(0.4)
                .then(|| model::fmt_date(date_of(day + rng.range(30, 90))));
            // Selection sampling: exactly `needs` of the visits raise one.
            if needs_left > 0 && rng.below(visits_left) < needs_left {
                needs_left -= 1;
                let kind = *rng.weighted(NEED_KIND_WEIGHTS);
                let texts = NEED_TEXTS
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, t)| *t)
                    .unwrap_or(&[]);
                let candidates = &routes[kind];
                let unit = &units[candidates[rng.below(candidates.len() as u64) as usize]];
                let age = ctx.today_jd - day;
                let state = if age > 30 {
                    *rng.weighted(&[
                        ("resolved", 85),
                        ("unresolvable", 10),
                        ("accepted", 3),
                        ("open", 2),
                    ])
                } else {
                    *rng.weighted(&[
                        ("open", 35),
                        ("accepted", 30),
                        ("resolved", 30),
                        ("unresolvable", 5),
                    ])
                };
                let closed = matches!(state, "resolved" | "unresolvable");
                counts.needs += 1;
                needs.push(NeedRow {
                    visit_id: id.clone(),
                    person_id: meta.id.clone(),
                    region_code: place.code.clone(),
                    kind,
                    description: pick_str(&mut rng, texts),
                    unit_id: unit.id.clone(),
                    deadline: model::fmt_date(crate::workdays::add_working_days(
                        date,
                        model::NEED_DEFAULT_DAYS,
                    )),
                    state,
                    reason: (state == "unresolvable").then(|| *rng.pick(UNRESOLVABLE)),
                    closed_at: closed
                        .then(|| (created_at + rng.range(1, 12) * 86_400).min(ctx.now)),
                    created_at,
                });
            }
            visits_left -= 1;
            visits.push(VisitRow {
                id,
                person_id: meta.id.clone(),
                business_id: business.clone().filter(|_| rng.chance(0.7)),
                region_code: place.code.clone(),
                visit_date: model::fmt_date(date),
                method,
                staff: place.staff.clone(),
                notes: pick_str(&mut rng, VISIT_NOTES),
                next_visit,
                created_at,
            });
            counts.visits += 1;
            if visits.is_full() {
                visits.flush(w, true).await?;
                needs.flush(w, false).await?;
                progress("visits", counts.visits, scale.visits);
            }
        }
    }
    visits.flush(w, true).await?;
    needs.flush(w, true).await?;
    progress("visits", counts.visits, scale.visits);
    Ok(())
}

/// One of `list` (a `&'static str`), by the generator's random choice.
fn pick_str(rng: &mut Rng, list: &[&'static str]) -> &'static str {
    list[rng.below(list.len() as u64) as usize]
}

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;
    use crate::testing::TestDb;
    use crate::validate::{UsccCheck, parse_id_number, parse_uscc};

    const SMALL: Scale = Scale {
        persons: 400,
        businesses: 380,
        visits: 800,
        needs: 150,
    };

    #[test]
    fn generated_codes_pass_the_validators() {
        let mut rng = Rng::new(7);
        let today = time::macros::date!(2026 - 11 - 26);
        for i in 0..2_000 {
            let body = format!("411002{}{:03}", 19_800_101 + i % 28, i % 1000);
            let id = format!("{body}{}", id_check(&body));
            assert!(parse_id_number(&id, today).is_ok(), "{id}");
            let kind = ['1', '2', '3'][i as usize % 3];
            let u = uscc(&mut rng, kind, "360902");
            assert_eq!(parse_uscc(&u).unwrap().check, UsccCheck::Valid, "{u}");
            assert!(u.starts_with(&format!("9{kind}360902")));
        }
        assert_eq!(uscc_check("91350100M000100Y4"), '3');
    }

    #[test]
    fn allocation_is_exact_and_proportional() {
        let a = allocate(1_000, &[1.0, 2.0, 7.0]);
        assert_eq!(a, vec![100, 200, 700]);
        let b = allocate(20, &[1.0; 104]);
        assert_eq!(b.iter().sum::<u64>(), 20);
        assert_eq!(allocate(5, &[]), Vec::<u64>::new());
    }

    #[test]
    fn the_random_stream_is_fixed_by_its_seed() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let mut r = Rng::new(1);
        assert!((0..10_000).all(|_| r.below(7) < 7));
        assert_eq!(Rng::new(3).below(0), 0);
    }

    async fn n(core: &Core, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(core.db.pool())
            .await
            .unwrap()
    }

    /// Every count kept by the triggers of migration 0004 equals a COUNT over the rows.
    pub(crate) async fn assert_counts_exact(core: &Core) {
        let kept: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT entity, facet, value, region_code, n FROM ledger_count WHERE n <> 0 ORDER BY 1, 2, 3, 4",
        )
        .fetch_all(core.db.pool())
        .await
        .unwrap();
        let actual: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT * FROM (\
             SELECT 'person' AS e, '' AS f, '' AS v, region_code AS r, COUNT(*) AS n FROM person GROUP BY region_code \
             UNION ALL SELECT 'person', 'education', education, region_code, COUNT(*) FROM person GROUP BY education, region_code \
             UNION ALL SELECT 'person', 'household', household, region_code, COUNT(*) FROM person GROUP BY household, region_code \
             UNION ALL SELECT 'person', 'party', CAST(party_member AS TEXT), region_code, COUNT(*) FROM person GROUP BY party_member, region_code \
             UNION ALL SELECT 'person', 'category', c.category, p.region_code, COUNT(*) FROM person_category c JOIN person p ON p.id = c.person_id GROUP BY c.category, p.region_code \
             UNION ALL SELECT 'business', '', '', region_code, COUNT(*) FROM business GROUP BY region_code \
             UNION ALL SELECT 'business', 'kind', kind, region_code, COUNT(*) FROM business GROUP BY kind, region_code \
             UNION ALL SELECT 'business', 'status', status, region_code, COUNT(*) FROM business GROUP BY status, region_code \
             UNION ALL SELECT 'business', 'industry', industry, region_code, COUNT(*) FROM business GROUP BY industry, region_code\
             ) x ORDER BY 1, 2, 3, 4",
        )
        .fetch_all(core.db.pool())
        .await
        .unwrap();
        assert_eq!(kept, actual);
        // Each category carries its person's education (migration 0007's triggers).
        let astray: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM person_category c JOIN person p ON p.id = c.person_id              WHERE c.education IS NULL OR c.education <> p.education",
        )
        .fetch_one(core.db.pool())
        .await
        .unwrap();
        assert_eq!(
            astray, 0,
            "categories whose education is not their person's"
        );
    }

    #[tokio::test]
    async fn a_generated_ledger_is_valid_complete_and_in_scope() {
        let t = TestDb::new().await;
        crate::demo::build_demo_with(&t.core, Some("Test-Pass-2024"), SMALL)
            .await
            .unwrap();
        let core = &t.core;
        let scope = RegionScope::of(crate::demo::DEMO_ROOT);
        let today = model::today();

        // Counts.
        assert_eq!(n(core, "SELECT COUNT(*) FROM person").await, 400);
        assert_eq!(n(core, "SELECT COUNT(*) FROM business").await, 380);
        assert_eq!(n(core, "SELECT COUNT(*) FROM visit").await, 800);
        assert_eq!(n(core, "SELECT COUNT(*) FROM need").await, 150);
        assert_eq!(
            n(core, "SELECT COUNT(*) FROM business_jobs").await,
            380,
            "one jobs row per business"
        );
        assert_eq!(
            n(
                core,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.generate'"
            )
            .await,
            1
        );
        assert_eq!(
            n(core, "SELECT COUNT(*) FROM audit_log WHERE action IN ('person.create', 'business.create', 'visit.create')").await,
            0,
            "no audit row per record"
        );

        // Persons: sealed like the service seals them, valid, in scope.
        let persons: Vec<(String, String, String, String, String, String, Option<String>, Option<String>, String)> =
            sqlx::query_as(
                "SELECT id, name, id_cipher, id_masked, birth_date, sex, phone_cipher, phone_masked, region_code FROM person",
            )
            .fetch_all(core.db.pool())
            .await
            .unwrap();
        let mut party = 0;
        for (_, name, cipher, masked, birth, sex, phone, phone_masked, region) in &persons {
            assert!((2..=3).contains(&name.chars().count()), "{name}");
            let plain = core.crypto.cipher().decrypt("id_number", cipher).unwrap();
            let id = parse_id_number(&plain, today).unwrap();
            assert_eq!(&plain[..6], &region[..6], "region part is the county");
            assert!((1960..=2004).contains(&id.birth_date.year()));
            assert_eq!(*birth, model::fmt_date(id.birth_date));
            assert_eq!(
                sex,
                if plain.as_bytes()[16] % 2 == 1 {
                    "male"
                } else {
                    "female"
                }
            );
            assert_eq!(*masked, crate::crypto::mask_id_number(&plain));
            assert!(scope.contains(region) && crate::org::level_of(region) == Some(5));
            if let (Some(p), Some(m)) = (phone, phone_masked) {
                let p = core.crypto.cipher().decrypt("phone", p).unwrap();
                assert_eq!(crate::validate::normalize_mobile(&p).unwrap(), p);
                assert_eq!(*m, crate::crypto::mask_phone(&p));
            }
        }
        party += n(core, "SELECT COUNT(*) FROM person WHERE party_member = 1").await;
        assert!(
            (8..=60).contains(&party),
            "party members about 8 %: {party}"
        );

        // Businesses: kinds, credit codes, industries, status = the latest history row.
        let businesses: Vec<(
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
        )> = sqlx::query_as(
            "SELECT id, name, kind, uscc, industry, region_code, status FROM business",
        )
        .fetch_all(core.db.pool())
        .await
        .unwrap();
        let individual = businesses.iter().filter(|b| b.2 == "individual").count();
        assert!(
            individual > 300,
            "mostly individual businesses: {individual}"
        );
        for (id, name, kind, uscc, industry, region, status) in &businesses {
            assert!(model::is_code(model::BUSINESS_KIND, kind));
            assert!(
                name.starts_with("魏都区") || name.starts_with("许昌"),
                "{name}"
            );
            if kind != "individual" {
                assert!(uscc.is_some(), "{kind} without a credit code");
            }
            if let Some(u) = uscc {
                assert_eq!(parse_uscc(u).unwrap().check, UsccCheck::Valid, "{u}");
                assert_eq!(&u[2..8], &region[..6]);
            }
            assert!(crate::validate::industry(industry).is_some_and(|i| !i.is_section()));
            assert!(scope.contains(region));
            let latest: String = sqlx::query_scalar(
                "SELECT status FROM business_status WHERE business_id = $1 ORDER BY valid_from DESC LIMIT 1",
            )
            .bind(id.clone())
            .fetch_one(core.db.pool())
            .await
            .unwrap();
            assert_eq!(&latest, status);
        }

        // Links, visits and needs stay within their person's community.
        let zero = |sql: &'static str| async move { assert_eq!(n(core, sql).await, 0, "{sql}") };
        zero("SELECT COUNT(*) FROM person_business l JOIN person p ON p.id = l.person_id JOIN business b ON b.id = l.business_id WHERE p.region_code <> b.region_code").await;
        zero("SELECT COUNT(*) FROM visit v JOIN person p ON p.id = v.person_id WHERE v.region_code <> p.region_code").await;
        zero("SELECT COUNT(*) FROM need x JOIN person p ON p.id = x.person_id JOIN visit v ON v.id = x.visit_id WHERE x.region_code <> p.region_code OR v.person_id <> x.person_id").await;
        zero("SELECT COUNT(*) FROM need x JOIN unit u ON u.id = x.unit_id WHERE u.region_code NOT BETWEEN '411002000000' AND '411002999999'").await;
        zero("SELECT COUNT(*) FROM business b WHERE NOT EXISTS (SELECT 1 FROM person_business l WHERE l.business_id = b.id AND l.role = 'owner')").await;
        assert!(
            n(
                core,
                "SELECT COUNT(*) FROM need WHERE state IN ('resolved', 'unresolvable')"
            )
            .await
                > 75,
            "needs mostly closed"
        );
        // The demo's community staff look after the persons of their community.
        assert!(
            n(
                core,
                "SELECT COUNT(*) FROM visit WHERE staff_user_id IS NOT NULL"
            )
            .await
                > 0
        );
        assert_counts_exact(core).await;
    }

    /// What a ledger looks like without its ids and ciphertexts.
    async fn fingerprint(core: &Core) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for sql in [
            "SELECT name || '|' || id_masked || '|' || region_code || '|' || education || '|' || household || '|' || CAST(party_member AS TEXT) || '|' || address || '|' || COALESCE(phone_masked, '') || '|' || COALESCE(next_visit_date, '') FROM person",
            "SELECT name || '|' || kind || '|' || COALESCE(uscc, '') || '|' || industry || '|' || registered_on || '|' || status || '|' || status_since || '|' || CAST(jobs AS TEXT) FROM business",
            "SELECT p.name || '|' || p.id_masked || '|' || v.visit_date || '|' || v.method || '|' || v.notes FROM visit v JOIN person p ON p.id = v.person_id",
            "SELECT p.name || '|' || x.kind || '|' || x.description || '|' || x.state || '|' || x.deadline || '|' || u.name FROM need x JOIN person p ON p.id = x.person_id JOIN unit u ON u.id = x.unit_id",
            "SELECT p.name || '|' || b.name || '|' || l.role FROM person_business l JOIN person p ON p.id = l.person_id JOIN business b ON b.id = l.business_id",
        ] {
            let mut rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(core.db.pool())
                .await
                .unwrap();
            rows.sort();
            out.extend(rows);
        }
        out
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_ledger_and_another_seed_another() {
        let scale = Scale {
            persons: 120,
            businesses: 100,
            visits: 200,
            needs: 40,
        };
        let mut prints = Vec::new();
        for seed in [11, 11, 12] {
            let t = TestDb::with_weidu().await;
            let counts = generate(&t.core, "411002", scale, seed, |_, _, _| {})
                .await
                .unwrap();
            assert_eq!(counts.persons, 120);
            assert_eq!(counts.businesses, 100);
            assert_eq!(counts.visits, 200);
            assert_eq!(counts.needs, 40);
            assert_eq!(counts.units_created as usize, DEFAULT_UNITS.len());
            prints.push(fingerprint(&t.core).await);
        }
        assert_eq!(prints[0], prints[1]);
        assert_ne!(prints[0], prints[2]);
    }

    #[tokio::test]
    async fn a_second_run_adds_to_the_first_without_collisions_and_counts_stay_exact() {
        let t = TestDb::with_weidu().await;
        let scale = Scale {
            persons: 150,
            businesses: 120,
            visits: 100,
            needs: 20,
        };
        generate(&t.core, "411002", scale, 5, |_, _, _| {})
            .await
            .unwrap();
        generate(&t.core, "411002", scale, 5, |_, _, _| {})
            .await
            .unwrap();
        assert_eq!(n(&t.core, "SELECT COUNT(*) FROM person").await, 300);
        assert_eq!(n(&t.core, "SELECT COUNT(*) FROM business").await, 240);
        assert_counts_exact(&t.core).await;
        // Moves, changes and deletions keep the counts exact (migration 0004's triggers).
        let c = t.core.db.pool();
        sqlx::query("UPDATE person SET region_code = '411002001001', education = 'postgraduate' WHERE id IN (SELECT id FROM person ORDER BY id LIMIT 20)")
            .execute(c)
            .await
            .unwrap();
        sqlx::query("UPDATE business SET status = 'suspended', region_code = '411002001002' WHERE id IN (SELECT id FROM business ORDER BY id LIMIT 20)")
            .execute(c)
            .await
            .unwrap();
        sqlx::query("DELETE FROM person_category WHERE person_id IN (SELECT id FROM person ORDER BY id DESC LIMIT 10)")
            .execute(c)
            .await
            .unwrap();
        sqlx::query("INSERT INTO person_category (person_id, category) SELECT id, 'disabled' FROM person WHERE id NOT IN (SELECT person_id FROM person_category WHERE category = 'disabled') ORDER BY id LIMIT 7")
            .execute(c)
            .await
            .unwrap();
        assert_counts_exact(&t.core).await;
        let victim: String = sqlx::query_scalar(
            "SELECT p.id FROM person p WHERE NOT EXISTS (SELECT 1 FROM visit v WHERE v.person_id = p.id) \
             AND NOT EXISTS (SELECT 1 FROM person_business l WHERE l.person_id = p.id) \
             AND EXISTS (SELECT 1 FROM person_category pc WHERE pc.person_id = p.id) LIMIT 1",
        )
        .fetch_one(c)
        .await
        .unwrap();
        sqlx::query("DELETE FROM person WHERE id = $1")
            .bind(victim)
            .execute(c)
            .await
            .unwrap();
        assert_counts_exact(&t.core).await;
    }

    /// Every page of a list, through the cursors.
    async fn all_pages(
        core: &Core,
        scope: &RegionScope,
        f: &crate::ledger::repo::PersonFilter,
        limit: i64,
    ) -> (Vec<String>, i64) {
        let mut f = f.clone();
        let mut ids = Vec::new();
        let mut first_total = None;
        loop {
            let mut c = core.db.pool().acquire().await.unwrap();
            let (rows, total, next) =
                crate::ledger::repo::person_list(&mut c, scope, &f, true, None, limit)
                    .await
                    .unwrap();
            first_total.get_or_insert(total.n());
            ids.extend(rows.into_iter().map(|r| r.id));
            match next {
                Some(n) => f.after = Some(n),
                None => break,
            }
        }
        (ids, first_total.unwrap_or(0))
    }

    #[tokio::test]
    async fn person_lists_read_the_same_rows_whichever_way_they_read_them() {
        use crate::ledger::repo::PersonFilter;
        let t = TestDb::with_weidu().await;
        generate(&t.core, "411002", SMALL, 9, |_, _, _| {})
            .await
            .unwrap();
        let core = &t.core;
        let root = RegionScope::of("411002000000");
        let community: String = sqlx::query_scalar(
            "SELECT region_code FROM person GROUP BY region_code ORDER BY COUNT(*) DESC LIMIT 1",
        )
        .fetch_one(core.db.pool())
        .await
        .unwrap();
        let sub = format!("{}000", &community[..9]);
        for region in [None, Some(sub.clone()), Some(community.clone())] {
            for sort in ["name", "created"] {
                for (category, education) in [
                    (None, None),
                    (Some("graduate"), None),
                    (Some("disabled"), None),
                    (None, Some("senior")),
                    (Some("returnee"), Some("junior")),
                ] {
                    let f = PersonFilter {
                        region: region.clone(),
                        category: category.map(str::to_string),
                        education: education.map(str::to_string),
                        sort: Some(sort.to_string()),
                        ..Default::default()
                    };
                    let sub_scope = RegionScope::of(region.as_deref().unwrap_or("411002000000"));
                    let mut sql = crate::db::Sql::new(
                        "SELECT p.id FROM person p WHERE p.region_code BETWEEN ",
                    );
                    sql.bind(sub_scope.lo.clone())
                        .push(" AND ")
                        .bind(sub_scope.hi.clone());
                    if let Some(cat) = category {
                        sql.push(" AND EXISTS (SELECT 1 FROM person_category c WHERE c.person_id = p.id AND c.category = ")
                            .bind(cat.to_string())
                            .push(")");
                    }
                    if let Some(e) = education {
                        sql.push(" AND p.education = ").bind(e.to_string());
                    }
                    sql.push(if sort == "name" {
                        " ORDER BY p.name, p.id"
                    } else {
                        " ORDER BY p.created_at DESC, p.id DESC"
                    });
                    let expected: Vec<String> =
                        sql.query_scalar().fetch_all(core.db.pool()).await.unwrap();
                    // A small page makes the city-wide lists walk the sort order's index; the
                    // community's read its rows and sort them.
                    for limit in [7, 50] {
                        let (ids, total) = all_pages(core, &root, &f, limit).await;
                        assert_eq!(ids, expected, "{f:?} limit {limit}");
                        assert_eq!(total, expected.len() as i64, "{f:?}");
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn business_lists_read_the_same_rows_whichever_way_they_read_them() {
        use crate::ledger::repo::BusinessFilter;
        let t = TestDb::with_weidu().await;
        generate(&t.core, "411002", SMALL, 10, |_, _, _| {})
            .await
            .unwrap();
        let core = &t.core;
        let root = RegionScope::of("411002000000");
        for region in [None, Some("411002001000".to_string())] {
            for sort in ["name", "registered"] {
                for (kind, status) in [
                    (None, None),
                    (Some("individual"), None),
                    (Some("coop"), None),
                    (None, Some("deregistered")),
                    (Some("private"), Some("operating")),
                ] {
                    let f = BusinessFilter {
                        region: region.clone(),
                        kind: kind.map(str::to_string),
                        status: status.map(str::to_string),
                        sort: Some(sort.to_string()),
                        ..Default::default()
                    };
                    let s = RegionScope::of(region.as_deref().unwrap_or("411002000000"));
                    let mut sql = crate::db::Sql::new(
                        "SELECT b.id FROM business b WHERE b.region_code BETWEEN ",
                    );
                    sql.bind(s.lo.clone()).push(" AND ").bind(s.hi.clone());
                    if let Some(k) = kind {
                        sql.push(" AND b.kind = ").bind(k.to_string());
                    }
                    if let Some(st) = status {
                        sql.push(" AND b.status = ").bind(st.to_string());
                    }
                    sql.push(if sort == "name" {
                        " ORDER BY b.name, b.id"
                    } else {
                        " ORDER BY b.registered_on DESC, b.id DESC"
                    });
                    let expected: Vec<String> =
                        sql.query_scalar().fetch_all(core.db.pool()).await.unwrap();
                    for limit in [7, 50] {
                        let mut f = f.clone();
                        let mut ids = Vec::new();
                        let mut first = None;
                        loop {
                            let mut c = core.db.pool().acquire().await.unwrap();
                            let (rows, total, next) =
                                crate::ledger::repo::business_list(&mut c, &root, &f, limit)
                                    .await
                                    .unwrap();
                            first.get_or_insert(total.n());
                            ids.extend(rows.into_iter().map(|r| r.id));
                            match next {
                                Some(n) => f.after = Some(n),
                                None => break,
                            }
                        }
                        assert_eq!(ids, expected, "{f:?} limit {limit}");
                        assert_eq!(first, Some(expected.len() as i64));
                    }
                }
            }
        }
    }

    #[tokio::test]
    async fn deferred_indexes_come_back_as_the_migrations_made_them() {
        let t = TestDb::with_weidu().await;
        let mut w = Writer {
            conn: t.core.db.pool().acquire().await.unwrap(),
            engine: t.core.db.engine(),
            in_tx: 0,
            open: false,
            sql: HashMap::new(),
        };
        assert!(ledger_is_empty(&mut w).await.unwrap());
        let before = take_indexes(&mut w).await.unwrap();
        assert!(before.iter().any(|(n, _)| n == "person_name"));
        assert!(before.iter().any(|(n, _)| n == "business_county_name"));
        assert!(
            take_indexes(&mut w).await.unwrap().is_empty(),
            "all dropped"
        );
        build_indexes(&mut w, &before, &mut |_: &str, _: u64, _: u64| {})
            .await
            .unwrap();
        let mut again = take_indexes(&mut w).await.unwrap();
        let mut before = before;
        before.sort();
        again.sort();
        assert_eq!(before, again);
        build_indexes(&mut w, &again, &mut |_: &str, _: u64, _: u64| {})
            .await
            .unwrap();
    }
}
