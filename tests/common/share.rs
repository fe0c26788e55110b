//! A clinic network drive to test on: a FUSE passthrough over a folder, mounted by the test
//! itself, with a latency added to every file operation, every operation counted, and faults on
//! demand (an I/O error on the Nth read, write or sync; no space left; a stall; the share gone
//! and back).
//!
//! Why FUSE rather than an SQLite VFS shim: the app under test is the real binary, opening the
//! record through the kernel as it does on an SMB or NFS mount, so nothing in the product knows
//! it is being tested, and the multi-process tests (several terminals, `kill -9`) run as they
//! are. There is no client cache: entries and attributes expire at once and files are opened for
//! direct I/O, so every read and write the app makes reaches the share, as on a drive mounted
//! without caching, and the counts are SQLite's own file operations. Byte-range locks are left
//! to the kernel (all terminals of a test run on one machine). Mounting needs `/dev/fuse` and
//! root (CI runs as root); `Share::mount` says why when it cannot.
#![allow(dead_code)] // the tests and the share benchmark each use their own part of this

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use fuser::{
    Config, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo,
    LockOwner, MountOption, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData,
    ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, Request, TimeOrNow,
    WriteFlags,
};

/// The file operations a share serves, each counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Lookup,
    Getattr,
    Setattr,
    Open,
    Create,
    Read,
    Write,
    Fsync,
    Flush,
    Release,
    Unlink,
    Rename,
    Readdir,
    Statfs,
}

const OPS: [Op; 14] = [
    Op::Lookup,
    Op::Getattr,
    Op::Setattr,
    Op::Open,
    Op::Create,
    Op::Read,
    Op::Write,
    Op::Fsync,
    Op::Flush,
    Op::Release,
    Op::Unlink,
    Op::Rename,
    Op::Readdir,
    Op::Statfs,
];

fn slot(op: Op) -> usize {
    OPS.iter().position(|o| *o == op).unwrap_or(0)
}

/// Operation counts since the share was mounted (or last reset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(HashMap<&'static str, u64>);

impl Counts {
    pub fn of(&self, op: Op) -> u64 {
        self.0.get(name(op)).copied().unwrap_or(0)
    }

    /// Every operation: each one is a round trip to the share.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

fn name(op: Op) -> &'static str {
    match op {
        Op::Lookup => "lookup",
        Op::Getattr => "getattr",
        Op::Setattr => "setattr",
        Op::Open => "open",
        Op::Create => "create",
        Op::Read => "read",
        Op::Write => "write",
        Op::Fsync => "fsync",
        Op::Flush => "flush",
        Op::Release => "release",
        Op::Unlink => "unlink",
        Op::Rename => "rename",
        Op::Readdir => "readdir",
        Op::Statfs => "statfs",
    }
}

/// A fault armed on the share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The `nth` operation of this kind from now (1 = the next one) fails with an I/O error.
    IoError { op: Op, nth: u64 },
    /// The `nth` write from now fails: no space left on the device.
    NoSpace { nth: u64 },
}

/// What the test controls while the share runs.
#[derive(Debug, Default)]
pub struct Controls {
    latency_us: AtomicU64,
    counts: [AtomicU64; 14],
    /// Faults with the count of their kind at the moment they were armed.
    faults: Mutex<Vec<(Fault, u64)>>,
    stall_until: Mutex<Option<Instant>>,
    gone: AtomicBool,
}

