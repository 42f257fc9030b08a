//! Newsroom accounts: who may do what. The one permission table the server consults for
//! every action, whether it arrives from the newsroom's forms or the Admin API.

use crate::{Id, ValidationError};
use serde::{Deserialize, Serialize};

/// A newsroom role; each includes what the ones before it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Writes and submits their own drafts.
    Contributor,
    /// Also publishes their own articles.
    Author,
    /// Edits and publishes any article, curates sections and collections, issues corrections.
    Editor,
    /// Also manages users, settings and the mirror addresses.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Contributor, Role::Author, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Contributor => "contributor",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, ValidationError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                ValidationError::new(
                    "role",
                    format!("{raw:?} is not a role (contributor, author, editor, admin)"),
                )
            })
    }

    /// Whether this role may take `action`; `own` says the article is the user's own.
    pub fn may(self, action: Action, own: bool) -> bool {
        use Action::*;
        match action {
            // Everyone in the newsroom writes, uploads pictures and reads the newsroom.
            CreateArticle | UploadMedia | ViewNewsroom => true,
            EditArticle | SubmitForReview => own || self >= Role::Editor,
            PublishArticle | UnpublishArticle => {
                (own && self >= Role::Author) || self >= Role::Editor
            }
            CorrectArticle | Curate => self >= Role::Editor,
            ManageUsers | ManageSettings => self == Role::Admin,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything a newsroom user can ask the server to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ViewNewsroom,
    CreateArticle,
    /// Change an article's text and metadata, or restore an earlier revision.
    EditArticle,
    SubmitForReview,
    /// Publish now or schedule.
    PublishArticle,
    UnpublishArticle,
    CorrectArticle,
    UploadMedia,
    /// Sections and collections.
    Curate,
    ManageUsers,
    ManageSettings,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::ViewNewsroom,
        Action::CreateArticle,
        Action::EditArticle,
        Action::SubmitForReview,
        Action::PublishArticle,
        Action::UnpublishArticle,
        Action::CorrectArticle,
        Action::UploadMedia,
        Action::Curate,
        Action::ManageUsers,
        Action::ManageSettings,
    ];
}

/// A newsroom account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The author page their bylines link to, when they have one.
    pub author_id: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub author_id: Option<Id>,
}

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_BYTES: usize = 1_024;

impl NewUser {
    /// The account as it is kept: email lower-cased and trimmed.
    pub fn normalized(&self) -> NewUser {
        NewUser {
            email: self.email.trim().to_lowercase(),
            name: self.name.trim().to_owned(),
            ..self.clone()
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        let email = self.email.trim();
        let valid_email = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid_email {
            return Err(ValidationError::new(
                "email",
                format!("{email:?} is not an email address"),
            ));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(ValidationError::new(
                "name",
                "must be given, at most 200 characters",
            ));
        }
        Ok(())
    }
}

/// The password rules: long enough to resist guessing, short enough to hash quickly.
pub fn check_password(password: &str) -> Result<(), ValidationError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ValidationError::new(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ValidationError::new("password", "is too long"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below() {
        for action in Action::ALL {
            for own in [true, false] {
                for pair in Role::ALL.windows(2) {
                    if pair[0].may(action, own) {
                        assert!(pair[1].may(action, own), "{:?} {action:?}", pair[1]);
                    }
                }
            }
        }
    }

    #[test]
    fn the_permission_table() {
        use Action::*;
        use Role::*;
        assert!(Contributor.may(EditArticle, true));
        assert!(!Contributor.may(EditArticle, false));
        assert!(!Contributor.may(PublishArticle, true));
        assert!(Author.may(PublishArticle, true));
        assert!(!Author.may(PublishArticle, false));
        assert!(!Author.may(CorrectArticle, true));
        assert!(Editor.may(PublishArticle, false));
        assert!(Editor.may(Curate, false));
        assert!(!Editor.may(ManageUsers, false));
        assert!(Admin.may(ManageUsers, false));
    }

    #[test]
    fn accounts_are_checked() {
        let user = |email: &str| NewUser {
            email: email.into(),
            name: "Mina".into(),
            role: Role::Author,
            author_id: None,
        };
        assert!(user("mina@example.org").validate().is_ok());
        for bad in [
            "",
            "mina",
            "@example.org",
            "mina@example",
            "mi na@example.org",
        ] {
            assert!(user(bad).validate().is_err(), "{bad:?}");
        }
        assert_eq!(
            user(" Mina@Example.org ").normalized().email,
            "mina@example.org"
        );
        assert!(check_password("short").is_err());
        assert!(check_password("long enough password").is_ok());
        assert_eq!(Role::parse("Editor"), Ok(Role::Editor));
        assert!(Role::parse("boss").is_err());
    }
}
