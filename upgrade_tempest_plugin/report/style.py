"""Colours of the timeline, the same in the HTML page and the PNG."""

PROBED = '#cfe8cf'          # the probed period of a lane: up
WINDOW = '#d62728'          # a downtime window
OPEN_WINDOW = '#7a0c0c'     # a window still open when the run ended
STALL = '#f0a202'           # a slow answer (stall)
# a window or stall the control saw too: trouble on the probing host
CONTROL = '#9e9e9e'
OK = '#2ca02c'              # a step or verify run that passed
OK_ALT = '#7ccf7c'          # every other passed step
FAILED = '#d62728'          # one that failed
MARKER = '#555555'
MARKER_LINE = '#888888'
GROUP_LINE = '#c8c8c8'
GROUP_FILL = ('#ffffff', '#f1f4f8')     # alternate API groups
KIND_PALETTE = ('#1f77b4', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2',
                '#17becf', '#bcbd22', '#7f7f7f')


def bar_color(bar):
    """The colour of one bar of a lane (see lanes.build)."""
    if bar.get('control'):
        return CONTROL
    if bar['kind'] == 'window':
        return OPEN_WINDOW if bar.get('open') else WINDOW
    if bar['kind'] == 'stall':
        return STALL
    if not bar['ok']:
        return FAILED
    return OK_ALT if bar.get('shade') else OK


def kind_colors(lanes):
    """{series kind: colour} of the latency lines: ``new`` first, then
    the other kinds by name, so a kind keeps its colour across APIs."""
    kinds = sorted({lane['series_kind'] for lane in lanes
                    if lane['kind'] == 'series'},
                   key=lambda k: (k != 'new', k))
    return {k: KIND_PALETTE[i % len(KIND_PALETTE)]
            for i, k in enumerate(kinds)}
