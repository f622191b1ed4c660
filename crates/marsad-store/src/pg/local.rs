//! A PostgreSQL server of its own, in a temporary folder on a free loopback port, for tests
//! and benchmarks: the machine's `initdb` and `postgres` (Debian's `postgresql` package),
//! stopped when the handle is dropped or when the process that started it ends, however it
//! ends (the server's shell waits on a pipe from this process, and stops the server when the
//! pipe closes).

use crate::Error;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// A running throwaway server.
pub struct LocalServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Child,
    /// Closing it stops the server.
    stdin: Option<ChildStdin>,
}

/// Where the PostgreSQL programs are: `MARSAD_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian keeps them off the PATH), else the PATH.
pub fn programs() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MARSAD_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH")?.to_str()?.split(':').map(PathBuf::from).find(|d| d.join("initdb").exists())
}

fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Io(format!("local PostgreSQL server: {what}"), std::io::Error::other(e.to_string()))
}

/// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
fn as_server_user(program: &Path) -> Result<(Command, Option<(u32, u32)>), Error> {
    let id = |args: &[&str]| -> Option<u32> {
        let out = Command::new("id").args(args).output().ok()?;
        String::from_utf8(out.stdout).ok()?.trim().parse().ok()
    };
    if id(&["-u"]) != Some(0) {
        return Ok((Command::new(program), None));
    }
    let (Some(uid), Some(gid)) = (id(&["-u", "postgres"]), id(&["-g", "postgres"])) else {
        return Err(failed("running as root", "PostgreSQL refuses root and there is no postgres user"));
    };
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(program);
    Ok((c, Some((uid, gid))))
}

impl LocalServer {
    /// Starts a server. `durable: false` turns off `fsync` (tests: nothing outlives them).
    pub fn start(durable: bool) -> Result<LocalServer, Error> {
        let bin = programs().ok_or_else(|| {
            failed("no initdb", "install PostgreSQL (apt-get install postgresql) or set MARSAD_PG_BIN")
        })?;
        let dir = tempfile::Builder::new().prefix("marsad-pg-").tempdir().map_err(|e| failed("temporary folder", e))?;
        let data = dir.path().join("data");
        let (mut initdb, owner) = as_server_user(&bin.join("initdb"))?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).map_err(|e| failed("chown", e))?;
        }
        let out = initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "marsad", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
            .output()
            .map_err(|e| failed("initdb", e))?;
        if !out.status.success() {
            return Err(failed("initdb", String::from_utf8_lossy(&out.stderr)));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| failed("a free port", e))?
            .port();
        let log = std::fs::File::create(dir.path().join("server.log")).map_err(|e| failed("log", e))?;
        let (mut sh, _) = as_server_user(Path::new("sh"))?;
        let fsync = if durable { "on" } else { "off" };
        let mut child = sh
            .arg("-c")
            // The folder goes with the server: a handle kept in a static is never dropped.
            .arg(r#"dir=$1; shift; "$@" & pid=$!; read _; kill -INT $pid; wait $pid; rm -rf "$dir""#)
            .arg("sh")
            .arg(dir.path())
            .arg(bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-h", "127.0.0.1", "-k"])
            .arg(dir.path())
            .args(["-c", &format!("fsync={fsync}"), "-c", "max_connections=200"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| failed("postgres", e))?;
        let stdin = child.stdin.take();
        let mut server = LocalServer { port, dir, child, stdin };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> Result<(), Error> {
        let start = Instant::now();
        loop {
            if postgres::Client::connect(&self.url("postgres"), postgres::NoTls).is_ok() {
                return Ok(());
            }
            let exited = self.child.try_wait().ok().flatten().is_some();
            if exited || start.elapsed() > Duration::from_secs(60) {
                let mut log = String::new();
                let _ = std::fs::File::open(self.dir.path().join("server.log"))
                    .and_then(|mut f| f.read_to_string(&mut log));
                return Err(failed("did not start", log));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://marsad@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a database; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, Error> {
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)?;
        client.batch_execute(&format!("CREATE DATABASE \"{}\"", name.replace('"', "")))?;
        Ok(self.url(name))
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.wait();
    }
}

/// For tests: a new empty database on a server this process starts at the first call and
/// keeps (it stops when the process ends); `None` when PostgreSQL is not installed, which is
/// a panic instead when `MARSAD_PG_TESTS=1` (as CI sets).
pub fn test_database() -> Option<String> {
    static SERVER: std::sync::OnceLock<LocalServer> = std::sync::OnceLock::new();
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if programs().is_none() {
        assert!(
            std::env::var("MARSAD_PG_TESTS").ok().as_deref() != Some("1"),
            "MARSAD_PG_TESTS=1 but PostgreSQL is not installed (apt-get install postgresql)"
        );
        return None;
    }
    let server = SERVER.get_or_init(|| LocalServer::start(false).expect("starting a PostgreSQL server"));
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Some(server.create_database(&format!("test_{}_{n}", std::process::id())).expect("creating a test database"))
}
