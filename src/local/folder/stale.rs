//! Removing side files an older commit wrote.

use std::path::Path;

/// Removes the side files named `prefix…` that `keep` does not want (an older commit's).
pub fn remove_stale(index: &Path, prefix: &str, keep: impl Fn(&str) -> bool) {
    if let Ok(entries) = std::fs::read_dir(index) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix) && !keep(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}
