"""An authenticated probe every ~0.1 s, to measure how long an API is down.

Outage = first failing probe -> first 2xx after it.  Each request is
bounded (1 s), so a hung API counts as down rather than blocking.
"""

import threading
import time
import urllib.error
import urllib.request

from localcloud import api

INTERVAL = 0.1
TIMEOUT = 1.0


def target(cloud, svc, token, project_id):
    """(url, headers) of the authenticated GET that shows svc's API."""
    path = svc.probe.format(project_id=project_id)
    headers = {'X-Auth-Token': token, 'Accept': 'application/json'}
    if svc.name == 'keystone':
        headers['X-Subject-Token'] = token
    if svc.name == 'placement':
        headers['OpenStack-API-Version'] = 'placement 1.0'
    return cloud.url(svc.port, path), headers


def once(url, headers, timeout=TIMEOUT):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def answers_within(url, headers, seconds):
    """True once the probe gets a 2xx (patient: for before a restart)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if once(url, headers, timeout=10):
            return True
        time.sleep(0.5)
    return False


class Prober(threading.Thread):
    """Probe in the background; record the first failure and recovery."""

    def __init__(self, url, headers):
        super(Prober, self).__init__(daemon=True)
        self.url, self.headers = url, headers
        self.first_fail = None
        self.first_ok_after = None
        self.count = self.failed = 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            t = time.time()
            ok = once(self.url, self.headers)
            self.count += 1
            if not ok:
                self.failed += 1
                if self.first_fail is None:
                    self.first_fail = t
            elif self.first_fail is not None and self.first_ok_after is None:
                self.first_ok_after = t
            self._halt.wait(max(0.0, INTERVAL - (time.time() - t)))

    def stop(self):
        self._halt.set()
        self.join(5)

    def wait_recovered(self, timeout):
        """After a stop/start: wait for the first 2xx after a failure."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.first_fail is None or self.first_ok_after is not None:
                if once(self.url, self.headers):
                    return True
            time.sleep(0.05)
        return False

    @property
    def outage(self):
        if self.first_fail is None:
            return 0.0
        if self.first_ok_after is None:
            return None
        return self.first_ok_after - self.first_fail


def admin_token(cloud, attempts=4):
    """An admin token; retried, as keystone may be busy under tests."""
    for attempt in range(attempts):
        try:
            return api.get_token(cloud, timeout=30)
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(2)
