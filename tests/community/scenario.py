"""The three-member conversation of issue 14, as files in the data model a community
holds (docs/communities.md): alice shares a practice change, bob replies and adopts it,
carol replies to bob's reply, bob answers a check-back and re-shares his copy.

Published by hand into the bare remote, so the reading side (search, follow, review,
digest, the app) is tested on exactly what the publishing commands write."""

from __future__ import annotations

from pathlib import Path

from tests.community.helpers import publish

ALICE_PATH = "members/alice/2026/2026-11-20-flags-expire.md"
BOB_REPLY = "members/bob/replies/2026/2026-11-21-re-flags-expire.md"
CAROL_REPLY = "members/carol/replies/2026/2026-11-22-re-re-flags-expire.md"
BOB_COPY = "members/bob/2026/2026-11-21-trying-flags-expire.md"
ALICE_ID = "01JALICE0000000000000000AA"
BOB_REPLY_ID = "01JBOBREPLY000000000000000"
CAROL_REPLY_ID = "01JCAROLREPLY0000000000000"
BOB_COPY_ID = "01JBOBCOPY0000000000000000"
CHANGE = "Give every feature flag an expiry date"

ALICE = f"""---
id: {ALICE_ID}
title: Flags that expire
created: 2026-11-20T09:00:00Z
author: alice
tags: [feature-flags]
practice:
  - area: feature-flags
    change: {CHANGE}
    before: Flags lived forever
---

Every new flag gets an expiry date in its definition.
"""

BOB_REPLY_TEXT = f"""---
id: {BOB_REPLY_ID}
title: "Re: Flags that expire"
created: 2026-11-21T08:00:00Z
author: bob
in_reply_to:
  member: alice
  path: {ALICE_PATH}
  id: {ALICE_ID}
---

How did you make the flag expire? I will try it this sprint.
"""

CAROL_REPLY_TEXT = f"""---
id: {CAROL_REPLY_ID}
title: "Re: Flags that expire"
created: 2026-11-22T08:00:00Z
author: carol
in_reply_to:
  member: bob
  path: {BOB_REPLY}
  id: {BOB_REPLY_ID}
---

We run a nightly job that compares each expiry with the calendar.
"""

BOB_COPY_TEXT = f"""---
id: {BOB_COPY_ID}
title: "Trying: {CHANGE}"
created: 2026-11-21T09:00:00Z
author: bob
tags: [feature-flags]
practice:
  - area: feature-flags
    change: {CHANGE}
    source: alice@cop
    status: adopted
    adopted_from:
      community: cop
      member: alice
      path: {ALICE_PATH}
      id: {ALICE_ID}
    checkbacks:
      - date: 2026-12-05
        answer: "yes"
        outcome: Two stale flags removed in the first week
---

Trying what alice shared in cop: Flags that expire
"""


def publish_conversation(maintainer: Path) -> None:
    """Push the whole conversation, in the order it happened."""
    publish(maintainer, {ALICE_PATH: ALICE})
    publish(maintainer, {BOB_REPLY: BOB_REPLY_TEXT, BOB_COPY: BOB_COPY_TEXT})
    publish(maintainer, {CAROL_REPLY: CAROL_REPLY_TEXT})
