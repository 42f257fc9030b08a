//! Folding of the letters that different keyboards type for the same word, so a query
//! matches whichever form the article used.

/// Arabic yeh and kaf (and alef maksura) become their Persian forms, Arabic-Indic and
/// Persian digits become ASCII, diacritics, tatweel and the zero-width non-joiner go.
/// Latin text passes unchanged.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\u{064A}' | '\u{0649}' => Some('\u{06CC}'), // ي ى -> ی
            '\u{0643}' => Some('\u{06A9}'),              // ك -> ک
            '\u{0629}' => Some('\u{0647}'),              // ة -> ه
            '\u{0623}' | '\u{0625}' | '\u{0622}' => Some('\u{0627}'), // أ إ آ -> ا
            '\u{200C}' | '\u{200D}' | '\u{0640}' => None, // ZWNJ, ZWJ, tatweel
            '\u{064B}'..='\u{065F}' | '\u{0670}' => None, // harakat, superscript alef
            '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
            '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn persian_typed_on_an_arabic_keyboard_matches() {
        // "کتاب" with Arabic kaf, "می‌کنند" with and without the ZWNJ, "ی" as Arabic yeh.
        assert_eq!(normalize("كتاب"), normalize("کتاب"));
        assert_eq!(normalize("می\u{200C}کنند"), normalize("میکنند"));
        assert_eq!(normalize("ايران"), normalize("ایران"));
        assert_eq!(normalize("كِتابٌ"), normalize("کتاب"));
        assert_eq!(normalize("۱۴۰۵ و ١٤٠٥"), "1405 و 1405");
        assert_eq!(normalize("Police raid, 2026"), "Police raid, 2026");
    }
}
