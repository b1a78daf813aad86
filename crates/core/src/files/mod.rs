//! Attachments — evidence, photos, documents — stored once per content.
//!
//! The content lives under `data_dir/files/ab/cd/<sm3 hex>`, addressed by its SM3 hash, so the
//! same bytes uploaded twice are stored once; each upload is a `file` row naming its owner
//! (`owner_entity`, `owner_id`) and its region, which scopes every read. The type is sniffed
//! from the content, never taken from the browser, and must agree with the file's extension.
//!
//! Content is written (temp file, then rename) before the row is inserted in the caller's
//! transaction; if that transaction rolls back, the content stays unreferenced, which is
//! harmless — the same bytes map to the same address.
//!
//! Owns: `file` and the `files/` folder of the data directory. Uses: db, audit, crypto (SM3).

mod repo;
mod service;

pub use repo::FileMeta;
pub use service::{get, list_for, store, store_generated};

/// What an upload field accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRules {
    pub max_bytes: usize,
    /// MIME types, as sniffed from the content.
    pub allowed: &'static [&'static str],
}

pub const MIME_JPEG: &str = "image/jpeg";
pub const MIME_PNG: &str = "image/png";
pub const MIME_GIF: &str = "image/gif";
pub const MIME_WEBP: &str = "image/webp";
pub const MIME_PDF: &str = "application/pdf";
pub const MIME_DOCX: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const MIME_XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const MIME_DOC: &str = "application/msword";
pub const MIME_XLS: &str = "application/vnd.ms-excel";
pub const MIME_ZIP: &str = "application/zip";
/// Comma-separated text (registers saved as CSV), recognised by name plus plain-text content.
pub const MIME_CSV: &str = "text/csv";

const MB: usize = 1024 * 1024;

impl FileRules {
    /// Photos: JPEG, PNG, GIF, WebP up to 10 MB.
    pub const IMAGES: FileRules = FileRules {
        max_bytes: 10 * MB,
        allowed: &[MIME_JPEG, MIME_PNG, MIME_GIF, MIME_WEBP],
    };

    /// Documents and scans: PDF, Word, Excel, JPEG, PNG, ZIP up to 20 MB.
    pub const DOCUMENTS: FileRules = FileRules {
        max_bytes: 20 * MB,
        allowed: &[
            MIME_PDF, MIME_DOCX, MIME_XLSX, MIME_DOC, MIME_XLS, MIME_JPEG, MIME_PNG, MIME_ZIP,
        ],
    };

    /// Registers to import: Excel (xlsx, xls) or CSV, up to 30 MB.
    pub const SPREADSHEETS: FileRules = FileRules {
        max_bytes: 30 * MB,
        allowed: &[MIME_XLSX, MIME_XLS, MIME_CSV],
    };

    /// Files the product generates (reports, evidence packs): PDF, Word, Excel, ZIP up to 500 MB.
    pub const GENERATED: FileRules = FileRules {
        max_bytes: 500 * MB,
        allowed: &[MIME_PDF, MIME_DOCX, MIME_XLSX, MIME_ZIP],
    };

    /// The limit in whole megabytes, for messages.
    pub fn max_mb(&self) -> usize {
        self.max_bytes.div_ceil(MB)
    }
}

/// One file to store.
pub struct Upload<'a> {
    pub bytes: &'a [u8],
    /// As the browser sent it; sanitised before use.
    pub original_name: &'a str,
    /// What the file belongs to, e.g. ("person", id).
    pub owner_entity: &'a str,
    pub owner_id: &'a str,
    /// The region that scopes reads of the file; must be in the actor's scope.
    pub region_code: &'a str,
    pub rules: &'a FileRules,
}

/// Longest stored file name, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// A safe display name: no directories, no control characters, no leading dots, at most
/// [`MAX_NAME_CHARS`] characters (the extension is kept when shortening).
pub fn sanitize_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
        .collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.chars().count() <= MAX_NAME_CHARS {
        return clean.to_string();
    }
    match extension(clean) {
        Some(ext) if ext.chars().count() < 16 => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = clean.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        _ => clean
            .chars()
            .take(MAX_NAME_CHARS)
            .collect::<String>()
            .trim_end()
            .to_string(),
    }
}

