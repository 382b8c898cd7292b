"""The device-event dispatcher behind `ports.DeviceEvents`: thread-safe, never blocking.

A device's thread (the card watcher, the note acceptor's intake, a print) calls
`publish`; it only appends the event to each listener's queue and returns. Every
subscription has its own bounded queue and worker thread, so each listener sees its
events in publication order, and a slow listener delays only itself, a raising one
is logged and counted (`failures`) and gets the next event.

Overflow: a listener more than `capacity` events behind loses the OLDEST queued event
(counted in `dropped`, logged); events are notices for screens, never money facts:
the ledger does not depend on them. `unsubscribe` and `close` deliver what is
already queued (up to a timeout) and then stop the worker; `publish` after `close`
is ignored.
"""
from __future__ import annotations

import logging
import threading
from collections import deque

from terminal.services.ports import DeviceEvent, DeviceListener, EventSubscription

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 256


class Subscription:
    """One listener, its queue and its worker thread."""

    def __init__(self, listener: DeviceListener, name: str, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a listener's queue holds at least one event")
        self.listener, self.name, self.capacity = listener, name, capacity
        self.delivered = self.dropped = self.failures = 0
        self._queue: deque[DeviceEvent] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._closing = False
        self._thread = threading.Thread(target=self._run, name=f"events:{name}", daemon=True)
        self._thread.start()

    def offer(self, event: DeviceEvent) -> None:
        with self._cond:
            if self._closing:
                return
            if len(self._queue) >= self.capacity:
                lost = self._queue.popleft()
                self.dropped += 1
                log.warning("device events: listener %s is %d events behind, dropped %s",
                            self.name, self.capacity, type(lost).__name__)
            self._queue.append(event)
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued event has been handed to the listener."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def stop(self, timeout: float) -> None:
        """Deliver what is queued (within ``timeout``), then end the worker."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if threading.current_thread() is not self._thread:   # a listener may unsubscribe itself
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._closing)
                if not self._queue:
                    return
                event = self._queue.popleft()
                self._busy = True
            try:
                self.listener(event)
            except Exception:  # a broken listener must not stop its own later events, nor others
                self.failures += 1
                log.exception("device events: listener %s failed on %s", self.name, event)
            finally:
                with self._cond:
                    self._busy = False
                    self.delivered += 1
                    self._cond.notify_all()


class EventDispatcher:
    """Publish/subscribe for device events (a `ports.DeviceEvents`)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._subscriptions: list[Subscription] = []
        self._lock = threading.Lock()
        self._closed = False

    def subscribe(self, listener: DeviceListener, *, name: str = "listener",
                  capacity: int | None = None) -> Subscription:
        sub = Subscription(listener, name, capacity or self.capacity)
        with self._lock:
            if self._closed:
                sub.stop(0)
                raise RuntimeError("the device event dispatcher is closed")
            self._subscriptions.append(sub)
        return sub

    def unsubscribe(self, subscription: EventSubscription, timeout: float = 5.0) -> None:
        """Deliver what the listener has queued (within ``timeout``), then stop it; safe twice."""
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)
        if isinstance(subscription, Subscription):
            subscription.stop(timeout)

    def publish(self, event: DeviceEvent) -> None:
        with self._lock:
            if self._closed:
                log.debug("device events: closed, %s not delivered", event)
                return
            subscriptions = tuple(self._subscriptions)
        for sub in subscriptions:
            sub.offer(event)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every listener has had every event published so far."""
        with self._lock:
            subscriptions = tuple(self._subscriptions)
        return all(sub.wait_idle(timeout) for sub in subscriptions)

    def close(self, timeout: float = 5.0) -> None:
        """No more events: deliver what is queued, then stop every worker."""
        with self._lock:
            self._closed = True
            subscriptions, self._subscriptions = self._subscriptions, []
        for sub in subscriptions:
            sub.stop(timeout)

