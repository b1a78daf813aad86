//! The organisation: the region tree (official codes, with history), member units, users,
//! memberships, roles over the fixed permission catalogue, the [`Actor`] with its
//! [`RegionScope`], and each region's service-point hotline ([`hotline`]).
//!
//! Owns: `region`, `region_name_history`, `unit`, `app_user`, `role`, `role_permission`,
//! `membership`, `membership_role`. Uses: db, audit, crypto (password hashing lives in auth).
//! Every list query takes the actor's scope and puts it in SQL as a code range.

pub mod hotline;
pub mod model;
pub mod region_table;
pub mod repo;
pub mod service;

pub use model::{
    Actor, AdminKind, BUILTIN_ROLES, Permission, RegionScope, UNIT_KINDS, level_of,
    significant_prefix,
};
