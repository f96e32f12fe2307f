"""The zygote: a clean interpreter that preloads numpy and the stdlib (scipy on demand), then forks one
sandbox per request.

Started by boot.py (``python -I boot.py FD``; FD: a unix socket to the grader) as
``_sandbox_worker.zygote``. Stdlib, numpy (scipy) and this folder only; it never receives anything secret.

Requests on FD: ``{"op": "spawn", "config": {...}}`` with the worker's socket passed by SCM_RIGHTS
-> ``{"keeper": pid}``; ``{"op": "reap", "pid": pid}`` -> ``{"status": code}`` (128+n: signal n).
``config["preload"]`` names libraries of ``LIBRARIES`` the zygote imports (once) before the fork.

A spawn forks a *keeper* (child subreaper, new session, not dumpable). With ``isolate`` the keeper
enters new mount, network, pid, IPC and UTS namespaces (confine.py; as root, or without root inside a
new user namespace when ``userns``), hides the secret paths, mounts a small tmpfs over /tmp, /var/tmp and
/dev/shm and copies the submission there. It then forks the *worker* (pid 1 of the pid namespace:
when it dies every process of the sandbox dies), sends ``{"worker": pid}`` on the worker socket and
waits; when the worker is gone it kills what is left (subreaped orphans) and exits with its status.
The worker drops to the sandbox user (as root) or every capability (user namespace), and installs
the seccomp filter of confine.py before any student code runs. ``{"op": "probe"}`` -> ``{"userns":
bool}``: whether user-namespace sandboxes work here.
"""
import ctypes
import importlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import sys
from typing import Any, NoReturn

from . import confine, server, wire

Config = dict[str, Any]   # a spawn's config (worker_setup.worker_config, grader side)
PRELOAD = (
    "math random collections collections.abc itertools functools copy time os sys re string json heapq "
    "bisect operator statistics typing dataclasses warnings abc enum numbers fractions decimal pickle io "
    "csv glob inspect traceback textwrap pprint datetime struct array contextlib types weakref gc ast "
    "hashlib base64 zlib gzip shutil tempfile pathlib platform signal threading queue subprocess socket "
    "urllib.parse ctypes importlib importlib.util importlib.abc importlib.machinery "
    "uuid timeit unittest __future__ linecache tokenize keyword codecs locale unicodedata pdb argparse logging "
    "encodings.utf_16 encodings.utf_32 encodings.latin_1 encodings.ascii encodings.idna "
    "numpy numpy.linalg numpy.random numpy.fft numpy.polynomial numpy.lib.stride_tricks numpy.testing"
).split()
# Installed libraries imported on demand (a spawn's "preload"), in the zygote, before the fork: a
# trusted library, never student code; scipy.stats alone costs ~0.7 s, so it is not imported eagerly.
LIBRARIES = frozenset({"scipy", "scipy.stats", "scipy.special"})

libc = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = \
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1024, 2048, 1 << 21, 1 << 24
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 36, 38


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()
    _check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def prctl(option: int, value: int) -> None:
    _check(libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl {option}")


# ------------------------------------------------------------------ keeper (root side of a sandbox)

def isolate(cfg: Config) -> str:
    """New mount/net/pid/IPC/UTS (and user) namespaces; hide paths; a private tmpfs /tmp holding a copy
    of the files. Returns the worker's working directory."""
    src = os.open(cfg["files"], os.O_RDONLY | os.O_DIRECTORY)
    confine.enter_namespaces(cfg.get("userns", False), cfg["memory_mb"])
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    for path in cfg.get("mask", ()):
        mask(path)
    for path in cfg["hide"]:
        if os.path.isdir(path) and not os.path.islink(path):
            mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0755")
        elif os.path.exists(path):
            mount("/dev/null", path, None, MS_BIND)
    for target, flags in mount_points():  # read-only everywhere (world-writable folders too) but the tmpfs
        try:
            mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | flags)
        except OSError:
            pass
    size = f"size={cfg['tmpfs_mb']}m,nr_inodes={cfg['inodes']},mode=1777"
    for path in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, size)
    work = "/tmp/submission"
    shutil.copytree(f"/proc/self/fd/{src}", work, symlinks=True)
    os.close(src)
    for dirpath, dirnames, filenames in os.walk(work):
        for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
            os.lchown(name, cfg["uid"], cfg["gid"])
    return work


def mask(folder: str) -> None:
    """Cover ``folder`` (the user's home, without root) with an empty tmpfs but for what this
    interpreter imports from (its prefixes and sys.path entries inside it), bound back in place."""
    paths = sorted({os.path.realpath(p) for p in [sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path]
                    if p and os.path.isabs(p) and os.path.exists(p)})
    if any(folder == p or inside_other(folder, p) for p in paths):
        return   # the folder is inside a prefix: needed whole
    keep = [p for p in paths if inside_other(p, folder)]
    keep = [p for p in keep if not any(inside_other(p, q) for q in keep)]
    fds = [(p, os.open(p, os.O_PATH)) for p in keep]
    mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
    for path, fd in fds:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)


def inside_other(path: str, other: str) -> bool:
    return path != other and path.startswith(other.rstrip("/") + "/")


def mount_points() -> list[tuple[str, int]]:
    """(mount point, nosuid/nodev/noexec/atime flags) of this mount namespace, parents first (inside a
    user namespace a remount must keep them: they are locked)."""
    unescape = lambda p: re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), p)
    names = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
             "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}
    points = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            options = fields[5].split(",")
            flags = sum(names.get(o, 0) for o in options)
            points[unescape(fields[4])] = flags | (0 if {"noatime", "relatime"} & set(options) else MS_STRICTATIME)
    return sorted(points.items(), key=lambda item: len(item[0]))


