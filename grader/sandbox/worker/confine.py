"""Kernel confinement of a sandbox (stdlib only; used by the zygote, its keepers and workers, and by
the grader's ``probe_userns`` check).

- ``enter_namespaces(userns)``: new mount, pid, IPC, UTS and network namespaces; without root, inside a
  new user namespace whose only user is the caller's own uid (mapped to itself), which makes the
  caller root *of those namespaces only*. System V shared memory and message queues created in the
  IPC namespace die with it; its shared-memory total is capped.
- ``drop_capabilities()``: the worker of a user-namespace sandbox keeps no capability (bounding,
  ambient, effective, permitted, inheritable all empty), so it cannot undo the mounts.
- ``install_seccomp()``: a BPF filter (x86_64 only; elsewhere nothing is installed and the caller is
  told): ``keyctl``, ``add_key``, ``request_key`` fail with EPERM (the uid's keyrings outlive a
  submission), so do ``unshare`` and ``clone`` with CLONE_NEWUSER; ``clone3`` fails with ENOSYS (its
  flags are in memory a filter cannot read; libc falls back to ``clone``); other ABIs (i386, x32) fail
  with ENOSYS. Inherited by every child, kept across exec. ``protect``: pids the worker may not signal,
  ``pidfd_open`` nor ``prlimit`` (its ancestors, their process groups negated, and -1: everything), for
  a worker without namespaces, which shares its uid with the grader. ``no_ipc``: System V IPC and POSIX
  message queues refused (EPERM) to a worker without an IPC namespace of its own: their objects would
  outlive it, for the next submission to read.
- ``probe_userns()``: whether this kernel lets this (non-root) user build such a sandbox.
"""
import ctypes
import errno
import os
import platform
import struct
from collections.abc import Sequence
from typing import Any

Row = tuple[Any, ...]   # a filter row: (code, jump-if-true label, jump-if-false label, k), maybe led by its label

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
NAMESPACES = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_CAP_AMBIENT = 4, 24, 38, 22, 47
PR_CAP_AMBIENT_CLEAR_ALL, SECCOMP_MODE_FILTER = 4, 2
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, value: int, arg3: int = 0) -> None:
    _check(libc.prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(arg3), 0, 0), f"prctl {option}")


def set_dumpable(on: bool) -> None:
    """PR_SET_DUMPABLE: a non-dumpable process cannot be traced, nor its /proc/<pid>/mem, environ or
    fds read, by other processes of the same uid."""
    prctl(PR_SET_DUMPABLE, 1 if on else 0)


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def enter_namespaces(userns: bool, memory_mb: int | None = None) -> None:
    """unshare() the sandbox's namespaces (the caller's next child is pid 1 of the new pid namespace)."""
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(NAMESPACES | (CLONE_NEWUSER if userns else 0)), "unshare")
    if userns:
        set_dumpable(True)   # /proc/self/*_map belong to root while the process is not dumpable
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        finally:
            set_dumpable(False)
    if memory_mb:   # best effort: shared memory of this IPC namespace within the worker's memory limit
        for name, value in (("shmmax", memory_mb << 20), ("shmall", memory_mb << 8)):
            try:
                _write(f"/proc/sys/kernel/{name}", str(value))
            except OSError:
                pass


def drop_capabilities() -> None:
    """Empty every capability set of this process (it stays in its user namespace, powerless)."""
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    for cap in range(last + 1):
        prctl(PR_CAPBSET_DROP, cap)
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = ctypes.create_string_buffer(struct.pack("Ii", 0x20080522, 0))   # _LINUX_CAPABILITY_VERSION_3
    data = ctypes.create_string_buffer(24)
    _check(libc.capset(header, data), "capset")


# ------------------------------------------------------------------ seccomp

AUDIT_ARCH_X86_64 = 0xC000003E
X86_64 = {"keyctl": 250, "add_key": 248, "request_key": 249, "clone3": 435, "unshare": 272, "clone": 56}
TARGETED = {"kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
            "pidfd_open": 434, "prlimit64": 302}   # first argument: a pid
IPC = (29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71,     # shm*, sem*, msg*
       240, 241, 242, 243, 244, 245)                         # mq_*
