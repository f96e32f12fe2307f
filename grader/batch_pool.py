"""The grader processes of a batch, each fed one submission at a time over a pipe of its own.

The parent knows which submission every process holds, so a process that dies outright (a signal, the
OOM killer, a segfault in a C extension, ``os._exit``) costs that submission only: ``on_death(job,
reason, tests)`` writes its report, a new process takes the dead one's place, and the batch goes on.

A process runs ``target(conn, *args)``. Messages from it: ``("tests", tests)`` once it has collected
them (handed to ``on_death``), ``("next",)`` when it can take a submission, ``("done", label)`` once
the submission's files are written, ``("error", text)`` for the instructor's mistake and ``("bug",
text)`` for a grader bug (both stop the batch). The parent answers ``next`` with ``(path, label,
extra)`` or ``None`` (no more).
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections import deque
from multiprocessing.connection import wait

from grader.assignment import AssignmentError


def exit_status(exitcode: int | None) -> str:
    """``signal 9, SIGKILL: often out of memory``, ``exit code 3``."""
    if exitcode is None or exitcode >= 0:
        return f"exit code {exitcode}"
    try:
        status = f"signal {-exitcode}, {signal.Signals(-exitcode).name}"
    except ValueError:
        status = f"signal {-exitcode}"
    return status + (": often out of memory" if -exitcode == signal.SIGKILL else "")


def death_reason(exitcode: int | None) -> str:
    """Why a submission got no score: the grader process grading it died (student-facing, one line)."""
    return (f"Grading stopped: the grader process died ({exit_status(exitcode)}) while grading this submission; "
            "no test was scored. It is graded again when the batch is resumed; tell your instructor if this "
            "stays.")


class _Process:
    """One grader process, its end of the pipe, and the job it holds."""

    def __init__(self, ctx, target, args):
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=target, args=(theirs, *args), daemon=True)
        self.proc.start()
        theirs.close()
        self.job = None
        self.asked = self.stopped = False  # asked: it has collected the tests and asked for a submission

    def messages(self):
        """What the process sent so far (all of it once it is dead)."""
        while True:
            try:
                if not self.conn.poll():
                    return
                yield self.conn.recv()
            except (EOFError, OSError):
                return

    def close(self, wait_seconds: float) -> None:
        if not self.stopped:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=wait_seconds)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def run_pool(todo, extras, workers: int, target, args, on_death, *, stall_seconds: float,
             progress: bool = True, desc: str = "") -> None:
    """Grade the jobs of ``todo`` in ``workers`` processes running ``target``; ``extras[label]`` goes
    with each job. Returns once every job is done or reported dead (``on_death(job, reason, tests)``); raises
    AssignmentError or RuntimeError when a process reports one, RuntimeError when a process dies before
    taking a submission or none finishes in ``stall_seconds``."""
    from tqdm import tqdm

    ctx = multiprocessing.get_context("spawn")
    pending = deque(todo)
    procs = [_Process(ctx, target, args) for _ in range(workers)]
    # A log file gets no bar: tqdm redraws it with carriage returns.
    bar = tqdm(total=len(todo), unit="sub", disable=not progress or not sys.stderr.isatty(), desc=desc)
    finished, waited, completed, tests = 0, 0.0, False, []
    try:
        while finished < len(todo):
            if not wait([p.conn for p in procs] + [p.proc.sentinel for p in procs], timeout=1.0):
                waited += 1.0
                if waited > stall_seconds:
                    raise RuntimeError(f"no submission finished in {waited:.0f} s: the batch is stuck")
                continue
            for process in list(procs):
                for message in process.messages():
                    if message[0] == "tests":
                        tests = message[1]
                    else:
                        finished += _handle(process, message, pending, extras)
                if process.proc.is_alive():
                    continue
                procs.remove(process)
                process.conn.close()
                if not process.asked:  # it could not even start: a new one would not either
                    raise RuntimeError(f"a grader process died before grading ({exit_status(process.proc.exitcode)})")
                if process.job is not None:
                    on_death(process.job, death_reason(process.proc.exitcode), tests)
                    finished += 1
                if pending:
                    procs.append(_Process(ctx, target, args))
            bar.n, waited = finished, 0.0
            bar.refresh()
        completed = True
    finally:
        bar.close()
        for process in procs:  # after an error or an interrupt, at once
            process.close(5 if completed else 0)


def _handle(process: _Process, message, pending: deque, extras: dict) -> int:
    """Act on one message; returns the number of submissions it finished (0 or 1)."""
    kind = message[0]
    if kind == "next":
        job = pending.popleft() if pending else None
        process.job, process.stopped, process.asked = job, job is None, True
        try:
            process.conn.send(None if job is None else (str(job.path), job.label, extras[job.label]))
        except OSError:  # it died meanwhile: its death, seen next, reports the job
            pass
        return 0
    if kind == "done":
        process.job = None
        return 1
    raise AssignmentError(message[1]) if kind == "error" else RuntimeError(message[1])
