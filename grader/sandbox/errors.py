"""Verdict exceptions of the sandbox (contracts §4). ``str()`` is a sentence for the student."""


class StudentError(Exception):
    """Something about the student's code, reported to the student."""


class StudentException(StudentError):
    """The student's code raised: the type name, its message (capped) and the innermost student frame."""

    def __init__(self, type_name: str, message: str, where: str | None = None) -> None:
        self.type_name, self.message, self.where = type_name, message, where
        at = f" ({where})" if where else ""
        super().__init__(f"your code raised {type_name}: {message}{at}")


class StudentTimeout(StudentError):
    """A call did not finish in time. ``name``: the graded name called ("Net.loss"), when known;
    ``earlier``: it timed out in an earlier call, so this call was refused without running it;
    ``loading``: the file whose first use timed out (its top-level code may hang), when refused for it."""

    def __init__(self, seconds: float, name: str | None = None, earlier: bool = False,
                 loading: str | None = None) -> None:
        self.seconds, self.name, self.earlier = seconds, name, earlier
        if loading:
            when = " in an earlier test" if earlier else ""
            text = (f"loading {loading} did not finish within {seconds:g} s{when} (code at the top level of "
                    f"the file that never ends?); {name} was not called (timed out)")
        elif earlier:
            text = (f"{name} did not finish within {seconds:g} s in an earlier test; "
                    "it was not called again (timed out)")
        else:
            text = f"{name or 'your code'} did not finish within {seconds:g} s (timed out)"
        super().__init__(text)


class StudentCrash(StudentError):
    """The worker died (exit, signal, memory) or broke the protocol."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class NameMissing(StudentError):
    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason
        super().__init__(reason)


class BadValue(StudentError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"your code returned a value the grader cannot use: {reason}")


class BudgetExhausted(StudentError):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the time budget of {seconds:g} s for this submission is used up "
                         "(this test could not run)")
