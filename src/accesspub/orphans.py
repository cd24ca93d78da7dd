"""Child processes that end with the build that started them."""

from __future__ import annotations

import os
import threading
import time


def end_with_parent() -> int:
    """End this process when its parent is gone (the build was killed), and return the
    parent's pid: an idle child would otherwise wait for work forever, holding its memory."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()
    return parent