impl Controls {
    pub fn set_latency(&self, per_op: Duration) {
        self.latency_us
            .store(per_op.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn counts(&self) -> Counts {
        Counts(
            OPS.iter()
                .map(|op| (name(*op), self.counts[slot(*op)].load(Ordering::Relaxed)))
                .collect(),
        )
    }

    pub fn reset_counts(&self) {
        for c in &self.counts {
            c.store(0, Ordering::Relaxed);
        }
    }

    pub fn arm(&self, fault: Fault) {
        let op = match fault {
            Fault::IoError { op, .. } => op,
            Fault::NoSpace { .. } => Op::Write,
        };
        let now = self.counts[slot(op)].load(Ordering::Relaxed);
        self.faults.lock().unwrap().push((fault, now));
    }

    pub fn disarm(&self) {
        self.faults.lock().unwrap().clear();
    }

    /// Every operation waits until `for_how_long` has passed (a share that hangs).
    pub fn stall(&self, for_how_long: Duration) {
        *self.stall_until.lock().unwrap() = Some(Instant::now() + for_how_long);
    }

    /// The share is gone (`ENOTCONN` for everything) or back.
    pub fn set_gone(&self, gone: bool) {
        self.gone.store(gone, Ordering::Relaxed);
    }

    /// One operation arriving: counted, delayed, and failed when a fault says so.
    fn enter(&self, op: Op) -> Result<(), Errno> {
        let n = self.counts[slot(op)].fetch_add(1, Ordering::Relaxed) + 1;
        let latency = self.latency_us.load(Ordering::Relaxed);
        if latency > 0 {
            std::thread::sleep(Duration::from_micros(latency));
        }
        let until = *self.stall_until.lock().unwrap();
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                std::thread::sleep(until - now);
            }
        }
        if self.gone.load(Ordering::Relaxed) {
            return Err(Errno::ENOTCONN);
        }
        let mut faults = self.faults.lock().unwrap();
        let hit = faults.iter().position(|(fault, armed_at)| match *fault {
            Fault::IoError { op: o, nth } => o == op && n == armed_at + nth,
            Fault::NoSpace { nth } => op == Op::Write && n == armed_at + nth,
        });
        match hit.map(|i| faults.remove(i).0) {
            Some(Fault::IoError { .. }) => Err(Errno::EIO),
            Some(Fault::NoSpace { .. }) => Err(Errno::ENOSPC),
            None => Ok(()),
        }
    }
}

/// A mounted share; unmounted when dropped.
pub struct Share {
    session: Option<fuser::BackgroundSession>,
    pub controls: Arc<Controls>,
    /// Where the app sees the share.
    pub mountpoint: PathBuf,
    /// The folder behind it (the "server's" disk), for checks that must not go through it.
    pub backing: PathBuf,
}

impl Share {
    /// Mounts `backing` at `mountpoint` (both existing folders). The error says why a machine
    /// cannot (no `/dev/fuse`, not root).
    pub fn mount(backing: &Path, mountpoint: &Path) -> Result<Share, String> {
        let controls = Arc::new(Controls::default());
        let fs = Passthrough {
            backing: backing.to_path_buf(),
            controls: controls.clone(),
            nodes: Mutex::new(Nodes::default()),
            files: Mutex::new(HashMap::new()),
            next_fh: AtomicU64::new(1),
        };
        let mut config = Config::default();
        config.mount_options = vec![
            MountOption::FSName("ptclinic-test-share".into()),
            MountOption::DefaultPermissions,
        ];
        let session = fuser::Session::new(fs, mountpoint, &config)
            .and_then(|s| s.spawn())
            .map_err(|e| format!("cannot mount a FUSE share at {}: {e}", mountpoint.display()))?;
        Ok(Share {
            session: Some(session),
            controls,
            mountpoint: mountpoint.to_path_buf(),
            backing: backing.to_path_buf(),
        })
    }

    /// Why shares cannot be mounted here, if they cannot.
    pub fn unavailable() -> Option<String> {
        if !Path::new("/dev/fuse").exists() {
            return Some("no /dev/fuse on this machine".into());
        }
        let probe = tempfile::NamedTempFile::new().ok()?;
        if probe.as_file().metadata().ok()?.uid() != 0 {
            return Some("mounting a FUSE share needs root".into());
        }
        None
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        self.controls.set_gone(false);
        self.controls.disarm();
        if let Some(session) = self.session.take() {
            let _ = session.umount_and_join();
        }
    }
}

/// No client cache: every lookup and attribute read goes to the share.
const TTL: Duration = Duration::ZERO;
const ROOT: u64 = 1;

/// Inode numbers for the names in the (flat) shared folder, stable while a name exists: a file
/// renamed over another takes its name and keeps its own number, as on a real server.
#[derive(Default)]
struct Nodes {
    by_name: HashMap<OsString, u64>,
    by_ino: HashMap<u64, OsString>,
    last: u64,
}

impl Nodes {
    fn ino(&mut self, name: &OsStr) -> u64 {
        if let Some(ino) = self.by_name.get(name) {
            return *ino;
        }
        self.last = self.last.max(ROOT) + 1;
        self.by_name.insert(name.to_os_string(), self.last);
        self.by_ino.insert(self.last, name.to_os_string());
        self.last
    }

    fn name(&self, ino: u64) -> Option<OsString> {
        self.by_ino.get(&ino).cloned()
    }

    fn forget_name(&mut self, name: &OsStr) {
        if let Some(ino) = self.by_name.remove(name) {
            self.by_ino.remove(&ino);
        }
    }

