//! Types and pure rules of the organisation: permissions, roles, scopes, units, the actor.

use std::collections::BTreeSet;

use serde::Serialize;

/// The fixed permission catalogue. Roles are data over this list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Permission {
    RegionView,
    RegionManage,
    UnitView,
    UnitManage,
    UserView,
    UserManage,
    RoleManage,
    SecurityPolicy,
    SecurityUnlock,
    SecurityKeys,
    AuditView,
    AuditExport,
    PersonalUnmask,
    FileUpload,
    LedgerView,
    LedgerEdit,
    LedgerImport,
    LedgerExport,
    LedgerTransfer,
    PartyView,
    NeedHandle,
    LedgerOverride,
    IndicatorView,
    IndicatorEnter,
    IndicatorApprove,
    IndicatorTarget,
    ReportTemplate,
    IndicatorCatalogue,
    PortalEdit,
    PortalPublish,
    ConsultationReply,
    ConsultationConfigure,
}

impl Permission {
    pub const ALL: [Permission; 32] = [
        Permission::RegionView,
        Permission::RegionManage,
        Permission::UnitView,
        Permission::UnitManage,
        Permission::UserView,
        Permission::UserManage,
        Permission::RoleManage,
        Permission::SecurityPolicy,
        Permission::SecurityUnlock,
        Permission::SecurityKeys,
        Permission::AuditView,
        Permission::AuditExport,
        Permission::PersonalUnmask,
        Permission::FileUpload,
        Permission::LedgerView,
        Permission::LedgerEdit,
        Permission::LedgerImport,
        Permission::LedgerExport,
        Permission::LedgerTransfer,
        Permission::PartyView,
        Permission::NeedHandle,
        Permission::LedgerOverride,
        Permission::IndicatorView,
        Permission::IndicatorEnter,
        Permission::IndicatorApprove,
        Permission::IndicatorTarget,
        Permission::ReportTemplate,
        Permission::IndicatorCatalogue,
        Permission::PortalEdit,
        Permission::PortalPublish,
        Permission::ConsultationReply,
        Permission::ConsultationConfigure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::RegionView => "region.view",
            Permission::RegionManage => "region.manage",
            Permission::UnitView => "unit.view",
            Permission::UnitManage => "unit.manage",
            Permission::UserView => "user.view",
            Permission::UserManage => "user.manage",
            Permission::RoleManage => "role.manage",
            Permission::SecurityPolicy => "security.policy",
            Permission::SecurityUnlock => "security.unlock",
            Permission::SecurityKeys => "security.keys",
            Permission::AuditView => "audit.view",
            Permission::AuditExport => "audit.export",
            Permission::PersonalUnmask => "personal.unmask",
            Permission::FileUpload => "file.upload",
            Permission::LedgerView => "ledger.view",
            Permission::LedgerEdit => "ledger.edit",
            Permission::LedgerImport => "ledger.import",
            Permission::LedgerExport => "ledger.export",
            Permission::LedgerTransfer => "ledger.transfer",
            Permission::PartyView => "party.view",
            Permission::NeedHandle => "need.handle",
            Permission::LedgerOverride => "ledger.override",
            Permission::IndicatorView => "indicator.view",
            Permission::IndicatorEnter => "indicator.enter",
            Permission::IndicatorApprove => "indicator.approve",
            Permission::IndicatorTarget => "indicator.target",
            Permission::ReportTemplate => "report.template",
            Permission::IndicatorCatalogue => "indicator.catalogue",
            Permission::PortalEdit => "portal.edit",
            Permission::PortalPublish => "portal.publish",
            Permission::ConsultationReply => "consultation.reply",
            Permission::ConsultationConfigure => "consultation.configure",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Which administrator role a permission belongs to, if it is an administrator's power.
    pub fn admin_kind(self) -> Option<AdminKind> {
        match self {
            Permission::RegionManage
            | Permission::UnitManage
            | Permission::UserManage
            | Permission::RoleManage => Some(AdminKind::System),
            Permission::SecurityPolicy | Permission::SecurityUnlock | Permission::SecurityKeys => {
                Some(AdminKind::Security)
            }
            Permission::AuditView | Permission::AuditExport => Some(AdminKind::Audit),
            _ => None,
        }
    }
}

/// The three separated administrators (三员分立).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AdminKind {
    System,
    Security,
    Audit,
}

