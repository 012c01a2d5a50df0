"""JUnit XML of the report, for CI dashboards.

One test suite per kind of check: ``rehearsal`` (its steps),
``uptime`` (one case per service; it fails on a recorded threshold
violation, and its windows are in the case's system-out), and
``persistent`` (one case per resource per verify run, failing with the
differences found).
"""

import xml.etree.ElementTree as ET

from upgrade_tempest_plugin.report import timeutil


def _case(suite, classname, name, seconds=0.0, failure=None, out=None):
    case = ET.SubElement(suite, 'testcase', classname=classname,
                         name=name, time='%.3f' % (seconds or 0.0))
    if failure:
        ET.SubElement(case, 'failure', message=failure.splitlines()[0]
                      ).text = failure
    if out:
        ET.SubElement(case, 'system-out').text = out
    return case


def _finish(suite):
    cases = suite.findall('testcase')
    suite.set('tests', str(len(cases)))
    suite.set('failures', str(sum(1 for c in cases
                                  if c.find('failure') is not None)))
    suite.set('errors', '0')


def _difference(diff):
    return '%s: expected %r, got %r' % (
        diff.get('field'), diff.get('expected'), diff.get('actual'))


def _seconds(start, end):
    start, end = timeutil.to_epoch(start), timeutil.to_epoch(end)
    return (end - start) if start is not None and end is not None else 0.0


def render(report):
    """Return the JUnit XML document as a string."""
    root = ET.Element('testsuites', name='upgrade_tempest_plugin')
    if report['steps']:
        suite = ET.SubElement(root, 'testsuite', name='rehearsal')
        for step in report['steps']:
            _case(suite, 'rehearsal', step['name'], step.get('duration_s'),
                  None if step.get('ok', True)
                  else 'step failed: %s' % step.get('detail', ''))
        _finish(suite)
    uptime = report.get('uptime')
    if uptime:
        suite = ET.SubElement(root, 'testsuite', name='uptime')
        for name, entry in sorted(uptime['services'].items()):
            violations = entry.get('violations', [])
            failure = '\n'.join(v.get('message', str(v))
                                for v in violations) or None
            out = '\n'.join(
                'down %s .. %s: %.2f s, %d failed probe(s), %s%s%s' % (
                    w['start'], w['end'], w['duration_s'],
                    w.get('failed_probes', 0), w.get('errors', {}),
                    ', request ids %s' % ' '.join(w['request_ids'][:5])
                    if w.get('request_ids') else '',
                    ' (the control saw it too: trouble on the probing '
                    'host, not counted)' if w.get('control') else '')
                for w in entry.get('windows', []))
            out = ('uptime %s %%, %d/%d probes ok\n' % (
                entry.get('uptime_pct'), entry.get('successful_requests', 0),
                entry.get('total_requests', 0)) + out)
            _case(suite, 'uptime', name,
                  _seconds(entry.get('start_time'), entry.get('end_time')),
                  failure, out)
        _finish(suite)
    if report['persistent']:
        suite = ET.SubElement(root, 'testsuite', name='persistent')
        for run in report['persistent']:
            classname = 'persistent.verify.%s' % (run['label'] or 'run')
            diffs = run.get('differences', [])
            names = set()
            for res in run.get('resources_checked', []):
                key = (res.get('type'), res.get('name'))
                names.add(key)
                mine = [d for d in diffs
                        if (d.get('resource_type'), d.get('name')) == key]
                failure = '\n'.join(_difference(d) for d in mine) or (
                    None if res.get('ok', True) else 'check failed')
                _case(suite, classname, '%s:%s' % key, failure=failure)
            for d in diffs:     # differences of resources not listed
                key = (d.get('resource_type'), d.get('name'))
                if key not in names:
                    names.add(key)
                    _case(suite, classname, '%s:%s' % key,
                          failure=_difference(d))
        _finish(suite)
    total = root.findall('testsuite')
    root.set('tests', str(sum(int(s.get('tests')) for s in total)))
    root.set('failures', str(sum(int(s.get('failures')) for s in total)))
    ET.indent(root)
    return ET.tostring(root, encoding='unicode', xml_declaration=True)
