"""The time one submission's code may use (contracts §4).

Each call has a wall-clock limit (``per_call``; ``timeout`` changes it inside a block), and all calls
together the submission's ``total``: a call gets what is left when that is less, and a call that runs
out of it ends the submission's time (BudgetExhausted). A graded name whose call timed out, and every
name of a module whose loading timed out, are refused at once afterwards: they would time out again,
using up the total for tests that never use them.
"""
import contextlib
from collections.abc import Iterator

from .errors import BudgetExhausted, StudentTimeout
from .worker_setup import Limits


class Budget:
    """Seconds used, per-call limit, and the refused names and modules of one submission."""

    def __init__(self, limits: Limits) -> None:
        self.total = limits.submission_seconds
        self.per_call = limits.call_seconds
        self.used = 0.0
        self._timed_out: dict[str, float] = {}             # graded name -> seconds it ran out of
        self._hung: dict[str, tuple[float, str]] = {}      # module -> (seconds, file) of its loading

    @contextlib.contextmanager
    def timeout(self, seconds: float) -> Iterator[None]:
        """A longer (or shorter) per-call limit inside the block."""
        before, self.per_call = self.per_call, float(seconds)
        try:
            yield
        finally:
            self.per_call = before

    def next_call(self) -> float:
        """The seconds the next call may run; BudgetExhausted when the total is used up."""
        if self.used >= self.total:
            raise BudgetExhausted(self.total)
        return min(self.per_call, self.total - self.used)

    def charge(self, seconds: float) -> None:
        self.used += seconds

    def exhausted_by(self, seconds: float) -> bool:
        """A call given ``seconds`` that timed out ran out of the total, not of its own limit."""
        return seconds < self.per_call

    def refuse(self, name: str | None, module: str | None) -> None:
        """StudentTimeout (``earlier``) when ``name`` timed out before, or the loading of ``module`` did."""
        if name in self._timed_out:
            raise StudentTimeout(self._timed_out[name], name, earlier=True)
        if module in self._hung:
            seconds, file = self._hung[module]
            raise StudentTimeout(seconds, name, earlier=True, loading=file)

    def timed_out(self, name: str, seconds: float) -> None:
        """A call of graded ``name`` ran out of its ``seconds``: later calls are refused."""
        self._timed_out[name] = seconds

    def hung(self, module: str, seconds: float, file: str) -> None:
        """Loading ``module`` (from ``file``) ran out of its ``seconds``: its names are refused."""
        self._hung[module] = (seconds, file)

    def is_hung(self, module: str | None) -> bool:
        return module in self._hung
