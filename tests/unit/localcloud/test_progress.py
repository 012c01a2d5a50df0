"""Console progress of localcloud steps: start, alive, end with duration."""

import io
import threading
import unittest

from localcloud import progress


class Console(io.StringIO):
    """A console that can say it is a terminal, and signals each tick."""

    def __init__(self, tty=False):
        super(Console, self).__init__()
        self.tty = tty
        self.ticked = threading.Event()

    def isatty(self):
        return self.tty

    def write(self, text):
        if progress.TICK_PREFIX in text:
            self.ticked.set()
        return super(Console, self).write(text)


class FakeClock(object):
    now = 100.0

    def __call__(self):
        return self.now


class ProgressTest(unittest.TestCase):

    def test_plain_lines_start_tick_end(self):
        out = Console()
        with progress.step('venvs main', out, every=0.01) as note:
            note['now'] = 'building main'
            self.assertTrue(out.ticked.wait(10), 'no tick within 10 s')
            note['info'] = 'main built'
        lines = out.getvalue().splitlines()
        self.assertEqual('  > venvs main', lines[0])
        self.assertRegex(lines[1], r'^  \.\.\. venvs main: \d+ s '
                                   r'\(building main\)$')
        self.assertRegex(lines[-1], r'^  venvs main +\d+\.\d s  '
                                    r'\(main built\)$')
        self.assertNotIn('\r', out.getvalue())     # plain lines only

    def test_terminal_keeps_one_live_line(self):
        out = Console(tty=True)
        clock = FakeClock()
        ticker = progress.Ticker('keystone 28.1.0', out, clock=clock)
        clock.now += 12.4
        ticker.tick()
        clock.now += 1
        ticker.tick()
        ticker.stop()
        self.assertEqual('\r\x1b[K  ... keystone 28.1.0: 12 s'
                         '\r\x1b[K  ... keystone 28.1.0: 13 s'
                         '\r\x1b[K', out.getvalue())

    def test_terminal_ticks_every_second_plain_every_15(self):
        self.assertEqual(1.0, progress.Ticker('x', Console(True)).every)
        self.assertEqual(15.0, progress.Ticker('x', Console()).every)

    def test_failure_says_so_with_its_time(self):
        out = Console()
        with self.assertRaises(progress.Failed):
            with progress.step('nova: setup + start', out):
                raise progress.Failed('nova-api died')
        lines = out.getvalue().splitlines()
        self.assertEqual('  > nova: setup + start', lines[0])
        self.assertRegex(lines[-1], r'^  nova: setup \+ start +FAILED after '
                                    r'\d+\.\d s$')
