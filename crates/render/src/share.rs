//! "Share this article": plain links to each network's share address. No third-party
//! script is loaded; a reader's click is the only thing that talks to the network.

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareLink {
    pub network: &'static str,
    pub label: &'static str,
    pub href: String,
}

pub fn links(url: &str, title: &str) -> Vec<ShareLink> {
    let u = utf8_percent_encode(url, NON_ALPHANUMERIC).to_string();
    let t = utf8_percent_encode(title, NON_ALPHANUMERIC).to_string();
    let link = |network, label, href: String| ShareLink {
        network,
        label,
        href,
    };
    vec![
        link(
            "facebook",
            "Facebook",
            format!("https://www.facebook.com/sharer/sharer.php?u={u}"),
        ),
        link(
            "x",
            "X",
            format!("https://x.com/intent/post?url={u}&text={t}"),
        ),
        link(
            "whatsapp",
            "WhatsApp",
            format!("https://wa.me/?text={t}%20{u}"),
        ),
        link(
            "telegram",
            "Telegram",
            format!("https://t.me/share/url?url={u}&text={t}"),
        ),
        link(
            "linkedin",
            "LinkedIn",
            format!("https://www.linkedin.com/sharing/share-offsite/?url={u}"),
        ),
        link(
            "reddit",
            "Reddit",
            format!("https://www.reddit.com/submit?url={u}&title={t}"),
        ),
        link(
            "bluesky",
            "Bluesky",
            format!("https://bsky.app/intent/compose?text={t}%20{u}"),
        ),
        link("email", "Email", format!("mailto:?subject={t}&body={u}")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_encode_url_and_title() {
        let links = links("https://news.example/a?b=1&c=2", "Rain & wind: \"alert\"");
        assert!(links.len() >= 6);
        let x = links.iter().find(|l| l.network == "x").expect("x link");
        assert_eq!(
            x.href,
            "https://x.com/intent/post?url=https%3A%2F%2Fnews%2Eexample%2Fa%3Fb%3D1%26c%3D2&text=Rain%20%26%20wind%3A%20%22alert%22"
        );
        assert!(links.iter().any(|l| l.href.starts_with("mailto:")));
    }
}