    fn rename(&mut self, from: &OsStr, to: &OsStr) {
        self.forget_name(to);
        if let Some(ino) = self.by_name.remove(from) {
            self.by_name.insert(to.to_os_string(), ino);
            self.by_ino.insert(ino, to.to_os_string());
        }
    }
}

struct Passthrough {
    backing: PathBuf,
    controls: Arc<Controls>,
    nodes: Mutex<Nodes>,
    files: Mutex<HashMap<u64, Arc<File>>>,
    next_fh: AtomicU64,
}

fn io_errno(e: std::io::Error) -> Errno {
    Errno::from(e)
}

impl Passthrough {
    fn path_of(&self, ino: u64) -> Result<PathBuf, Errno> {
        if ino == ROOT {
            return Ok(self.backing.clone());
        }
        let name = self.nodes.lock().unwrap().name(ino).ok_or(Errno::ENOENT)?;
        Ok(self.backing.join(name))
    }

    fn attr(&self, ino: u64, path: &Path) -> Result<FileAttr, Errno> {
        let m = std::fs::symlink_metadata(path).map_err(io_errno)?;
        let time = |t: std::io::Result<SystemTime>| t.unwrap_or(SystemTime::UNIX_EPOCH);
        Ok(FileAttr {
            ino: INodeNo(ino),
            size: m.len(),
            blocks: m.blocks(),
            atime: time(m.accessed()),
            mtime: time(m.modified()),
            ctime: time(m.modified()),
            crtime: SystemTime::UNIX_EPOCH,
            kind: if m.is_dir() {
                FileType::Directory
            } else {
                FileType::RegularFile
            },
            perm: (m.mode() & 0o7777) as u16,
            nlink: m.nlink() as u32,
            uid: m.uid(),
            gid: m.gid(),
            rdev: 0,
            blksize: 4096,
            flags: 0,
        })
    }

    fn file(&self, fh: FileHandle) -> Result<Arc<File>, Errno> {
        self.files
            .lock()
            .unwrap()
            .get(&fh.0)
            .cloned()
            .ok_or(Errno::EBADF)
    }

    fn keep(&self, file: File) -> FileHandle {
        let fh = self.next_fh.fetch_add(1, Ordering::Relaxed);
        self.files.lock().unwrap().insert(fh, Arc::new(file));
        FileHandle(fh)
    }

    fn child(&self, parent: INodeNo, name: &OsStr) -> Result<(u64, PathBuf), Errno> {
        if parent.0 != ROOT {
            return Err(Errno::ENOENT);
        }
        let path = self.backing.join(name);
        Ok((self.nodes.lock().unwrap().ino(name), path))
    }
}

fn open_options(flags: i32) -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    match flags & libc::O_ACCMODE {
        libc::O_WRONLY => o.write(true),
        libc::O_RDWR => o.read(true).write(true),
        _ => o.read(true),
    };
    o.custom_flags(flags & (libc::O_APPEND | libc::O_NOFOLLOW | libc::O_SYNC | libc::O_DSYNC));
    o
}

