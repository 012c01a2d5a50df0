"""A minimal JSON client over urllib for bootstrap and probes (stdlib)."""

import json
import urllib.error
import urllib.request


class ApiError(Exception):
    def __init__(self, status, method, url, body):
        super(ApiError, self).__init__('%s %s -> %s: %s' % (
            method, url, status, body[:500]))
        self.status = status


def request(method, url, token=None, body=None, headers=None, timeout=30,
            raw=None):
    """(status, headers, parsed JSON or None); raises ApiError on >= 400."""
    hdrs = {'Accept': 'application/json'}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs['Content-Type'] = 'application/json'
    if raw is not None:
        data = raw
        hdrs['Content-Type'] = 'application/octet-stream'
    if token:
        hdrs['X-Auth-Token'] = token
    hdrs.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=hdrs, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read()
            status, resp_headers = resp.status, resp.headers
    except urllib.error.HTTPError as e:
        raise ApiError(e.code, method, url,
                       e.read().decode('utf-8', 'replace'))
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = None
    return status, resp_headers, parsed


def get_token(cloud, user='admin', password=None, project='admin',
              timeout=30):
    """(token, project_id) for a Default-domain user scoped to project."""
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'},
            'password': password or cloud.secret('admin')}}},
        'scope': {'project': {'name': project,
                              'domain': {'id': 'default'}}}}}
    _, headers, parsed = request('POST', cloud.auth_url + '/auth/tokens',
                                 body=body, timeout=timeout)
    return headers['X-Subject-Token'], parsed['token']['project']['id']


class Session(object):
    """An admin token plus helpers for the calls bootstrap makes."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.token, self.project_id = get_token(cloud)

    def call(self, method, port_name, path, body=None, **kw):
        url = self.cloud.url(port_name, path)
        return request(method, url, token=self.token, body=body, **kw)[2]

    def get(self, port_name, path):
        return self.call('GET', port_name, path)

    def post(self, port_name, path, body, **kw):
        return self.call('POST', port_name, path, body, **kw)
