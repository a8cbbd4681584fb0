//! The media folder: files named by the SHA-256 of their bytes (`ab/cd/abcd…`), so the same
//! bytes are stored once and a name always means the same bytes. A file is written to a
//! temporary name, flushed, renamed into place and its folder flushed before any database row
//! points at it: after a crash there may be a file nothing names (reported by `wirefeed
//! check`), never a row without its file.

use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The media folder.
#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Blobs {
    /// The folder (created on first write).
    pub fn new(dir: PathBuf) -> Blobs {
        Blobs { dir }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file with this hash lives.
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(&sha256[2..4]).join(sha256)
    }

    /// Stores `bytes` durably; returns their hash. Bytes already stored are not written again.
    pub fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path(&sha);
        if fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
            return Ok(sha);
        }
        let parent = path.parent().expect("a blob path has a folder");
        fs::create_dir_all(parent)?;
        let tmp_dir = self.dir.join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        let mut rnd = [0u8; 8];
        getrandom::fill(&mut rnd).map_err(|e| io::Error::other(e.to_string()))?;
        let tmp = tmp_dir.join(format!(
            "{sha}.{}",
            rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ));
        let written = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            File::open(parent)?.sync_all()
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written.map(|()| sha)
    }

    /// Reads a stored file.
    pub fn get(&self, sha256: &str) -> io::Result<Vec<u8>> {
        fs::read(self.path(sha256))
    }

    /// Whether the file is there and its bytes still hash to its name.
    pub fn verify(&self, sha256: &str) -> io::Result<bool> {
        let mut f = File::open(self.path(sha256))?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        let got: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(got == sha256)
    }

    /// Every file in the folder, by hash (temporary files left by a crash are not listed).
    pub fn list(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        let Ok(top) = fs::read_dir(&self.dir) else {
            return Ok(out);
        };
        for a in top.flatten() {
            if !a.file_type()?.is_dir() || a.file_name() == "tmp" {
                continue;
            }
            for b in fs::read_dir(a.path())?.flatten() {
                if !b.file_type()?.is_dir() {
                    continue;
                }
                for f in fs::read_dir(b.path())?.flatten() {
                    let name = f.file_name().to_string_lossy().into_owned();
                    if is_hash(&name) {
                        out.push(name);
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Removes temporary files a crash left behind.
    pub fn sweep_tmp(&self) {
        if let Ok(d) = fs::read_dir(self.dir.join("tmp")) {
            for f in d.flatten() {
                let _ = fs::remove_file(f.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_bytes_are_stored_once_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let b = Blobs::new(dir.path().join("media"));
        let a = b.put(b"hello").unwrap();
        assert_eq!(a, sha256_hex(b"hello"));
        assert_eq!(b.put(b"hello").unwrap(), a);
        assert_eq!(b.list().unwrap(), vec![a.clone()]);
        assert!(b.verify(&a).unwrap());
        std::fs::write(b.path(&a), b"jello").unwrap();
        assert!(!b.verify(&a).unwrap());
    }
}