LD_W_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, ERRNO = 0x7FFF0000, 0x00050000


def _program(protect: Sequence[int] = (), no_ipc: bool = False) -> list[Row]:
    """(code, jump-if-true label, jump-if-false label, k) rows with labels; assembled by ``_assemble``."""
    nr = X86_64
    targeted: list[Row] = [(JEQ, "target", None, n) for n in TARGETED.values()] if protect else []
    targeted += [(JEQ, "eperm", None, n) for n in IPC] if no_ipc else []
    target: list[Row] = [("target", LD_W_ABS, None, None, 16)]
    target += [(JEQ, "eperm", None, pid & 0xFFFFFFFF) for pid in sorted(set(protect))]
    target += [(RET, None, None, ALLOW)]
    return [
        (LD_W_ABS, None, None, 4),                    # seccomp_data.arch
        (JEQ, None, "enosys", AUDIT_ARCH_X86_64),
        (LD_W_ABS, None, None, 0),                    # seccomp_data.nr
        (JGE, "enosys", None, 0x40000000),            # x32 ABI
        (JEQ, "eperm", None, nr["keyctl"]),
        (JEQ, "eperm", None, nr["add_key"]),
        (JEQ, "eperm", None, nr["request_key"]),
        (JEQ, "enosys", None, nr["clone3"]),
        (JEQ, "flags", None, nr["unshare"]),
        (JEQ, "flags", None, nr["clone"]),
        *targeted,
        (RET, None, None, ALLOW),
        *(target if protect else []),
        ("flags", LD_W_ABS, None, None, 16),          # low 32 bits of args[0]: the flags
        (JSET, "eperm", None, CLONE_NEWUSER),
        (RET, None, None, ALLOW),
        ("eperm", RET, None, None, ERRNO | errno.EPERM),
        ("enosys", RET, None, None, ERRNO | errno.ENOSYS),
    ]


def _assemble(rows: list[Row]) -> tuple[bytes, int]:
    labels: dict[str, int] = {}
    plain: list[Row] = []
    for row in rows:
        if type(row[0]) is str:
            labels[row[0]] = len(plain)
            row = row[1:]
        plain.append(row)
    out = b""
    for i, (code, jt, jf, k) in enumerate(plain):
        offset = lambda label, i=i: 0 if label is None else labels[label] - i - 1
        out += struct.pack("HBBI", code, offset(jt), offset(jf), k)
    return out, len(plain)


def ancestors() -> list[int]:
    """The pids above this process up to init, and their process groups negated, and -1."""
    found, pid = [-1], os.getppid()
    while pid > 1:
        found.append(pid)
        try:
            found.append(-os.getpgid(pid))
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):   # it exited meanwhile: its own pid is kept
            break
    return found


def install_seccomp(protect: Sequence[int] = (), no_ipc: bool = False) -> bool:
    """Install the filter (after PR_SET_NO_NEW_PRIVS); False when this machine is not x86_64."""
    if platform.machine() != "x86_64":
        return False
    code, count = _assemble(_program(protect[:100], no_ipc))
    filters = ctypes.create_string_buffer(code)

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    prog = Fprog(count, ctypes.addressof(filters))
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    _check(libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(prog), 0, 0),
           "seccomp")
    return True


# ------------------------------------------------------------------ probe

def probe_userns() -> bool:
    """True when a child can enter the namespaces of a user-namespace sandbox, mount a tmpfs and, in a
    grandchild (pid 1 of the new pid namespace), a fresh /proc. Forks; changes nothing here."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            enter_namespaces(True)
            _check(libc.mount(b"tmpfs", b"/tmp", b"tmpfs", ctypes.c_ulong(MS_NOSUID | MS_NODEV), b"size=4k"),
                   "mount")
            inner = os.fork()
            if inner == 0:
                ok = libc.mount(b"proc", b"/proc", b"proc", ctypes.c_ulong(MS_NOSUID | MS_NODEV | MS_NOEXEC),
                                None) == 0
                os._exit(0 if ok else 1)
            code = os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1])
        except BaseException:
            pass
        os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
