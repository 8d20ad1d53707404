"""Schemathesis hooks of the API fuzz test (loaded through SCHEMATHESIS_HOOKS)."""

import schemathesis

# GET /profile/{id}?waitMs= may hold a request up to 10 s for a profile that never comes: a few
# generated waits near the bound would spend the test's whole time budget. A valid wait is cut
# to under WAIT_CAP_MS (it stays valid, and 0 vs > 0 still picks the immediate or the waiting
# path); invalid values (negative, too large, not a number) are sent as generated.
WAIT_CAP_MS = 50
MAX_WAIT_MS = 10_000


@schemathesis.hook
def before_call(context, case, kwargs):
    query = case.query
    if not query or case.operation.label != "GET /profile/{id}":
        return
    wait = query.get("waitMs")
    if isinstance(wait, str) and wait.isdigit():
        wait = int(wait)
    if isinstance(wait, int) and not isinstance(wait, bool) and 0 < wait <= MAX_WAIT_MS:
        query["waitMs"] = 1 + wait % WAIT_CAP_MS
