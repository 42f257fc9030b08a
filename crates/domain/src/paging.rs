//! The `?page=` parameter of listings.

use serde::Serialize;

/// Readers never page further than this; deeper archives are reached by search and sitemaps.
pub const MAX_PAGE: u32 = 10_000;

/// A 1-based page number that has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageNumber(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    #[error("the page number must be a whole number from 1 to {MAX_PAGE}")]
    NotANumber,
    #[error("the page number must be a whole number from 1 to {MAX_PAGE}")]
    OutOfRange,
}

impl PageNumber {
    pub const FIRST: PageNumber = PageNumber(1);

    /// Parses the raw query value; an absent or empty value means the first page.
    pub fn parse(raw: Option<&str>) -> Result<Self, PagingError> {
        let raw = match raw.map(str::trim) {
            None | Some("") => return Ok(Self::FIRST),
            Some(raw) => raw,
        };
        if !raw.chars().all(|c| c.is_ascii_digit()) {
            return Err(PagingError::NotANumber);
        }
        match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(Self(n)),
            _ => Err(PagingError::OutOfRange),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// Rows to skip for this page with `per_page` rows a page.
    pub fn offset(self, per_page: u32) -> u64 {
        u64::from(self.0 - 1) * u64::from(per_page)
    }
}

/// How many pages `total` items fill, never fewer than one.
pub fn page_count(total: u64, per_page: u32) -> u32 {
    let pages = total.div_ceil(u64::from(per_page.max(1))).max(1);
    u32::try_from(pages).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_page_numbers_and_refuses_junk() {
        assert_eq!(PageNumber::parse(None), Ok(PageNumber::FIRST));
        assert_eq!(PageNumber::parse(Some("3")).map(PageNumber::get), Ok(3));
        assert_eq!(PageNumber::parse(Some("abc")), Err(PagingError::NotANumber));
        assert_eq!(PageNumber::parse(Some("-1")), Err(PagingError::NotANumber));
        assert_eq!(PageNumber::parse(Some("0")), Err(PagingError::OutOfRange));
        assert_eq!(
            PageNumber::parse(Some("99999999999999999999")),
            Err(PagingError::OutOfRange)
        );
        assert_eq!(PageNumber::parse(Some("3")).map(|p| p.offset(20)), Ok(40));
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(41, 20), 3);
    }
}
