//! The integration test binary: every test drives the real `keyfence` binary (or the library's
//! rule set) against throwaway git repositories and files.

mod common;

mod action;
mod assignments;
mod config;
mod corpus;
mod decoding;
mod errors;
mod explain;
mod files;
mod formats;
mod fresh_user;
mod gitleaks;
mod habits;
mod history;
mod history_filters;
mod hook;
mod hook_by_hand;
mod output;
mod precommit_framework;
mod properties;
mod regressions;
mod renames_and_merges;
mod reports;
mod rules;
mod sharing;
mod sharing_outside;
mod staged;
mod stdin;
mod trial_defects;
mod trust;
mod untrusted;
