"""``upgrade-report``: build the report of a run directory.

**Usage:**

    upgrade-report RUN_DIR [--output-dir OUT] [--no-html] [--no-png]
                   [-v | --debug]

``RUN_DIR`` is the ``[upgrade] output_dir`` of any run (local cloud or a
real cloud) or a copy of it. Writes ``report.json`` (combined, schema in
:mod:`upgrade_tempest_plugin.report.collect`), ``report.xml`` (JUnit),
``report.html`` (self-contained: verdict, a table per API, the lane chart
of every probe series with the upgrade steps, markers and verify runs)
and ``timeline.png`` (the same lanes, 1600 px wide) to ``OUT`` (default
``RUN_DIR/report``), then prints the short summary (verdict, one line per
API, the first downtime windows).
Library log lines (matplotlib, ...) are not shown unless ``-v`` (INFO and
above) or ``--debug`` is given.

Exit status: 0 when every check passed, 1 when a check failed, 2 when the
run directory cannot be read, or when the HTML or PNG output needs an
optional dependency that is not installed (plotly, matplotlib: the
``report`` extra, ``pip install "upgrade-tempest-plugin[report]"``; or
leave that output out with ``--no-html`` / ``--no-png``). Report files
written before the error stay in ``OUT``.
"""

import argparse
import enum
import os
import sys

from upgrade_tempest_plugin.common import console
from upgrade_tempest_plugin.common import fileutil
from upgrade_tempest_plugin import report as report_mod
from upgrade_tempest_plugin.report import collect
from upgrade_tempest_plugin.report import html
from upgrade_tempest_plugin.report import junit
from upgrade_tempest_plugin.report import png
from upgrade_tempest_plugin.report import text


class Exit(enum.IntEnum):
    PASSED = 0
    FAILED = 1       # a check failed
    BAD_INPUT = 2    # the run directory cannot be read, an extra is missing


def exit_status(report):
    """The exit status for a built ``report`` (None: it could not be)."""
    if report is None:
        return Exit.BAD_INPUT
    return Exit.PASSED if report['verdict']['passed'] else Exit.FAILED


def build(run_dir, output_dir=None, with_html=True, with_png=True,
          out=sys.stdout):
    """Write the report files; return (exit code, written paths)."""
    report, probe_series = collect.collect(run_dir)
    output_dir = output_dir or os.path.join(run_dir, 'report')
    os.makedirs(output_dir, exist_ok=True)
    written = [
        fileutil.write_json(os.path.join(output_dir, 'report.json'), report),
        fileutil.atomic_write(os.path.join(output_dir, 'report.xml'),
                              junit.render(report)),
    ]
    if with_html:
        written.append(fileutil.atomic_write(
            os.path.join(output_dir, 'report.html'),
            html.render(report, probe_series)))
    if with_png:
        written.append(png.render(report, probe_series,
                                  os.path.join(output_dir, 'timeline.png')))
    out.write(text.render(report))
    for path in written:
        out.write('wrote %s\n' % path)
    return exit_status(report), written


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='upgrade-report',
        description='Build the report (JSON, JUnit XML, HTML, PNG) of an '
                    'upgrade run directory.')
    parser.add_argument('run_dir', help='the [upgrade] output_dir of a run')
    parser.add_argument('--output-dir', help='default: RUN_DIR/report')
    parser.add_argument('--no-html', action='store_true')
    parser.add_argument('--no-png', action='store_true')
    console.add_arguments(parser)
    args = parser.parse_args(argv)
    console.setup(args.log_level)
    try:
        code, _ = build(args.run_dir, args.output_dir, not args.no_html,
                        not args.no_png)
    except report_mod.ReportError as exc:
        sys.stderr.write('upgrade-report: error: %s\n' % exc)
        return int(exit_status(None))
    return int(code)


if __name__ == '__main__':
    sys.exit(main())
