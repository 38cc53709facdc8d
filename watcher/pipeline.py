"""After new mail is stored: analyse it, regroup leads and recompute decisions."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from watcher.clock import Clock
from watcher.config import Settings
from watcher.store.db import transaction

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger("followup.pipeline")
# Messages analysed per commit: at the CPU budget of one message (watcher.budget) a
# batch of pathological mail still ends well inside the service's watchdog interval.
ANALYSIS_BATCH = 50


@functools.cache
def shared_analyzer() -> Language:
    """The spaCy pipeline, loaded once per process (it takes a fraction of a second)."""
    import nlp
    from watcher.corrections import active_model

    return nlp.load(active_model())  # the user's retrained model first, else the shipped one


_loading = threading.Lock()


def warm_analyzer() -> None:
    """Load the pipeline in the background, so the first new mail does not wait for it."""
    threading.Thread(target=_analyzer, name="warm-analyzer", daemon=True).start()


def _analyzer() -> Language:
    with _loading:  # one load, whether the warm-up or the first new mail comes first
        return shared_analyzer()


def after_sync(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    checkpoint: Callable[[], None] | None = None,
) -> int:
    """Analyse every message not yet analysed, then refresh leads; returns live leads.

    The analysis is committed a batch at a time, ``checkpoint`` called after each (the
    service pings its watchdog there): a restart never redoes finished work. spaCy is
    loaded only when there is mail to read: a quiet poll skips its import.
    """
    from watcher.analysis import analyse_pending, has_pending
    from watcher.refresh import live_leads, refresh

    now = clock.now()
    analysed = 0
    while True:
        with transaction(sessions) as session:
            if not has_pending(session):
                break
            done = analyse_pending(session, _analyzer(), now, limit=ANALYSIS_BATCH)
        analysed += done
        if checkpoint is not None:
            checkpoint()
        if done < ANALYSIS_BATCH:
            break
    if analysed:
        log.info("analysed %d message(s)", analysed)
    with transaction(sessions) as session:
        refresh(session, settings, now)
        return live_leads(session)