def kill_orphans() -> None:
    """SIGKILL every child of this process (orphans reparented to us as subreaper) until none is left."""
    me = str(os.getpid())
    while True:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = f.read().rsplit(")", 1)[1].split()[1]
                    if ppid == me:
                        os.kill(int(entry), signal.SIGKILL)
                except (OSError, IndexError):
                    pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def keeper(sock: socket.socket, cfg: Config) -> NoReturn:
    """Runs in the forked keeper: set up, fork the worker, report its pid, wait, clean up, exit."""
    try:
        os.setsid()
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        work = isolate(cfg) if cfg["isolate"] else cfg["files"]
    except BaseException as exc:
        wire.send_frame(sock, {"fatal": f"sandbox setup failed: {type(exc).__name__}: {exc}"})
        os._exit(70)
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_w)
        worker_entry(sock, cfg, work, ready_r)
    os.close(ready_r)
    wire.send_frame(sock, {"worker": pid})
    os.write(ready_w, b"x")
    os.close(ready_w)
    sock.close()
    status = 1
    while True:
        try:
            done, code = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if done == pid:
            status = os.waitstatus_to_exitcode(code)
            status = 128 - status if status < 0 else status
            break
    if not cfg["isolate"]:
        kill_orphans()
    os._exit(status & 0xFF)


def worker_entry(sock: socket.socket, cfg: Config, work: str, ready_fd: int) -> NoReturn:
    """In the forked worker, before any student code: session, limits, cwd, env, uid, fds."""
    import resource
    try:
        os.setsid()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if cfg["isolate"]:
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        limits = {resource.RLIMIT_CORE: 0, resource.RLIMIT_CPU: cfg["cpu_seconds"],
                  resource.RLIMIT_FSIZE: cfg["fsize_mb"] << 20, resource.RLIMIT_NOFILE: cfg["nofile"]}
        if cfg["uid"] != 0:
            limits[resource.RLIMIT_NPROC] = cfg["nproc"]
        for which, value in limits.items():
            resource.setrlimit(which, (value, value))
        os.chdir(work)
        os.environ.clear()
        os.environ.update(cfg["env"], HOME=work, PWD=work)
        if cfg["isolate"] and cfg.get("userns"):
            confine.drop_capabilities()
        elif cfg["isolate"]:
            os.setgroups([])
            os.setgid(cfg["gid"])
            os.setuid(cfg["uid"])
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        if cfg["isolate"]:
            confine.install_seccomp()
        else:   # the grader's namespaces: its ancestors out of reach, no IPC object to leave behind
            confine.install_seccomp(confine.ancestors(), no_ipc=True)
        os.read(ready_fd, 1)
        os.close(ready_fd)
        resource.setrlimit(resource.RLIMIT_AS, (cfg["memory_mb"] << 20, cfg["memory_mb"] << 20))
        server.serve(sock, work)
    except BaseException as exc:
        try:
            wire.send_frame(sock, {"fatal": f"sandbox setup failed: {type(exc).__name__}: {exc}"})
        finally:
            os._exit(70)
    os._exit(0)


# ------------------------------------------------------------------ zygote loop

def preload(names: list[str]) -> None:
    """Import the allowed installed libraries among ``names`` (once; a missing one is left out)."""
    for name in names:
        if name in LIBRARIES and name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # not installed, or broken: student imports of it fail as before
                pass


def zygote(fd: int) -> None:
    """Serve spawn/reap requests on ``fd`` until the grader closes it."""
    chan = socket.socket(fileno=fd)
    userns = None
    while True:
        try:
            head = chan.recv(8)
            if len(head) < 8:
                return
            (size,) = struct.unpack("!Q", head)
            msg, fds, _, _ = socket.recv_fds(chan, size, 1)
            while len(msg) < size:
                more = chan.recv(size - len(msg))
                if not more:
                    return
                msg += more
            request = json.loads(msg)
        except (OSError, ValueError):
            return
        reply: dict[str, Any]
        if request["op"] == "probe":
            if userns is None:
                userns = os.geteuid() != 0 and confine.probe_userns()
            reply = {"userns": userns}
        elif request["op"] == "spawn":
            preload(request["config"].get("preload", ()))
            wsock = socket.socket(fileno=fds[0])
            try:
                pid = os.fork()
            except OSError as exc:  # out of processes or memory: the grader is told, the zygote lives on
                wsock.close()
                reply = {"error": f"fork failed: {exc}"}
                data = json.dumps(reply).encode()
                chan.sendall(struct.pack("!Q", len(data)) + data)
                continue
            if pid == 0:
                chan.close()
                try:
                    keeper(wsock, request["config"])
                finally:
                    os._exit(71)
            wsock.close()
            reply = {"keeper": pid}
        else:
            try:
                _, code = os.waitpid(request["pid"], 0)
                status = os.waitstatus_to_exitcode(code)
                reply = {"status": 128 - status if status < 0 else status}
            except ChildProcessError:
                reply = {"status": None}
        data = json.dumps(reply).encode()
        chan.sendall(struct.pack("!Q", len(data)) + data)


def main(fd: int) -> None:
    """Preload, become not dumpable, serve the grader on ``fd`` (boot.py)."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    confine.set_dumpable(False)   # nor its keepers (forked from it): out of reach of a worker's uid
    os.chdir("/")
    zygote(fd)
