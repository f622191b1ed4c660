//! Folders for stores that live as long as their process — kept in statics, or served by
//! threads nobody joins — which no `TempDir` guard would ever remove (tests, fuzz targets).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A new empty folder under `{temp}/{prefix}-{pid}/`, this process's own. The first call
/// removes the folders of the same prefix whose processes have ended (on Linux, where
/// `/proc` says which processes live), so that runs do not pile up in the temporary folder.
pub fn process_folder(prefix: &str) -> std::io::Result<PathBuf> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let tmp = std::env::temp_dir();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    if n == 0 && Path::new("/proc/self").exists() {
        for e in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix(prefix).and_then(|p| p.strip_prefix('-')).and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists()) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let dir = tmp.join(format!("{prefix}-{}", std::process::id())).join(n.to_string());
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_ended_processes_go_and_this_ones_stay() {
        let prefix = "marsad-scratch-test";
        // A process id that is not running: past the kernel's largest.
        let ended = std::env::temp_dir().join(format!("{prefix}-{}", u32::MAX - 1));
        std::fs::create_dir_all(ended.join("0")).expect("mkdir");
        let a = process_folder(prefix).expect("first");
        let b = process_folder(prefix).expect("second");
        assert_ne!(a, b);
        assert!(a.is_dir() && b.is_dir());
        assert!(a.starts_with(std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()))));
        if Path::new("/proc/self").exists() {
            assert!(!ended.exists(), "the ended process's folder is still there");
        }
        let _ = std::fs::remove_dir_all(a.parent().expect("parent"));
        let _ = std::fs::remove_dir_all(&ended);
    }
}
