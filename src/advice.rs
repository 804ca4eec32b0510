//! Next steps fitted to where a finding is: the FAQ catalog says what to do in general, but a
//! key in a tracked `.env` file is fixed by untracking the file, and "`git add` it again" means
//! nothing outside a git work tree.

use crate::finding::Finding;

/// The catalog's words for "stage the edit", dropped from steps outside git.
const GIT_ADD_AGAIN: &str = " (edit the file, then `git add` it again)";

/// Rewrites the first next step of each finding for its place: for a `.env` file in git (see
/// [`is_dotenv`]), untrack it and ignore it; outside git (`in_git` false), no git commands.
pub fn fit_next_steps(findings: &mut [Finding], in_git: bool) {
    for finding in findings {
        let Some(first) = finding.next_steps.first_mut() else { continue };
        if in_git && is_dotenv(&finding.path) {
            *first = format!(
                "Stop tracking the file: `git rm --cached {path}`, add {path} to .gitignore and commit; keep the secret only in the untracked file or a secret store.",
                path = finding.path
            );
        } else if !in_git {
            *first = first.replace(GIT_ADD_AGAIN, "");
        }
    }
}

/// True for a dotenv file holding real values (`.env`, `.env.local`, `config/.env.production`);
/// false for the templates meant to be committed (`.env.example`, `.env.sample`,
/// `.env.template`, `.env.dist`).
pub fn is_dotenv(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let template = [".example", ".sample", ".template", ".dist", ".defaults"];
    (name == ".env" || name.starts_with(".env.")) && !template.iter().any(|t| name.ends_with(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_files_but_not_templates() {
        assert!(is_dotenv(".env"));
        assert!(is_dotenv("app/.env.local"));
        assert!(!is_dotenv(".env.example"));
        assert!(!is_dotenv("x.env"));
        assert!(!is_dotenv(".environment"));
    }
}