impl Filesystem for Passthrough {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let result = self.controls.enter(Op::Lookup).and_then(|()| {
            let (ino, path) = self.child(parent, name)?;
            match self.attr(ino, &path) {
                Ok(attr) => Ok(attr),
                Err(e) => {
                    self.nodes.lock().unwrap().forget_name(name);
                    Err(e)
                }
            }
        });
        match result {
            Ok(attr) => reply.entry(&TTL, &attr, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let result = self
            .controls
            .enter(Op::Getattr)
            .and_then(|()| self.attr(ino.0, &self.path_of(ino.0)?));
        match result {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(e) => reply.error(e),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        _mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let result = self.controls.enter(Op::Setattr).and_then(|()| {
            let path = self.path_of(ino.0)?;
            if let Some(size) = size {
                match fh.map(|fh| self.file(fh)) {
                    Some(Ok(file)) => file.set_len(size).map_err(io_errno)?,
                    _ => File::options()
                        .write(true)
                        .open(&path)
                        .and_then(|f| f.set_len(size))
                        .map_err(io_errno)?,
                }
            }
            if let Some(mode) = mode {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o7777))
                    .map_err(io_errno)?;
            }
            self.attr(ino.0, &path)
        });
        match result {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(e) => reply.error(e),
        }
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let result = self.controls.enter(Op::Unlink).and_then(|()| {
            let (_, path) = self.child(parent, name)?;
            std::fs::remove_file(path).map_err(io_errno)?;
            self.nodes.lock().unwrap().forget_name(name);
            Ok(())
        });
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        _flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let result = self.controls.enter(Op::Rename).and_then(|()| {
            let (_, from) = self.child(parent, name)?;
            let (_, to) = self.child(newparent, newname)?;
            std::fs::rename(from, to).map_err(io_errno)?;
            self.nodes.lock().unwrap().rename(name, newname);
            Ok(())
        });
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let result = self.controls.enter(Op::Open).and_then(|()| {
            let path = self.path_of(ino.0)?;
            let file = open_options(flags.0).open(path).map_err(io_errno)?;
            if flags.0 & libc::O_TRUNC != 0 {
                file.set_len(0).map_err(io_errno)?;
            }
            Ok(self.keep(file))
        });
        match result {
            Ok(fh) => reply.opened(fh, FopenFlags::FOPEN_DIRECT_IO),
            Err(e) => reply.error(e),
        }
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        let result = self.controls.enter(Op::Create).and_then(|()| {
            let (ino, path) = self.child(parent, name)?;
            let mut options = open_options(flags);
            options.write(true).mode(mode & !umask & 0o7777);
            if flags & libc::O_EXCL != 0 {
                options.create_new(true);
            } else {
                options.create(true);
            }
            if flags & libc::O_TRUNC != 0 {
                options.truncate(true);
            }
            let file = options.open(&path).map_err(io_errno)?;
            let attr = self.attr(ino, &path)?;
            Ok((attr, self.keep(file)))
        });
        match result {
            Ok((attr, fh)) => {
                reply.created(&TTL, &attr, Generation(0), fh, FopenFlags::FOPEN_DIRECT_IO)
            }
            Err(e) => reply.error(e),
        }
    }

    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let result = self.controls.enter(Op::Read).and_then(|()| {
            let file = self.file(fh)?;
            let mut buf = vec![0u8; size as usize];
            let mut filled = 0;
            while filled < buf.len() {
                match file.read_at(&mut buf[filled..], offset + filled as u64) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) => return Err(io_errno(e)),
                }
            }
            buf.truncate(filled);
            Ok(buf)
        });
        match result {
            Ok(data) => reply.data(&data),
            Err(e) => reply.error(e),
        }
    }

    fn write(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let result = self.controls.enter(Op::Write).and_then(|()| {
            self.file(fh)?
                .write_all_at(data, offset)
                .map_err(io_errno)?;
            Ok(data.len() as u32)
        });
        match result {
            Ok(n) => reply.written(n),
            Err(e) => reply.error(e),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        match self.controls.enter(Op::Flush) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        // A close always frees the handle, even on a failing share (the kernel has let go).
        let entered = self.controls.enter(Op::Release);
        self.files.lock().unwrap().remove(&fh.0);
        match entered {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn fsync(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        datasync: bool,
        reply: ReplyEmpty,
    ) {
        let result = self.controls.enter(Op::Fsync).and_then(|()| {
            let file = self.file(fh)?;
            if datasync {
                file.sync_data()
            } else {
                file.sync_all()
            }
            .map_err(io_errno)
        });
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let result = self.controls.enter(Op::Readdir).and_then(|()| {
            if ino.0 != ROOT {
                return Err(Errno::ENOTDIR);
            }
            let mut entries = vec![
                (ROOT, FileType::Directory, OsString::from(".")),
                (ROOT, FileType::Directory, OsString::from("..")),
            ];
            for entry in std::fs::read_dir(&self.backing)
                .map_err(io_errno)?
                .flatten()
            {
                let name = entry.file_name();
                let kind = match entry.file_type() {
                    Ok(t) if t.is_dir() => FileType::Directory,
                    _ => FileType::RegularFile,
                };
                entries.push((self.nodes.lock().unwrap().ino(&name), kind, name));
            }
            Ok(entries)
        });
        match result {
            Ok(entries) => {
                for (i, (ino, kind, name)) in entries.into_iter().enumerate().skip(offset as usize)
                {
                    if reply.add(INodeNo(ino), (i + 1) as u64, kind, name) {
                        break;
                    }
                }
                reply.ok();
            }
            Err(e) => reply.error(e),
        }
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        match self.controls.enter(Op::Statfs) {
            Ok(()) => reply.statfs(1 << 24, 1 << 23, 1 << 23, 1 << 20, 1 << 19, 4096, 255, 4096),
            Err(e) => reply.error(e),
        }
    }
}
