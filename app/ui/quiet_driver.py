"""Textual's Linux driver with an input thread that sleeps until there is input (issue 12).

The stock input thread wakes ten times a second, all day, to see whether it should stop
and whether a lone Esc has waited long enough to be a key of its own: on an idle
dashboard that was about a third of what the process cost. This thread waits on the
terminal and on a wake-up pipe with no timeout, unless the key parser is holding a
partial sequence (then until the parser's own deadline); stopping the input writes to
the pipe. Reading and parsing keys is the stock driver's, unchanged.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from threading import Event

from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

# The stock thread's own wait when it drains the last input before stopping.
FINAL_WAIT = 0.1


class _WakingEvent(Event):
    """The driver's stop flag: setting it also wakes the input thread."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd
        self.closed = False  # the pipe is closed (its number may belong to another file now)

    def set(self) -> None:
        super().set()
        if self.closed:
            return
        try:
            os.write(self._wake_fd, b"\0")
        except OSError:  # the pipe is full: the thread is awake already
            pass


class QuietLinuxDriver(LinuxDriver):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self.exit_event: _WakingEvent = _WakingEvent(self._wake_write)

    def run_input_thread(self) -> None:
        fileno, wake = self.fileno, self._wake_read
        selector = selectors.SelectSelector()  # as the stock driver: kqueue cannot wait on a tty
        selector.register(fileno, selectors.EVENT_READ)
        selector.register(wake, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def timeout() -> float | None:
            # None (sleep until input) unless a partial sequence waits for its deadline.
            deadline = parser._timeout_time
            return None if deadline is None else max(0.0, deadline - get_time())

        def process(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for key, mask in events:
                if key.fd == wake:
                    _drain(wake)
                elif mask & selectors.EVENT_READ:
                    data = decode(os.read(fileno, 1024 * 4), final=final)
                    if not data:  # stdin is a closed pipe
                        break
                    for message in parser.feed(data):
                        self.process_message(message)
            for message in parser.tick():
                self.process_message(message)

        try:
            while not self.exit_event.is_set():
                process(selector.select(timeout()))
            selector.unregister(fileno)
            process(selector.select(FINAL_WAIT), final=True)
        finally:
            selector.close()
            try:
                for _ in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass

    def close(self) -> None:
        super().close()
        self.exit_event.closed = True
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except (BlockingIOError, OSError):
        pass