/// The extension after the last dot (not a leading one), as written.
fn extension(name: &str) -> Option<&str> {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => Some(ext),
        _ => None,
    }
}

/// The extensions a file of this MIME type may carry, the usual one first.
fn extensions_of(mime: &str) -> &'static [&'static str] {
    match mime {
        MIME_JPEG => &["jpg", "jpeg", "jpe", "jfif"],
        MIME_PNG => &["png"],
        MIME_GIF => &["gif"],
        MIME_WEBP => &["webp"],
        MIME_PDF => &["pdf"],
        MIME_DOCX => &["docx"],
        MIME_XLSX => &["xlsx"],
        MIME_DOC => &["doc"],
        MIME_XLS => &["xls"],
        MIME_ZIP => &["zip"],
        MIME_CSV => &["csv", "txt"],
        "text/html" => &["html", "htm"],
        "text/xml" => &["xml"],
        "text/x-shellscript" => &["sh"],
        _ => &[],
    }
}

/// Extensions that name a type we accept somewhere: content that does not match such a name
/// is refused as a mismatch rather than as an unknown type.
const CLAIMED: &[&str] = &[
    MIME_JPEG, MIME_PNG, MIME_GIF, MIME_WEBP, MIME_PDF, MIME_DOCX, MIME_XLSX, MIME_DOC, MIME_XLS,
    MIME_ZIP,
];

/// The MIME type of the content, from its leading bytes. Word and Excel files are ZIP archives;
/// when the detector only sees a ZIP but the name says docx/xlsx and the archive has the
/// Office layout, the name's type is taken.
pub fn sniff(bytes: &[u8], name: &str) -> Option<&'static str> {
    let Some(kind) = infer::get(bytes) else {
        return plain_csv(bytes, name).then_some(MIME_CSV);
    };
    let mime = kind.mime_type();
    if mime == MIME_ZIP {
        let ext = extension(name).map(str::to_ascii_lowercase);
        let office =
            |folder: &[u8]| contains(bytes, b"[Content_Types].xml") && contains(bytes, folder);
        match ext.as_deref() {
            Some("docx") if office(b"word/") => return Some(MIME_DOCX),
            Some("xlsx") if office(b"xl/") => return Some(MIME_XLSX),
            _ => {}
        }
    }
    Some(mime)
}

/// A `.csv`/`.txt` name over text: no NUL bytes in the first 8 KiB (UTF-16 has a BOM and is
/// read as such by the sheets crate) and nothing that looks like markup.
fn plain_csv(bytes: &[u8], name: &str) -> bool {
    let ext = extension(name).map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("csv") | Some("txt")) {
        return false;
    }
    let head = &bytes[..bytes.len().min(8192)];
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let first = head
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    (utf16 || !head.contains(&0)) && first != Some(b'<')
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Checks content against the rules and the name. On success gives the sniffed MIME type and
/// the name to store (with the usual extension added if the name had none).
pub fn check(
    bytes: &[u8],
    name: &str,
    rules: &FileRules,
) -> Result<(&'static str, String), crate::FieldError> {
    use crate::FieldError;
    if bytes.is_empty() {
        return Err(FieldError::new("file", "files.empty"));
    }
    if bytes.len() > rules.max_bytes {
        return Err(FieldError::new("file", "files.too_large").arg("max_mb", rules.max_mb()));
    }
    let mut name = sanitize_name(name);
    let ext = extension(&name).map(str::to_ascii_lowercase);
    let claimed = ext.as_deref().and_then(|e| {
        CLAIMED
            .iter()
            .copied()
            .find(|m| extensions_of(m).contains(&e))
    });
    let Some(mime) = sniff(bytes, &name) else {
        return Err(match claimed {
            Some(_) => FieldError::new("file", "files.extension_mismatch").arg("type", "unknown"),
            None => FieldError::new("file", "files.type_not_allowed").arg("type", "unknown"),
        });
    };
    if let Some(e) = ext.as_deref()
        && !extensions_of(mime).contains(&e)
    {
        return Err(FieldError::new("file", "files.extension_mismatch").arg("type", mime));
    }
    if !rules.allowed.contains(&mime) {
        return Err(FieldError::new("file", "files.type_not_allowed").arg("type", mime));
    }
    if ext.is_none() {
        let usual = extensions_of(mime).first().copied().unwrap_or("bin");
        if name.is_empty() {
            name = "file".to_string();
        }
        name = format!("{name}.{usual}");
    }
    Ok((mime, name))
}

