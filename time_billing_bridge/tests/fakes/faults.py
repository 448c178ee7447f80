# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How a fake provider misbehaves for its next requests: errors, slowness,
broken or dropped answers, stalls. Mixed into :class:`.base.FakeServer`,
which holds the queue (``_faults``), its lock and the ``_released`` event."""

import json
import time

from .wire import Response


class FaultInjection:
    def fail_next(self, status, times=1, headers=None, body=None):
        """Answer the next ``times`` requests with ``status`` (e.g. 429, 503)."""
        with self._lock:
            for _i in range(times):
                self._faults.append(("fail", status, dict(headers or {}), body))

    def pass_next(self, times=1):
        """Answer the next ``times`` requests normally (to aim the faults
        queued after this at a later request)."""
        with self._lock:
            for _i in range(times):
                self._faults.append(("pass", None, None, None))

    def slow_next(self, seconds, times=1):
        """Wait ``seconds`` before answering the next ``times`` requests."""
        with self._lock:
            for _i in range(times):
                self._faults.append(("slow", seconds, None, None))

    def malformed_next(self, times=1):
        """Answer the next ``times`` requests 200 with a body that is not JSON."""
        with self._lock:
            for _i in range(times):
                self._faults.append(("malformed", 200, None, None))

    def trickle_next(self, body, **options):
        """Answer the next request 200 with ``body``, slowly or in full
        (``options`` of :func:`.wire.send_trickle`)."""
        with self._lock:
            self._faults.append(("trickle", (body, options), None, None))

    def answer_next(self, times=1, path=""):
        """Answer normally the next ``times`` requests whose path ends with
        ``path``, and any other request until the next one that does: the
        faults queued after this one hit that request (a later page)."""
        with self._lock:
            self._faults.append(("answer", [times, path], None, None))

    def drop_next(self, times=1, after="body"):
        """Drop the connection of the next ``times`` requests part-way through
        the answer (``after`` of :func:`.wire.send_dropped`)."""
        with self._lock:
            for _i in range(times):
                self._faults.append(("drop", after, None, None))

    def hold_next(self, times=1, timeout=60.0):
        """Keep the next ``times`` requests unanswered until :meth:`release`
        (or ``timeout`` seconds), then answer them normally: a provider that
        stalls while the test kills its client."""
        with self._lock:
            self._released.clear()
            for _i in range(times):
                self._faults.append(("hold", timeout, None, None))

    def release(self):
        """Let the held requests be answered."""
        self._released.set()

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    def _next_fault(self, request):
        """The fault for ``request``, taken from the queue (under the lock)."""
        fault = self._faults.popleft() if self._faults else None
        if fault is not None and fault[0] == "answer":
            left, path = fault[1]
            if not request.path.endswith(path) or left > 0:
                left -= request.path.endswith(path)
                self._faults.appendleft(("answer", [left, path], None, None))
                return None
            fault = self._faults.popleft() if self._faults else None
        return fault

    def _fault_response(self, fault):
        """The response a fault imposes, or None to answer as usual (after
        waiting, for a slow or held request; "pass" and "drop" answer as
        usual, a drop cutting the answer short)."""
        kind, value, headers, fault_body = fault
        if kind == "slow":
            time.sleep(value)
        elif kind == "hold":
            self._released.wait(value)
        elif kind == "malformed":
            return Response(
                200, b'{"unterminated": [1, 2', {"Content-Type": "application/json"}
            )
        elif kind == "fail":
            response = self.error_body(value)
            if fault_body is not None:
                response.body = (
                    fault_body
                    if isinstance(fault_body, bytes)
                    else json.dumps(fault_body).encode()
                )
            response.status = value
            response.headers.update(headers)
            return response
        return None
