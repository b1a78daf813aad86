//! Integration tests of core, through the real database: SQLite by default, PostgreSQL when
//! `TEST_DATABASE_URL` is set. Each test gets a fresh database (`TestDb`).

mod audit;
mod board;
mod board_lookup;
mod consultation;
mod files;
mod followup;
mod hotline;
mod import;
mod indicators;
mod jobs;
mod ledger;
mod org;
mod portal;
mod registers;
mod reports;

use std::io::Write;

use chuangye_core::auth::build_actor;
use chuangye_core::org::service::{NewUser, create_user};
use chuangye_core::org::{Actor, RegionScope};
use chuangye_core::testing::TestDb;

/// The county root of the test tree (许昌市魏都区).
pub const COUNTY: &str = "411002000000";
/// A sub-district and two of its communities.
pub const STREET: &str = "411002001000";
pub const COMMUNITY: &str = "411002001001";
pub const OTHER_COMMUNITY: &str = "411002001002";

/// A fresh database with the region tree of 许昌市魏都区.
pub async fn weidu() -> TestDb {
    TestDb::with_weidu().await
}

/// The command-line actor over the whole county.
pub fn county_admin() -> Actor {
    Actor::system(COUNTY, "test")
}

/// The system actor narrowed to one region and below.
pub fn scoped(code: &str) -> Actor {
    let mut a = county_admin();
    a.username = format!("staff-{code}");
    a.region_code = code.to_string();
    a.scope = RegionScope::of(code);
    a
}

/// A real user (a row in `app_user`) with one membership in `region`, as the actor a request
/// of theirs would carry.
pub async fn user(t: &TestDb, username: &str, region: &str) -> Actor {
    let id = create_user(
        &t.core,
        &county_admin(),
        &NewUser {
            username: username.to_string(),
            display_name: username.to_string(),
            password: "Tq7#pLm2!xZk".to_string(),
            region_code: region.to_string(),
            roles: vec!["service_staff".to_string()],
            ..Default::default()
        },
    )
    .await
    .expect("create user");
    let mut c = t.core.db.pool().acquire().await.expect("connection");
    build_actor(&mut c, &id, None, "127.0.0.1")
        .await
        .expect("build actor")
        .expect("active user")
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A real 1×1 RGBA PNG of the given colour.
pub fn png(rgba: [u8; 4]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&[0, rgba[0], rgba[1], rgba[2], rgba[3]])
        .unwrap();
    png_chunk(&mut out, b"IDAT", &z.finish().unwrap());
    png_chunk(&mut out, b"IEND", b"");
    out
}

/// A small, valid one-page PDF.
pub fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A ZIP archive of stored (uncompressed) entries, with its central directory.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let (crc, size, nlen) = (
            crc.sum(),
            u32::try_from(data.len()).unwrap(),
            u16::try_from(name.len()).unwrap(),
        );
        let offset = u32::try_from(out.len()).unwrap();
        // Local file header: version 2.0, no flags, stored, no time, no extra field.
        out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00");
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&nlen.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x21\x00");
        for v in [crc, size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&nlen.to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal and external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).unwrap();
    let n = u16::try_from(entries.len()).unwrap();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&u32::try_from(central.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
const RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#;

/// A minimal Word document, entries in the order Word writes them.
pub fn docx() -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/_rels/document.xml.rels", RELS),
        ("word/document.xml", b"<w:document/>"),
    ])
}

/// A minimal Excel workbook with only three entries, which the detector sees as a plain
/// Office archive.
pub fn xlsx() -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", b"<workbook/>"),
    ])
}