/// Where content with this SM3 hex lives, relative to the data directory.
pub fn relative_path(sha: &str) -> std::path::PathBuf {
    let mut p = std::path::PathBuf::from("files");
    p.push(sha.get(0..2).unwrap_or("00"));
    p.push(sha.get(2..4).unwrap_or("00"));
    p.push(sha);
    p
}

/// A `Content-Disposition` header value that downloads the file under its name: a quoted
/// ASCII fallback plus the exact name in RFC 5987 form.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push('%');
            encoded.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            encoded.push(char::from(b"0123456789ABCDEF"[usize::from(b & 0x0f)]));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn names_lose_their_directories_and_control_characters() {
        assert_eq!(sanitize_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_name("C:\\Users\\张三\\报告.pdf"), "报告.pdf");
        assert_eq!(sanitize_name("a\u{0}b\r\nc.png"), "abc.png");
        assert_eq!(sanitize_name("evil\u{202e}gnp.exe"), "evilgnp.exe");
        assert_eq!(sanitize_name("  ..hidden.txt "), "hidden.txt");
        assert_eq!(sanitize_name("dir/"), "");
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.pdf", "申".repeat(300));
        let s = sanitize_name(&long);
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with("申.pdf"));
    }

    #[test]
    fn content_disposition_has_an_ascii_fallback_and_the_exact_name() {
        assert_eq!(
            content_disposition("营业执照 2024.pdf"),
            "attachment; filename=\"____ 2024.pdf\"; \
             filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%202024.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\\c;d.png"),
            "attachment; filename=\"a_b_c;d.png\"; filename*=UTF-8''a%22b%5Cc%3Bd.png"
        );
    }

    #[test]
    fn content_must_agree_with_the_name() {
        let r = FileRules::DOCUMENTS;
        assert_eq!(
            check(PNG, "照片.png", &r).unwrap(),
            (MIME_PNG, "照片.png".to_string())
        );
        assert_eq!(check(PNG, "照片", &r).unwrap().1, "照片.png");
        assert_eq!(check(PNG, "", &r).unwrap().1, "file.png");
        assert_eq!(check(PNG, "a.PNG", &r).unwrap().1, "a.PNG");
        assert_eq!(
            check(PNG, "a.pdf", &r).unwrap_err().key,
            "files.extension_mismatch"
        );
        assert_eq!(
            check(PNG, "a.exe", &r).unwrap_err().key,
            "files.extension_mismatch"
        );
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        assert_eq!(
            check(html, "x.jpg", &r).unwrap_err().key,
            "files.extension_mismatch"
        );
        assert_eq!(
            check(html, "x.html", &r).unwrap_err().key,
            "files.type_not_allowed"
        );
        assert_eq!(
            check(b"just text", "x.jpg", &r).unwrap_err().key,
            "files.extension_mismatch"
        );
        assert_eq!(
            check(b"just text", "x.txt", &r).unwrap_err().key,
            "files.type_not_allowed"
        );
        let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
        assert_eq!(
            check(pdf, "x.pdf", &FileRules::IMAGES).unwrap_err().args[0].1,
            MIME_PDF
        );
    }

    #[test]
    fn sizes_are_checked_first() {
        let r = FileRules::IMAGES;
        assert_eq!(check(b"", "a.png", &r).unwrap_err().key, "files.empty");
        let big = vec![0u8; r.max_bytes + 1];
        let e = check(&big, "a.png", &r).unwrap_err();
        assert_eq!(
            (e.key.as_str(), e.args[0].1.as_str()),
            ("files.too_large", "10")
        );
    }

    #[test]
    fn content_lives_under_two_levels_of_its_hash() {
        assert_eq!(
            relative_path("abcdef0123"),
            std::path::Path::new("files/ab/cd/abcdef0123")
        );
    }
}