impl AdminKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminKind::System => "system",
            AdminKind::Security => "security",
            AdminKind::Audit => "audit",
        }
    }
    pub fn parse(s: &str) -> Option<AdminKind> {
        [AdminKind::System, AdminKind::Security, AdminKind::Audit]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The admin kind a set of permissions amounts to; an error if it mixes two kinds.
pub fn admin_kind_of(perms: &BTreeSet<Permission>) -> Result<Option<AdminKind>, MixedAdmin> {
    let kinds: BTreeSet<AdminKind> = perms.iter().filter_map(|p| p.admin_kind()).collect();
    match kinds.len() {
        0 => Ok(None),
        1 => Ok(kinds.into_iter().next()),
        _ => Err(MixedAdmin),
    }
}

/// One account may not hold the powers of two administrator roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixedAdmin;

/// A built-in role: code, Chinese name, permissions.
pub struct BuiltinRole {
    pub code: &'static str,
    pub name: &'static str,
    pub permissions: &'static [Permission],
}

use Permission as P;

pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        code: "campaign_office",
        name: "创建办工作人员",
        permissions: &[
            P::RegionView,
            P::UnitView,
            P::UserView,
            P::PersonalUnmask,
            P::FileUpload,
            P::LedgerView,
            P::LedgerEdit,
            P::LedgerImport,
            P::LedgerExport,
            P::LedgerTransfer,
            P::PartyView,
            P::LedgerOverride,
            P::IndicatorView,
            P::IndicatorEnter,
            P::IndicatorApprove,
            P::IndicatorTarget,
            P::ReportTemplate,
            P::IndicatorCatalogue,
            P::PortalEdit,
            P::PortalPublish,
            P::ConsultationReply,
            P::ConsultationConfigure,
        ],
    },
    BuiltinRole {
        code: "service_staff",
        name: "街道/社区平台工作人员",
        permissions: &[
            P::RegionView,
            P::UnitView,
            P::FileUpload,
            P::LedgerView,
            P::LedgerEdit,
            P::LedgerImport,
            P::LedgerExport,
            P::LedgerTransfer,
            P::IndicatorView,
            P::IndicatorEnter,
            P::IndicatorApprove,
            P::IndicatorTarget,
            P::PortalEdit,
            P::PortalPublish,
            P::ConsultationReply,
        ],
    },
    BuiltinRole {
        code: "unit_liaison",
        name: "成员单位联络员",
        permissions: &[P::RegionView, P::UnitView, P::FileUpload, P::NeedHandle],
    },
    BuiltinRole {
        code: "leader",
        name: "领导（只读）",
        permissions: &[
            P::RegionView,
            P::UnitView,
            P::UserView,
            P::LedgerView,
            P::PartyView,
            P::IndicatorView,
        ],
    },
    BuiltinRole {
        code: "system_admin",
        name: "系统管理员",
        permissions: &[
            P::RegionView,
            P::RegionManage,
            P::UnitView,
            P::UnitManage,
            P::UserView,
            P::UserManage,
            P::RoleManage,
        ],
    },
    BuiltinRole {
        code: "security_admin",
        name: "安全管理员",
        permissions: &[
            P::UserView,
            P::SecurityPolicy,
            P::SecurityUnlock,
            P::SecurityKeys,
        ],
    },
    BuiltinRole {
        code: "audit_admin",
        name: "安全审计员",
        permissions: &[P::AuditView, P::AuditExport],
    },
];

/// A data scope: a region and everything below it, as an inclusive range of 12-digit codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionScope {
    pub root: String,
    pub lo: String,
    pub hi: String,
}

