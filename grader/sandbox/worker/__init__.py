"""The worker side of the trust boundary: everything that runs in the zygote, its keepers and the
workers that run student code (contracts §4). Stdlib and numpy only, and this folder: the zygote loads
it as the package ``_sandbox_worker`` (boot.py), never as part of ``grader``
(tests/sandbox/test_boundary.py checks both). The grader side imports ``wire``, the protocol both
sides speak, and ``confine.probe_userns``.
"""
