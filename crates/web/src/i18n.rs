//! Languages: Simplified Chinese by default, English and Traditional Chinese selectable.
//! The catalogues are `locales/*.yml`, compiled in.

use chuangye_core::FieldError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhHans,
    En,
    ZhHant,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::ZhHans, Lang::En, Lang::ZhHant];

    /// The catalogue's locale name.
    pub fn locale(self) -> &'static str {
        match self {
            Lang::ZhHans => "zh-CN",
            Lang::En => "en",
            Lang::ZhHant => "zh-TW",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html(self) -> &'static str {
        match self {
            Lang::ZhHans => "zh-Hans",
            Lang::En => "en",
            Lang::ZhHant => "zh-Hant",
        }
    }

    /// The short code used in the `lang` cookie and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhHans => "zh-hans",
            Lang::En => "en",
            Lang::ZhHant => "zh-hant",
        }
    }

    /// How the language names itself in the switcher.
    pub fn label(self) -> &'static str {
        match self {
            Lang::ZhHans => "简体中文",
            Lang::En => "English",
            Lang::ZhHant => "繁體中文",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh-hans" | "zh-cn" | "zh" => Some(Lang::ZhHans),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            "zh-hant" | "zh-tw" | "zh-hk" => Some(Lang::ZhHant),
            _ => None,
        }
    }

    /// Translates a catalogue key.
    pub fn t(self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.locale()).into_owned()
    }

    /// Translates a key and fills its `%{name}` placeholders.
    pub fn tf(self, key: &str, args: &[(String, String)]) -> String {
        let mut s = self.t(key);
        for (k, v) in args {
            s = s.replace(&format!("%{{{k}}}"), v);
        }
        s
    }

    pub fn field_error(self, e: &FieldError) -> String {
        self.tf(&e.key, &e.args)
    }

    /// Formats unix seconds as local (UTC+8) date and time.
    pub fn datetime(self, unix: i64) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp(unix)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            + time::Duration::hours(8);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

/// Whether a catalogue key is present in every language.
pub fn is_translated(key: &str) -> bool {
    Lang::ALL
        .iter()
        .all(|l| rust_i18n::t!(key, locale = l.locale()) != key)
}