impl RegionScope {
    /// The subtree of `code`; a malformed code gives a scope that contains nothing.
    pub fn of(code: &str) -> RegionScope {
        if level_of(code).is_none() {
            return RegionScope {
                root: String::new(),
                lo: "~".into(),
                hi: "~".into(),
            };
        }
        let prefix = significant_prefix(code);
        let pad = 12 - prefix.len();
        RegionScope {
            root: code.to_string(),
            lo: format!("{prefix}{}", "0".repeat(pad)),
            hi: format!("{prefix}{}", "9".repeat(pad)),
        }
    }

    pub fn contains(&self, code: &str) -> bool {
        code.len() == 12 && code >= self.lo.as_str() && code <= self.hi.as_str()
    }
}

/// Significant digits of a 12-digit code: 2, 4, 6, 9 or 12 by level.
pub fn significant_prefix(code: &str) -> &str {
    crate::validate::significant_prefix(code)
}

/// Level of a well-formed 12-digit code (1 province … 5 community), `None` if malformed.
pub fn level_of(code: &str) -> Option<u8> {
    (code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| crate::validate::level_of(code))
}

/// Kinds of member unit.
pub const UNIT_KINDS: &[&str] = &[
    "department",
    "people_org",
    "media",
    "bank",
    "guarantor",
    "training_school",
    "other",
];

/// A user acting in one membership. Built per request from the session or token, so a change
/// of roles takes effect on the user's next request.
#[derive(Clone, Debug, Serialize)]
pub struct Actor {
    pub user_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub membership_id: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub permissions: BTreeSet<Permission>,
    pub scope: RegionScope,
    pub is_demo: bool,
    pub must_change_password: bool,
    pub ip: String,
}

impl Actor {
    /// The actor used by command-line administration: every permission over `root`.
    pub fn system(root: &str, who: &str) -> Actor {
        Actor {
            user_id: None,
            username: who.to_string(),
            display_name: who.to_string(),
            membership_id: None,
            region_code: root.to_string(),
            region_name: String::new(),
            unit_id: None,
            unit_name: None,
            permissions: Permission::ALL.into_iter().collect(),
            scope: RegionScope::of(root),
            is_demo: false,
            must_change_password: false,
            ip: "local".to_string(),
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    /// Fails with `Forbidden` unless the actor holds `p`.
    pub fn require(&self, p: Permission) -> Result<(), crate::Error> {
        if self.can(p) {
            Ok(())
        } else {
            Err(crate::Error::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_scope_is_a_code_range() {
        let s = RegionScope::of("411002000000");
        assert_eq!(s.lo, "411002000000");
        assert_eq!(s.hi, "411002999999");
        assert!(s.contains("411002001001"));
        assert!(!s.contains("411003001001"));
    }

    #[test]
    fn community_scope_is_itself() {
        let s = RegionScope::of("411002001001");
        assert_eq!(
            (s.lo.as_str(), s.hi.as_str()),
            ("411002001001", "411002001001")
        );
    }

    #[test]
    fn township_scope_covers_its_communities() {
        let s = RegionScope::of("411002001000");
        assert!(s.contains("411002001999"));
        assert!(!s.contains("411002002001"));
    }

    #[test]
    fn a_malformed_code_scopes_nothing_and_never_panics() {
        for bad in ["", "a中中中中", "41100", "4110020010011", "41100200100x"] {
            let s = RegionScope::of(bad);
            assert!(!s.contains("411002001001"), "{bad}");
        }
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn builtin_admin_roles_each_hold_one_admin_kind() {
        for r in BUILTIN_ROLES {
            let set: BTreeSet<_> = r.permissions.iter().copied().collect();
            assert!(admin_kind_of(&set).is_ok(), "{}", r.code);
        }
    }

    #[test]
    fn mixing_system_and_audit_powers_is_refused() {
        let set: BTreeSet<_> = [P::UserManage, P::AuditView].into_iter().collect();
        assert_eq!(admin_kind_of(&set), Err(MixedAdmin));
    }
}
